// The history consumer on the real Kafka broker (TRELLIS_KAFKA_BROKERS, default 127.0.0.1:9092) and Postgres, fed with
// the envelopes the engine's events become. Topics and groups are this run's own, so a rebuild replays only them.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DeadLetterEnvelope, DEPLOYMENTS_STREAM_ID, type EventEnvelope, eventMessageOf } from '@trellis/contracts';
import { asDeadLetterEnvelope, KafkaMessageBus, type MessageSubscription, silentMessagingLogger } from '@trellis/messaging';
import { createPostgresDataSource, StreamProjectionRunner } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import type { DataSource } from 'typeorm';

import { KafkaConsumerGroupAdmin } from './consumer-group-admin.js';
import { HistoryConsumer } from './history-consumer.js';
import { HistoryRebuild, HistoryRebuildRefusedError } from './history-rebuild.js';
import { historyEntities } from './history.entities.js';
import { historyMigrations } from './history.migrations.js';
import { HistoryProjection } from './history.projection.js';
import { HistoryQueries } from './history.queries.js';
import { EngineDriver } from './testing/engine-driver.js';
import { eventually } from './testing/eventually.js';
import { orderBpmn, parallelBpmn } from './testing/history-models.js';

const brokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const run = randomUUID().slice(0, 8);
const deadLetterTopic = `trellis-test.history.${run}.dead-letter`;
const createdTopics: string[] = [deadLetterTopic, `${deadLetterTopic}.dead`];
const groups: string[] = [];
const group = (label: string): string => {
  const name = `trellis-test.history.${run}.${label}`;
  groups.push(name);
  return name;
};

const schema = uniqueSchema('history_consumer');
let dataSource: DataSource;
let runner: StreamProjectionRunner;
let queries: HistoryQueries;
let bus: KafkaMessageBus;
let admin: KafkaConsumerGroupAdmin;
const consumers: HistoryConsumer[] = [];
const subscriptions: MessageSubscription[] = [];
const deadLetters: DeadLetterEnvelope[] = [];

interface Topics {
  readonly events: string;
  readonly deployments: string;
}

/** Topics of one test's own: a rebuild replays only what that test published. */
async function topicsFor(label: string): Promise<Topics> {
  const topics = { events: `trellis-test.history.${run}.${label}.events`, deployments: `trellis-test.history.${run}.${label}.deployments` };
  createdTopics.push(topics.events, topics.deployments);
  await bus.ensureTopics([
    { topic: topics.events, partitions: 4 },
    { topic: topics.deployments, partitions: 1 },
  ]);
  return topics;
}

function consumer(groupId: string, topics: Topics): HistoryConsumer {
  const created = new HistoryConsumer(bus, runner, {
    groupId,
    topics: [topics.events, topics.deployments],
    deadLetterTopic,
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
  });
  consumers.push(created);
  return created;
}

/** As the relay publishes them: the deployments stream to its topic, process-instance events keyed by instance. */
async function publish(topics: Topics, envelopes: readonly EventEnvelope[]): Promise<void> {
  const deployments = envelopes.filter((envelope) => envelope.streamId === DEPLOYMENTS_STREAM_ID);
  const events = envelopes.filter((envelope) => envelope.streamId !== DEPLOYMENTS_STREAM_ID);
  await bus.publish(topics.deployments, deployments.map(eventMessageOf));
  await bus.publish(topics.events, events.map(eventMessageOf));
}

async function caughtUp(groupId: string, topics: Topics): Promise<true | undefined> {
  const lags = await admin.lag(groupId, [topics.events, topics.deployments]);
  return lags.length > 0 && lags.every((partition) => partition.lag === 0) ? true : undefined;
}

async function snapshot(): Promise<string> {
  const rows: Record<string, unknown> = {};
  for (const [table, order] of Object.entries({
    process_definitions: 'id',
    element_definitions: 'process_definition_id, element_id',
    process_instances: 'id',
    element_instances: 'id',
    variables: 'scope_instance_id, name',
    variable_updates: 'scope_instance_id, name, revision',
    jobs: 'id',
    incidents: 'id',
    user_tasks: 'id',
  })) {
    rows[table] = await dataSource.query(`SELECT * FROM ${table} ORDER BY ${order}`);
  }
  return JSON.stringify(rows);
}

/** Twelve instances run to their end by the engine: six orders (one job failure each) and six parallel. */
async function completedInstances(): Promise<{ engine: EngineDriver; ids: string[] }> {
  const engine = new EngineDriver();
  await engine.deploy(orderBpmn);
  await engine.deploy(parallelBpmn);
  const ids: string[] = [];
  for (let index = 0; index < 6; index++) {
    const order = await engine.start('order', { variables: { amount: index } });
    await engine.failJob(order, 'charge', 2, 'try again');
    await engine.completeJob(order, 'charge', { charged: true });
    await engine.completeUserTask(order, 'ship');
    const parallel = await engine.start('parallel');
    await engine.completeJob(parallel, 'check');
    ids.push(order, parallel);
  }
  return { engine, ids };
}

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, entities: historyEntities, migrations: historyMigrations });
  runner = new StreamProjectionRunner(dataSource, new HistoryProjection({ warn: () => undefined }));
  queries = new HistoryQueries(dataSource);
  try {
    bus = await KafkaMessageBus.connect({
      brokers,
      clientId: 'trellis-history-test',
      retries: 3,
      logger: silentMessagingLogger,
      partitionsConsumedConcurrently: 4,
      // Members notice a rebalance at their next heartbeat: the replica test joins and leaves a group several times.
      heartbeatIntervalMs: 500,
    });
  } catch (error) {
    throw new Error(
      `Kafka is not reachable at ${brokers.join(',')} (${error instanceof Error ? error.message : String(error)}): ` +
        'start the local broker with `deploy/local/kafka start`, or set TRELLIS_KAFKA_BROKERS to a running one.',
    );
  }
  admin = new KafkaConsumerGroupAdmin({ brokers, clientId: 'trellis-history-test' });
  await bus.ensureTopics([{ topic: deadLetterTopic, partitions: 1 }]);
  subscriptions.push(
    await bus.subscribe({
      topics: deadLetterTopic,
      groupId: group('dead-letters'),
      fromBeginning: true,
      decode: asDeadLetterEnvelope,
      deadLetterTopic: `${deadLetterTopic}.dead`,
      handler: (envelope) => void deadLetters.push(envelope),
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(consumers.map((created) => created.stop()));
  await Promise.all(subscriptions.map((subscription) => subscription.close()));
  if (bus) {
    await bus.deleteGroups(groups);
    await bus.deleteTopics(createdTopics);
    await bus.close();
  }
  await admin?.close();
  await dataSource?.destroy();
  await dropSchema(schema);
}, 60_000);

describe('HistoryConsumer on Kafka', () => {
  it('builds the history of every instance from the topics, and a second copy of every message changes nothing', async () => {
    const { engine, ids } = await completedInstances();
    const envelopes = await engine.envelopes();
    const topics = await topicsFor('build');
    const groupId = group('build');
    const history = consumer(groupId, topics);
    await history.start();

    await publish(topics, envelopes);
    // The relay crashed after publishing and before its checkpoint: everything comes again.
    await publish(topics, envelopes);
    await eventually(async () => ((await queries.processInstances({ state: 'COMPLETED', limit: 1000 })).total === ids.length ? true : undefined), 'every instance completed');
    await eventually(() => caughtUp(groupId, topics), 'the group to handle every copy');

    const activations = envelopes.filter((envelope) => envelope.type === 'ElementActivating').length;
    expect((await queries.elementInstances({ limit: 1000 })).total).toBe(activations);
    const variableValues = envelopes
      .filter((envelope) => envelope.type === 'VariablesSet')
      .reduce((sum, envelope) => sum + Object.keys((envelope.data as { variables: object }).variables).length, 0);
    expect((await queries.variableUpdates({ limit: 1000 })).total).toBe(variableValues);
    expect((await queries.jobs({ type: 'charge', limit: 1000 })).items.map((job) => [job.state, job.failures])).toEqual(Array(6).fill(['COMPLETED', 1]));
    expect((await queries.processInstance(ids[0]))?.elementInstances.map((element) => element.elementName)).toEqual([
      'Order received',
      'Charge the card',
      'Ship the parcel',
      'Order shipped',
    ]);
    for (const id of ids) expect(await runner.revision(`process-instance-${id}`)).toBe((await engine.envelopesOf(id)).length - 1);
  }, 90_000);

  it('dead-letters a malformed message and a stream with a gap, with the reason, and goes on', async () => {
    const engine = new EngineDriver();
    await engine.deploy(orderBpmn);
    const gapped = await engine.start('order');
    const healthy = await engine.start('order');
    const [first, , third] = await engine.envelopesOf(gapped);
    const topics = await topicsFor('faults');
    const groupId = group('faults');
    const history = consumer(groupId, topics);
    await history.start();

    await bus.publish(topics.events, [{ key: gapped, value: '{"eventId": "not an envelope"' }]);
    await bus.publish(topics.events, [eventMessageOf(first), eventMessageOf(third)]);
    await publish(topics, await engine.envelopesOf(healthy));

    await eventually(async () => ((await queries.processInstance(healthy))?.elementInstances.length === 2 ? true : undefined), 'the healthy instance');
    const ofThisTest = await eventually(async () => {
      const found = deadLetters.filter((letter) => letter.key === gapped && letter.consumerGroup === groupId);
      return found.length === 2 ? found : undefined;
    }, 'two dead letters');
    expect(ofThisTest.map((letter) => letter.reason).sort()).toEqual(['invalid-message', 'rejected']);
    const gap = ofThisTest.find((letter) => letter.reason === 'rejected');
    expect(gap?.error).toContain(`misses events of stream process-instance-${gapped}: it applied up to revision 0 and received revision 2`);
    expect(gap?.attempts).toBe(1);
    expect((await queries.processInstance(gapped))?.elementInstances).toEqual([]);
  }, 90_000);
});

describe('HistoryRebuild', () => {
  it('refuses while another replica consumes, rebuilds from the topics, and rebuilds from the event store', async () => {
    // The model holds what this test's topics say, and nothing else.
    await runner.reset();
    const { engine, ids } = await completedInstances();
    const topics = await topicsFor('rebuild');
    const groupId = group('rebuild');
    const history = consumer(groupId, topics);
    await history.start();
    await publish(topics, await engine.envelopes());
    await eventually(async () => ((await queries.processInstance(ids[ids.length - 1]))?.state === 'COMPLETED' ? true : undefined), 'the last instance');
    await eventually(() => caughtUp(groupId, topics), 'the group to catch up');
    const built = await snapshot();
    const rebuild = new HistoryRebuild(runner, admin, history);

    const replica = consumer(groupId, topics);
    await replica.start();
    await expect(rebuild.rebuild()).rejects.toBeInstanceOf(HistoryRebuildRefusedError);
    expect(history.running).toBe(true);
    await replica.stop();

    // Someone ran a bad UPDATE on the read model: the rebuild must bring back what the events say.
    await dataSource.query("DELETE FROM element_instances; UPDATE process_instances SET state = 'ACTIVE', end_time = NULL");
    const report = await rebuild.rebuild();
    expect(report).toMatchObject({ groupId, topics: [topics.events, topics.deployments] });
    expect(history.running).toBe(true);
    await eventually(async () => ((await snapshot()) === built ? true : undefined), 'the rebuilt model to equal the first one');

    await history.stop();
    const fromStore = await rebuild.rebuild({ fromEventStore: engine.store });
    expect(fromStore.replayedFromEventStore).toBe((await engine.envelopes()).length);
    // Replayed before the rebuild returned: nothing waits for Kafka.
    for (const id of ids) expect((await queries.processInstance(id))?.state).toBe('COMPLETED');
    await history.start();
    await eventually(() => caughtUp(groupId, topics), 'the group to catch up again');
    expect(await snapshot()).toBe(built);
  }, 120_000);
});
