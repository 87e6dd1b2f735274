/**
 * The relay while its Kafka broker goes away: a broker of the test's own (`startPrivateKafkaBroker`: deploy/local/kafka
 * on free ports with its own data directory, never the shared broker on 9092) is stopped while the relay publishes and
 * events keep being appended to many streams, then started again. What a user relies on: the relay recovers by itself
 * (readiness degraded during the outage, up again after), and a consumer receives every event at least once, in
 * stream order per key.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TOPICS, type TopicName } from '@trellis/contracts';
import { InMemoryEventStore } from '@trellis/event-store';
import { KafkaMessageBus, type MessageSubscription } from '@trellis/messaging';
import { EventRelay } from './event-relay.js';
import { InMemoryRelayCheckpointStore } from './in-memory-relay-checkpoint-store.js';
import { type PrivateKafkaBroker, startPrivateKafkaBroker } from './private-kafka-broker.js';
import { RelayHealthIndicator } from './relay.module.js';
import { RecordingLogger, consume, eventually, instanceEvents, orderPerKey, uniqueRun } from './relay-test-support.js';

const run = uniqueRun();
const topicName = (topic: TopicName): string => `trellis-test.${run}.broker-restart.${topic}`;
const INSTANCES = 40;

let broker: PrivateKafkaBroker | undefined;
const relayLogger = new RecordingLogger();
const consumerLogger = new RecordingLogger();
let relayBus: KafkaMessageBus | undefined;
let consumerBus: KafkaMessageBus | undefined;
let relay: EventRelay | undefined;
let subscription: MessageSubscription | undefined;

beforeAll(async () => {
  broker = await startPrivateKafkaBroker();
  // The relay and the consumer are separate clients, as they are separate services. Retries of kafkajs are short, so
  // that a publish or a fetch tries again soon after the broker is back; the consumer's session is short, so that the
  // group does not wait long for the member it had before the restart (it rejoins as a new one).
  const retry = { retries: 3, retryInitialMs: 100, retryMaxMs: 1_000 };
  relayBus = await KafkaMessageBus.connect({ brokers: broker.brokers, clientId: `relay-${run}`, ...retry, logger: relayLogger });
  consumerBus = await KafkaMessageBus.connect({
    brokers: broker.brokers,
    clientId: `consumer-${run}`,
    ...retry,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 1_000,
    logger: consumerLogger,
  });
}, 240_000);

/** `promise`, given up after `ms` (a client closing while its broker is away may wait long for it). */
function bounded(promise: Promise<unknown> | undefined, ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    (promise ?? Promise.resolve()).catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

afterAll(async () => {
  try {
    await bounded(relay?.stop(), 20_000);
    await bounded(subscription?.close(), 20_000);
    await bounded(relayBus?.close(), 20_000);
    await bounded(consumerBus?.close(), 20_000);
  } finally {
    // Always: the broker and its data go, whatever the test left behind.
    await broker?.destroy();
  }
}, 150_000);

/** Appends to the instance streams in a loop, one to three events at a time, until stopped. */
class Appender {
  private stopped = false;
  private readonly revisions = new Map<string, number>();
  readonly done: Promise<void>;
  appended = 0;

  constructor(private readonly store: InMemoryEventStore) {
    this.done = this.loop();
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  /** The last revision of each stream. */
  get lastRevisions(): ReadonlyMap<string, number> {
    return this.revisions;
  }

  private async loop(): Promise<void> {
    for (let i = 0; !this.stopped; i++) {
      const instance = `instance-${i % INSTANCES}`;
      const next = (this.revisions.get(instance) ?? -1) + 1;
      const count = 1 + (i % 3);
      const result = await this.store.appendToStream(`process-instance-${instance}`, instanceEvents(count, next), {
        expectedRevision: next === 0 ? 'no_stream' : next - 1,
      });
      this.revisions.set(instance, result.nextExpectedRevision);
      this.appended += count;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

describe('event relay: the Kafka broker restarts while the relay runs', () => {
  it('recovers on its own, and the consumer receives every event at least once, in stream order per key', async () => {
    if (!broker || !relayBus || !consumerBus) throw new Error('The private broker did not start');
    const store = new InMemoryEventStore();
    await relayBus.ensureTopics([
      { topic: topicName(TOPICS.processInstanceEvents), partitions: 4 },
      { topic: topicName(TOPICS.deployments), partitions: 1 },
    ]);
    relay = new EventRelay({
      store,
      bus: relayBus,
      checkpoints: new InMemoryRelayCheckpointStore(),
      name: `broker-restart-${run}`,
      topicName,
      batchSize: 100,
      logger: relayLogger,
      retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
      restart: { baseDelayMs: 100, maxDelayMs: 1_000 },
    });
    const health = new RelayHealthIndicator(relay);
    const consumer = await consume(consumerBus, [topicName(TOPICS.processInstanceEvents)], `trellis-test.${run}.broker-restart.${randomUUID()}`);
    subscription = consumer.subscription;
    relay.start();
    const appender = new Appender(store);
    const status = (): string => JSON.stringify(relay?.status());

    // Live and publishing before the broker goes away.
    await eventually(() => relay?.status().state === 'live' && (relay.status().checkpoint ?? 0) >= 200, 'the relay to publish 200 events', 60_000);
    await broker.stop();
    const appendedAtStop = appender.appended;
    // Appending goes on while the broker is away, and the relay notices.
    await eventually(() => (relay?.status().consecutiveFailures ?? 0) > 0 && appender.appended >= appendedAtStop + 200, 'the relay to fail', 60_000);
    const duringOutage = await health.check();
    await broker.start();
    const appendedAtStart = appender.appended;
    await eventually(() => appender.appended >= appendedAtStart + 200, 'appends after the outage', 30_000);
    await appender.stop();

    const events = await store.readAll();
    const head = events[events.length - 1]?.position ?? 0;
    await eventually(() => (relay?.status().checkpoint ?? 0) >= head, 'the relay to publish everything', 90_000).catch((error: unknown) => {
      throw new Error(`${String(error)}; relay ${status()}`);
    });
    await consumer.received.untilAll(
      events.map((event) => event.id),
      90_000,
    );
    const afterOutage = await health.check();

    expect(duringOutage).toEqual({ relay: expect.objectContaining({ status: 'degraded', lastError: expect.any(String) }) });
    expect(afterOutage).toEqual({ relay: expect.objectContaining({ status: 'up', state: 'live', checkpoint: head, consecutiveFailures: 0 }) });
    // Order per key: runs of consecutive revisions from 0, going back only for a redelivered suffix, never skipping.
    const order = orderPerKey(consumer.received.envelopes);
    expect(order.violations).toEqual([]);
    expect(new Map([...order.lastRevisions].map(([key, revision]) => [key.replace(/^process-instance-/, ''), revision]))).toEqual(appender.lastRevisions);
  }, 300_000);
});
