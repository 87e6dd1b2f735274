// The relay against the real parts of the distributed mode: the Kafka broker at TRELLIS_KAFKA_BROKERS (Jest's global
// setup starts deploy/local/kafka when none answers) and its checkpoints in Postgres at TRELLIS_POSTGRES_URL, in a
// schema of its own. Every test publishes to topics of its own (`trellis-test.<run>.<test>.<topic>`), all deleted
// afterwards with the consumer groups and the schema.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TOPICS, type TopicName } from '@trellis/contracts';
import { type EventStore, InMemoryEventStore, PostgresEventStore } from '@trellis/event-store';
import type { KafkaMessageBus, MessageSubscription } from '@trellis/messaging';
import { registerRelayLag } from '@trellis/platform';
import { Registry } from 'prom-client';
import { EventRelay, type EventRelayOptions } from './event-relay.js';
import { PostgresRelayCheckpointStore } from './postgres-relay-checkpoint-store.js';
import type { RelayCheckpointStore } from './relay-checkpoint-store.port.js';
import {
  FailingBus,
  type Received,
  RecordingLogger,
  appendToInstances,
  connectKafka,
  consume,
  dropSchema,
  eventually,
  leaderChange,
  orderPerKey,
  postgresUrl,
  requirePostgres,
  storedCheckpoint,
  uniqueRun,
  uniqueSchema,
} from './relay-test-support.js';

const DEADLINE_MS = 30_000;
const run = uniqueRun();
const schema = uniqueSchema('relay');
const logger = new RecordingLogger();
let bus: KafkaMessageBus;
let checkpoints: PostgresRelayCheckpointStore;
const topics: string[] = [];
const groups: string[] = [];
const relays: EventRelay[] = [];
const stores: EventStore[] = [];
const subscriptions: MessageSubscription[] = [];

beforeAll(async () => {
  await requirePostgres();
  bus = await connectKafka(logger);
  checkpoints = await PostgresRelayCheckpointStore.connect({ url: postgresUrl, schema });
}, 60_000);

afterAll(async () => {
  for (const relay of relays) await relay.stop();
  for (const subscription of subscriptions) await subscription.close();
  for (const store of stores) await store.close();
  try {
    await bus?.deleteGroups(groups);
    await bus?.deleteTopics(topics);
  } finally {
    await bus?.close();
    await checkpoints?.close();
    await dropSchema(schema);
    await dropSchema(`${schema}_events`);
  }
}, 60_000);

interface Scenario {
  readonly name: string;
  readonly store: EventStore;
  readonly topicName: (topic: TopicName) => string;
  relay(options?: Partial<EventRelayOptions>): EventRelay;
  head(): Promise<number>;
}

/** A store, topics of the test's own (created with `partitions` for instances), and a consumer reading them from the start. */
async function scenario(test: string, partitions = 6, options: { readonly createTopics?: boolean; readonly store?: EventStore } = {}): Promise<Scenario> {
  const name = `${run}-${test}`;
  const topicName = (topic: TopicName): string => `trellis-test.${name}.${topic}`;
  const instanceTopic = topicName(TOPICS.processInstanceEvents);
  const deploymentTopic = topicName(TOPICS.deployments);
  topics.push(instanceTopic, deploymentTopic);
  if (!options.createTopics) {
    await bus.ensureTopics([
      { topic: instanceTopic, partitions },
      { topic: deploymentTopic, partitions: 1 },
    ]);
  }
  const store = options.store ?? new InMemoryEventStore();
  stores.push(store);
  return {
    name,
    store,
    topicName,
    relay: (relayOptions = {}) => {
      const relay = new EventRelay({
        store,
        bus,
        checkpoints,
        name,
        topicName,
        logger,
        retry: { baseDelayMs: 5, maxDelayMs: 50 },
        restart: { baseDelayMs: 10, maxDelayMs: 100 },
        ...relayOptions,
      });
      relays.push(relay);
      return relay;
    },
    head: async () => {
      const all = await store.readAll();
      return all[all.length - 1]?.position ?? 0;
    },
  };
}

async function consumer(setup: Scenario): Promise<Received> {
  const groupId = `trellis-test.${setup.name}.consumer`;
  groups.push(groupId);
  const { received, subscription } = await consume(bus, [setup.topicName(TOPICS.processInstanceEvents), setup.topicName(TOPICS.deployments)], groupId);
  subscriptions.push(subscription);
  return received;
}

const instances = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe('EventRelay on Kafka, with its checkpoint in Postgres', () => {
  it('delivers every event of many instances appended concurrently, each instance in stream order without gap or duplicate', async () => {
    const setup = await scenario('order');
    const ids = instances('order', 40);
    await appendToInstances(setup.store, ids, 25, 5);
    const all = await setup.store.readAll();
    const received = await consumer(setup);

    const relay = setup.relay({ batchSize: 100 });
    relay.start();
    await relay.whenCheckpointed(all.length);
    await received.untilAll(
      all.map((event) => event.id),
      DEADLINE_MS,
    );

    const order = orderPerKey(received.envelopes);
    expect(order.violations).toEqual([]);
    expect(order.redeliveries).toBe(0);
    expect(received.envelopes).toHaveLength(all.length);
    for (const id of ids) expect(order.lastRevisions.get(id)).toBe(24);
    // One instance, one partition: Kafka's order per partition is what carries the order per key.
    const partitionsOf = new Map<string, Set<number>>();
    received.messages.forEach((message) => partitionsOf.set(message.key ?? '', (partitionsOf.get(message.key ?? '') ?? new Set()).add(message.partition)));
    for (const partitions of partitionsOf.values()) expect(partitions.size).toBe(1);
    expect(new Set(received.messages.map((message) => message.partition)).size).toBeGreaterThan(1);
    expect(await storedCheckpoint(schema, setup.name)).toBe(all.length);
  }, 60_000);

  it('catches up on stored events, then publishes events appended while it runs, and its lag metric falls to 0', async () => {
    const setup = await scenario('live', 4, { createTopics: true });
    await appendToInstances(setup.store, instances('before', 10), 20, 2);
    const relay = setup.relay({ batchSize: 50, createTopics: { partitions: 4 } });
    const registry = new Registry();
    registerRelayLag(registry, setup.name, () => relay.lag());
    relay.start();
    await relay.whenCheckpointed(await setup.head());
    const received = await consumer(setup);
    await eventually(() => relay.status().state === 'live', 'the relay to go live');

    const appending = appendToInstances(setup.store, [...instances('before', 10).map((id) => `${id}-again`), ...instances('during', 10)], 30, 10);
    await appendToInstances(setup.store, ['slow'], 10, 10);
    await appending;
    const all = await setup.store.readAll();
    await relay.whenCheckpointed(all.length);
    await received.untilAll(
      all.map((event) => event.id),
      DEADLINE_MS,
    );

    expect(all).toHaveLength(200 + 600 + 10);
    expect(orderPerKey(received.envelopes)).toMatchObject({ violations: [], redeliveries: 0 });
    expect(received.envelopes).toHaveLength(all.length);
    const metric = await registry.getSingleMetric('trellis_relay_lag_events')?.get();
    expect(metric?.values).toEqual([{ labels: { relay: setup.name }, value: 0 }]);
    expect(await storedCheckpoint(schema, setup.name)).toBe(all.length);
  }, 60_000);

  it('stops gracefully with its checkpoint saved: started again, it publishes only what came after', async () => {
    const setup = await scenario('restart');
    await appendToInstances(setup.store, instances('first', 5), 10);
    const received = await consumer(setup);
    const first = setup.relay();
    first.start();
    await first.whenCheckpointed(50);
    await first.stop();

    await appendToInstances(setup.store, instances('second', 5), 10);
    const second = setup.relay();
    second.start();
    await second.whenCheckpointed(100);
    const all = await setup.store.readAll();
    await received.untilAll(
      all.map((event) => event.id),
      DEADLINE_MS,
    );

    expect(await storedCheckpoint(schema, setup.name)).toBe(100);
    expect(received.envelopes.map((envelope) => envelope.position).sort((a, b) => a - b)).toEqual(all.map((event) => event.position));
  }, 60_000);

  it('retries publishes that fail transiently, losing and reordering nothing, and never checkpoints an event Kafka has not acknowledged', async () => {
    const setup = await scenario('transient');
    await appendToInstances(setup.store, instances('flaky', 20), 15, 3);
    const all = await setup.store.readAll();
    const received = await consumer(setup);
    const flaky = new FailingBus(bus);
    // Every save, checked at the moment it is made against what Kafka had acknowledged.
    const saves: { readonly position: number; readonly unacknowledged: number }[] = [];
    const checked: RelayCheckpointStore = {
      load: (name) => checkpoints.load(name),
      save: async (name, position) => {
        const acknowledged = new Set(flaky.acceptedEventIds());
        saves.push({ position, unacknowledged: all.filter((event) => event.position <= position && !acknowledged.has(event.id)).length });
        await checkpoints.save(name, position);
      },
    };
    flaky.failNext(4, leaderChange);

    const relay = setup.relay({ bus: flaky, checkpoints: checked, batchSize: 40 });
    relay.start();
    await relay.whenCheckpointed(all.length);
    flaky.failNext(2, leaderChange, { afterPublishing: true });
    await appendToInstances(setup.store, instances('late', 5), 8);
    const everything = await setup.store.readAll();
    await relay.whenCheckpointed(everything.length);
    await received.untilAll(
      everything.map((event) => event.id),
      DEADLINE_MS,
    );
    // Copies published again may come after the first of each event: wait for every message Kafka accepted.
    await eventually(() => received.envelopes.length >= flaky.acceptedEventIds().length, 'every copy to arrive', DEADLINE_MS);

    expect(saves.length).toBeGreaterThan(1);
    expect(saves.filter((save) => save.unacknowledged > 0)).toEqual([]);
    const order = orderPerKey(received.envelopes);
    expect(order.violations).toEqual([]);
    // The lost acknowledgements made the relay publish its batch again: duplicates, in order.
    expect(order.redeliveries).toBeGreaterThan(0);
    expect(received.eventIds).toEqual(new Set(everything.map((event) => event.id)));
    expect(logger.entries.filter((entry) => entry.level === 'warn' && entry.message.includes(`relay ${setup.name}`))).toHaveLength(6);
  }, 60_000);

  it('relays from the Postgres event store: stored events, then those appended concurrently while it runs', async () => {
    const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema: `${schema}_events` });
    const setup = await scenario('postgres-store', 6, { store });
    await appendToInstances(store, instances('stored', 10), 10, 2);
    const received = await consumer(setup);
    const relay = setup.relay({ batchSize: 50 });
    relay.start();

    await appendToInstances(store, instances('concurrent', 20), 15, 5);
    const all = await store.readAll();
    await relay.whenCheckpointed(all[all.length - 1]?.position ?? 0);
    await received.untilAll(
      all.map((event) => event.id),
      DEADLINE_MS,
    );

    expect(all).toHaveLength(100 + 300);
    expect(orderPerKey(received.envelopes)).toMatchObject({ violations: [], redeliveries: 0 });
    expect(received.envelopes).toHaveLength(all.length);
    expect(await relay.lag()).toBe(0);
  }, 60_000);
});
