// Two replicas of one relay (same name, same checkpoint row) over one Postgres event store, publishing to the real Kafka
// broker, with leadership by a Postgres advisory lock: only the leader publishes, and when its lock connection is killed
// the other takes over without losing an event or breaking the order of any instance. Topics, consumer group and
// schemas are the test's own and are deleted afterwards.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEPLOYMENTS_STREAM_ID, TOPICS, type TopicName } from '@trellis/contracts';
import { PostgresEventStore } from '@trellis/event-store';
import type { KafkaMessageBus, MessageSubscription } from '@trellis/messaging';
import pg from 'pg';
import { EventRelay, RELAYED_STREAMS } from './event-relay.js';
import { PostgresRelayCheckpointStore } from './postgres-relay-checkpoint-store.js';
import { PostgresRelayLeadership } from './postgres-relay-leadership.js';
import {
  FailingBus,
  type Received,
  RecordingLogger,
  appendToInstances,
  connectKafka,
  consume,
  dropSchema,
  eventually,
  instanceEvents,
  orderPerKey,
  postgresUrl,
  requirePostgres,
  uniqueRun,
  uniqueSchema,
} from './relay-test-support.js';

const DEADLINE_MS = 30_000;
const run = uniqueRun();
const schema = uniqueSchema('relay_leader');
const relayName = `leader-test-${run}`;
const topicName = (topic: TopicName): string => `trellis-test.${run}-leader.${topic}`;
const groupId = `trellis-test.${run}-leader.consumer`;
const logger = new RecordingLogger();

let store: PostgresEventStore;
let checkpoints: PostgresRelayCheckpointStore;
let consumerBus: KafkaMessageBus;
let subscription: MessageSubscription;
let received: Received;
const replicas: { readonly name: string; readonly relay: EventRelay; readonly bus: FailingBus }[] = [];

/** A replica: a relay with its own Kafka producer and its own lock connection (named so a test can find and kill it). */
async function replica(name: string): Promise<{ readonly name: string; readonly relay: EventRelay; readonly bus: FailingBus }> {
  const bus = new FailingBus(await connectKafka(logger, `trellis-relay-test-${name}`));
  const relay = new EventRelay({
    store,
    bus,
    checkpoints,
    name: relayName,
    topicName,
    batchSize: 50,
    streams: RELAYED_STREAMS.processInstances,
    leadership: new PostgresRelayLeadership({
      url: postgresUrl,
      name: relayName,
      pollIntervalMs: 50,
      heartbeatIntervalMs: 200,
      applicationName: applicationName(name),
    }),
    logger,
    retry: { baseDelayMs: 5, maxDelayMs: 50 },
    restart: { baseDelayMs: 10, maxDelayMs: 100 },
  });
  const created = { name, relay, bus };
  replicas.push(created);
  return created;
}

const applicationName = (name: string): string => `trellis-test-${run}-${name}`;

/** Kills the replica's lock connection from the server side, as a network cut or a failover would. */
async function killLockConnection(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const result = await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName(name)]);
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

/** The application names of the sessions that hold the relay's advisory lock. */
async function lockHolders(): Promise<string[]> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const result = await client.query<{ application_name: string }>(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE $1`,
      [`trellis-test-${run}-%`],
    );
    return result.rows.map((row) => row.application_name);
  } finally {
    await client.end();
  }
}

const publishedTopics = (bus: FailingBus): Set<string> => new Set(bus.accepted.map((call) => call.topic));

beforeAll(async () => {
  await requirePostgres();
  store = await PostgresEventStore.open({ connectionString: postgresUrl, schema: `${schema}_events` });
  checkpoints = await PostgresRelayCheckpointStore.connect({ url: postgresUrl, schema });
  consumerBus = await connectKafka(logger, 'trellis-relay-test-consumer');
  await consumerBus.ensureTopics([
    { topic: topicName(TOPICS.processInstanceEvents), partitions: 6 },
    { topic: topicName(TOPICS.deployments), partitions: 1 },
  ]);
  ({ received, subscription } = await consume(consumerBus, [topicName(TOPICS.processInstanceEvents), topicName(TOPICS.deployments)], groupId));
}, 60_000);

afterAll(async () => {
  for (const { relay, bus } of replicas) {
    await relay.stop();
    await bus.close();
  }
  await subscription?.close();
  try {
    await consumerBus?.deleteGroups([groupId]);
    await consumerBus?.deleteTopics([topicName(TOPICS.processInstanceEvents), topicName(TOPICS.deployments)]);
  } finally {
    await consumerBus?.close();
    await checkpoints?.close();
    await store?.close();
    await dropSchema(schema);
    await dropSchema(`${schema}_events`);
  }
}, 60_000);

const instances = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

async function processInstanceEventIds(): Promise<string[]> {
  return (await store.readAll()).filter((event) => event.streamId.startsWith('process-instance-')).map((event) => event.id);
}

describe('EventRelay replicas with leadership by a Postgres advisory lock', () => {
  it('lets one replica publish while the other stands by, and publishes only the streams it owns', async () => {
    const a = await replica('a');
    a.relay.start();
    await eventually(() => a.relay.status().state === 'live', 'replica a to lead', DEADLINE_MS);
    const b = await replica('b');
    b.relay.start();
    await eventually(() => b.relay.status().state === 'standby', 'replica b to stand by', DEADLINE_MS);

    await appendToInstances(store, instances('first', 10), 10, 2);
    await store.appendToStream(DEPLOYMENTS_STREAM_ID, instanceEvents(3), { expectedRevision: 'any' });
    await appendToInstances(store, instances('second', 5), 4, 1);
    const head = (await store.readAll()).at(-1)!.position;
    await a.relay.whenCheckpointed(head);
    await received.untilAll(await processInstanceEventIds(), DEADLINE_MS);

    expect(await lockHolders()).toEqual([applicationName('a')]);
    expect(b.relay.status()).toMatchObject({ state: 'standby', published: 0 });
    expect(b.bus.calls).toBe(0);
    // The deployments stream belongs to another service's relay: passed over, the checkpoint moved past it.
    expect(publishedTopics(a.bus)).toEqual(new Set([topicName(TOPICS.processInstanceEvents)]));
    expect(received.envelopes.filter((envelope) => envelope.streamId === DEPLOYMENTS_STREAM_ID)).toEqual([]);
    expect(await b.relay.lag()).toBe(0);
    expect(orderPerKey(received.envelopes).violations).toEqual([]);
  }, 60_000);

  it('hands over when the leader loses its lock connection, and back again: nothing lost, each instance in order', async () => {
    const [a, b] = replicas as [(typeof replicas)[number], (typeof replicas)[number]];
    // Appends keep coming while the leadership moves, twice.
    let appending = true;
    const writer = (async () => {
      for (let round = 0; appending || round < 3; round++) await appendToInstances(store, instances(`handover-${round}`, 8), 6, 3);
    })();

    await eventually(async () => (await store.readAll()).length > 200, 'appends to start', DEADLINE_MS);
    expect(await killLockConnection('a')).toBe(1);
    await eventually(() => b.relay.status().state === 'live' && a.relay.status().state === 'standby', 'replica b to take over', DEADLINE_MS);
    await eventually(() => b.relay.status().published > 0, 'replica b to publish', DEADLINE_MS);
    const publishedByA = a.relay.status().published;

    expect(await killLockConnection('b')).toBe(1);
    await eventually(() => a.relay.status().state === 'live' && b.relay.status().state === 'standby', 'replica a to take over again', DEADLINE_MS);
    appending = false;
    await writer;

    const head = (await store.readAll()).at(-1)!.position;
    await a.relay.whenCheckpointed(head);
    await received.untilAll(await processInstanceEventIds(), DEADLINE_MS);
    expect(a.relay.status().published).toBeGreaterThan(publishedByA);
    expect(await lockHolders()).toEqual([applicationName('a')]);

    // Every key's revisions arrive without a gap; a handover may only repeat a suffix already delivered.
    const order = orderPerKey(received.envelopes);
    expect(order.violations).toEqual([]);
    const stored = await store.readAll();
    for (const event of stored.filter((candidate) => candidate.streamId.startsWith('process-instance-'))) {
      expect(order.lastRevisions.get(event.streamId.slice('process-instance-'.length))).toBeGreaterThanOrEqual(event.revision);
    }
    expect(logger.entries.filter((entry) => entry.message.includes('lost its leadership')).length).toBe(2);
  }, 90_000);

  it('passes the leadership on when the leader stops', async () => {
    const [a, b] = replicas as [(typeof replicas)[number], (typeof replicas)[number]];
    await a.relay.stop();
    await eventually(() => b.relay.status().state === 'live', 'replica b to lead after a stopped', DEADLINE_MS);
    await appendToInstances(store, instances('after-stop', 3), 5, 1);
    await received.untilAll(await processInstanceEventIds(), DEADLINE_MS);
    expect(await lockHolders()).toEqual([applicationName('b')]);
  }, 60_000);
});
