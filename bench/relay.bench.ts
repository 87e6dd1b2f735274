/**
 * The relay to Kafka, on one event store (`--store postgres|embedded|memory`):
 *
 * 1. Throughput: the store is filled with `--events` events over `--instances` process-instance streams (10 events per
 *    append), then, for each of `--batch-sizes`, a new relay (its own name, so its checkpoint starts at 0, and its own
 *    topics) publishes the whole log to the local broker; events/s is the events published over the time from
 *    `start()` until its checkpoint reaches the store's head. One untimed run first warms up the JIT and the broker.
 * 2. Latency, for each rate of `--rate` (events/s): a relay live at the head (batch size 500, the default), a Kafka
 *    consumer (KafkaMessageBus.subscribe, a group of its own) on its topic, and one-event appends over `--instances`
 *    streams at that steady rate for `--warmup-seconds` then `--seconds`. Appends start on schedule whether or not
 *    earlier ones finished (an open loop: a slow moment delays later events instead of hiding them). Latency is the
 *    consumer's receipt time minus the append's start time, both on this process's monotonic clock, for the events
 *    whose append started after the warm-up.
 *
 * Topics (`trellis-bench.<run>.…`), consumer groups and Postgres schemas are the run's own and are deleted at the end.
 * Needs the Kafka broker at TRELLIS_KAFKA_BROKERS (`deploy/local/kafka start`) and Postgres at TRELLIS_POSTGRES_URL
 * (checkpoints, and the Postgres event store). Prints one JSON line at the end (read by run-bench.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS, type EventEnvelope, type TopicName } from '@trellis/contracts';
import { EmbeddedEventStore, type EventStore, InMemoryEventStore, type NewEvent, PostgresEventStore } from '@trellis/event-store';
import { KafkaMessageBus, type MessageSubscription, type MessagingLogger, type ReceivedMessage, asEventEnvelope } from '@trellis/messaging';
import { EventRelay, PostgresRelayCheckpointStore, storeHead } from '@trellis/relay';
import pg from 'pg';
import { arg, latencySummary, type LatencySummary } from './bench-stats.js';

const storeKind = arg('store', 'postgres');
const events = Number(arg('events', '50000'));
const instanceCount = Number(arg('instances', '1000'));
const batchSizes = arg('batch-sizes', '100,500,2000').split(',').map(Number);
const rates = arg('rate', '100,500').split(',').map(Number);
const seconds = Number(arg('seconds', '5'));
const warmupSeconds = Number(arg('warmup-seconds', '2'));
const partitions = Number(arg('partitions', '12'));
const liveBatchSize = 500;
const eventsPerAppend = 10;
const prefillWriters = 16;

for (const [name, value] of Object.entries({ events, instances: instanceCount, partitions })) {
  if (!(Number.isSafeInteger(value) && value > 0)) throw new Error(`--${name} must be a positive integer, got ${value}`);
}
if (!(seconds > 0)) throw new Error(`--seconds must be positive, got ${seconds}`);
if (!(warmupSeconds >= 0)) throw new Error(`--warmup-seconds must be 0 or more, got ${warmupSeconds}`);
if (rates.some((rate) => !(Number.isFinite(rate) && rate > 0))) throw new Error(`--rate must list positive numbers, got ${arg('rate', '')}`);
if (batchSizes.some((size) => !(Number.isSafeInteger(size) && size > 0))) throw new Error(`--batch-sizes must list positive integers, got ${arg('batch-sizes', '')}`);
if (!['postgres', 'embedded', 'memory'].includes(storeKind)) throw new Error(`--store must be postgres, embedded or memory, got ${storeKind}`);

const postgresUrl = process.env['TRELLIS_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const brokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const run = randomBytes(4).toString('hex');
const storeSchema = `bench_relay_${run}`;
const checkpointSchema = `bench_relay_${run}_checkpoints`;

/**
 * The relay's and the bus's warnings and errors go to stderr (stdout carries the result). kafkajs's own lines are only
 * counted: it logs every request it then retries (a new topic's first produce before its leader is known, a group
 * coordinator still loading), and what its retries do not absorb reaches the relay, which logs it.
 */
let kafkajsLines = 0;
const logger: MessagingLogger = {
  info: () => undefined,
  warn: (message) => (message.startsWith('kafkajs ') ? kafkajsLines++ : console.error(`warn: ${message}`)),
  error: (message) => (message.startsWith('kafkajs ') ? kafkajsLines++ : console.error(`error: ${message}`)),
};

interface ThroughputRow {
  batchSize: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

interface LatencyResult {
  /** Events appended per second (one per append). */
  rate: number;
  /** The live relay's. */
  batchSize: number;
  warmupSeconds: number;
  seconds: number;
  /** Appends that succeeded among those started in the measured window, per second of it. */
  achievedRate: number;
  /** Events appended (warm-up included), all received by the consumer. */
  appended: number;
  /** Those appended in the measured window: the latency sample. */
  measured: number;
  /** Copies received again (at-least-once delivery); not counted twice. */
  duplicates: number;
  /** Appends that failed (the store overloaded: e.g. no pooled connection within its timeout); not in the figures. */
  failedAppends: number;
  firstFailure?: string;
  appendMs: LatencySummary;
  appendToConsumerMs: LatencySummary;
  /**
   * The same path cut where the relay's producer stamped the message (Kafka's CreateTime, whole milliseconds of the
   * wall clock): store and relay before, broker and consumer after.
   */
  appendToProducerMs: LatencySummary;
  producerToConsumerMs: LatencySummary;
}

const topics: string[] = [];
const groups: string[] = [];

function topicNameFor(name: string): (topic: TopicName) => string {
  return (topic) => `trellis-bench.${name}.${topic}`;
}

/** Topics of one relay, created before its clock starts (instances: `--partitions`, deployments: 1). */
async function relayTopics(bus: KafkaMessageBus, name: string): Promise<(topic: TopicName) => string> {
  const topicName = topicNameFor(name);
  const instanceTopic = topicName(TOPICS.processInstanceEvents);
  const deploymentTopic = topicName(TOPICS.deployments);
  topics.push(instanceTopic, deploymentTopic);
  await bus.ensureTopics([
    { topic: instanceTopic, partitions },
    { topic: deploymentTopic, partitions: 1 },
  ]);
  return topicName;
}

function instanceEvent(instance: string, step: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ElementActivated',
    data: { elementId: `task-${step % 7}`, elementInstanceId: randomUUID(), variables: { amount: step % 200, approved: step % 2 === 0 } },
    metadata: { schemaVersion: 1, processInstanceId: instance },
  };
}

/** `events` events over `instanceCount` instances, `eventsPerAppend` per append, `prefillWriters` instances at a time. */
async function prefill(store: EventStore): Promise<{ seconds: number; head: number }> {
  const perInstance = Math.ceil(events / instanceCount);
  const instances = Array.from({ length: instanceCount }, () => randomUUID());
  let remaining = events;
  const quota = instances.map(() => {
    const count = Math.min(perInstance, remaining);
    remaining -= count;
    return count;
  });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: prefillWriters }, async () => {
      while (next < instances.length) {
        const i = next++;
        const instance = instances[i] as string;
        const count = quota[i] as number;
        for (let from = 0; from < count; from += eventsPerAppend) {
          const batch = Array.from({ length: Math.min(eventsPerAppend, count - from) }, (_, k) => instanceEvent(instance, from + k));
          await store.appendToStream(`process-instance-${instance}`, batch, { expectedRevision: from === 0 ? 'no_stream' : from - 1 });
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, head: await storeHead(store) };
}

/** Rejects after `ms` with `message` unless `promise` settles first. */
async function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A new relay publishes the store's whole log; events/s from `start()` until its checkpoint is at `head`. */
async function catchUp(store: EventStore, bus: KafkaMessageBus, checkpoints: PostgresRelayCheckpointStore, label: string, batchSize: number, head: number): Promise<ThroughputRow> {
  const name = `bench-${run}-${label}`;
  const topicName = await relayTopics(bus, name);
  const relay = new EventRelay({ store, bus, checkpoints, name, batchSize, topicName, logger });
  const t0 = performance.now();
  relay.start();
  try {
    await within(relay.whenCheckpointed(head), Math.max(120_000, head), () => `relay ${name} did not reach position ${head}: ${JSON.stringify(relay.status())}`);
  } finally {
    await relay.stop();
  }
  const elapsed = (performance.now() - t0) / 1000;
  const { published } = relay.status();
  if (published !== events) throw new Error(`relay ${name} published ${published} messages for ${events} events`);
  return { batchSize, events: published, seconds: elapsed, eventsPerSecond: published / elapsed };
}

async function latency(store: EventStore, bus: KafkaMessageBus, checkpoints: PostgresRelayCheckpointStore, rate: number): Promise<LatencyResult> {
  const name = `bench-${run}-live-${rate}`;
  const topicName = await relayTopics(bus, name);
  // The relay starts after what is already stored: only the events appended at the steady rate are published.
  await checkpoints.save(name, await storeHead(store));
  const instances = Array.from({ length: instanceCount }, () => randomUUID());

  const starts = new Map<string, number>();
  const received = new Set<string>();
  const latencies: number[] = [];
  const beforeProducer: number[] = [];
  const afterProducer: number[] = [];
  const appendDurations: number[] = [];
  let measureFrom = Number.POSITIVE_INFINITY;
  let duplicates = 0;
  /** The ids a wait still misses, and how to end it. */
  let waiting: { readonly missing: Set<string>; readonly resolve: () => void } | undefined;

  const handler = (envelope: EventEnvelope, message: ReceivedMessage): void => {
    const now = performance.now();
    const start = starts.get(envelope.eventId);
    if (start === undefined) return;
    if (received.has(envelope.eventId)) {
      duplicates++;
      return;
    }
    received.add(envelope.eventId);
    if (start >= measureFrom) {
      latencies.push(now - start);
      const stamped = Date.parse(message.timestamp) - performance.timeOrigin;
      beforeProducer.push(stamped - start);
      afterProducer.push(now - stamped);
    }
    waiting?.missing.delete(envelope.eventId);
    if (waiting?.missing.size === 0) waiting.resolve();
  };
  const untilReceived = (ids: Iterable<string>, ms: number, what: string): Promise<void> => {
    const missing = new Set([...ids].filter((id) => !received.has(id)));
    const wanted = missing.size;
    return within(
      new Promise<void>((resolve) => {
        if (missing.size === 0) resolve();
        else waiting = { missing, resolve };
      }),
      ms,
      () => `${missing.size} of ${wanted} ${what} never reached the consumer within ${ms} ms`,
    ).finally(() => {
      waiting = undefined;
    });
  };

  const groupId = `trellis-bench.${name}.consumer`;
  groups.push(groupId);
  const subscription: MessageSubscription = await bus.subscribe({ topics: topicName(TOPICS.processInstanceEvents), groupId, fromBeginning: true, decode: asEventEnvelope, handler });
  const relay = new EventRelay({ store, bus, checkpoints, name, batchSize: liveBatchSize, topicName, logger });
  relay.start();
  try {
    // One event through the whole path before the clock starts: the consumer has its partitions and the relay is live.
    const probeInstance = randomUUID();
    const probe = instanceEvent(probeInstance, 0);
    starts.set(probe.id, performance.now());
    await store.appendToStream(`process-instance-${probeInstance}`, [probe], { expectedRevision: 'no_stream' });
    await untilReceived([probe.id], 60_000, 'probe events');

    const total = Math.round(rate * (warmupSeconds + seconds));
    const failures: string[] = [];
    const pending = new Set<Promise<void>>();
    const t0 = performance.now();
    measureFrom = t0 + warmupSeconds * 1000;
    let issued = 0;
    while (issued < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      for (; issued < due; issued++) {
        const instance = instances[issued % instances.length] as string;
        const stream = `process-instance-${instance}`;
        const event = instanceEvent(instance, issued);
        const start = performance.now();
        starts.set(event.id, start);
        const append = store.appendToStream(stream, [event], { expectedRevision: 'any' }).then(
          () => {
            if (start >= measureFrom) appendDurations.push(performance.now() - start);
          },
          (error: unknown) => {
            // Never counted as received: an overloaded store shows as failures, not as a shorter tail.
            starts.delete(event.id);
            failures.push(error instanceof Error ? error.message : String(error));
          },
        );
        pending.add(append);
        void append.finally(() => pending.delete(append));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const measuredSeconds = (performance.now() - measureFrom) / 1000;
    await Promise.all(pending);
    if (failures.length > 0) console.error(`warn: ${failures.length} of ${total} appends failed at ${rate} events/s, the first: ${failures[0]}`);
    const appendedIds = [...starts.keys()].filter((id) => id !== probe.id);
    await untilReceived(appendedIds, 60_000, 'appended events');
    const measured = [...starts.values()].filter((start) => start >= measureFrom).length;
    return {
      rate,
      batchSize: liveBatchSize,
      warmupSeconds,
      seconds,
      achievedRate: measured / measuredSeconds,
      appended: appendedIds.length,
      measured,
      duplicates,
      failedAppends: failures.length,
      ...(failures[0] === undefined ? {} : { firstFailure: failures[0] }),
      appendMs: latencySummary(appendDurations),
      appendToConsumerMs: latencySummary(latencies),
      appendToProducerMs: latencySummary(beforeProducer),
      producerToConsumerMs: latencySummary(afterProducer),
    };
  } finally {
    await relay.stop();
    await subscription.close();
  }
}

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function connectKafka(): Promise<KafkaMessageBus> {
  try {
    return await KafkaMessageBus.connect({ brokers, clientId: 'trellis-bench', retries: 3, logger });
  } catch (error) {
    throw new Error(`Kafka is not reachable at ${brokers.join(',')} (${error instanceof Error ? error.message : String(error)}): start it with \`deploy/local/kafka start\``);
  }
}

const directory = storeKind === 'embedded' ? mkdtempSync(join(tmpdir(), 'trellis-bench-relay-')) : undefined;
let store: EventStore | undefined;
let bus: KafkaMessageBus | undefined;
let checkpoints: PostgresRelayCheckpointStore | undefined;
try {
  // The machine may be shared: its one-minute load average before and after says how much it was.
  const loadBefore = loadavg()[0];
  bus = await connectKafka();
  checkpoints = await PostgresRelayCheckpointStore.connect({ url: postgresUrl, schema: checkpointSchema });
  store =
    storeKind === 'memory'
      ? new InMemoryEventStore()
      : directory === undefined
        ? await PostgresEventStore.open({ connectionString: postgresUrl, schema: storeSchema, poolMax: 20 })
        : await EmbeddedEventStore.open(directory);

  console.error(`relay bench (${storeKind} store): filling it with ${events} events over ${instanceCount} instances ...`);
  const filled = await prefill(store);
  console.error(`relay bench (${storeKind} store): filled in ${filled.seconds.toFixed(1)} s; one untimed relay run, then batches of ${batchSizes.join(', ')} ...`);
  await catchUp(store, bus, checkpoints, 'warmup', liveBatchSize, filled.head);
  const throughput: ThroughputRow[] = [];
  for (const batchSize of batchSizes) throughput.push(await catchUp(store, bus, checkpoints, `batch-${batchSize}`, batchSize, filled.head));

  const live: LatencyResult[] = [];
  for (const rate of rates) {
    console.error(`relay bench (${storeKind} store): ${rate} events/s for ${warmupSeconds} s of warm-up and ${seconds} s measured ...`);
    live.push(await latency(store, bus, checkpoints, rate));
  }
  if (kafkajsLines > 0) console.error(`relay bench (${storeKind} store): kafkajs logged ${kafkajsLines} warnings or errors of requests it retried`);
  console.log(JSON.stringify({ store: storeKind, events, instances: instanceCount, eventsPerAppend, partitions, prefillSeconds: filled.seconds, throughput, latency: live, kafkajsLines, loadAverage: { before: loadBefore, after: loadavg()[0] } }));
} finally {
  try {
    await bus?.deleteGroups(groups);
    await bus?.deleteTopics(topics);
  } finally {
    await bus?.close();
    await store?.close();
    await checkpoints?.close();
    await sql(`DROP SCHEMA IF EXISTS ${storeSchema} CASCADE; DROP SCHEMA IF EXISTS ${checkpointSchema} CASCADE`);
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  }
}
