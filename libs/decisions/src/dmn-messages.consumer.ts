import type { EventEnvelope } from '@trellis/contracts';
import { type MessageBus, RetryingSubscription, type RetryingSubscriptionState, type RetryingSubscriptionStatus, asEventEnvelope } from '@trellis/messaging';
import type { StreamProjectionRunner } from '@trellis/persistence';

import type { DecisionJobResponder } from './decision-job.responder.js';
import type { DecisionsTopicNames } from './decisions.options.js';

export interface DmnMessagesConsumerOptions {
  readonly bus: MessageBus;
  readonly groupId: string;
  readonly topics: Pick<DecisionsTopicNames, 'deployments' | 'processInstanceEvents' | 'deadLetter'>;
  /** Runs the decision-definitions projection. */
  readonly runner: StreamProjectionRunner;
  readonly responder: DecisionJobResponder;
  /** Ceiling of the first delay after a failed subscription (the topics do not exist yet, Kafka is away); doubles up to `maxRetryDelayMs` (delays are jittered below it). */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly logger?: { warn(message: string, context?: Record<string, unknown>): void };
}

export type DmnConsumerState = RetryingSubscriptionState;

export type DmnConsumerStatus = RetryingSubscriptionStatus;

/**
 * The dmn-service's one subscription (group `trellis.dmn-service`, from the beginning): deployments into its store of
 * decision definitions, exactly once; process-instance events to answer decision jobs. Both topics carry event
 * envelopes, decoded and validated by the contract (a malformed one goes to the dead-letter topic). One subscription
 * for both, since Kafka's assignors hand a group's partitions to members whatever topics each member asked for.
 */
export class DmnMessagesConsumer {
  private readonly subscription: RetryingSubscription<EventEnvelope>;

  constructor(options: DmnMessagesConsumerOptions) {
    const { bus, groupId, topics, runner, responder } = options;
    this.subscription = new RetryingSubscription<EventEnvelope>({
      bus,
      subscribe: {
        topics: [topics.deployments, topics.processInstanceEvents],
        groupId,
        fromBeginning: true,
        decode: asEventEnvelope,
        deadLetterTopic: topics.deadLetter,
        handler: async (event, message) => {
          if (message.topic === topics.deployments) await runner.apply([event]);
          else await responder.handle(event);
        },
        // A batch comes from one partition, so from one topic. Deployments: one projection transaction for the batch
        // (a new group replays the whole topic). Process-instance events: most are no job event and need no I/O, so
        // the batch spares the bus its per-message work; the responder is idempotent, so the messages a failed batch
        // handled already may be handled again when the bus hands them over one at a time.
        batchHandler: async (items) => {
          if (items[0]?.message.topic === topics.deployments) {
            await runner.apply(items.map(({ body }) => body));
          } else {
            for (const { body } of items) await responder.handle(body);
          }
        },
      },
      backoff: { initialDelayMs: options.retryDelayMs ?? 1_000, maxDelayMs: options.maxRetryDelayMs ?? 30_000 },
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /**
   * Joins the group; resolves once it consumes (or was stopped first). A failed subscription is retried with backoff,
   * without limit: the topics may not exist yet (the relays of the deployment-service and the runtime create them) or
   * Kafka may be away for a while.
   */
  start(): Promise<void> {
    return this.subscription.start();
  }

  status(): DmnConsumerStatus {
    return this.subscription.status();
  }

  /** Lets the message in flight finish, commits what was handled and leaves the group. */
  stop(): Promise<void> {
    return this.subscription.stop();
  }
}
