import { type EventEnvelope, TOPICS } from '@trellis/contracts';
import { asEventEnvelope, type HandlerRetryPolicy, type MessageBus, RetryingSubscription } from '@trellis/messaging';

import { type EnvelopeApplier, GroupCommit } from './group-commit.js';

const DEFAULT_MAX_BATCH_SIZE = 500;

/** The history service's consumer group (docs/architecture.md: one group per service). */
export const HISTORY_CONSUMER_GROUP = 'trellis.history-service';

/** The topics history reads: every process-instance event, and the deployments (for process and element names). */
export const HISTORY_TOPICS: readonly string[] = [TOPICS.processInstanceEvents, TOPICS.deployments];

export interface HistoryConsumerOptions {
  /** Default `trellis.history-service`. */
  readonly groupId?: string;
  /** Default `HISTORY_TOPICS`. */
  readonly topics?: readonly string[];
  /** Default the bus's (`trellis.dead-letter.v1`). */
  readonly deadLetterTopic?: string;
  /** Most envelopes the bus hands over at once, and most applied in one transaction (default 500). */
  readonly maxBatchSize?: number;
  /** Overrides the bus's retry policy for failed transactions. */
  readonly retry?: Partial<HandlerRetryPolicy>;
  /** Ceiling of the first delay after a failed subscription (topics not created yet, Kafka away); doubles up to `maxRetryDelayMs` (delays are jittered below it). */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly logger?: { warn(message: string): void };
}

export type HistoryConsumerState = 'stopped' | 'subscribing' | 'consuming';

export interface HistoryConsumerStatus {
  readonly state: HistoryConsumerState;
  /** Subscriptions tried since the last start. */
  readonly attempts: number;
  readonly lastError?: { readonly message: string; readonly at: string };
}

/**
 * Feeds the history projection from Kafka. Every message is decoded with the contracts' `asEventEnvelope` (a malformed
 * one goes to the dead-letter topic with the reason, and the consumer goes on). The bus hands over batches of up to
 * `maxBatchSize` messages of a partition, applied through the group commit, so a transaction holds a whole batch, and
 * batches of several partitions arriving at once share one. When a batch fails, the bus hands its messages over one at
 * a time: a stream with a gap (`StreamProjectionGapError`, not retriable) dead-letters that message at once; other
 * failures are retried by the bus.
 * A new group starts from the oldest message kept: a fresh read model is built from the whole topic.
 */
export class HistoryConsumer {
  readonly groupId: string;
  readonly topics: readonly string[];
  private readonly groupCommit: GroupCommit;
  private readonly subscription: RetryingSubscription<EventEnvelope>;

  constructor(bus: MessageBus, applier: EnvelopeApplier, options: HistoryConsumerOptions = {}) {
    this.groupId = options.groupId ?? HISTORY_CONSUMER_GROUP;
    this.topics = options.topics ?? HISTORY_TOPICS;
    this.groupCommit = new GroupCommit(applier, options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE);
    this.subscription = new RetryingSubscription<EventEnvelope>({
      bus,
      subscribe: {
        topics: this.topics,
        groupId: this.groupId,
        fromBeginning: true,
        decode: asEventEnvelope,
        handler: (envelope) => this.groupCommit.apply(envelope),
        batchHandler: (items) => this.groupCommit.applyAll(items.map(({ body }) => body)),
        maxBatchSize: options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
        ...(options.deadLetterTopic === undefined ? {} : { deadLetterTopic: options.deadLetterTopic }),
        ...(options.retry === undefined ? {} : { retry: options.retry }),
      },
      backoff: { initialDelayMs: options.retryDelayMs ?? 1_000, maxDelayMs: options.maxRetryDelayMs ?? 30_000 },
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  get running(): boolean {
    return this.subscription.status().state === 'consuming';
  }

  status(): HistoryConsumerStatus {
    const status = this.subscription.status();
    // Not started yet reads as stopped here, as it always has for the history.
    return status.state === 'idle' ? { ...status, state: 'stopped' } : (status as HistoryConsumerStatus);
  }

  /** Transactions run so far and the largest batch (how well the group commit batches). */
  get batching(): GroupCommit['stats'] {
    return this.groupCommit.stats;
  }

  /**
   * Joins the group; resolves once this member consumes (or was stopped first). A failed subscription is retried with
   * backoff, without limit: the topics may not exist yet (the relays create them) or Kafka may be away for a while.
   * Starts again after `stop()` (the rebuild does).
   */
  start(): Promise<void> {
    return this.subscription.start();
  }

  /** Lets the transactions in flight finish, commits what was handled and leaves the group. */
  stop(): Promise<void> {
    return this.subscription.stop();
  }
}
