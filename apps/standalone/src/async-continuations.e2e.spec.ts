// Asynchronous continuations over the API (examples/async-continuation.bpmn): the server's own job executor runs them
// by a test clock (ManualClock); a failing one is retried as its cycle says, then raises an incident that is resolved
// over the API; they wait across a restart on the embedded store; two servers on one Postgres store run each once.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventStore } from '@trellis/event-store';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EVENT_STORE, ManualClock } from '@trellis/platform';
import { JobExecutor, processInstanceStream, RuntimeProjection } from '@trellis/runtime';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const T0 = '2026-03-02T08:00:00.000Z';
const SECOND = 1000;
const exampleBpmn = readFile(new URL('../../../examples/async-continuation.bpmn', import.meta.url), 'utf8');

interface ElementView {
  readonly elementId: string;
  readonly state: string;
}
const activeElements = (body: { activeElementInstances: readonly ElementView[] }): string[] =>
  body.activeElementInstances.map((instance) => `${instance.elementId}:${instance.state}`).sort();

describe('asynchronous continuations over the API (memory store, test clock)', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('answers the start at the continuation, lists it, runs it by hand; the asyncAfter continuation waits too', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock, env: { TRELLIS_JOB_EXECUTOR_ENABLED: 'false' } });
    apps.push(app);
    const http = request(app.getHttpServer());
    await deploy(app, ['async-continuation.bpmn', await exampleBpmn]).expect(201);

    // With the job executor off, the continuation waits, shown in the instance and in the list.
    const started = (await http.post('/api/process-instances').send({ processId: 'async-continuation', variables: { unitPrice: 5, quantity: 2, priority: 70 } }).expect(201)).body;
    expect(activeElements(started)).toEqual(['price-order:ACTIVATING']);
    expect(started.asyncContinuations).toEqual([
      expect.objectContaining({ elementId: 'price-order', phase: 'BEFORE', state: 'WAITING', retries: 3, priority: 70, exclusive: true, retryTimeCycle: 'R3/PT10S', dueAt: T0 }),
    ]);
    const [listed] = (await http.get('/api/async-continuations').query({ processInstanceId: started.id }).expect(200)).body;
    expect(listed).toEqual(expect.objectContaining({ id: started.asyncContinuations[0].id, processInstanceId: started.id, processId: 'async-continuation' }));
    await http.get('/api/async-continuations').query({ state: 'LOST' }).expect(400);

    // Run by hand (Camunda 7's "execute job").
    const ran = (await http.post(`/api/async-continuations/${listed.id}/run`).expect(200)).body;
    expect(activeElements(ran)).toEqual(['charge-card:ACTIVATED']);
    expect(ran.variables).toMatchObject({ total: 10 });
    await http.post(`/api/async-continuations/${listed.id}/run`).expect(404);

    const [job] = (await http.get('/api/jobs').query({ type: 'charge-card' }).expect(200)).body;
    const charged = (await http.post(`/api/jobs/${job.id}/complete`).send({ variables: { receipt: 'R-1' } }).expect(200)).body;
    expect(activeElements(charged)).toEqual(['charge-card:COMPLETING']);
    expect(charged.asyncContinuations).toEqual([expect.objectContaining({ elementId: 'charge-card', phase: 'AFTER', priority: 10, exclusive: false })]);
  });

  it('retries a failing continuation 10 s apart by the clock, then shows the JOB_NO_RETRIES incident; resolving it runs it again', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock });
    apps.push(app);
    const http = request(app.getHttpServer());
    const executor = app.get(JobExecutor);
    await deploy(app, ['async-continuation.bpmn', await exampleBpmn]).expect(201);

    const { id } = (await http.post('/api/process-instances').send({ processId: 'async-continuation', variables: { unitPrice: 'five', quantity: 2 } }).expect(201)).body;
    await executor.runDue();
    let [continuation] = (await http.get('/api/async-continuations').expect(200)).body;
    expect(continuation).toEqual(expect.objectContaining({ state: 'WAITING', retries: 2, dueAt: '2026-03-02T08:00:10.000Z', errorMessage: expect.stringContaining("Cannot coerce 'five'") }));
    clock.advance(10 * SECOND);
    await executor.runDue();
    clock.advance(10 * SECOND);
    await executor.runDue();
    [continuation] = (await http.get('/api/async-continuations').query({ state: 'FAILED' }).expect(200)).body;
    expect(continuation).toEqual(expect.objectContaining({ retries: 0, elementId: 'price-order' }));
    const [incident] = (await http.get('/api/incidents').query({ processInstanceId: id }).expect(200)).body;
    expect(incident).toEqual(expect.objectContaining({ type: 'JOB_NO_RETRIES', elementId: 'price-order', jobId: continuation.id }));
    await http.post(`/api/async-continuations/${continuation.id}/run`).expect(409);

    await http.put(`/api/process-instances/${id}/variables`).send({ variables: { unitPrice: 5 } }).expect(200);
    await http.post(`/api/incidents/${incident.id}/resolve`).send({ retries: 2 }).expect(200);
    await executor.runDue();
    const instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(activeElements(instance)).toEqual(['charge-card:ACTIVATED']);
    expect(instance).toEqual(expect.objectContaining({ incidents: [], asyncContinuations: [] }));
    const metrics = (await http.get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^trellis_async_continuations_total\{outcome="failed"\} 3$/m);
    expect(metrics).toMatch(/^trellis_async_continuations_total\{outcome="ran"\} 1$/m);
    expect(metrics).toMatch(/^trellis_async_continuations_waiting 0$/m);
  });
});

describe('asynchronous continuations across a restart (embedded store)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trellis-async-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('runs after the restart what waited when the server went down', async () => {
    const clock = new ManualClock(T0);
    const open = (env: Record<string, string>): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, clock, logger: false, env });
    const first = await open({ TRELLIS_JOB_EXECUTOR_ENABLED: 'false' });
    let id: string;
    try {
      await deploy(first, ['async-continuation.bpmn', await exampleBpmn]).expect(201);
      id = (await request(first.getHttpServer()).post('/api/process-instances').send({ processId: 'async-continuation', variables: { unitPrice: 3, quantity: 3 } }).expect(201)).body.id;
    } finally {
      await first.close();
    }
    const second = await open({});
    try {
      await second.get(JobExecutor).runDue();
      const instance = (await request(second.getHttpServer()).get(`/api/process-instances/${id}`).expect(200)).body;
      expect(activeElements(instance)).toEqual(['charge-card:ACTIVATED']);
      expect(instance.variables).toMatchObject({ total: 9 });
    } finally {
      await second.close();
    }
  });
});

describe('asynchronous continuations with two servers on one Postgres event store', () => {
  const schema = uniqueSchema('async_replicas');
  beforeAll(async () => {
    await requirePostgres();
  });
  afterAll(async () => {
    await dropSchema(schema);
  });

  it('runs each continuation once, whichever server sends it first', async () => {
    const clock = new ManualClock(T0);
    const open = (env: Record<string, string> = {}): Promise<INestApplication> =>
      createStandaloneApp({
        env: { TRELLIS_EVENT_STORE: 'postgres', TRELLIS_POSTGRES_URL: postgresUrl, TRELLIS_EVENT_STORE_SCHEMA: schema, ...env },
        clock,
        logger: false,
      });
    // Both executors start with every continuation already waiting: they race for each.
    const writer = await open({ TRELLIS_JOB_EXECUTOR_ENABLED: 'false' });
    const ids: string[] = [];
    try {
      await deploy(writer, ['async-continuation.bpmn', await exampleBpmn]).expect(201);
      for (let index = 0; index < 6; index++) {
        ids.push((await request(writer.getHttpServer()).post('/api/process-instances').send({ processId: 'async-continuation', variables: { unitPrice: 1, quantity: index } }).expect(201)).body.id);
      }
    } finally {
      await writer.close();
    }
    const [one, two] = await Promise.all([open(), open()]);
    try {
      await Promise.all([one.get(JobExecutor).runDue(), two.get(JobExecutor).runDue()]);
      const [projectionOne, projectionTwo] = [one.get(RuntimeProjection), two.get(RuntimeProjection)];
      await projectionOne.waitForPosition(projectionTwo.position);
      await projectionTwo.waitForPosition(projectionOne.position);
      const store = one.get<EventStore>(EVENT_STORE);
      for (const id of ids) {
        const types = (await store.readStream(processInstanceStream(id))).map((event) => event.type);
        expect(types.filter((type) => type === 'AsyncContinuationExecuted')).toHaveLength(1);
        expect(types.filter((type) => type === 'JobCreated')).toHaveLength(1);
      }
      expect(one.get(JobExecutor).ran + two.get(JobExecutor).ran).toBe(6);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  }, 60_000);
});
