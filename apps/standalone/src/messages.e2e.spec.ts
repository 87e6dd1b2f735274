// Messages over the API: Camunda 8 publish (at once, buffered with a time to live, idempotent by message id) and
// Camunda 7 correlation, on the standalone app; the buffer survives a restart on the embedded store; two servers on
// one Postgres event store correlate a buffered message once per instance and refuse a repeated message id once.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventStore } from '@trellis/event-store';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EVENT_STORE, ManualClock } from '@trellis/platform';
import { MessageCorrelator, processInstanceStream, RuntimeProjection } from '@trellis/runtime';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const exampleBpmn = readFileSync(new URL('../../../examples/order-messages.bpmn', import.meta.url), 'utf8');

/** Camunda 7: start → wait (message `approval`, no correlation key) → end. */
const camunda7Bpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="c7" targetNamespace="http://example.org/c7">
  <bpmn:process id="approval" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="approval-message" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:message id="approval-message" name="approval" />
</bpmn:definitions>`;

/** Camunda 8: an order message starts an instance (start → handle (user task) → end). */
const messageStartBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:modeler="http://camunda.org/schema/modeler/1.0"
  modeler:executionPlatform="Camunda Cloud" id="ms" targetNamespace="http://example.org/ms">
  <bpmn:process id="order-intake" isExecutable="true">
    <bpmn:startEvent id="order-received"><bpmn:messageEventDefinition messageRef="order-message" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="order-received" targetRef="handle" />
    <bpmn:userTask id="handle" />
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:message id="order-message" name="order-placed" />
</bpmn:definitions>`;

const T0 = '2026-03-01T09:00:00.000Z';

type Http = ReturnType<typeof request>;
const active = async (http: Http, id: string): Promise<string[]> =>
  ((await http.get(`/api/process-instances/${id}`).expect(200)).body.activeElementInstances as { elementId: string }[]).map((element) => element.elementId).sort();
const startOrder = async (http: Http, orderId: string, businessKey?: string): Promise<string> =>
  (await http.post('/api/process-instances').send({ processId: 'order-messages', variables: { orderId }, ...(businessKey === undefined ? {} : { businessKey }) }).expect(201)).body.id;

describe('messages over the API (memory store, test clock)', () => {
  let app: INestApplication;
  let http: Http;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    app = await memoryApp({ clock });
    http = request(app.getHttpServer());
    await deploy(app, ['order-messages.bpmn', exampleBpmn], ['approval.bpmn', camunda7Bpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });
  const settled = () => app.get(MessageCorrelator).idle();

  it('runs examples/order-messages.bpmn: payment, an address change that does not stop the packing, delivery', async () => {
    const id = await startOrder(http, 'A-1');
    expect(await active(http, id)).toEqual(['await-payment']);
    const waiting = (await http.get(`/api/process-instances/${id}`).expect(200)).body.messageSubscriptions as { elementId: string }[];
    expect([...waiting].sort((a, b) => a.elementId.localeCompare(b.elementId))).toEqual([
      { id: expect.any(String), elementId: 'await-payment', elementInstanceId: expect.any(String), messageName: 'payment-received', correlationKey: 'A-1' },
      { id: expect.any(String), elementId: 'order-cancelled', elementInstanceId: expect.any(String), messageName: 'order-cancelled', correlationKey: 'A-1' },
    ]);

    const paid = await http.post('/api/messages').send({ name: 'payment-received', correlationKey: 'A-1', variables: { amount: 120 } }).expect(200);
    expect(paid.body).toEqual({ messageKey: expect.any(String), processInstanceIds: [id], buffered: false });
    expect(await active(http, id)).toEqual(['pack-order']);

    await http.post('/api/messages').send({ name: 'address-changed', correlationKey: 'A-1', variables: { address: 'Elm St 1' } }).expect(200);
    await http.post('/api/messages').send({ name: 'address-changed', correlationKey: 'A-1', variables: { address: 'Oak St 2' } }).expect(200);
    expect(await active(http, id)).toEqual(['pack-order']);

    const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: id, state: 'CREATED' }).expect(200)).body;
    await http.post(`/api/user-tasks/${task.id}/complete`).send({}).expect(200);
    expect(await active(http, id)).toEqual(['await-delivery']);

    await http.post('/api/messages').send({ name: 'delivery-confirmed', correlationKey: 'A-1' }).expect(200);
    const done = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(done).toEqual(expect.objectContaining({ state: 'COMPLETED', variables: { orderId: 'A-1', amount: 120, address: 'Oak St 2' }, messageSubscriptions: [] }));
  });

  it('an interrupting cancellation ends the order while it waits for its payment; a payment afterwards matches nothing', async () => {
    const id = await startOrder(http, 'A-2');
    await http.post('/api/messages').send({ name: 'order-cancelled', correlationKey: 'A-2' }).expect(200);
    const instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(instance.state).toBe('COMPLETED');
    const late = await http.post('/api/messages').send({ name: 'payment-received', correlationKey: 'A-2' }).expect(200);
    expect(late.body.processInstanceIds).toEqual([]);
  });

  it('correlates only to the instance whose key matches, and to every instance waiting with that key', async () => {
    const first = await startOrder(http, 'B-1');
    const other = await startOrder(http, 'B-2');
    const twin = await startOrder(http, 'B-1');
    const paid = await http.post('/api/messages').send({ name: 'payment-received', correlationKey: 'B-1' }).expect(200);
    expect([...paid.body.processInstanceIds].sort()).toEqual([first, twin].sort());
    expect(await active(http, first)).toEqual(['pack-order']);
    expect(await active(http, twin)).toEqual(['pack-order']);
    expect(await active(http, other)).toEqual(['await-payment']);
  });

  it('drops a message without time to live that nothing waits for, and buffers one with a time to live until a subscription opens', async () => {
    await http.post('/api/messages').send({ name: 'payment-received', correlationKey: 'C-1' }).expect(200);
    const dropped = await startOrder(http, 'C-1');
    await settled();
    expect(await active(http, dropped)).toEqual(['await-payment']);

    const buffered = await http.post('/api/messages').send({ name: 'payment-received', correlationKey: 'C-2', timeToLive: 'PT1H', variables: { amount: 7 } }).expect(200);
    expect(buffered.body).toEqual(expect.objectContaining({ processInstanceIds: [], buffered: true }));
    clock.advance(30 * 60_000);
    const id = await startOrder(http, 'C-2');
    await settled();
    expect(await active(http, id)).toEqual(['pack-order']);
    expect((await http.get(`/api/process-instances/${id}`).expect(200)).body.variables).toEqual({ orderId: 'C-2', amount: 7 });

    // Each instance takes a buffered message once; another instance waiting later takes it too, while it lives.
    const second = await startOrder(http, 'C-2');
    await settled();
    expect(await active(http, second)).toEqual(['pack-order']);
  });

  it('does not correlate a buffered message once its time to live has passed', async () => {
    await http.post('/api/messages').send({ name: 'payment-received', correlationKey: 'D-1', timeToLive: 60_000 }).expect(200);
    clock.advance(60_001);
    const id = await startOrder(http, 'D-1');
    await settled();
    expect(await active(http, id)).toEqual(['await-payment']);
  });

  it('refuses a second message with the same id while the first is buffered, and takes it again once that expired', async () => {
    const message = { name: 'payment-received', correlationKey: 'E-1', timeToLive: 'PT10M', messageId: 'payment-981' };
    const first = await http.post('/api/messages').send(message).expect(200);
    const again = await http.post('/api/messages').send(message).expect(409);
    expect(again.body).toEqual(
      expect.objectContaining({ details: { name: 'payment-received', correlationKey: 'E-1', messageId: 'payment-981', messageKey: first.body.messageKey } }),
    );
    // Another key is another message.
    await http.post('/api/messages').send({ ...message, correlationKey: 'E-2' }).expect(200);
    clock.advance(10 * 60_000);
    await http.post('/api/messages').send(message).expect(200);
  });

  it('a message start event starts an instance per message, one at a time per correlation key', async () => {
    await deploy(app, ['order-intake.bpmn', messageStartBpmn]).expect(201);
    const first = await http.post('/api/messages').send({ name: 'order-placed', correlationKey: 'S-1', variables: { item: 'book' } }).expect(200);
    expect(first.body.processInstanceIds).toHaveLength(1);
    const [id] = first.body.processInstanceIds as string[];
    const instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(instance).toEqual(expect.objectContaining({ processId: 'order-intake', state: 'ACTIVE', variables: { item: 'book' } }));

    // While it is active, another message with its key starts nothing; one with another key starts another.
    expect((await http.post('/api/messages').send({ name: 'order-placed', correlationKey: 'S-1' }).expect(200)).body.processInstanceIds).toEqual([]);
    expect((await http.post('/api/messages').send({ name: 'order-placed', correlationKey: 'S-2' }).expect(200)).body.processInstanceIds).toHaveLength(1);

    // A buffered message of the key waits until the active instance ends, then starts the next one.
    const waiting = await http.post('/api/messages').send({ name: 'order-placed', correlationKey: 'S-1', timeToLive: 'PT1H', variables: { item: 'lamp' } }).expect(200);
    expect(waiting.body).toEqual(expect.objectContaining({ processInstanceIds: [], buffered: true }));
    const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: id, state: 'CREATED' }).expect(200)).body;
    await http.post(`/api/user-tasks/${task.id}/complete`).send({}).expect(200);
    await settled();
    const intake = (await http.get('/api/process-instances').query({ processId: 'order-intake', state: 'ACTIVE' }).expect(200)).body.items as { variables: { item?: string } }[];
    expect(intake.map((instance) => instance.variables.item).sort()).toEqual(['lamp', undefined].sort());
    // That one is active now: the next message of the key starts nothing while it runs.
    expect((await http.post('/api/messages').send({ name: 'order-placed', correlationKey: 'S-1' }).expect(200)).body.processInstanceIds).toEqual([]);
  });

  it('Camunda 7 correlation starts an instance at a message start event when nothing waits for the message', async () => {
    await deploy(app, ['order-intake.bpmn', messageStartBpmn]).expect(201);
    const started = await http.post('/api/messages/correlate').send({ messageName: 'order-placed', businessKey: 'order-9', variables: { item: 'pen' } }).expect(200);
    expect(started.body).toEqual(expect.objectContaining({ processId: 'order-intake', businessKey: 'order-9', state: 'ACTIVE', variables: { item: 'pen' } }));
    // Naming an instance (or a correlation key) means one that waits: nothing is started then.
    await http.post('/api/messages/correlate').send({ messageName: 'order-placed', processInstanceId: started.body.id }).expect(404);
  });

  it('answers 400 naming the field for a message without name or with a bad time to live', async () => {
    const unnamed = await http.post('/api/messages').send({ correlationKey: 'x' }).expect(400);
    expect(JSON.stringify(unnamed.body)).toContain('name');
    const badTtl = await http.post('/api/messages').send({ name: 'payment-received', correlationKey: 'x', timeToLive: 'soon' }).expect(400);
    expect(badTtl.body.errors).toEqual([expect.objectContaining({ field: 'timeToLive' })]);
  });

  it('Camunda 7 correlation: 404 when nothing waits, 409 when several do, the one instance named by its business key', async () => {
    const none = await http.post('/api/messages/correlate').send({ messageName: 'approval' }).expect(404);
    expect(none.body).toEqual(expect.objectContaining({ details: { messageName: 'approval' } }));

    const first = (await http.post('/api/process-instances').send({ processId: 'approval', businessKey: 'loan-1' }).expect(201)).body.id;
    const second = (await http.post('/api/process-instances').send({ processId: 'approval', businessKey: 'loan-2' }).expect(201)).body.id;
    const several = await http.post('/api/messages/correlate').send({ messageName: 'approval' }).expect(409);
    expect(several.body).toEqual(expect.objectContaining({ details: { messageName: 'approval', matches: '2' } }));

    const correlated = await http.post('/api/messages/correlate').send({ messageName: 'approval', businessKey: 'loan-2', variables: { approved: true } }).expect(200);
    expect(correlated.body).toEqual(expect.objectContaining({ id: second, state: 'COMPLETED', variables: { approved: true } }));
    expect(await active(http, first)).toEqual(['wait']);
    await http.post('/api/messages/correlate').send({ messageName: 'approval', processInstanceId: first }).expect(200);
    await http.post('/api/messages/correlate').send({ messageName: 'approval', processInstanceId: first }).expect(404);
  });
});

describe('buffered messages across a restart (embedded store)', () => {
  it('a message buffered before the restart is correlated to an instance started after it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trellis-messages-'));
    const clock = new ManualClock(T0);
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false, clock });
    try {
      const first = await open();
      await deploy(first, ['order-messages.bpmn', exampleBpmn]).expect(201);
      const waiting = await startOrder(request(first.getHttpServer()), 'R-1');
      await request(first.getHttpServer()).post('/api/messages').send({ name: 'payment-received', correlationKey: 'R-2', timeToLive: 'PT1H', variables: { amount: 3 } }).expect(200);
      await first.close();

      const second = await open();
      try {
        const http = request(second.getHttpServer());
        expect(second.get(MessageCorrelator).bufferedMessages()).toEqual([expect.objectContaining({ name: 'payment-received', correlationKey: 'R-2' })]);
        const id = await startOrder(http, 'R-2');
        await second.get(MessageCorrelator).idle();
        expect(await active(http, id)).toEqual(['pack-order']);
        // The subscription opened before the restart is known again too.
        await http.post('/api/messages').send({ name: 'payment-received', correlationKey: 'R-1' }).expect(200);
        expect(await active(http, waiting)).toEqual(['pack-order']);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('messages with two servers on one Postgres event store', () => {
  const schema = uniqueSchema('message_replicas');
  beforeAll(async () => {
    await requirePostgres();
  });
  afterAll(async () => {
    await dropSchema(schema);
  });

  it('both servers see a buffered message meet a new subscription: the instance takes it once', async () => {
    const clock = new ManualClock(T0);
    const open = (): Promise<INestApplication> =>
      createStandaloneApp({ env: { TRELLIS_EVENT_STORE: 'postgres', TRELLIS_POSTGRES_URL: postgresUrl, TRELLIS_EVENT_STORE_SCHEMA: schema }, clock, logger: false });
    const one = await open();
    const two = await open();
    try {
      const [projectionOne, projectionTwo] = [one.get(RuntimeProjection), two.get(RuntimeProjection)];
      const synced = async () => {
        await projectionOne.waitForPosition(projectionTwo.position);
        await projectionTwo.waitForPosition(projectionOne.position);
        await Promise.all([one.get(MessageCorrelator).idle(), two.get(MessageCorrelator).idle()]);
        await projectionOne.waitForPosition(projectionTwo.position);
        await projectionTwo.waitForPosition(projectionOne.position);
      };
      await deploy(one, ['order-messages.bpmn', exampleBpmn]).expect(201);

      // One message id published on both servers at once: one buffers it, the other is refused.
      const message = { name: 'address-changed', correlationKey: 'P-1', timeToLive: 'PT1H', messageId: 'address-1', variables: { address: 'Elm St 1' } };
      const statuses = await Promise.all([one, two].map(async (app) => (await request(app.getHttpServer()).post('/api/messages').send(message)).status));
      expect(statuses.sort()).toEqual([200, 409]);
      await synced();
      expect(two.get(MessageCorrelator).bufferedMessages()).toHaveLength(1);

      // The instance reaches the packing, whose non-interrupting boundary event keeps its subscription open: both
      // servers see it open and both send the buffered message; the instance takes it once.
      const id = await startOrder(request(one.getHttpServer()), 'P-1');
      await synced();
      await request(two.getHttpServer()).post('/api/messages').send({ name: 'payment-received', correlationKey: 'P-1' }).expect(200);
      await synced();
      const store = one.get<EventStore>(EVENT_STORE);
      const correlated = (await store.readStream(processInstanceStream(id))).filter((event) => event.type === 'MessageCorrelated');
      expect(correlated.map((event) => (event.data as { messageName: string }).messageName)).toEqual(['payment-received', 'address-changed']);
      for (const app of [one, two]) {
        const view = (await request(app.getHttpServer()).get(`/api/process-instances/${id}`).expect(200)).body;
        expect(view.variables).toEqual({ orderId: 'P-1', address: 'Elm St 1' });
        expect((view.activeElementInstances as { elementId: string }[]).map((element) => element.elementId)).toEqual(['pack-order']);
      }
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
