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
}

/**
 * The dmn-service's one subscription (group `trellis.dmn-service`, from the beginning): deployments into its store of
 * decision definitions, exactly once; process-instance events to answer decision jobs. Both topics carry event
 * envelopes, decoded and validated by the contract (a malformed one goes to the dead-letter topic). One subscription
 * for both, since Kafka's assignors hand a group's partitions to members whatever topics each member asked for.
 */
export class DmnMessagesConsumer {
  private subscription: MessageSubscription | undefined;

  constructor(private readonly options: DmnMessagesConsumerOptions) {}

  async start(): Promise<void> {
    if (this.subscription) return;
    const { bus, groupId, topics, runner, responder } = this.options;
    this.subscription = await bus.subscribe<EventEnvelope>({
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
  }

  /** Lets the message in flight finish, commits what was handled and leaves the group. */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }
}
