// Signals over the API and from throw events, on the standalone app with examples/signal-broadcast.bpmn: one broadcast
// reaches every waiting instance of every process; a subscription waiting across a restart of the embedded store gets
// a signal broadcast after it, and a broadcast recorded but not delivered before a restart is delivered after it; with
// two servers on one Postgres store, both deliver a thrown signal and a non-interrupting boundary event runs once.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventStore } from '@trellis/event-store';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EVENT_STORE } from '@trellis/platform';
import { processInstanceStream, RuntimeProjection, SignalBroadcaster } from '@trellis/runtime';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const exampleBpmn = readFileSync(new URL('../../../examples/signal-broadcast.bpmn', import.meta.url), 'utf8');

type Http = ReturnType<typeof request>;
const instance = async (http: Http, id: string): Promise<{ state: string; variables: Record<string, unknown>; activeElementInstances: { elementId: string }[] }> =>
  (await http.get(`/api/process-instances/${id}`).expect(200)).body;
const active = async (http: Http, id: string): Promise<string[]> => (await instance(http, id)).activeElementInstances.map((element) => element.elementId).sort();
const start = async (http: Http, processId: string, variables: Record<string, unknown> = {}): Promise<string> =>
  (await http.post('/api/process-instances').send({ processId, variables }).expect(201)).body.id;
const completeTask = async (http: Http, processInstanceId: string, elementId: string, variables: Record<string, unknown> = {}): Promise<void> => {
  const tasks = (await http.get('/api/user-tasks').query({ processInstanceId, state: 'CREATED' }).expect(200)).body as { id: string; elementId: string }[];
  const task = tasks.find((candidate) => candidate.elementId === elementId);
  if (task === undefined) throw new Error(`No open user task ${elementId} in ${processInstanceId}`);
  await http.post(`/api/user-tasks/${task.id}/complete`).send({ variables }).expect(200);
};

describe('signals (memory store): examples/signal-broadcast.bpmn', () => {
  let app: INestApplication;
  let http: Http;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
    await deploy(app, ['signal-broadcast.bpmn', exampleBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });
  const settled = () => app.get(SignalBroadcaster).idle();

  it('one broadcast over the API reaches two instances of each of two processes, with its variables', async () => {
    const lines = [await start(http, 'production-line'), await start(http, 'production-line')];
    const warehouses = [await start(http, 'warehouse'), await start(http, 'warehouse')];
    const waiting = (await http.get(`/api/process-instances/${warehouses[0]}`).expect(200)).body;
    expect(waiting.signalSubscriptions).toEqual([
      { id: expect.any(String), elementId: 'await-emergency-stop', elementInstanceId: expect.any(String), signalName: 'emergency-stop' },
    ]);
    expect((await http.get(`/api/process-instances/${lines[0]}`).expect(200)).body.signalSubscriptions.map((subscription: { elementId: string }) => subscription.elementId).sort()).toEqual([
      'line-stopped',
      'maintenance-notice',
    ]);

    const answer = await http.post('/api/signals').send({ signalName: 'emergency-stop', variables: { reason: 'fire drill' } }).expect(200);
    expect(answer.body).toEqual({ signalId: expect.any(String), reached: 4, processInstanceIds: expect.any(Array), startedProcessInstanceIds: [expect.any(String)] });
    expect([...answer.body.processInstanceIds].sort()).toEqual([...lines, ...warehouses].sort());
    // The signal start event of incident-response started one instance, with the signal's variables.
    const [response] = answer.body.startedProcessInstanceIds as string[];
    expect(await active(http, response)).toEqual(['coordinate-response']);
    expect(await instance(http, response)).toEqual(expect.objectContaining({ processId: 'incident-response', variables: { reason: 'fire drill' } }));

    for (const line of lines) {
      expect(await active(http, line)).toEqual(['secure-line']);
      expect((await instance(http, line)).variables).toEqual({ reason: 'fire drill' });
    }
    for (const warehouse of warehouses) {
      expect(await active(http, warehouse)).toEqual(['evacuate']);
      expect((await instance(http, warehouse)).variables).toEqual({ reason: 'fire drill' });
      expect((await http.get(`/api/process-instances/${warehouse}`).expect(200)).body.signalSubscriptions).toEqual([]);
    }
    // Nothing waits any more: a second broadcast reaches nobody.
    const again = await http.post('/api/signals').send({ signalName: 'emergency-stop' }).expect(200);
    expect(again.body).toEqual(expect.objectContaining({ reached: 0, processInstanceIds: [] }));
    // Each broadcast starts its own response.
    expect(again.body.startedProcessInstanceIds).toHaveLength(1);
    expect(again.body.startedProcessInstanceIds).not.toEqual(answer.body.startedProcessInstanceIds);
  });

  it('a non-interrupting boundary event runs once per broadcast while the line keeps running', async () => {
    const line = await start(http, 'production-line');
    await http.post('/api/signals').send({ signalName: 'maintenance-announced' }).expect(200);
    await http.post('/api/signals').send({ signalName: 'maintenance-announced' }).expect(200);
    expect(await active(http, line)).toEqual(['plan-maintenance', 'plan-maintenance', 'run-line']);

    await completeTask(http, line, 'run-line');
    expect(await active(http, line)).toEqual(['plan-maintenance', 'plan-maintenance']);
    const late = await http.post('/api/signals').send({ signalName: 'maintenance-announced' }).expect(200);
    expect(late.body.reached).toBe(0);
  });

  it('a signal thrown by one instance reaches the boundary event and the catch event of others, with its input mappings', async () => {
    const line = await start(http, 'production-line');
    const warehouse = await start(http, 'warehouse');
    const inspection = await start(http, 'safety-inspection');

    await completeTask(http, inspection, 'inspect', { finding: 'gas leak' });
    await settled();
    expect((await instance(http, inspection)).state).toBe('COMPLETED');
    expect(await active(http, line)).toEqual(['secure-line']);
    expect((await instance(http, line)).variables).toEqual({ reason: 'gas leak' });
    expect(await active(http, warehouse)).toEqual(['evacuate']);
    // The thrown signal started an incident response too, carrying the finding.
    const page = (await http.get('/api/process-instances').query({ processId: 'incident-response' }).expect(200)).body as { items: { id: string }[] };
    expect(page.items).toHaveLength(1);
    expect((await instance(http, page.items[0].id)).variables).toEqual({ reason: 'gas leak' });
  });

  it('reaches only the subscriptions open when it is broadcast, and only those of its name', async () => {
    const early = await start(http, 'warehouse');
    await http.post('/api/signals').send({ signalName: 'maintenance-announced' }).expect(200);
    expect(await active(http, early)).toEqual(['await-emergency-stop']);

    await http.post('/api/signals').send({ signalName: 'emergency-stop' }).expect(200);
    const late = await start(http, 'warehouse');
    expect(await active(http, early)).toEqual(['evacuate']);
    expect(await active(http, late)).toEqual(['await-emergency-stop']);
  });

  it('answers 400 naming the field for a broadcast without a signal name or with variables that are not an object', async () => {
    const unnamed = await http.post('/api/signals').send({ variables: {} }).expect(400);
    expect(JSON.stringify(unnamed.body)).toContain('signalName');
    const badVariables = await http.post('/api/signals').send({ signalName: 'emergency-stop', variables: [1] }).expect(400);
    expect(JSON.stringify(badVariables.body)).toContain('variables');
  });
});

describe('signals across a restart (embedded store)', () => {
  it('a catch event waiting across a restart receives a signal broadcast after it; a broadcast recorded but not delivered is delivered at the next start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trellis-signals-'));
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });
    try {
      const first = await open();
      await deploy(first, ['signal-broadcast.bpmn', exampleBpmn]).expect(201);
      const warehouse = await start(request(first.getHttpServer()), 'warehouse');
      const line = await start(request(first.getHttpServer()), 'production-line');
      // As if the server died right after recording a broadcast, before delivering it.
      const signalId = randomUUID();
      await first.get<EventStore>(EVENT_STORE).appendToStream(
        `signal-${signalId}`,
        [{ id: randomUUID(), type: 'SignalBroadcast', data: { signalId, signalName: 'maintenance-announced', variables: { window: 'sunday' }, broadcastAt: new Date().toISOString() }, metadata: { schemaVersion: 1 } }],
        { expectedRevision: 'no_stream' },
      );
      expect(await active(request(first.getHttpServer()), line)).toEqual(['run-line']);
      await first.close();

      const second = await open();
      try {
        const http = request(second.getHttpServer());
        await second.get(SignalBroadcaster).idle();
        expect(await active(http, line)).toEqual(['plan-maintenance', 'run-line']);
        expect(second.get(SignalBroadcaster).pendingBroadcasts()).toBe(0);

        const answer = await http.post('/api/signals').send({ signalName: 'emergency-stop' }).expect(200);
        expect([...answer.body.processInstanceIds].sort()).toEqual([line, warehouse].sort());
        expect(await active(http, warehouse)).toEqual(['evacuate']);
      } finally {
        await second.close();
      }

      // Completed broadcasts are not delivered again: the maintenance notice ran once.
      const third = await open();
      try {
        await third.get(SignalBroadcaster).idle();
        const tasks = (await request(third.getHttpServer()).get('/api/user-tasks').query({ processInstanceId: line }).expect(200)).body as { elementId: string }[];
        expect(tasks.filter((task) => task.elementId === 'plan-maintenance')).toHaveLength(1);
      } finally {
        await third.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/** start → announce (signal throw event `maintenance-announced`) → end */
const announceBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="announce-definitions" targetNamespace="http://example.org/announce">
  <bpmn:signal id="maintenance" name="maintenance-announced" />
  <bpmn:process id="announce-maintenance" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="announce" />
    <bpmn:intermediateThrowEvent id="announce"><bpmn:signalEventDefinition signalRef="maintenance" /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="announce" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('signal start events across a restart (embedded store)', () => {
  it('a broadcast recorded but not delivered starts its instance at the next start, and only once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trellis-signal-starts-'));
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });
    const responses = async (app: INestApplication): Promise<{ id: string }[]> =>
      ((await request(app.getHttpServer()).get('/api/process-instances').query({ processId: 'incident-response' }).expect(200)).body as { items: { id: string }[] }).items;
    try {
      const first = await open();
      await deploy(first, ['signal-broadcast.bpmn', exampleBpmn]).expect(201);
      // As if the server died right after recording the broadcast.
      const signalId = randomUUID();
      await first.get<EventStore>(EVENT_STORE).appendToStream(
        `signal-${signalId}`,
        [{ id: randomUUID(), type: 'SignalBroadcast', data: { signalId, signalName: 'emergency-stop', variables: { reason: 'power cut' }, broadcastAt: new Date().toISOString() }, metadata: { schemaVersion: 1 } }],
        { expectedRevision: 'no_stream' },
      );
      expect(await responses(first)).toEqual([]);
      await first.close();

      for (let restart = 0; restart < 2; restart++) {
        const app = await open();
        try {
          await app.get(SignalBroadcaster).idle();
          const started = await responses(app);
          expect(started).toHaveLength(1);
          expect((await instance(request(app.getHttpServer()), started[0].id)).variables).toEqual({ reason: 'power cut' });
        } finally {
          await app.close();
        }
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('signals with two servers on one Postgres event store', () => {
  const schema = uniqueSchema('signal_replicas');
  beforeAll(async () => {
    await requirePostgres();
  });
  afterAll(async () => {
    await dropSchema(schema);
  });

  it('both servers deliver a thrown signal; the non-interrupting boundary event runs once per signal', async () => {
    const open = (): Promise<INestApplication> =>
      createStandaloneApp({ env: { TRELLIS_EVENT_STORE: 'postgres', TRELLIS_POSTGRES_URL: postgresUrl, TRELLIS_EVENT_STORE_SCHEMA: schema }, logger: false });
    const one = await open();
    const two = await open();
    try {
      await deploy(one, ['signal-broadcast.bpmn', exampleBpmn], ['announce.bpmn', announceBpmn]).expect(201);
      const line = await start(request(one.getHttpServer()), 'production-line');
      const [projectionOne, projectionTwo] = [one.get(RuntimeProjection), two.get(RuntimeProjection)];
      await projectionTwo.waitForPosition(projectionOne.position);
      expect(two.get(SignalBroadcaster).openSubscriptions('maintenance-announced')).toHaveLength(1);

      for (let round = 0; round < 2; round++) {
        await start(request(two.getHttpServer()), 'announce-maintenance');
        await projectionOne.waitForPosition(projectionTwo.position);
        await Promise.all([one.get(SignalBroadcaster).idle(), two.get(SignalBroadcaster).idle()]);
        await projectionOne.waitForPosition(projectionTwo.position);
        await projectionTwo.waitForPosition(projectionOne.position);
      }

      const types = (await one.get<EventStore>(EVENT_STORE).readStream(processInstanceStream(line))).map((event) => event.type);
      expect(types.filter((type) => type === 'SignalReceived')).toHaveLength(2);
      for (const app of [one, two]) expect(await active(request(app.getHttpServer()), line)).toEqual(['plan-maintenance', 'plan-maintenance', 'run-line']);

      // A thrown emergency stop: both servers deliver it, and the signal start event's instance is started once.
      const inspection = await start(request(one.getHttpServer()), 'safety-inspection');
      await completeTask(request(one.getHttpServer()), inspection, 'inspect', { finding: 'smoke' });
      await projectionTwo.waitForPosition(projectionOne.position);
      await Promise.all([one.get(SignalBroadcaster).idle(), two.get(SignalBroadcaster).idle()]);
      await projectionOne.waitForPosition(projectionTwo.position);
      await projectionTwo.waitForPosition(projectionOne.position);
      for (const app of [one, two]) {
        const page = (await request(app.getHttpServer()).get('/api/process-instances').query({ processId: 'incident-response' }).expect(200)).body as { items: unknown[] };
        expect(page.items).toHaveLength(1);
      }
      expect(await active(request(two.getHttpServer()), line)).toEqual(['plan-maintenance', 'plan-maintenance', 'secure-line']);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
