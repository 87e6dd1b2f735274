// The history-service as it runs: the app on real Postgres and the real Kafka broker, fed with what the REAL engine
// decided, published as the relay publishes it. The first app consumes the real events topic
// (trellis.process-instance-events.v1) in a group of its own that starts at the topic's end, and its instances have
// unique process ids, so other suites' messages on that topic do not disturb it. The rebuild tests run a second app on
// topics of their own, so a rebuild replays only what they published.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type DeadLetterEnvelope,
  type DecisionEvaluated,
  decisionEvaluatedMessageOf,
  DEPLOYMENTS_STREAM_ID,
  type EventEnvelope,
  eventEnvelopeOf,
  eventMessageOf,
  TOPICS,
} from '@trellis/contracts';
import { PostgresEventStore } from '@trellis/event-store';
import { KafkaConsumerGroupAdmin } from '@trellis/history';
import { eventually, orderBpmn } from '@trellis/history/testing';
import { asDeadLetterEnvelope, KafkaMessageBus, type MessageSubscription, silentMessagingLogger, trellisTopics } from '@trellis/messaging';
import { kafkaBrokers as brokers } from '@trellis/messaging/testing';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineDriver } from '@trellis/runtime/testing';
import pg from 'pg';
import request from 'supertest';

import { createHistoryServiceApp } from './create-history-service-app.js';
import { loadHistoryServiceSettings } from './history-service.settings.js';

const run = randomUUID().slice(0, 8);
const processId = `history-e2e-${run}`;
const deploymentsTopic = `trellis-test.history-e2e.${run}.deployments`;
const deadLetterTopic = `trellis-test.history-e2e.${run}.dead-letter`;
const decisionEvaluationsTopic = `trellis-test.history-e2e.${run}.decision-evaluations`;
const createdTopics = [deploymentsTopic, deadLetterTopic, `${deadLetterTopic}.dead`, decisionEvaluationsTopic];
const groups: string[] = [];
const schemas: string[] = [];
const apps: INestApplication[] = [];
const subscriptions: MessageSubscription[] = [];
const deadLetters: DeadLetterEnvelope[] = [];
let bus: KafkaMessageBus;
let admin: KafkaConsumerGroupAdmin;

function settingsFor(schema: string) {
  return loadHistoryServiceSettings({
    TRELLIS_ENV: 'test',
    TRELLIS_LOG_LEVEL: 'silent',
    TRELLIS_POSTGRES_URL: postgresUrl,
    TRELLIS_KAFKA_BROKERS: brokers.join(','),
    TRELLIS_KAFKA_CLIENT_ID: 'history-service-e2e',
    TRELLIS_HISTORY_SCHEMA: schema,
  });
}

async function startApp(options: { schema: string; groupId: string; topics: readonly string[] }): Promise<{ app: INestApplication; http: ReturnType<typeof request> }> {
  const app = await createHistoryServiceApp({ settings: settingsFor(options.schema), groupId: options.groupId, topics: options.topics, deadLetterTopic, decisionEvaluationsTopic });
  groups.push(`${options.groupId}.decision-evaluations`);
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  const http = request(app.getHttpServer());
  // Ready once the consumer has joined its group.
  await eventually(async () => ((await http.get('/health/ready')).status === 200 ? true : undefined), 'the service to be ready', 60_000);
  return { app, http };
}

/** The model with a process id of this run's own. */
const model = orderBpmn.replace('<bpmn:process id="order" name="Order"', `<bpmn:process id="${processId}" name="Order ${run}"`);

/** As the relays publish: the deployments stream to `deployments`, process-instance events keyed by instance to `events`. */
async function publish(envelopes: readonly EventEnvelope[], topics: { readonly events: string; readonly deployments: string }): Promise<void> {
  await bus.publish(topics.deployments, envelopes.filter((envelope) => envelope.streamId === DEPLOYMENTS_STREAM_ID).map(eventMessageOf));
  await bus.publish(topics.events, envelopes.filter((envelope) => envelope.streamId !== DEPLOYMENTS_STREAM_ID).map(eventMessageOf));
}

/**
 * Five orders a minute apart, with business keys: 0, 1 and 2 completed (in the order 1, 0, 2), 3 stuck in an incident
 * (its job failed without retries), 4 cancelled.
 */
async function fiveOrders(): Promise<{ engine: EngineDriver; ids: string[] }> {
  const engine = new EngineDriver('2026-05-04T08:00:00.000Z');
  await engine.deploy(model, 'order.bpmn');
  const ids: string[] = [];
  for (let index = 0; index < 5; index++) {
    engine.advance(60_000);
    ids.push(await engine.start(processId, { businessKey: `${run}-${index % 2 === 0 ? 'even' : 'odd'}`, variables: { amount: index * 10 } }));
  }
  engine.advance(600_000);
  for (const index of [1, 0, 2]) {
    await engine.completeJob(ids[index], 'charge', { charged: true });
    await engine.completeUserTask(ids[index], 'ship', { shippedBy: 'ada' });
    engine.advance(60_000);
  }
  await engine.failJob(ids[3], 'charge', 0, 'card declined');
  await engine.cancel(ids[4]);
  return { engine, ids };
}

beforeAll(async () => {
  await requirePostgres();
  try {
    bus = await KafkaMessageBus.connect({ brokers, clientId: 'history-service-e2e', retries: 3, logger: silentMessagingLogger });
  } catch (error) {
    throw new Error(
      `Kafka is not reachable at ${brokers.join(',')} (${error instanceof Error ? error.message : String(error)}): ` +
        'start the local broker with `deploy/local/kafka start`, or set TRELLIS_KAFKA_BROKERS to a running one.',
    );
  }
  admin = new KafkaConsumerGroupAdmin({ brokers, clientId: 'history-service-e2e' });
  // The real topics as the relay creates them (an existing topic is left as it is), and this run's own.
  await bus.ensureTopics([
    ...trellisTopics({ partitions: 12 }),
    { topic: deploymentsTopic, partitions: 1 },
    { topic: deadLetterTopic, partitions: 1 },
    { topic: decisionEvaluationsTopic, partitions: 3 },
  ]);
  subscriptions.push(
    await bus.subscribe({
      topics: deadLetterTopic,
      groupId: `trellis-test.history-e2e.${run}.dead-letters`,
      fromBeginning: true,
      decode: asDeadLetterEnvelope,
      deadLetterTopic: `${deadLetterTopic}.dead`,
      handler: (envelope) => void deadLetters.push(envelope),
    }),
  );
  groups.push(`trellis-test.history-e2e.${run}.dead-letters`);
}, 90_000);

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  await Promise.all(subscriptions.map((subscription) => subscription.close()));
  if (bus) {
    await bus.deleteGroups(groups);
    await bus.deleteTopics(createdTopics);
    await bus.close();
  }
  await admin?.close();
  for (const schema of schemas) await dropSchema(schema);
}, 60_000);

describe('history-service on the real events topic', () => {
  const schema = uniqueSchema('history_service');
  const groupId = `trellis-test.history-e2e.${run}.service`;
  const topics = { events: TOPICS.processInstanceEvents, deployments: deploymentsTopic };
  let http: ReturnType<typeof request>;
  let ids: string[];
  let envelopes: EventEnvelope[];

  beforeAll(async () => {
    schemas.push(schema);
    groups.push(groupId);
    // A new group would read the whole shared topic: this one starts at its end.
    await admin.moveOffsets(groupId, [TOPICS.processInstanceEvents], 'latest');
    ({ http } = await startApp({ schema, groupId, topics: [topics.events, topics.deployments] }));
    const orders = await fiveOrders();
    ids = orders.ids;
    envelopes = await orders.engine.envelopes();
    await publish(envelopes, topics);
    await eventually(async () => {
      const page = (await http.get('/api/history/process-instances').query({ processId, limit: 10 })).body as { total: number; items: { state: string }[] };
      return page.total === 5 && page.items.filter((item) => item.state === 'COMPLETED').length === 3 && page.items.some((item) => item.state === 'TERMINATED')
        ? true
        : undefined;
    }, 'the five orders in the history');
  }, 120_000);

  it('lists process instances newest first, filtered by state, business key and time, sorted and paged', async () => {
    const all = await http.get('/api/history/process-instances').query({ processId }).expect(200);
    expect(all.headers['content-type']).toBe('application/json');
    expect(all.body).toMatchObject({ total: 5, limit: 100, offset: 0 });
    expect(all.body.items.map((item: { id: string }) => item.id)).toEqual([...ids].reverse());
    expect(all.body.items[4]).toMatchObject({
      id: ids[0],
      processDefinitionId: `${processId}:1`,
      processId,
      processName: `Order ${run}`,
      version: 1,
      businessKey: `${run}-even`,
      state: 'COMPLETED',
      openIncidents: 0,
      startTime: '2026-05-04T08:01:01.000Z',
    });

    const states = async (state: string) =>
      (await http.get('/api/history/process-instances').query({ processId, state, sort: 'startTime:asc' }).expect(200)).body.items.map((item: { id: string }) => item.id);
    expect(await states('COMPLETED')).toEqual([ids[0], ids[1], ids[2]]);
    expect(await states('INCIDENT')).toEqual([ids[3]]);
    expect(await states('TERMINATED')).toEqual([ids[4]]);
    expect(await states('ACTIVE')).toEqual([]);

    const odd = await http.get('/api/history/process-instances').query({ businessKey: `${run}-odd`, sort: 'startTime' }).expect(200);
    expect(odd.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1], ids[3]]);
    const window = await http
      .get('/api/history/process-instances')
      .query({ processId, startedAfter: '2026-05-04T08:02:00Z', startedBefore: '2026-05-04T08:04:00Z', sort: 'startTime:asc' })
      .expect(200);
    expect(window.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1], ids[2]]);
    const byEnd = await http.get('/api/history/process-instances').query({ processId, state: 'COMPLETED', sort: 'endTime:asc' }).expect(200);
    expect(byEnd.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1], ids[0], ids[2]]);
    const endedEarly = await http.get('/api/history/process-instances').query({ processId, endedBefore: byEnd.body.items[1].endTime }).expect(200);
    expect(endedEarly.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1]]);

    const page = await http.get('/api/history/process-instances').query({ processId, sort: 'startTime:asc', limit: 2, offset: 2 }).expect(200);
    expect(page.body).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(page.body.items.map((item: { id: string }) => item.id)).toEqual([ids[2], ids[3]]);
  });

  it('answers one instance with its element instances in order, and 404 for an unknown id', async () => {
    const completed = await http.get(`/api/history/process-instances/${ids[1]}`).expect(200);
    expect(completed.body.state).toBe('COMPLETED');
    expect(completed.body.durationMs).toBe(Date.parse(completed.body.endTime) - Date.parse(completed.body.startTime));
    expect(completed.body.elementInstances.map((element: { elementId: string; elementName: string; state: string }) => [element.elementId, element.elementName, element.state])).toEqual([
      ['received', 'Order received', 'COMPLETED'],
      ['charge', 'Charge the card', 'COMPLETED'],
      ['ship', 'Ship the parcel', 'COMPLETED'],
      ['shipped', 'Order shipped', 'COMPLETED'],
    ]);
    const stuck = await http.get(`/api/history/process-instances/${ids[3]}`).expect(200);
    expect(stuck.body).toMatchObject({ state: 'INCIDENT', openIncidents: 1 });
    expect(stuck.body.elementInstances.map((element: { state: string }) => element.state)).toEqual(['COMPLETED', 'ACTIVATED']);

    const unknown = randomUUID();
    const missing = await http.get(`/api/history/process-instances/${unknown}`).expect(404);
    expect(missing.headers['content-type']).toBe('application/problem+json');
    expect(missing.body).toMatchObject({ type: 'urn:trellis:problem:not-found', status: 404, details: { processInstanceId: unknown } });
    await http.get(`/api/history/jobs/${unknown}`).expect(404);
    await http.get(`/api/history/user-tasks/${unknown}`).expect(404);
    await http.get(`/api/history/incidents/${unknown}`).expect(404);
  });

  it('lists element instances, variables and their updates, jobs, incidents and user tasks with their filters', async () => {
    const charges = await http.get('/api/history/element-instances').query({ processInstanceId: ids[3], elementId: 'charge' }).expect(200);
    expect(charges.body.items).toEqual([expect.objectContaining({ elementType: 'serviceTask', state: 'ACTIVATED', elementName: 'Charge the card' })]);

    const variables = await http.get('/api/history/variables').query({ processInstanceId: ids[0] }).expect(200);
    expect(variables.body.items.map((variable: { name: string; value: unknown }) => [variable.name, variable.value])).toEqual([
      ['amount', 0],
      ['charged', true],
      ['shippedBy', 'ada'],
    ]);
    const updates = await http.get('/api/history/variable-updates').query({ processInstanceId: ids[0], sort: 'time:desc', limit: 1 }).expect(200);
    expect(updates.body).toMatchObject({ total: 3, items: [{ name: 'shippedBy', value: 'ada', revision: 1 }] });

    const failed = await http.get('/api/history/jobs').query({ processInstanceId: ids[3], state: 'INCIDENT' }).expect(200);
    expect(failed.body.items).toEqual([expect.objectContaining({ type: 'charge', retries: 0, failures: 1, errorMessage: 'card declined', processId })]);
    const job = await http.get(`/api/history/jobs/${failed.body.items[0].id}`).expect(200);
    expect(job.body.customHeaders).toEqual({ provider: 'acme-pay' });
    const canceled = await http.get('/api/history/jobs').query({ processInstanceId: ids[4] }).expect(200);
    expect(canceled.body.items.map((item: { state: string }) => item.state)).toEqual(['CANCELED']);

    const incidents = await http.get('/api/history/incidents').query({ processId, state: 'ACTIVE' }).expect(200);
    expect(incidents.body.items).toEqual([
      expect.objectContaining({ type: 'JOB_NO_RETRIES', message: 'card declined', processInstanceId: ids[3], jobId: failed.body.items[0].id }),
    ]);
    await http.get(`/api/history/incidents/${incidents.body.items[0].id}`).expect(200);

    const tasks = await http.get('/api/history/user-tasks').query({ processId, candidateGroup: 'sales', state: 'COMPLETED', sort: 'createTime:desc' }).expect(200);
    expect(tasks.body.items.map((task: { processInstanceId: string }) => task.processInstanceId)).toEqual([ids[2], ids[0], ids[1]]);
    expect(tasks.body.items[0]).toMatchObject({ name: 'Ship the parcel', assignee: 'ada', candidateUsers: ['bob'], priority: 70, formKey: 'forms:ship' });
    await http.get(`/api/history/user-tasks/${tasks.body.items[0].id}`).expect(200);
  });

  it('refuses a bad filter with a problem naming the field', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ limit: '5000' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ offset: '-1' }, 'offset'],
      [{ sort: 'duration:asc' }, 'sort'],
      [{ state: 'RUNNING' }, 'state'],
      [{ startedAfter: 'yesterday' }, 'startedAfter'],
      [{ endedBefore: '2026-13-01T00:00:00Z' }, 'endedBefore'],
      [{ processInstanceId: 'x' }, 'processInstanceId'],
    ];
    for (const [query, field] of cases) {
      const response = await http.get('/api/history/process-instances').query(query).expect(400);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toMatchObject({ type: 'urn:trellis:problem:validation', status: 400 });
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
    const badTask = await http.get('/api/history/user-tasks').query({ dueBefore: 'soon' }).expect(400);
    expect(badTask.body.errors).toEqual([expect.objectContaining({ field: 'dueBefore' })]);
  });

  it('changes nothing when every message comes again, and dead-letters a malformed one without stopping', async () => {
    const before = (await http.get('/api/history/element-instances').query({ processInstanceId: ids[1] }).expect(200)).body;
    await publish(envelopes, topics);
    const key = randomUUID();
    await bus.publish(TOPICS.processInstanceEvents, [{ key, value: '{"type": "ElementActivated"}' }]);
    const engine = new EngineDriver();
    await engine.deploy(model, 'order.bpmn');
    const late = await engine.start(processId, { businessKey: `${run}-late` });
    await bus.publish(TOPICS.processInstanceEvents, (await engine.envelopesOf(late)).map(eventMessageOf));

    await eventually(async () => ((await http.get(`/api/history/process-instances/${late}`)).status === 200 ? true : undefined), 'the late instance');
    const dead = await eventually(async () => deadLetters.find((letter) => letter.key === key), 'the malformed message in the dead-letter topic');
    expect(dead).toMatchObject({ reason: 'invalid-message', consumerGroup: groupId, originalTopic: TOPICS.processInstanceEvents });
    expect(dead.problems?.map((problem) => problem.path)).toContain('eventId');
    expect((await http.get('/api/history/element-instances').query({ processInstanceId: ids[1] }).expect(200)).body).toEqual(before);
    expect((await http.get('/api/history/process-instances').query({ processId }).expect(200)).body.total).toBe(6);
    expect((await http.get('/api/history/variable-updates').query({ processInstanceId: ids[1] }).expect(200)).body.total).toBe(3);
    const status = await http.get('/api/history/status').expect(200);
    expect(status.body.consumer).toMatchObject({ groupId, running: true, state: 'consuming' });
  });

  it('keeps the decision evaluations the dmn-service publishes: listed with their filters, one by id, 404 and 400 naming the field', async () => {
    const evaluation: DecisionEvaluated = {
      id: `job-${run}`,
      decisionId: 'approval',
      decisionDefinitionId: 'approval:1',
      version: 1,
      processInstanceId: `pi-${run}`,
      elementInstanceId: `ei-${run}`,
      jobId: `job-${run}`,
      inputs: { amount: 500 },
      output: { approved: true },
      matchedRules: [{ decisionId: 'approval', matchedRules: [{ ruleId: 'approve-low', ruleIndex: 1, outputs: { approved: true } }] }],
      evaluatedDecisions: ['approval'],
      failed: false,
      evaluatedAt: '2026-03-01T10:00:00.000Z',
    };
    const failed: DecisionEvaluated = { ...evaluation, id: `rest-${run}`, output: null, matchedRules: [], evaluatedDecisions: [], failed: true, failureReason: 'no', evaluatedAt: '2026-03-01T10:00:01.000Z' };
    const { processInstanceId: _p, elementInstanceId: _e, jobId: _j, ...restFailed } = failed;
    await bus.publish(decisionEvaluationsTopic, [decisionEvaluatedMessageOf(evaluation), decisionEvaluatedMessageOf(restFailed)]);
    const page = await eventually(async () => {
      const body = (await http.get('/api/history/decision-evaluations').query({ decisionId: 'approval' })).body as { total: number };
      return body.total === 2 ? body : undefined;
    }, 'the two decision evaluations');
    expect(page).toEqual({ items: [evaluation, restFailed], total: 2, limit: 100, offset: 0 });
    expect((await http.get('/api/history/decision-evaluations').query({ processInstanceId: `pi-${run}` }).expect(200)).body.items).toEqual([evaluation]);
    expect((await http.get('/api/history/decision-evaluations').query({ failed: 'true', limit: 1 }).expect(200)).body).toEqual({ items: [restFailed], total: 1, limit: 1, offset: 0 });
    expect((await http.get(`/api/history/decision-evaluations/${evaluation.id}`).expect(200)).body).toEqual(evaluation);
    expect((await http.get('/api/history/decision-evaluations/nope').expect(404)).body).toMatchObject({ details: { decisionEvaluationId: 'nope' } });
    const bad = await http.get('/api/history/decision-evaluations').query({ failed: 'maybe' }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'failed' })]);
  });

  it('documents its API in OpenAPI and reports its consumer in readiness and metrics', async () => {
    const document = (await http.get('/docs-json').expect(200)).body as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/history/process-instances',
        '/api/history/process-instances/{id}',
        '/api/history/element-instances',
        '/api/history/variables',
        '/api/history/variable-updates',
        '/api/history/jobs',
        '/api/history/incidents',
        '/api/history/user-tasks',
        '/api/history/rebuild',
      ]),
    );
    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({ historyConsumer: { status: 'up', groupId }, [`postgres:${schema}`]: { status: 'up' }, kafka: { status: 'up' } });
    const metrics = await http.get('/metrics').expect(200);
    expect(metrics.text).toContain(`trellis_kafka_consumer_lag_messages{group="${groupId}",topic="${TOPICS.processInstanceEvents}"`);
  });
});

describe('history-service rebuild', () => {
  const schema = uniqueSchema('history_rebuild');
  const storeSchema = uniqueSchema('history_rebuild_events');
  const groupId = `trellis-test.history-e2e.${run}.rebuild`;
  const topics = { events: `trellis-test.history-e2e.${run}.rebuild-events`, deployments: `trellis-test.history-e2e.${run}.rebuild-deployments` };

  /** What an operator sees of the orders. */
  async function answers(http: ReturnType<typeof request>, ids: readonly string[]): Promise<unknown[]> {
    const details = [];
    for (const id of ids) details.push((await http.get(`/api/history/process-instances/${id}`).expect(200)).body);
    details.push((await http.get('/api/history/variable-updates').query({ limit: 1000 }).expect(200)).body);
    details.push((await http.get('/api/history/jobs').query({ limit: 1000 }).expect(200)).body);
    details.push((await http.get('/api/history/user-tasks').query({ limit: 1000 }).expect(200)).body);
    return details;
  }

  /** Runs `npm`'s way of starting a script: the rebuild CLI as its own process. */
  function rebuildCli(args: readonly string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--enable-source-maps', '--import', './tools/register.mjs', 'apps/history-service/src/rebuild.ts', ...args], {
        cwd: new URL('../../../', import.meta.url).pathname,
        env: { PATH: process.env['PATH'] ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  beforeAll(() => {
    schemas.push(schema, storeSchema);
    groups.push(groupId);
    createdTopics.push(topics.events, topics.deployments);
  });

  it('POST /api/history/rebuild empties the read model and replays the topics; the CLI refuses while the service runs and rebuilds from the event store once it is stopped', async () => {
    await bus.ensureTopics([
      { topic: topics.events, partitions: 3 },
      { topic: topics.deployments, partitions: 1 },
    ]);
    const { engine, ids } = await fiveOrders();
    // The event store the runtime writes (here: the engine's events, copied stream by stream), and the relay publishing it.
    const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema: storeSchema });
    let stored: EventEnvelope[];
    try {
      const streams = new Map<string, EventEnvelope[]>();
      for (const envelope of await engine.envelopes()) streams.set(envelope.streamId, [...(streams.get(envelope.streamId) ?? []), envelope]);
      for (const [streamId, events] of streams) {
        await store.appendToStream(
          streamId,
          events.map((event) => ({ id: event.eventId, type: event.type, data: event.data, metadata: event.metadata })),
          { expectedRevision: 'no_stream' },
        );
      }
      stored = (await store.readAll()).map((recorded) => eventEnvelopeOf(recorded));
    } finally {
      await store.close();
    }
    await publish(stored, topics);
    const first = await startApp({ schema, groupId, topics: [topics.events, topics.deployments] });
    await eventually(async () => ((await first.http.get(`/api/history/process-instances/${ids[4]}`)).body.state === 'TERMINATED' ? true : undefined), 'the orders');
    // The orders sit on three partitions: the last one's end says nothing of the others.
    await eventually(async () => {
      const lags = await admin.lag(groupId, [topics.events, topics.deployments]);
      return lags.every((partition) => partition.lag === 0) ? true : undefined;
    }, 'the service to consume the topics');
    const built = await answers(first.http, ids);

    // A bad manual UPDATE: the history no longer says what the events say.
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(`DELETE FROM "${schema}".element_instances; UPDATE "${schema}".process_instances SET state = 'ACTIVE', end_time = NULL`);
    } finally {
      await client.end();
    }
    expect(await answers(first.http, ids)).not.toEqual(built);

    const rebuilt = await first.http.post('/api/history/rebuild').expect(200);
    expect(rebuilt.body).toMatchObject({ groupId, topics: [topics.events, topics.deployments] });
    await eventually(async () => (JSON.stringify(await answers(first.http, ids)) === JSON.stringify(built) ? true : undefined), 'the rebuilt history', 60_000);

    // The operator's script, with the service still running: refused, exit code 2.
    const env = {
      TRELLIS_ENV: 'test',
      TRELLIS_POSTGRES_URL: postgresUrl,
      TRELLIS_KAFKA_BROKERS: brokers.join(','),
      TRELLIS_HISTORY_SCHEMA: schema,
      TRELLIS_EVENT_STORE: 'postgres',
      TRELLIS_EVENT_STORE_SCHEMA: storeSchema,
    };
    const refused = await rebuildCli(['--group', groupId], env);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain(`Consumer group ${groupId} still has 1 member(s)`);

    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);
    const client2 = new pg.Client({ connectionString: postgresUrl });
    await client2.connect();
    try {
      await client2.query(`DELETE FROM "${schema}".user_tasks`);
    } finally {
      await client2.end();
    }

    const cli = await rebuildCli(['--from-event-store', '--group', groupId], env);
    expect(cli.output).toContain(`${stored.length} event(s) replayed from the event store`);
    expect(cli.code).toBe(0);

    const second = await startApp({ schema, groupId, topics: [topics.events, topics.deployments] });
    // Rebuilt before the service started: the replay of the topics it now does changes nothing.
    expect(await answers(second.http, ids)).toEqual(built);
    await eventually(async () => {
      const lags = await admin.lag(groupId, [topics.events, topics.deployments]);
      return lags.every((partition) => partition.lag === 0) ? true : undefined;
    }, 'the service to replay the topics');
    expect(await answers(second.http, ids)).toEqual(built);
  }, 180_000);
});
