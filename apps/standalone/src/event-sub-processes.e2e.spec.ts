// Event sub-processes over the API (examples/event-sub-processes.bpmn): a worker's error, a published message and a
// timer each start one; the subscriptions of the process level survive a restart on the embedded store.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@trellis/platform';
import { MessageCorrelator, TimerScheduler } from '@trellis/runtime';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const exampleBpmn = readFileSync(new URL('../../../examples/event-sub-processes.bpmn', import.meta.url), 'utf8');
const T0 = '2026-03-01T08:00:00.000Z';
const HOUR = 3_600_000;

interface InstanceView {
  readonly state: string;
  readonly activeElementInstances: readonly { readonly elementId: string }[];
  readonly variables: Record<string, unknown>;
}

const activeElements = (instance: InstanceView): string[] => instance.activeElementInstances.map((element) => element.elementId).sort();

async function instance(http: ReturnType<typeof request>, id: string): Promise<InstanceView> {
  return (await http.get(`/api/process-instances/${id}`).expect(200)).body as InstanceView;
}

async function jobOf(http: ReturnType<typeof request>, processInstanceId: string, type: string): Promise<{ id: string }> {
  const jobs = (await http.get('/api/jobs').query({ processInstanceId, type }).expect(200)).body;
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

async function userTaskOf(http: ReturnType<typeof request>, processInstanceId: string, elementId: string): Promise<{ id: string }> {
  const tasks = (await http.get('/api/user-tasks').query({ processInstanceId, state: 'CREATED' }).expect(200)).body as { id: string; elementId: string }[];
  const task = tasks.find((candidate) => candidate.elementId === elementId);
  if (task === undefined) throw new Error(`no open user task ${elementId} in ${JSON.stringify(tasks)}`);
  return task;
}

describe('event sub-processes over the API (examples/event-sub-processes.bpmn)', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    app = await memoryApp({ clock });
    http = request(app.getHttpServer());
    await deploy(app, ['event-sub-processes.bpmn', exampleBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  const start = async (orderId: string): Promise<string> =>
    (await http.post('/api/process-instances').send({ processId: 'event-sub-processes', variables: { orderId } }).expect(201)).body.id;

  it("a worker's OUT_OF_STOCK starts the back-order inside the fulfilment; the order is then invoiced", async () => {
    const id = await start('O-1');
    const pick = await jobOf(http, id, 'pick-items');
    const thrown = await http.post(`/api/jobs/${pick.id}/error`).send({ errorCode: 'OUT_OF_STOCK', errorMessage: '3 of 5 items missing' }).expect(200);
    expect(activeElements(thrown.body)).toEqual(['back-order', 'back-order-items', 'fulfil']);
    expect(thrown.body.variables).toEqual({ orderId: 'O-1', stockProblem: '3 of 5 items missing' });

    await http.post(`/api/user-tasks/${(await userTaskOf(http, id, 'back-order-items')).id}/complete`).send({}).expect(200);
    expect(activeElements(await instance(http, id))).toEqual(['send-invoice']);
  });

  it('a published cancellation ends the order wherever it is and refunds it; a second one finds nothing to cancel', async () => {
    const id = await start('O-2');
    await http.post('/api/messages').send({ name: 'order-canceled', correlationKey: 'O-2', variables: { reason: 'changed my mind' } }).expect(200);
    await app.get(MessageCorrelator).idle();
    const canceled = await instance(http, id);
    expect(activeElements(canceled)).toEqual(['cancellation', 'refund-payment']);
    expect(canceled.variables).toEqual({ orderId: 'O-2', reason: 'changed my mind' });
    expect((await http.get('/api/jobs').query({ processInstanceId: id, type: 'pick-items' }).expect(200)).body).toEqual([]);

    // Camunda 7 style correlation answers 404: nothing waits for the message any more.
    await http.post('/api/messages/correlate').send({ messageName: 'order-canceled', correlationKey: 'O-2' }).expect(404);
    await http.post(`/api/jobs/${(await jobOf(http, id, 'refund-payment')).id}/complete`).send({}).expect(200);
    expect((await instance(http, id)).state).toBe('COMPLETED');
  });

  it('two hours in, the delay notice runs beside the fulfilment (the server fires the timer by the clock)', async () => {
    const id = await start('O-3');
    clock.advance(2 * HOUR);
    await app.get(TimerScheduler).fireDue();
    expect(activeElements(await instance(http, id))).toEqual(['delay-notice', 'fulfil', 'notify-customer', 'pick-items']);
  });
});

describe('event sub-processes across a restart (embedded store)', () => {
  it('the timer and the message subscription of the process level are known again after the restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trellis-event-sub-processes-'));
    const clock = new ManualClock(T0);
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false, clock });
    try {
      const first = await open();
      await deploy(first, ['event-sub-processes.bpmn', exampleBpmn]).expect(201);
      const id = (await request(first.getHttpServer()).post('/api/process-instances').send({ processId: 'event-sub-processes', variables: { orderId: 'R-1' } }).expect(201)).body.id;
      await first.close();

      clock.advance(3 * HOUR);
      const second = await open();
      try {
        const http = request(second.getHttpServer());
        // Late by an hour: fired at startup.
        await second.get(TimerScheduler).fireDue();
        expect(activeElements(await instance(http, id))).toEqual(['delay-notice', 'fulfil', 'notify-customer', 'pick-items']);

        await http.post('/api/messages').send({ name: 'order-canceled', correlationKey: 'R-1' }).expect(200);
        await second.get(MessageCorrelator).idle();
        expect(activeElements(await instance(http, id))).toEqual(['cancellation', 'refund-payment']);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('events used wrongly', () => {
  it('a deployment is refused with every problem listed, by element, field and line, and nothing is stored', async () => {
    const app = await memoryApp();
    try {
      const broken = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://example.org/broken-events">
  <bpmn:process id="broken-events" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:exclusiveGateway id="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="wait" />
    <bpmn:boundaryEvent id="on-gateway" attachedToRef="split"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:intermediateCatchEvent id="wait" />
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="jump" />
    <bpmn:intermediateThrowEvent id="jump"><bpmn:linkEventDefinition name="nowhere" /></bpmn:intermediateThrowEvent>
    <bpmn:subProcess id="late" triggeredByEvent="true">
      <bpmn:startEvent id="late-start"><bpmn:timerEventDefinition><bpmn:timeDuration>in an hour</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>
      <bpmn:sequenceFlow id="l1" sourceRef="late-start" targetRef="late-end" />
      <bpmn:endEvent id="late-end" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>`;
      const refused = await deploy(app, ['broken-events.bpmn', broken]).expect(400);
      expect(refused.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ resource: 'broken-events.bpmn', elementId: 'on-gateway', code: 'INVALID_ATTRIBUTE', field: 'attachedToRef', line: 8 }),
          expect.objectContaining({ resource: 'broken-events.bpmn', elementId: 'wait', code: 'MISSING_ATTRIBUTE', field: 'eventDefinitions', line: 9 }),
          expect.objectContaining({ resource: 'broken-events.bpmn', elementId: 'jump', line: 11 }),
          expect.objectContaining({ resource: 'broken-events.bpmn', elementId: 'late-start', code: 'INVALID_ATTRIBUTE', field: 'timeDuration', line: 13 }),
        ]),
      );
      expect((await request(app.getHttpServer()).get('/api/process-definitions').expect(200)).body).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
