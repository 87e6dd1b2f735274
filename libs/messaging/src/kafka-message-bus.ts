/**
 * The message bus of the distributed mode, on kafkajs.
 *
 * Producer: idempotent (the broker drops a batch it already has when kafkajs retries), acks from all in-sync replicas,
 * one request in flight per broker as kafkajs's idempotent producer requires to keep order.
 * Consumers: one kafkajs consumer per subscription, `eachBatch` with offsets resolved one message at a time (with a
 * `batchHandler`: once per slice of at most `maxBatchSize` messages of the fetched batch), and only after the message
 * was handled or dead-lettered; kafkajs commits resolved offsets (every `autoCommitThreshold`
 * messages or `autoCommitIntervalMs`, at the end of each batch, before a rebalance and when stopping). A message
 * abandoned at close is never resolved, so the group gets it again. A consumer that crashes is restarted by kafkajs,
 * or, when kafkajs gives it up, replaced by a new one: a subscription never stops before it is closed.
 */
import { type Admin, type Consumer, Kafka, type KafkaMessage, type LogEntry, Partitioners, type Producer, logLevel } from 'kafkajs';
import { TOPICS } from '@trellis/contracts';
import { type HandlerRetryPolicy, handlerRetryPolicy } from './handler-retry-policy.js';
import { deliver, deliverBatch } from './message-delivery.js';
import type { MessageBus, MessageSubscription, OutgoingMessage, ReceivedMessage, SubscribeOptions, TopicSpec } from './message-bus.port.js';
import { type MessagingLogger, consoleMessagingLogger } from './messaging-logger.js';
import { DEFAULT_MAX_BATCH_SIZE, checkPublish, checkSubscribe, checkTopicSpecs, topicsOf } from './port-arguments.js';

export interface KafkaMessageBusOptions {
  /** `host:port` of one or more brokers (`TRELLIS_KAFKA_BROKERS`, comma-separated). */
  readonly brokers: readonly string[];
  /** Names this process to the brokers (in their logs and quotas). Default `trellis`. */
  readonly clientId?: string;
  /** Time to open a connection to a broker (default 3,000 ms). */
  readonly connectionTimeoutMs?: number;
  /** Time for a broker to answer a request (default 30,000 ms). */
  readonly requestTimeoutMs?: number;
  /**
   * Retries of a failed request to the cluster (connect, metadata, publish) before the call fails: exponential
   * backoff from `retryInitialMs` up to `retryMaxMs` (default 8, about a minute and a half in all).
   */
  readonly retries?: number;
  /** The first retry's delay, doubled (with jitter) for each next one (default 300 ms). */
  readonly retryInitialMs?: number;
  /** The longest delay between two retries (default 30,000 ms). */
  readonly retryMaxMs?: number;
  /** A consumer that sends no heartbeat for this long leaves its group (default 30,000 ms). */
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Commit handled offsets at least every this many messages... (default 100) */
  readonly autoCommitThreshold?: number;
  /** ...or this often (default 1,000 ms), and always at the end of a batch, before a rebalance, and at close. */
  readonly autoCommitIntervalMs?: number;
  /** Partitions one subscription handles at the same time (default 1; order within a partition always holds). */
  readonly partitionsConsumedConcurrently?: number;
  /** Let the broker create a topic on first use, with its default partitions (default false: use `ensureTopics`). */
  readonly allowAutoTopicCreation?: boolean;
  /** kafkajs's own messages at this level and above go to `logger` (default `warn`). */
  readonly kafkaLogLevel?: 'nothing' | 'error' | 'warn' | 'info' | 'debug';
  /** How subscriptions retry failed handlers (each subscription may override it). */
  readonly retry?: Partial<HandlerRetryPolicy>;
  readonly logger?: MessagingLogger;
  readonly clock?: () => Date;
}

const LOG_LEVELS = { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO, debug: logLevel.DEBUG } as const;

/**
 * kafkajs warns about bounded retries on every idempotent producer. They are bounded on purpose: a publish fails
 * instead of hanging while the cluster is gone; a caller that publishes again may duplicate a message, which
 * at-least-once consumers already handle (dedupe by event id).
 */
const ACCEPTED_WARNINGS = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

/**
 * Errors after which an idempotent producer cannot publish again: the broker and kafkajs disagree on the producer's
 * sequence numbers, or the broker no longer knows the producer. kafkajs gives a failed request's sequence numbers back,
 * so when the broker had stored the batch but its answer was lost (the broker went down in between), a later batch of
 * other messages reuses them and is refused as out of order, and so is every batch after it.
 */
const PRODUCER_STATE_LOST = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

export class KafkaMessageBus implements MessageBus {
  private readonly subscriptions = new Set<MessageSubscription>();
  private admin: Promise<Admin> | undefined;
  private closing: Promise<void> | undefined;
  /** The connected producer, or the one replacing it while it connects. */
  private producer: Promise<Producer>;

  private constructor(
    private readonly kafka: Kafka,
    producer: Producer,
    private readonly options: KafkaMessageBusOptions,
    private readonly logger: MessagingLogger,
    private readonly retry: HandlerRetryPolicy,
  ) {
    this.producer = Promise.resolve(producer);
  }

  /** Connects the producer: fails (after `retries`) when no broker can be reached. */
  static async connect(options: KafkaMessageBusOptions): Promise<KafkaMessageBus> {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0 || options.brokers.some((broker) => typeof broker !== 'string' || broker.length === 0)) {
      throw new TypeError('brokers must list at least one host:port');
    }
    const logger = options.logger ?? consoleMessagingLogger;
    const retry = handlerRetryPolicy(options.retry);
    const kafka = new Kafka({
      clientId: options.clientId ?? 'trellis',
      brokers: [...options.brokers],
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      retry: retryOf(options),
      logLevel: LOG_LEVELS[options.kafkaLogLevel ?? 'warn'],
      logCreator: () => (entry: LogEntry) => forward(logger, entry),
    });
    return new KafkaMessageBus(kafka, await connectProducer(kafka, options), options, logger, retry);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.checkOpen();
    checkPublish(topic, messages);
    if (messages.length === 0) return;
    const pending = this.producer;
    let producer: Producer;
    try {
      producer = await pending;
    } catch (error) {
      // A replacement that could not connect (the cluster away): this publish fails, the next one tries again.
      if (this.producer === pending && this.closing === undefined) this.producer = quiet(connectProducer(this.kafka, this.options));
      throw error;
    }
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map((message) => ({ key: message.key, value: message.value, headers: { ...message.headers } })),
      });
    } catch (error) {
      // Every later publish of this producer would fail the same way: the next one goes through a new producer (a new
      // producer id, sequence numbers from 0). Messages published again through it may be duplicates, which
      // at-least-once consumers already handle.
      const lost = producerStateLost(error);
      if (lost !== undefined && this.producer === pending && this.closing === undefined) {
        this.logger.warn(`Kafka refused the producer's batch (${lost}): publishing through a new producer from now on`, { topic, error: lost });
        this.producer = quiet(connectProducer(this.kafka, this.options));
        producer.disconnect().catch(() => undefined);
      }
      throw error;
    }
  }

  async subscribe<T>(options: SubscribeOptions<T>): Promise<MessageSubscription> {
    this.checkOpen();
    checkSubscribe(options);
    const { groupId } = options;
    const stopping = new AbortController();
    const delivery = {
      groupId,
      decode: options.decode,
      handler: options.handler,
      deadLetterTopic: options.deadLetterTopic ?? TOPICS.deadLetter,
      retry: handlerRetryPolicy(this.retry, options.retry),
      logger: this.logger,
      publish: (topic: string, messages: readonly OutgoingMessage[]) => this.publish(topic, messages),
      now: this.options.clock ?? (() => new Date()),
      signal: stopping.signal,
    };
    const { batchHandler, maxBatchSize = DEFAULT_MAX_BATCH_SIZE } = options;
    const retry = retryOf(this.options);
    /** Consumers that kafkajs gave up in a row, since the last one that joined its group. */
    let replaced = 0;
    const replacing: { timer: NodeJS.Timeout | undefined; opening: Promise<void> | undefined } = { timer: undefined, opening: undefined };
    /** The consumer of the subscription now: the first, or the one that replaced a consumer kafkajs gave up. */
    let current: Consumer | undefined;

    const open = async (): Promise<Consumer> => {
      const consumer = this.kafka.consumer({
        groupId,
        sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
        allowAutoTopicCreation: this.options.allowAutoTopicCreation ?? false,
        retry,
      });
      current = consumer;
      consumer.on(consumer.events.GROUP_JOIN, () => {
        replaced = 0;
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart) {
          this.logger.error(`The consumer of group ${groupId} crashed, restarting it: ${payload.error.message}`, { groupId, restart: true, error: payload.error.message });
        } else if (consumer === current && !stopping.signal.aborted) {
          replace(payload.error);
        }
      });
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: topicsOf(options.topics), fromBeginning: options.fromBeginning ?? false });
        await consumer.run({
          autoCommit: true,
          autoCommitThreshold: this.options.autoCommitThreshold ?? 100,
          autoCommitInterval: this.options.autoCommitIntervalMs ?? 1_000,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }) => {
            const owned = (): boolean => !stopping.signal.aborted && isRunning() && !isStale();
            if (batchHandler !== undefined) {
              for (let start = 0; start < batch.messages.length; start += maxBatchSize) {
                if (!owned()) return;
                const chunk = batch.messages.slice(start, start + maxBatchSize).map((message) => received(batch.topic, batch.partition, message));
                const outcome = await deliverBatch(chunk, batchHandler, { ...delivery, heartbeat, owned }, (message) => resolveOffset(message.offset));
                if (outcome === 'abandoned') return;
                await commitOffsetsIfNecessary();
                await heartbeat();
              }
              return;
            }
            for (const message of batch.messages) {
              if (stopping.signal.aborted || !isRunning() || isStale()) return;
              const outcome = await deliver(received(batch.topic, batch.partition, message), { ...delivery, heartbeat });
              // Nothing after an abandoned message is resolved: the group starts again from it.
              if (outcome === 'abandoned') return;
              resolveOffset(message.offset);
              await commitOffsetsIfNecessary();
              await heartbeat();
            }
          },
        });
      } catch (error) {
        await consumer.disconnect().catch(() => undefined);
        throw error;
      }
      return consumer;
    };

    /**
     * kafkajs restarts a crashed consumer only after errors it deems retriable. Others end it for good, and some of
     * those pass by themselves: a broker that has just started, whose group coordinator is not available yet, fails
     * the group lookup with a non-retriable error. A subscription must not stop silently, so a consumer kafkajs gave
     * up is replaced by a new one (the group resumes from its committed offsets), after a pause that grows with each
     * consumer given up in a row, from the first retry delay to the longest.
     */
    const replace = (error: unknown): void => {
      replaced++;
      const delayMs = Math.min(retry.maxRetryTime, retry.initialRetryTime * 2 ** Math.min(replaced - 1, 20));
      this.logger.error(
        `The consumer of group ${groupId} crashed and kafkajs gave it up: starting a new one in ${delayMs} ms (attempt ${replaced}): ${messageOf(error)}`,
        { groupId, restart: true, attempt: replaced, delayMs, error: messageOf(error) },
      );
      replacing.timer = setTimeout(() => {
        replacing.timer = undefined;
        if (stopping.signal.aborted) return;
        replacing.opening = open().then(
          async (consumer) => {
            replacing.opening = undefined;
            if (stopping.signal.aborted) await consumer.disconnect();
          },
          (openError: unknown) => {
            replacing.opening = undefined;
            if (!stopping.signal.aborted) replace(openError);
          },
        );
      }, delayMs);
    };

    // The first consumer's failure is the caller's: subscribing fails.
    await open();
    let closed: Promise<void> | undefined;
    const subscription: MessageSubscription = {
      close: () => {
        closed ??= (async () => {
          stopping.abort();
          clearTimeout(replacing.timer);
          await replacing.opening;
          // Stops fetching, waits for the batch in flight, commits resolved offsets, leaves the group.
          await current?.disconnect();
          this.subscriptions.delete(subscription);
        })();
        return closed;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    this.checkOpen();
    checkTopicSpecs(topics);
    if (topics.length === 0) return;
    const admin = await this.connectedAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      // kafkajs's own wait retries only LEADER_NOT_AVAILABLE, but a KRaft broker may answer UNKNOWN_TOPIC_OR_PARTITION
      // until it has applied the new topic's metadata: that failed the first publish or subscribe after a creation.
      waitForLeaders: false,
      topics: missing.map((spec) => ({ topic: spec.topic, numPartitions: spec.partitions, replicationFactor: spec.replicationFactor ?? -1 })),
    });
    await this.waitForLeaders(
      admin,
      missing.map((spec) => spec.topic),
    );
  }

  /** Resolves once every partition of the topics has a leader; fails after the request timeout, naming the topics. */
  private async waitForLeaders(admin: Admin, topics: readonly string[]): Promise<void> {
    const timeoutMs = this.options.requestTimeoutMs ?? 30_000;
    const started = Date.now();
    let last = 'no answer yet';
    for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1_000)) {
      try {
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
        const ready = metadata.filter((topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0));
        if (ready.length === topics.length) return;
        last = `${topics.length - ready.length} of ${topics.length} topics without a leader for every partition`;
      } catch (error) {
        if (!isMetadataNotReady(error)) throw error;
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() - started > timeoutMs) throw new Error(`Kafka created the topics ${topics.join(', ')} but gave them no leaders within ${timeoutMs} ms: ${last}`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  /** Deletes topics (tests and tools; the broker must allow it, as it does by default). */
  async deleteTopics(topics: readonly string[]): Promise<void> {
    this.checkOpen();
    if (topics.length === 0) return;
    const admin = await this.connectedAdmin();
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  }

  /** Deletes consumer groups without members, with their committed offsets (tests and tools). */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    this.checkOpen();
    if (groupIds.length === 0) return;
    const admin = await this.connectedAdmin();
    await admin.deleteGroups([...groupIds]).catch((error: unknown) => {
      // kafkajs rejects the whole call if one group is unknown (never committed): nothing to delete for it.
      this.logger.info(`Could not delete every consumer group: ${error instanceof Error ? error.message : String(error)}`, { groupIds });
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      const admin = this.admin;
      this.admin = undefined;
      await Promise.all([
        this.producer.then((producer) => producer.disconnect(), () => undefined),
        admin?.then((connected) => connected.disconnect(), () => undefined),
      ]);
    })();
    return this.closing;
  }

  private connectedAdmin(): Promise<Admin> {
    if (this.admin === undefined) {
      const admin = this.kafka.admin({ retry: retryOf(this.options) });
      this.admin = admin.connect().then(
        () => admin,
        (error: unknown) => {
          this.admin = undefined;
          throw error;
        },
      );
    }
    return this.admin;
  }

  private checkOpen(): void {
    if (this.closing !== undefined) throw new Error('The message bus is closed');
  }
}

/** An idempotent producer, connected: fails (after `retries`) when no broker can be reached. */
async function connectProducer(kafka: Kafka, options: KafkaMessageBusOptions): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: retryOf(options),
  });
  try {
    await producer.connect();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  return producer;
}

/** The same promise, marked as handled: a replacement producer may fail to connect before any publish awaits it. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** The kafkajs error type that says the producer's state is lost, looking through kafkajs's wrappers; else undefined. */
function producerStateLost(error: unknown): string | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && PRODUCER_STATE_LOST.has(type)) return type;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** kafkajs's retry settings of every client this bus makes (producer, consumers, admin). */
function retryOf(options: KafkaMessageBusOptions): { retries: number; initialRetryTime: number; maxRetryTime: number } {
  return { retries: options.retries ?? 8, initialRetryTime: options.retryInitialMs ?? 300, maxRetryTime: options.retryMaxMs ?? 30_000 };
}

function received(topic: string, partition: number, message: KafkaMessage): ReceivedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) headers[name] = last.toString();
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value,
    headers,
    timestamp: new Date(Number(message.timestamp)).toISOString(),
  };
}

function forward(logger: MessagingLogger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _timestamp, ...context } = log;
  if (ACCEPTED_WARNINGS.has(message)) return;
  const text = `kafkajs ${namespace}: ${message}`;
  if (level === logLevel.ERROR) logger.error(text, context);
  else if (level === logLevel.WARN) logger.warn(text, context);
  else logger.info(text, context);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The broker has not caught up with a topic it just created: asking again shortly will do. */
function isMetadataNotReady(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE' || type === 'NOT_LEADER_FOR_PARTITION';
}
