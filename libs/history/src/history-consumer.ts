import { TOPICS } from '@trellis/contracts';
import { asEventEnvelope, type HandlerRetryPolicy, type MessageBus, type MessageSubscription } from '@trellis/messaging';

import { type EnvelopeApplier, GroupCommit } from './group-commit.js';

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
  /** Most envelopes applied in one transaction (default 500). */
  readonly maxBatchSize?: number;
  /** Overrides the bus's retry policy for failed transactions. */
  readonly retry?: Partial<HandlerRetryPolicy>;
  /** First delay after a failed subscription (topics not created yet, Kafka away); doubles up to `maxRetryDelayMs`. */
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
 * one goes to the dead-letter topic with the reason, and the consumer goes on), then applied through the group commit,
 * so envelopes arriving from several partitions at once share a transaction. A stream with a gap
 * (`StreamProjectionGapError`, not retriable) dead-letters that message at once; other failures are retried by the bus.
 * A new group starts from the oldest message kept: a fresh read model is built from the whole topic.
 */
export class HistoryConsumer {
  readonly groupId: string;
  readonly topics: readonly string[];
  private readonly groupCommit: GroupCommit;
  private subscription: MessageSubscription | undefined;
  private starting: Promise<void> | undefined;
  private state: HistoryConsumerState = 'stopped';
  private attempts = 0;
  private lastError: { message: string; at: string } | undefined;
  private interruptWait: (() => void) | undefined;

  constructor(
    private readonly bus: MessageBus,
    applier: EnvelopeApplier,
    private readonly options: HistoryConsumerOptions = {},
  ) {
    this.groupId = options.groupId ?? HISTORY_CONSUMER_GROUP;
    this.topics = options.topics ?? HISTORY_TOPICS;
    this.groupCommit = new GroupCommit(applier, options.maxBatchSize);
  }

  get running(): boolean {
    return this.state === 'consuming';
  }

  status(): HistoryConsumerStatus {
    return { state: this.state, attempts: this.attempts, ...(this.lastError === undefined ? {} : { lastError: this.lastError }) };
  }

  /** Transactions run so far and the largest batch (how well the group commit batches). */
  get batching(): GroupCommit['stats'] {
    return this.groupCommit.stats;
  }

  /**
   * Joins the group; resolves once this member consumes (or was stopped first). A failed subscription is retried with
   * backoff, without limit: the topics may not exist yet (the relays create them) or Kafka may be away for a while.
   */
  start(): Promise<void> {
    if (this.state === 'consuming') return Promise.resolve();
    this.starting ??= this.subscribeUntilDone().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Lets the transactions in flight finish, commits what was handled and leaves the group. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.interruptWait?.();
    await this.starting;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  private async subscribeUntilDone(): Promise<void> {
    this.attempts = 0;
    this.state = 'subscribing';
    while (this.state === 'subscribing') {
      this.attempts++;
      try {
        const subscription = await this.bus.subscribe({
          topics: this.topics,
          groupId: this.groupId,
          fromBeginning: true,
          decode: asEventEnvelope,
          handler: (envelope) => this.groupCommit.apply(envelope),
          ...(this.options.deadLetterTopic === undefined ? {} : { deadLetterTopic: this.options.deadLetterTopic }),
          ...(this.options.retry === undefined ? {} : { retry: this.options.retry }),
        });
        // Stopped while joining: leave at once.
        if ((this.state as HistoryConsumerState) === 'stopped') {
          await subscription.close();
          return;
        }
        this.subscription = subscription;
        this.state = 'consuming';
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.lastError = { message, at: new Date().toISOString() };
        const delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, (this.options.retryDelayMs ?? 1_000) * 2 ** Math.min(this.attempts - 1, 20));
        this.options.logger?.warn(`Cannot consume ${this.topics.join(', ')} yet (attempt ${this.attempts}), retrying in ${delay} ms: ${message}`);
        await this.wait(delay);
      }
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interruptWait = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptWait = done;
    });
  }
}
