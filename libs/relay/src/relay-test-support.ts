/**
 * What the relay's tests share: a consumer that collects what reached a topic, the order-per-key check, a bus that
 * fails on demand around a real one, and access to the Kafka broker and Postgres server of the machine.
 */
import { randomUUID } from 'node:crypto';
import { postgresUrl } from '@trellis/persistence/testing';
import { type EventEnvelope, TOPICS, type TopicName } from '@trellis/contracts';
import type { EventStore, NewEvent } from '@trellis/event-store';
import {
  type MessageBus,
  type MessageSubscription,
  type MessagingLogger,
  type ReceivedMessage,
  KafkaMessageBus,
  asEventEnvelope,
} from '@trellis/messaging';
import { kafkaBrokers, testTopicName } from '@trellis/messaging/testing';
import pg from 'pg';

// The bus's log kept for the tests to look at, a bus that fails on demand, the machine's broker list: the messaging
// test kit's.
export { FailingBus, RecordingLogger, kafkaBrokers } from '@trellis/messaging/testing';

/** A test's own names for the relay's topics, so that runs against one broker never meet. */
export function topicNamesFor(run: string): (topic: TopicName) => string {
  return (topic) => testTopicName(run, topic);
}

export const relayedTopics = (run: string): string[] => [TOPICS.processInstanceEvents, TOPICS.deployments].map(topicNamesFor(run));

export function uniqueRun(): string {
  return randomUUID().slice(0, 8);
}

/** `count` events for one process instance's stream, numbered from `from`. */
export function instanceEvents(count: number, from = 0): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({ id: randomUUID(), type: 'ElementActivated', data: { step: from + i } }));
}

/** Appends `perInstance` events to each of `instances` process-instance streams, in `appends` appends each, concurrently. */
export async function appendToInstances(store: EventStore, instances: readonly string[], perInstance: number, appends = 1): Promise<void> {
  const size = Math.ceil(perInstance / appends);
  await Promise.all(
    instances.map(async (instance) => {
      for (let from = 0; from < perInstance; from += size) {
        const revision = from === 0 ? 'any' : from - 1;
        await store.appendToStream(`process-instance-${instance}`, instanceEvents(Math.min(size, perInstance - from), from), { expectedRevision: revision });
      }
    }),
  );
}

/** Collects the envelopes a consumer received, and lets a test wait for a condition within a deadline. */
export class Received {
  readonly envelopes: EventEnvelope[] = [];
  readonly messages: ReceivedMessage[] = [];
  private waiters: { readonly test: () => boolean; readonly resolve: () => void }[] = [];

  readonly handler = (envelope: EventEnvelope, message: ReceivedMessage): void => {
    this.envelopes.push(envelope);
    this.messages.push(message);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.test()) return true;
      waiter.resolve();
      return false;
    });
  };

  /** The distinct event ids received. */
  get eventIds(): Set<string> {
    return new Set(this.envelopes.map((envelope) => envelope.eventId));
  }

  /** Resolves once every id of `ids` was received; fails after `deadlineMs`, saying how many were missing. */
  untilAll(ids: Iterable<string>, deadlineMs: number): Promise<void> {
    const wanted = [...ids];
    const test = (): boolean => {
      const seen = this.eventIds;
      return wanted.every((id) => seen.has(id));
    };
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        const seen = this.eventIds;
        reject(new Error(`Waited ${deadlineMs} ms for ${wanted.length} events, ${wanted.filter((id) => !seen.has(id)).length} never arrived`));
      }, deadlineMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ test, resolve: done });
    });
  }
}

/** Subscribes a fresh group to the topics from their beginning, collecting envelopes. */
export async function consume(bus: MessageBus, topics: readonly string[], groupId: string): Promise<{ received: Received; subscription: MessageSubscription }> {
  const received = new Received();
  const subscription = await bus.subscribe({ topics, groupId, fromBeginning: true, decode: asEventEnvelope, handler: received.handler });
  return { received, subscription };
}

/**
 * How the revisions of each key arrived, checked against the rule of the relay: every key's messages are runs of
 * consecutive revisions; a run starts at 0 or right after the previous run's end (no gap), or earlier only when the
 * relay started again from an older checkpoint (a redelivered suffix). Returns a description of every violation, the
 * number of runs that went back (redeliveries), and the highest revision per key.
 */
export function orderPerKey(envelopes: readonly EventEnvelope[]): { violations: string[]; redeliveries: number; lastRevisions: Map<string, number> } {
  const byKey = new Map<string, number[]>();
  for (const envelope of envelopes) {
    const key = envelope.processInstanceId ?? envelope.streamId;
    let revisions = byKey.get(key);
    if (revisions === undefined) {
      revisions = [];
      byKey.set(key, revisions);
    }
    revisions.push(envelope.revision);
  }
  const violations: string[] = [];
  let redeliveries = 0;
  const lastRevisions = new Map<string, number>();
  for (const [key, revisions] of byKey) {
    let highest = -1;
    let previous = -1;
    revisions.forEach((revision, i) => {
      if (i === 0 && revision !== 0) violations.push(`${key}: starts at revision ${revision}`);
      if (i > 0 && revision !== previous + 1) {
        if (revision > previous) violations.push(`${key}: revision ${revision} after ${previous} (gap)`);
        else redeliveries++;
      }
      if (revision > highest + 1) violations.push(`${key}: revision ${revision} before ${highest + 1}`);
      highest = Math.max(highest, revision);
      previous = revision;
    });
    lastRevisions.set(key, highest);
  }
  return { violations, redeliveries, lastRevisions };
}

/** A Kafka leader change, as kafkajs reports it: transient. */
export const leaderChange = (): Error => Object.assign(new Error('This server is not the leader for that topic-partition'), { type: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
/** A failure no retry fixes by itself. */
export const recordTooLarge = (): Error => Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' });

/** Connects to the machine's broker; fails (never skips) with how to start one. */
export async function connectKafka(logger: MessagingLogger, clientId = 'trellis-relay-test'): Promise<KafkaMessageBus> {
  try {
    return await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId, retries: 3, logger });
  } catch (error) {
    throw new Error(
      `Kafka is not reachable at ${kafkaBrokers.join(',')} (${error instanceof Error ? error.message : String(error)}): ` +
        'start the local broker with `deploy/local/kafka start`, or set TRELLIS_KAFKA_BROKERS to a running one.',
    );
  }
}

export { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';

/** The checkpoint row as Postgres has it (undefined: none). */
export async function storedCheckpoint(schema: string, name: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const result = await client.query<{ position: string }>(`SELECT position FROM "${schema}".relay_checkpoints WHERE name = $1`, [name]);
    return result.rows.length === 0 ? undefined : Number(result.rows[0]?.position);
  } finally {
    await client.end();
  }
}

/** Resolves once `test()` holds, checking at every event-loop turn for at most `deadlineMs`; fails naming `what`. */
export async function eventually(test: () => boolean | Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await test()) return;
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
