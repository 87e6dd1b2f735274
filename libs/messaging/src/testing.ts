/**
 * Test kit of the messaging adapters (`@trellis/messaging/testing`): the Kafka broker the tests use, topic names of a
 * run of their own, `Collected` to wait for what a subscription received, and the contract every message bus adapter
 * passes: `messageBusContract('my adapter', create, options)` in the adapter's spec. The tests share one bus from `create`; each works in topics and groups of its own (names unique per run), so
 * runs against one broker do not see each other. `destroy` receives the topics and groups the run used.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DeadLetterEnvelope, type EventEnvelope, TOPICS, eventMessageOf } from '@trellis/contracts';
import { asDeadLetterEnvelope, asEventEnvelope, asText } from './decoders.js';
import {
  type BatchHandler,
  type BatchItem,
  type Decoder,
  type MessageBus,
  type MessageSubscription,
  NonRetriableError,
  type OutgoingMessage,
  type ReceivedMessage,
  type SubscribeOptions,
  type TopicSpec,
} from './message-bus.port.js';
import type { HandlerRetryPolicy } from './handler-retry-policy.js';
import type { MessagingLogger } from './messaging-logger.js';
import { InMemoryProcessedMessages, idempotent } from './processed-messages.js';

/** The broker list the tests use (the setting the services read). */
export const kafkaBrokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());

/** A test run's own name for a topic or a group, so that runs against one broker never meet. */
export const testTopicName = (run: string, name: string): string => `trellis-test.${run}.${name}`;

/**
 * A test run's own names for every Trellis topic (each service's options take the ones it uses), so that runs against
 * one broker never meet.
 */
export function testTopics(run: string = randomUUID().slice(0, 8)): Record<keyof typeof TOPICS, string> {
  const named = Object.entries(TOPICS).map(([key, topic]) => [key, testTopicName(run, topic)]);
  return Object.fromEntries(named) as Record<keyof typeof TOPICS, string>;
}

/** Collects what a subscription received; a test waits for a condition within a deadline that fails it with what came. */
export class Collected<T> {
  readonly items: T[] = [];
  private waiters: { readonly test: () => boolean; readonly resolve: () => void }[] = [];

  readonly handler = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.test()) return true;
      waiter.resolve();
      return false;
    });
  };

  until(test: (items: readonly T[]) => boolean, what: string, deadlineMs = 30_000): Promise<void> {
    if (test(this.items)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`Waited ${deadlineMs} ms for ${what}; got ${this.items.length}: ${JSON.stringify(this.items).slice(0, 2000)}`));
      }, deadlineMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ test: () => test(this.items), resolve: done });
    });
  }
}

/**
 * A real bus whose `publish` fails on demand: `failNext(n, error)` makes the next n calls throw `error` before
 * reaching the bus, or after it accepted the messages (`afterPublishing`: an acknowledgement lost on the way).
 * Records what it accepted, in order.
 */
export class FailingBus implements MessageBus {
  readonly accepted: { readonly topic: string; readonly messages: readonly OutgoingMessage[] }[] = [];
  calls = 0;
  private failures: { remaining: number; readonly error: () => Error; readonly afterPublishing: boolean } | undefined;
  private gate: Promise<void> | undefined;

  constructor(private readonly bus: MessageBus) {}

  failNext(count: number, error: () => Error, options: { readonly afterPublishing?: boolean } = {}): void {
    this.failures = { remaining: count, error, afterPublishing: options.afterPublishing ?? false };
  }

  /** Holds every publish until the returned function is called. */
  hold(): () => void {
    let release = (): void => undefined;
    this.gate = new Promise((resolve) => {
      release = () => {
        this.gate = undefined;
        resolve();
      };
    });
    return release;
  }

  /** Ids of the events the bus accepted, in order. */
  acceptedEventIds(): string[] {
    return this.accepted.flatMap((call) => call.messages.map((message) => (message.headers ?? {})['trellis-event-id'] as string));
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.calls++;
    if (this.gate !== undefined) await this.gate;
    const failure = this.failures !== undefined && this.failures.remaining > 0 ? this.failures : undefined;
    if (failure !== undefined) failure.remaining--;
    if (failure !== undefined && !failure.afterPublishing) throw failure.error();
    await this.bus.publish(topic, messages);
    this.accepted.push({ topic, messages });
    if (failure !== undefined) throw failure.error();
  }

  subscribe<T>(options: SubscribeOptions<T>): Promise<MessageSubscription> {
    return this.bus.subscribe(options);
  }

  ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    return this.bus.ensureTopics(topics);
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}

/** A broker that does not answer, as kafkajs reports it: transient. */
export const connectionRefused = (): Error =>
  Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError' });

/** Keeps what the bus logs, so that tests stay quiet and can look at it. */
export class RecordingLogger implements MessagingLogger {
  readonly entries: { level: 'info' | 'warn' | 'error'; message: string; context?: Record<string, unknown> }[] = [];
  info(message: string, context?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, context });
  }
  warn(message: string, context?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, context });
  }
  error(message: string, context?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, context });
  }
}

export interface Delivery<T> {
  readonly body: T;
  readonly message: ReceivedMessage;
}

/** Collects deliveries and lets a test wait for the n-th, within a deadline that fails the test with what it got. */
export class Inbox<T> {
  readonly deliveries: Delivery<T>[] = [];
  private waiters: { readonly count: number; readonly resolve: () => void }[] = [];

  constructor(private readonly deadlineMs: number) {}

  get bodies(): T[] {
    return this.deliveries.map((delivery) => delivery.body);
  }

  /** A handler that records, then does what `then` does (throw, to fail). */
  handler(then?: (body: T, message: ReceivedMessage) => Promise<void> | void): (body: T, message: ReceivedMessage) => Promise<void> {
    return async (body, message) => {
      this.deliveries.push({ body, message });
      this.wake();
      await then?.(body, message);
    };
  }

  until(count: number, what = 'deliveries'): Promise<void> {
    if (this.deliveries.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`Waited ${this.deadlineMs} ms for ${count} ${what}, got ${this.deliveries.length}: ${JSON.stringify(this.bodies)}`));
      }, this.deadlineMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ count, resolve: done });
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((waiter) => {
      if (this.deliveries.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
}

/** A promise and the function that resolves it. */
function gate(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const fastRetry: Partial<HandlerRetryPolicy> = { baseDelayMs: 5, maxDelayMs: 20 };
const transientError = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function envelope(eventId: string, processInstanceId: string, revision: number): EventEnvelope {
  return {
    eventId,
    type: 'ElementActivated',
    schemaVersion: 1,
    streamId: `process-instance-${processInstanceId}`,
    revision,
    position: revision + 1,
    processInstanceId,
    recordedAt: '2024-05-01T12:00:00.000Z',
    data: { elementId: `task-${revision}` },
    metadata: null,
  };
}

export interface MessageBusContractOptions {
  /** How long a test waits for deliveries before it fails (default 20 s). */
  readonly deliveryDeadlineMs?: number;
  /** Disposes of the bus (default `close()`), given the topics and groups the tests used. */
  readonly destroy?: (bus: MessageBus, used: { readonly topics: readonly string[]; readonly groups: readonly string[] }) => Promise<void>;
}

export function messageBusContract(name: string, create: (logger: MessagingLogger) => Promise<MessageBus>, options: MessageBusContractOptions = {}): void {
  describe(`${name}: message bus contract`, () => {
    const deadlineMs = options.deliveryDeadlineMs ?? 20_000;
    const run = randomUUID().slice(0, 8);
    const topics: string[] = [];
    const groups: string[] = [];
    const subscriptions: MessageSubscription[] = [];
    const logger = new RecordingLogger();
    let bus: MessageBus;

    const topic = async (label: string, partitions = 1): Promise<string> => {
      const name = testTopicName(run, label);
      topics.push(name);
      await bus.ensureTopics([{ topic: name, partitions }]);
      return name;
    };
    const group = (label: string): string => {
      const name = testTopicName(run, label);
      groups.push(name);
      return name;
    };
    const inbox = <T>(): Inbox<T> => new Inbox<T>(deadlineMs);
    const subscribe = async <T>(subscription: {
      topics: string | string[];
      groupId: string;
      decode: Decoder<T>;
      handler: (body: T, message: ReceivedMessage) => Promise<void>;
      batchHandler?: BatchHandler<T>;
      maxBatchSize?: number;
      deadLetterTopic?: string;
      retry?: Partial<HandlerRetryPolicy>;
    }): Promise<MessageSubscription> => {
      const subscribed = await bus.subscribe({ fromBeginning: true, retry: fastRetry, ...subscription });
      subscriptions.push(subscribed);
      return subscribed;
    };
    const texts = (values: string[], key: string | null = 'k'): { key: string | null; value: string }[] => values.map((value) => ({ key, value }));

    beforeAll(async () => {
      bus = await create(logger);
    }, 60_000);

    afterAll(async () => {
      // `create` failed: its error is the one to read.
      if ((bus as MessageBus | undefined) === undefined) return;
      await Promise.all(subscriptions.map((subscription) => subscription.close()));
      if (options.destroy) await options.destroy(bus, { topics, groups });
      else await bus.close();
    }, 60_000);

    it('delivers what was published: key, value, headers, and where it sits', async () => {
      const orders = await topic('round-trip');
      const received = inbox<string | null>();
      await subscribe({ topics: orders, groupId: group('round-trip'), decode: asText, handler: received.handler() });

      await bus.publish(orders, [
        { key: 'order-1', value: 'placed ✓', headers: { 'trellis-type': 'OrderPlaced' } },
        { key: 'order-1', value: Buffer.from('shipped') },
        { key: null, value: null },
      ]);
      await received.until(3);

      expect(received.deliveries.map(({ body, message }) => [body, message.key, message.headers, message.topic, message.partition, message.offset])).toEqual([
        ['placed ✓', 'order-1', { 'trellis-type': 'OrderPlaced' }, orders, 0, '0'],
        ['shipped', 'order-1', {}, orders, 0, '1'],
        [null, null, {}, orders, 0, '2'],
      ]);
      for (const { message } of received.deliveries) expect(new Date(message.timestamp).toISOString()).toBe(message.timestamp);
    });

    it('keeps the order of the messages of each key across partitions and publish calls', async () => {
      const events = await topic('order', 4);
      const received = inbox<string | null>();
      await subscribe({ topics: events, groupId: group('order'), decode: asText, handler: received.handler() });

      const keys = ['pi-a', 'pi-b', 'pi-c', 'pi-d', 'pi-e'];
      for (let round = 0; round < 4; round++) {
        await bus.publish(
          events,
          Array.from({ length: 10 }, (_, i) => round * 10 + i).flatMap((n) => keys.map((key) => ({ key, value: `${key}:${n}` }))),
        );
      }
      await received.until(200);

      for (const key of keys) {
        const ofKey = received.deliveries.filter(({ message }) => message.key === key);
        expect(ofKey.map(({ body }) => body)).toEqual(Array.from({ length: 40 }, (_, n) => `${key}:${n}`));
        expect(new Set(ofKey.map(({ message }) => message.partition)).size).toBe(1);
      }
      expect(new Set(received.deliveries.map(({ message }) => message.partition)).size).toBeGreaterThan(1);
    });

    it('shares the partitions among the members of a group: each message reaches one of them', async () => {
      const events = await topic('shared', 4);
      const workers = group('shared');
      const all = inbox<string | null>();
      const first = inbox<string | null>();
      const second = inbox<string | null>();
      await subscribe({ topics: events, groupId: workers, decode: asText, handler: first.handler(all.handler()) });
      await subscribe({ topics: events, groupId: workers, decode: asText, handler: second.handler(all.handler()) });

      const sent = Array.from({ length: 40 }, (_, n) => ({ key: `pi-${n}`, value: `m${n}` }));
      await bus.publish(events, sent);
      await all.until(40);

      expect([...first.bodies, ...second.bodies].sort()).toEqual(sent.map((message) => message.value).sort());
      expect(first.deliveries.length).toBeGreaterThan(0);
      expect(second.deliveries.length).toBeGreaterThan(0);
      const partitionsOf = (received: Inbox<string | null>): Set<number> => new Set(received.deliveries.map(({ message }) => message.partition));
      expect([...partitionsOf(first)].filter((partition) => partitionsOf(second).has(partition))).toEqual([]);
    });

    it('gives every message to every group', async () => {
      const events = await topic('two-groups', 2);
      const history = inbox<string | null>();
      const tasks = inbox<string | null>();
      await subscribe({ topics: events, groupId: group('history'), decode: asText, handler: history.handler() });
      await subscribe({ topics: events, groupId: group('tasks'), decode: asText, handler: tasks.handler() });

      await bus.publish(events, texts(['a', 'b', 'c', 'd'], null));
      await history.until(4);
      await tasks.until(4);

      expect(history.bodies.sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(tasks.bodies.sort()).toEqual(['a', 'b', 'c', 'd']);
    });

    it('delivers a message again when its handler failed, before the messages after it', async () => {
      const events = await topic('redelivery');
      const received = inbox<string | null>();
      let failures = 0;
      await subscribe({
        topics: events,
        groupId: group('redelivery'),
        decode: asText,
        handler: received.handler((body) => {
          if (body === 'm2' && failures++ < 2) throw new Error('projection table is locked');
        }),
      });

      await bus.publish(events, texts(['m1', 'm2', 'm3']));
      await received.until(5);

      expect(received.bodies).toEqual(['m1', 'm2', 'm2', 'm2', 'm3']);
      const retries = logger.entries.filter((entry) => entry.message.startsWith('Handler of group') && entry.context?.['topic'] === events);
      expect(retries.map((entry) => entry.context?.['attempt'])).toEqual([1, 2]);
      expect(retries[0]?.message).toContain('projection table is locked');
    });

    it('sends an invalid message to the dead-letter topic with the reason, and goes on with the next', async () => {
      const events = await topic('invalid');
      const deadLetters = await topic('invalid-dlq');
      const projector = group('invalid');
      const received = inbox<EventEnvelope>();
      const dead = inbox<DeadLetterEnvelope>();
      await subscribe({ topics: events, groupId: projector, decode: asEventEnvelope, handler: received.handler(), deadLetterTopic: deadLetters });
      await subscribe({ topics: deadLetters, groupId: group('invalid-dlq'), decode: asDeadLetterEnvelope, handler: dead.handler(), deadLetterTopic: `${deadLetters}.dead` });

      const good = envelope(randomUUID(), 'pi-1', 0);
      const { eventId: _dropped, ...withoutId } = envelope(randomUUID(), 'pi-1', 1);
      await bus.publish(events, [
        eventMessageOf(good),
        { key: 'pi-1', value: JSON.stringify({ ...withoutId, revision: -1 }), headers: { 'trellis-type': 'ElementActivated' } },
        { key: 'pi-1', value: '{"not": json' },
        eventMessageOf(envelope(randomUUID(), 'pi-1', 2)),
      ]);
      await received.until(2);
      await dead.until(2, 'dead letters');

      expect(received.bodies.map((event) => event.revision)).toEqual([0, 2]);
      expect(dead.bodies[0]).toEqual({
        reason: 'invalid-message',
        error: 'eventId: is required; revision: must be an integer, 0 or more',
        problems: [
          { path: 'eventId', message: 'is required' },
          { path: 'revision', message: 'must be an integer, 0 or more' },
        ],
        attempts: 0,
        originalTopic: events,
        partition: 0,
        offset: '1',
        key: 'pi-1',
        value: JSON.stringify({ ...withoutId, revision: -1 }),
        valueEncoding: 'utf8',
        headers: { 'trellis-type': 'ElementActivated' },
        consumerGroup: projector,
        failedAt: expect.any(String),
      });
      expect(dead.bodies[1]).toMatchObject({ reason: 'invalid-message', offset: '2', value: '{"not": json', problems: [{ path: '(message)' }] });
      expect(dead.deliveries[0]?.message.key).toBe('pi-1');
      expect(dead.deliveries[0]?.message.headers).toMatchObject({ 'trellis-dead-letter-reason': 'invalid-message', 'trellis-original-topic': events });
    });

    it('dead-letters a message its handler rejects at once, and one that keeps failing once retries are exhausted', async () => {
      const commands = await topic('rejected');
      const deadLetters = await topic('rejected-dlq');
      const received = inbox<string | null>();
      const dead = inbox<DeadLetterEnvelope>();
      await subscribe({
        topics: commands,
        groupId: group('rejected'),
        decode: asText,
        deadLetterTopic: deadLetters,
        retry: { ...fastRetry, maxAttempts: 3 },
        handler: received.handler((body) => {
          if (body === 'unknown-instance') throw new NonRetriableError('No process instance pi-404');
          if (body === 'poison') throw new TypeError("Cannot read properties of undefined (reading 'elementId')");
        }),
      });
      await subscribe({ topics: deadLetters, groupId: group('rejected-dlq'), decode: asDeadLetterEnvelope, handler: dead.handler(), deadLetterTopic: `${deadLetters}.dead` });

      await bus.publish(commands, texts(['ok-1', 'unknown-instance', 'poison', 'ok-2']));
      await received.until(6);
      await dead.until(2, 'dead letters');

      expect(received.bodies).toEqual(['ok-1', 'unknown-instance', 'poison', 'poison', 'poison', 'ok-2']);
      expect(dead.bodies.map(({ reason, error, attempts, offset }) => ({ reason, error, attempts, offset }))).toEqual([
        { reason: 'rejected', error: 'No process instance pi-404', attempts: 1, offset: '1' },
        { reason: 'retries-exhausted', error: "Cannot read properties of undefined (reading 'elementId')", attempts: 3, offset: '2' },
      ]);
    });

    it('dead-letters a message its decoder throws on, keeping bytes that are not text as base64', async () => {
      const events = await topic('binary');
      const deadLetters = await topic('binary-dlq');
      const dead = inbox<DeadLetterEnvelope>();
      await subscribe({
        topics: events,
        groupId: group('binary'),
        deadLetterTopic: deadLetters,
        decode: (message) => {
          if (message.value?.[0] === 0xff) throw new Error('unknown magic byte');
          return { ok: true, value: null };
        },
        handler: async () => undefined,
      });
      await subscribe({ topics: deadLetters, groupId: group('binary-dlq'), decode: asDeadLetterEnvelope, handler: dead.handler(), deadLetterTopic: `${deadLetters}.dead` });

      await bus.publish(events, [{ key: 'k', value: Buffer.from([0xff, 0x00, 0xfe]) }]);
      await dead.until(1, 'dead letters');

      expect(dead.bodies[0]).toMatchObject({
        reason: 'invalid-message',
        error: '(message): could not be decoded: unknown magic byte',
        value: Buffer.from([0xff, 0x00, 0xfe]).toString('base64'),
        valueEncoding: 'base64',
      });
    });

    it('retries a transient failure beyond the attempts allowed for other failures, and dead-letters nothing', async () => {
      const events = await topic('transient');
      const deadLetters = await topic('transient-dlq');
      const received = inbox<string | null>();
      let failures = 0;
      await subscribe({
        topics: events,
        groupId: group('transient'),
        decode: asText,
        deadLetterTopic: deadLetters,
        retry: { ...fastRetry, maxAttempts: 2 },
        handler: received.handler(() => {
          if (failures++ < 4) throw transientError();
        }),
      });
      const dead = inbox<DeadLetterEnvelope>();
      await subscribe({ topics: deadLetters, groupId: group('transient-dlq'), decode: asDeadLetterEnvelope, handler: dead.handler(), deadLetterTopic: `${deadLetters}.dead` });

      await bus.publish(events, texts(['m1', 'm2']));
      await received.until(6);

      expect(received.bodies).toEqual(['m1', 'm1', 'm1', 'm1', 'm1', 'm2']);
      expect(dead.deliveries).toEqual([]);
    });

    it('at close, lets the handler in flight finish and commits: the next member of the group gets only the rest', async () => {
      const events = await topic('close');
      const workers = group('close');
      const received = inbox<string | null>();
      const started = gate();
      const release = gate();
      let finished = false;
      const member = await subscribe({
        topics: events,
        groupId: workers,
        decode: asText,
        handler: received.handler(async (body) => {
          if (body !== 'm3') return;
          started.open();
          await release.promise;
          finished = true;
        }),
      });
      await bus.publish(events, texts(['m1', 'm2', 'm3', 'm4', 'm5']));
      await started.promise;

      const closed = member.close();
      release.open();
      await closed;
      const handledBeforeClose = received.bodies;
      const next = inbox<string | null>();
      await subscribe({ topics: events, groupId: workers, decode: asText, handler: next.handler() });
      await bus.publish(events, texts(['m6']));
      await next.until(3);

      expect(finished).toBe(true);
      expect(handledBeforeClose).toEqual(['m1', 'm2', 'm3']);
      expect(next.bodies).toEqual(['m4', 'm5', 'm6']);
    });

    it('delivers again to the group a message whose handler was still failing when its member closed', async () => {
      const events = await topic('abandoned');
      const workers = group('abandoned');
      const received = inbox<string | null>();
      const member = await subscribe({
        topics: events,
        groupId: workers,
        decode: asText,
        // Transient failures are retried without limit: only close ends them.
        retry: { baseDelayMs: 50, maxDelayMs: 50 },
        handler: received.handler((body) => {
          if (body === 'm2') throw transientError();
        }),
      });
      await bus.publish(events, texts(['m1', 'm2', 'm3']));
      await received.until(2);

      await member.close();
      const next = inbox<string | null>();
      await subscribe({ topics: events, groupId: workers, decode: asText, handler: next.handler() });
      await next.until(2);

      expect(received.bodies.filter((body) => body !== 'm2')).toEqual(['m1']);
      expect(next.bodies).toEqual(['m2', 'm3']);
    });

    it('applies an event once when it is delivered twice, with a handler that dedupes by event id', async () => {
      const events = await topic('dedupe');
      const applied: string[] = [];
      const received = inbox<EventEnvelope>();
      await subscribe({
        topics: events,
        groupId: group('dedupe'),
        decode: asEventEnvelope,
        handler: received.handler(
          idempotent<EventEnvelope>(async (event) => void applied.push(event.eventId), {
            processed: new InMemoryProcessedMessages(100),
            idOf: (event) => event.eventId,
          }),
        ),
      });
      const first = envelope(randomUUID(), 'pi-7', 0);
      const second = envelope(randomUUID(), 'pi-7', 1);

      // A relay that died after publishing and before checkpointing publishes the same events again.
      await bus.publish(events, [eventMessageOf(first), eventMessageOf(second)]);
      await bus.publish(events, [eventMessageOf(first), eventMessageOf(second)]);
      await received.until(4);

      expect(applied).toEqual([first.eventId, second.eventId]);
    });

    describe('with a batch handler', () => {
      /** Records each batch handler call: what it got, and whether it resolved. */
      const batches = <T>(then?: (items: readonly BatchItem<T>[]) => void): {
        readonly calls: { readonly items: readonly BatchItem<T>[]; resolved: boolean }[];
        readonly handler: BatchHandler<T>;
      } => {
        const calls: { readonly items: readonly BatchItem<T>[]; resolved: boolean }[] = [];
        return {
          calls,
          handler: async (items) => {
            const call = { items: [...items], resolved: false };
            calls.push(call);
            then?.(items);
            call.resolved = true;
          },
        };
      };
      const bodiesOf = <T>(items: readonly BatchItem<T>[]): T[] => items.map(({ body }) => body);

      it('hands over consecutive messages of one partition at a time, in order, at most maxBatchSize, and not to the handler', async () => {
        const events = await topic('batch-order', 3);
        const commands = await topic('batch-order-commands', 2);
        const single = inbox<string | null>();
        const received = batches<string | null>();
        const all = inbox<string | null>();
        await subscribe({
          topics: [events, commands],
          groupId: group('batch-order'),
          decode: asText,
          handler: single.handler(),
          batchHandler: async (items) => {
            await received.handler(items);
            for (const { body, message } of items) await all.handler()(body, message);
          },
          maxBatchSize: 7,
        });

        const keys = ['pi-a', 'pi-b', 'pi-c', 'pi-d'];
        for (const target of [events, commands]) {
          await bus.publish(target, Array.from({ length: 30 }, (_, n) => n).flatMap((n) => keys.map((key) => ({ key, value: `${target === events ? 'e' : 'c'}:${key}:${n}` }))));
        }
        await all.until(240);

        expect(single.deliveries).toEqual([]);
        for (const { items } of received.calls) {
          expect(items.length).toBeGreaterThan(0);
          expect(items.length).toBeLessThanOrEqual(7);
          expect(new Set(items.map(({ message }) => `${message.topic}:${message.partition}`)).size).toBe(1);
          const offsets = items.map(({ message }) => Number(message.offset));
          expect(offsets).toEqual(offsets.map((_, i) => (offsets[0] as number) + i));
        }
        for (const prefix of ['e', 'c']) {
          for (const key of keys) {
            expect(all.bodies.filter((body) => body?.startsWith(`${prefix}:${key}:`))).toEqual(Array.from({ length: 30 }, (_, n) => `${prefix}:${key}:${n}`));
          }
        }
        expect(received.calls.some(({ items }) => items.length > 1)).toBe(true);
      });

      it('dead-letters invalid messages and leaves them out of the batch', async () => {
        const events = await topic('batch-invalid');
        const deadLetters = await topic('batch-invalid-dlq');
        const received = batches<EventEnvelope>();
        const handled = inbox<EventEnvelope>();
        const dead = inbox<DeadLetterEnvelope>();
        const good = [envelope(randomUUID(), 'pi-1', 0), envelope(randomUUID(), 'pi-1', 1), envelope(randomUUID(), 'pi-1', 2)];
        await bus.publish(events, [eventMessageOf(good[0] as EventEnvelope), { key: 'pi-1', value: '{"not": json' }, eventMessageOf(good[1] as EventEnvelope), { key: 'pi-1', value: null }, eventMessageOf(good[2] as EventEnvelope)]);
        await subscribe({ topics: deadLetters, groupId: group('batch-invalid-dlq'), decode: asDeadLetterEnvelope, handler: dead.handler(), deadLetterTopic: `${deadLetters}.dead` });

        await subscribe({
          topics: events,
          groupId: group('batch-invalid'),
          decode: asEventEnvelope,
          deadLetterTopic: deadLetters,
          handler: async () => {
            throw new Error('the handler must not be called when the batch handler resolves');
          },
          batchHandler: async (items) => {
            await received.handler(items);
            for (const { body, message } of items) await handled.handler()(body, message);
          },
        });
        await handled.until(3);
        await dead.until(2, 'dead letters');

        expect(handled.bodies.map(({ eventId }) => eventId)).toEqual(good.map(({ eventId }) => eventId));
        expect(handled.deliveries.map(({ message }) => message.offset)).toEqual(['0', '2', '4']);
        expect(dead.bodies.map(({ reason, offset }) => ({ reason, offset }))).toEqual([
          { reason: 'invalid-message', offset: '1' },
          { reason: 'invalid-message', offset: '3' },
        ]);
      });

      it('hands the messages of a failing batch to the handler one at a time: only the one at fault is dead-lettered', async () => {
        const commands = await topic('batch-fallback');
        const deadLetters = await topic('batch-fallback-dlq');
        const dead = inbox<DeadLetterEnvelope>();
        const single = inbox<string | null>();
        /** Messages handled for good, by either handler, in the order they were. */
        const handled: (string | null)[] = [];
        const received = batches<string | null>((items) => {
          if (items.some(({ body }) => body === 'poison')) throw new TypeError("Cannot read properties of undefined (reading 'elementId')");
        });
        // Published before the group starts, so that the first batch holds all of them.
        await bus.publish(commands, texts(['ok-1', 'ok-2', 'poison', 'ok-3', 'ok-4']));
        await subscribe({ topics: deadLetters, groupId: group('batch-fallback-dlq'), decode: asDeadLetterEnvelope, handler: dead.handler(), deadLetterTopic: `${deadLetters}.dead` });

        await subscribe({
          topics: commands,
          groupId: group('batch-fallback'),
          decode: asText,
          deadLetterTopic: deadLetters,
          retry: { ...fastRetry, maxAttempts: 2 },
          handler: single.handler((body) => {
            if (body === 'poison') throw new NonRetriableError('No process instance pi-404');
            handled.push(body);
          }),
          batchHandler: async (items) => {
            await received.handler(items);
            handled.push(...bodiesOf(items));
          },
        });
        await dead.until(1, 'dead letters');
        await bus.publish(commands, texts(['ok-5']));
        await single.until(1);
        const deadline = Date.now() + deadlineMs;
        while (!handled.includes('ok-5') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));

        expect(handled).toEqual(['ok-1', 'ok-2', 'ok-3', 'ok-4', 'ok-5']);
        expect(received.calls[0]?.resolved).toBe(false);
        expect(bodiesOf(received.calls[0]?.items ?? [])).toEqual(['ok-1', 'ok-2', 'poison', 'ok-3', 'ok-4']);
        expect(single.bodies).toEqual(['ok-1', 'ok-2', 'poison', 'ok-3', 'ok-4']);
        expect(dead.bodies.map(({ reason, error, attempts, offset }) => ({ reason, error, attempts, offset }))).toEqual([
          { reason: 'rejected', error: 'No process instance pi-404', attempts: 1, offset: '2' },
        ]);
        const fallback = logger.entries.filter((entry) => entry.message.startsWith('Batch handler of group') && entry.context?.['topic'] === commands);
        expect(fallback.map((entry) => entry.context?.['messages'])).toEqual([5]);
      });

      it('commits what it handled: a new member of the group after close gets only the rest', async () => {
        const events = await topic('batch-commit', 2);
        const workers = group('batch-commit');
        const first = inbox<string | null>();
        await bus.publish(events, Array.from({ length: 20 }, (_, n) => ({ key: `pi-${n % 4}`, value: `m${n}` })));
        const member = await subscribe({
          topics: events,
          groupId: workers,
          decode: asText,
          handler: first.handler(),
          batchHandler: async (items) => {
            for (const { body, message } of items) await first.handler()(body, message);
          },
          maxBatchSize: 3,
        });
        await first.until(20);

        await member.close();
        const next = inbox<string | null>();
        await subscribe({
          topics: events,
          groupId: workers,
          decode: asText,
          handler: next.handler(),
          batchHandler: async (items) => {
            for (const { body, message } of items) await next.handler()(body, message);
          },
        });
        await bus.publish(events, [{ key: 'pi-0', value: 'm20' }]);
        await next.until(1);

        expect(first.bodies.sort()).toEqual(Array.from({ length: 20 }, (_, n) => `m${n}`).sort());
        expect(next.bodies).toEqual(['m20']);
      });
    });

    it('refuses a dead-letter topic that the subscription consumes, and bad arguments', async () => {
      const events = await topic('arguments');

      await expect(bus.subscribe({ topics: events, groupId: group('arguments'), decode: asText, handler: () => undefined, deadLetterTopic: events })).rejects.toThrow(
        /dead-letter topic/,
      );
      await expect(bus.subscribe({ topics: [], groupId: group('arguments'), decode: asText, handler: () => undefined })).rejects.toThrow(TypeError);
      await expect(
        bus.subscribe({ topics: events, groupId: group('arguments'), decode: asText, handler: () => undefined, batchHandler: async () => undefined, maxBatchSize: 0 }),
      ).rejects.toThrow(RangeError);
      await expect(bus.publish('', [])).rejects.toThrow(TypeError);
      await expect(bus.ensureTopics([{ topic: events, partitions: 0 }])).rejects.toThrow(RangeError);
    });
  });
}
