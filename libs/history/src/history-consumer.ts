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
    return this.subscription !== undefined;
  }

  /** Transactions run so far and the largest batch (how well the group commit batches). */
  get batching(): GroupCommit['stats'] {
    return this.groupCommit.stats;
  }

  /** Joins the group; resolves once this member is part of it. */
  start(): Promise<void> {
    this.starting ??= (async () => {
      try {
        this.subscription = await this.bus.subscribe({
          topics: this.topics,
          groupId: this.groupId,
          fromBeginning: true,
          decode: asEventEnvelope,
          handler: (envelope) => this.groupCommit.apply(envelope),
          ...(this.options.deadLetterTopic === undefined ? {} : { deadLetterTopic: this.options.deadLetterTopic }),
          ...(this.options.retry === undefined ? {} : { retry: this.options.retry }),
        });
      } finally {
        this.starting = undefined;
      }
    })();
    return this.starting;
  }

  /** Lets the transactions in flight finish, commits what was handled and leaves the group. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }
}
