import type { Validated } from '@trellis/contracts';
import type { MessagingLogger } from './messaging-logger.js';
import type { HandlerRetryPolicy } from './handler-retry-policy.js';

/** A message to publish. Messages with the same key go to the same partition, so they are delivered in order. */
export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A message as a consumer receives it. */
export interface ReceivedMessage {
  readonly topic: string;
  readonly partition: number;
  /** Its offset in the partition, as decimal text (Kafka offsets are 64-bit). */
  readonly offset: string;
  readonly key: string | null;
  /** The value's bytes; null for a tombstone. Each delivery gets its own copy. */
  readonly value: Buffer | null;
  /** Header values as UTF-8 text (for a header repeated, the last value). */
  readonly headers: Readonly<Record<string, string>>;
  /** When the bus appended it (ISO 8601). */
  readonly timestamp: string;
}

/**
 * Validates a received message and turns it into what the handler takes. Problems send the message to the dead-letter
 * topic (reason `invalid-message`) without calling the handler. A decoder that throws counts as a problem.
 */
export type Decoder<T> = (message: ReceivedMessage) => Validated<T>;

export type MessageHandler<T> = (body: T, message: ReceivedMessage) => Promise<void> | void;

/** One message of a batch: what the decoder made of it, and the message. */
export interface BatchItem<T> {
  readonly body: T;
  readonly message: ReceivedMessage;
}

export type BatchHandler<T> = (items: readonly BatchItem<T>[]) => Promise<void>;

export interface SubscribeOptions<T> {
  readonly topics: string | readonly string[];
  /** Members of one group share the topics' partitions; every group receives every message. */
  readonly groupId: string;
  /** Where a group without committed offsets starts: the oldest message kept (true) or the next one published (false, the default). */
  readonly fromBeginning?: boolean;
  readonly decode: Decoder<T>;
  /**
   * Called once per message, one message at a time per partition, in partition order. Resolving means handled: only
   * then is the offset committed. Throwing `NonRetriableError` dead-letters the message (reason `rejected`); other
   * errors are retried with backoff (see `HandlerRetryPolicy`). With a `batchHandler`, called only for the messages of
   * a batch whose `batchHandler` call threw.
   */
  readonly handler: MessageHandler<T>;
  /**
   * Optional: takes several consecutive messages of one partition at once (decoded; invalid ones were dead-lettered
   * and are left out), in partition order, at most `maxBatchSize`. Resolving means all of them are handled (their
   * offsets are committed). When it throws, the bus hands the same messages to `handler` one at a time, with its
   * retries and dead-lettering, so only a message at fault is dead-lettered.
   */
  readonly batchHandler?: BatchHandler<T>;
  /** Most messages in one `batchHandler` call (default 500). */
  readonly maxBatchSize?: number;
  /** Default: `TOPICS.deadLetter` (`trellis.dead-letter.v1`). */
  readonly deadLetterTopic?: string;
  /** Overrides the bus's retry policy for this subscription. */
  readonly retry?: Partial<HandlerRetryPolicy>;
}

export interface MessageSubscription {
  /**
   * Stops fetching, lets the handler call in flight finish (a retry waiting for its backoff is abandoned, so its
   * message is delivered again to the group), commits the offsets of what was handled and leaves the group.
   * Do not await it inside the handler.
   */
  close(): Promise<void>;
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Kafka only: copies of each partition (default: the broker's default). */
  readonly replicationFactor?: number;
}

/**
 * The messaging port. Adapters: `KafkaMessageBus` (kafkajs) for the distributed mode, `InProcessMessageBus` for the
 * embedded mode. Both pass the contract suite in `testing.ts`.
 */
export interface MessageBus {
  /**
   * Publishes the messages, in order, and resolves once the bus has durably accepted all of them (Kafka: acks from
   * every in-sync replica). Order between two calls holds only if the second starts after the first resolved.
   */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Joins the group and starts delivering; resolves once the member is part of the group. */
  subscribe<T>(options: SubscribeOptions<T>): Promise<MessageSubscription>;
  /** Creates the topics that do not exist yet, with that many partitions; existing topics are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** Closes every subscription (as their `close()` does), then the bus. */
  close(): Promise<void>;
}

/** Thrown by a handler for a message that no retry can make acceptable: the message is dead-lettered at once. */
export class NonRetriableError extends Error {
  readonly nonRetriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

/** A `NonRetriableError`, or any error carrying `nonRetriable: true` (for libraries that do not import this one). */
export function isNonRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { nonRetriable?: unknown }).nonRetriable === true;
}

export type { HandlerRetryPolicy, MessagingLogger };
