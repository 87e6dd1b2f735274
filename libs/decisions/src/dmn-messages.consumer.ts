import type { EventEnvelope } from '@trellis/contracts';
import { type MessageBus, type MessageSubscription, asEventEnvelope } from '@trellis/messaging';
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
  /** First delay after a failed subscription (the topics do not exist yet, Kafka is away); doubles up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly logger?: { warn(message: string, context?: Record<string, unknown>): void };
}

export type DmnConsumerState = 'idle' | 'subscribing' | 'consuming' | 'stopped';

export interface DmnConsumerStatus {
  readonly state: DmnConsumerState;
  readonly attempts: number;
  readonly lastError?: { readonly message: string; readonly at: string };
}

/**
 * The dmn-service's one subscription (group `trellis.dmn-service`, from the beginning): deployments into its store of
 * decision definitions, exactly once; process-instance events to answer decision jobs. Both topics carry event
 * envelopes, decoded and validated by the contract (a malformed one goes to the dead-letter topic). One subscription
 * for both, since Kafka's assignors hand a group's partitions to members whatever topics each member asked for.
 */
export class DmnMessagesConsumer {
  private subscription: MessageSubscription | undefined;
  private starting: Promise<void> | undefined;
  private state: DmnConsumerState = 'idle';
  private attempts = 0;
  private lastError: { message: string; at: string } | undefined;
  private interruptWait: (() => void) | undefined;

  constructor(private readonly options: DmnMessagesConsumerOptions) {}

  /**
   * Joins the group; resolves once it consumes (or was stopped first). A failed subscription is retried with backoff,
   * without limit: the topics may not exist yet (the relays of the deployment-service and the runtime create them) or
   * Kafka may be away for a while.
   */
  start(): Promise<void> {
    this.starting ??= this.subscribeUntilDone();
    return this.starting;
  }

  status(): DmnConsumerStatus {
    return { state: this.state, attempts: this.attempts, ...(this.lastError === undefined ? {} : { lastError: this.lastError }) };
  }

  /** Lets the message in flight finish, commits what was handled and leaves the group. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.interruptWait?.();
    await this.starting;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  private async subscribeUntilDone(): Promise<void> {
    const { bus, groupId, topics, runner, responder } = this.options;
    while (this.state !== 'stopped') {
      this.state = 'subscribing';
      this.attempts++;
      try {
        const subscription = await bus.subscribe<EventEnvelope>({
          topics: [topics.deployments, topics.processInstanceEvents],
          groupId,
          fromBeginning: true,
          decode: asEventEnvelope,
          deadLetterTopic: topics.deadLetter,
          handler: async (event, message) => {
            if (message.topic === topics.deployments) await runner.apply([event]);
            else await responder.handle(event);
          },
        });
        // Stopped while joining: leave at once.
        if ((this.state as DmnConsumerState) === 'stopped') {
          await subscription.close();
          return;
        }
        this.subscription = subscription;
        this.state = 'consuming';
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.lastError = { message, at: new Date().toISOString() };
        const delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, (this.options.retryDelayMs ?? 1_000) * 2 ** Math.min(this.attempts - 1, 20));
        this.options.logger?.warn(
          `Cannot consume ${topics.deployments} and ${topics.processInstanceEvents} yet (attempt ${this.attempts}), retrying in ${delay} ms: ${message}`,
          { groupId, attempts: this.attempts },
        );
        await this.wait(delay);
      }
    }
  }

  private wait(ms: number): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.interruptWait = done;
    });
  }
}
