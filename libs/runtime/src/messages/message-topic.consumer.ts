import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { type MessagePublication, TOPICS, type TopicName, decodeMessagePublication } from '@trellis/contracts';
import { MESSAGE_BUS, type MessageBus, NonRetriableError, RetryingSubscription, type RetryingSubscriptionStatus } from '@trellis/messaging';

import { ProcessInstanceCommandRejectedError } from '../process-instance-command-rejected.error.js';
import { defaultRuntimeOptions, RUNTIME_COMMANDS_GROUP_ID, RUNTIME_OPTIONS, type RuntimeOptions } from '../runtime.options.js';
import { MessageCorrelator } from './message-correlator.js';
import { timeToLiveMs } from './time-to-live.js';

/**
 * The consumer group of the messages topic (the runtime's replicas share its partitions): the commands' group with
 * `.messages`, so a test that gives the commands a group of its own gets one for the messages too.
 */
export const MESSAGES_GROUP_ID = `${RUNTIME_COMMANDS_GROUP_ID}.messages`;

/** What the consumer did with a message. */
export type MessageTopicOutcome = 'correlated' | 'buffered' | 'duplicate' | 'unmatched';

/**
 * Messages from other services over the message bus: consumes `TOPICS.messages` and publishes each as
 * `POST /api/messages` does (`MessageCorrelator.publish`). Runs where the runtime consumes its commands
 * (`RUNTIME_OPTIONS.commands.consume` with a `MESSAGE_BUS`).
 *
 * - An invalid message (schema, JSON) goes to the dead-letter topic with its problems (the bus does it).
 * - One that matched no subscription and has no time to live is dead-lettered (reason `rejected`) saying so: nothing
 *   would ever take it, and its sender may want to know.
 * - One with a time to live that matches nothing now is buffered, not dead-lettered.
 * - The same `messageId` (name and key) again while the first is buffered is a duplicate: acknowledged, changed nothing.
 * - A transient failure (the store away) throws: the bus retries it.
 */
@Injectable()
export class MessageTopicConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MessageTopicConsumer.name);
  private readonly options: RuntimeOptions;
  private subscription: RetryingSubscription<MessagePublication> | undefined;
  private readonly counts: Record<MessageTopicOutcome, number> = { correlated: 0, buffered: 0, duplicate: 0, unmatched: 0 };

  constructor(
    private readonly correlator: MessageCorrelator,
    @Optional() @Inject(RUNTIME_OPTIONS) options?: Partial<RuntimeOptions>,
    @Optional() @Inject(MESSAGE_BUS) private readonly bus?: MessageBus,
  ) {
    this.options = { ...defaultRuntimeOptions, ...options };
  }

  /** Messages handled since the start, by outcome. */
  get handled(): Readonly<Record<MessageTopicOutcome, number>> {
    return { ...this.counts };
  }

  status(): RetryingSubscriptionStatus | undefined {
    return this.subscription?.status();
  }

  onApplicationBootstrap(): void {
    const commands = this.options.commands;
    if (this.bus === undefined || commands?.consume !== true) return;
    const bus = this.bus;
    const createTopics = commands.createTopics;
    const groupId = commands.groupId === undefined ? MESSAGES_GROUP_ID : `${commands.groupId}.messages`;
    this.subscription = new RetryingSubscription<MessagePublication>({
      bus,
      subscribe: {
        topics: this.topic(TOPICS.messages),
        groupId,
        fromBeginning: true,
        decode: (message) => decodeMessagePublication(message.value),
        // Renamed with the other topics (a test's own), so its dead letters stay with them.
        deadLetterTopic: this.topic(TOPICS.deadLetter),
        handler: async (message) => {
          this.counts[await this.consume(message)]++;
        },
      },
      ...(createTopics === undefined
        ? {}
        : {
            beforeSubscribe: () =>
              bus.ensureTopics([
                {
                  topic: this.topic(TOPICS.messages),
                  partitions: createTopics.partitions,
                  ...(createTopics.replicationFactor === undefined ? {} : { replicationFactor: createTopics.replicationFactor }),
                },
              ]),
          }),
      logger: { warn: (message) => this.logger.warn(message) },
    });
    void this.start().then(() => {
      if (this.subscription?.status().state === 'consuming') this.logger.log(`Consuming ${this.topic(TOPICS.messages)} in group ${groupId}`);
    });
  }

  /** Resolves once this replica consumes the messages topic (or was stopped first, or does not consume). */
  start(): Promise<void> {
    return this.subscription?.start() ?? Promise.resolve();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  /** Publishes one message; throws `NonRetriableError` for one nothing will ever take, other errors to be retried. */
  async consume(message: MessagePublication): Promise<MessageTopicOutcome> {
    const ttl = timeToLiveMs(message.timeToLive);
    if (ttl === undefined) throw new NonRetriableError(`timeToLive ${JSON.stringify(message.timeToLive)} is neither milliseconds nor an ISO 8601 duration`);
    try {
      const published = await this.correlator.publish({
        name: message.name,
        correlationKey: message.correlationKey,
        ...(message.variables === undefined ? {} : { variables: message.variables }),
        timeToLiveMs: ttl,
        ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
      });
      if (published.processInstanceIds.length > 0) return 'correlated';
      if (published.buffered) return 'buffered';
    } catch (error) {
      if (error instanceof ProcessInstanceCommandRejectedError && error.failure.code === 'ALREADY_EXISTS') {
        this.logger.debug(`Message ${message.messageId ?? ''} (${message.name}, ${message.correlationKey}) is buffered already: ignored`);
        return 'duplicate';
      }
      throw error;
    }
    this.counts.unmatched++;
    throw new NonRetriableError(
      `Message '${message.name}' with correlation key '${message.correlationKey}' matched no subscription and has no time to live: nothing would take it`,
    );
  }

  private topic(topic: TopicName): string {
    return this.options.commands?.topicName?.(topic) ?? topic;
  }
}
