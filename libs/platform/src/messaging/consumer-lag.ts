import type { MessageBus, MessageSubscription, OutgoingMessage, SubscribeOptions, TopicSpec } from '@trellis/messaging';
import type { Admin } from 'kafkajs';
import type { Registry } from 'prom-client';

import { type PartitionLag, registerConsumerLag } from '../metrics/metrics.js';

/**
 * A consumer group's lag per partition: the partition's end offset minus the group's committed offset. A partition
 * the group has committed nothing on counts from its first retained message when the group starts from the
 * beginning, and is left out otherwise (the group starts at the end: it owes nothing yet).
 */
export async function consumerLag(admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>, groupId: string, topics: readonly string[], fromBeginning: boolean): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const lags: PartitionLag[] = [];
  for (const { topic, partitions } of committed) {
    for (const end of await admin.fetchTopicOffsets(topic)) {
      const offset = Number(partitions.find((partition) => partition.partition === end.partition)?.offset ?? -1);
      const from = offset >= 0 ? offset : fromBeginning ? Number(end.low) : undefined;
      if (from !== undefined) lags.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
    }
  }
  return lags;
}

interface Group {
  readonly topics: Set<string>;
  fromBeginning: boolean;
  subscriptions: number;
  readonly unregister: () => void;
}

/**
 * The Kafka bus as the application sees it: the same port, and each consumer group a subscription joins shows its lag
 * as `trellis_kafka_consumer_lag_messages{group,topic,partition}` while the group has a subscription open here.
 */
export class ConsumerLagMessageBus implements MessageBus {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly bus: MessageBus,
    private readonly admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>,
    private readonly registry: Registry,
  ) {}

  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    return this.bus.publish(topic, messages);
  }

  async subscribe<T>(options: SubscribeOptions<T>): Promise<MessageSubscription> {
    const subscription = await this.bus.subscribe(options);
    const group = this.join(options);
    let left = false;
    return {
      close: async () => {
        await subscription.close();
        if (left) return;
        left = true;
        group.subscriptions -= 1;
        if (group.subscriptions === 0) {
          group.unregister();
          this.groups.delete(options.groupId);
        }
      },
    };
  }

  ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    return this.bus.ensureTopics(topics);
  }

  async close(): Promise<void> {
    await this.bus.close();
    for (const group of this.groups.values()) group.unregister();
    this.groups.clear();
  }

  private join(options: Pick<SubscribeOptions<unknown>, 'groupId' | 'topics' | 'fromBeginning'>): Group {
    const topics = typeof options.topics === 'string' ? [options.topics] : options.topics;
    const existing = this.groups.get(options.groupId);
    if (existing !== undefined) {
      for (const topic of topics) existing.topics.add(topic);
      existing.fromBeginning ||= options.fromBeginning ?? false;
      existing.subscriptions += 1;
      return existing;
    }
    const group: Group = {
      topics: new Set(topics),
      fromBeginning: options.fromBeginning ?? false,
      subscriptions: 1,
      unregister: registerConsumerLag(this.registry, options.groupId, () => consumerLag(this.admin, options.groupId, [...group.topics], group.fromBeginning)),
    };
    this.groups.set(options.groupId, group);
    return group;
  }
}
