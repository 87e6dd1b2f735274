import { type Admin, Kafka, logLevel } from 'kafkajs';

/** A partition's committed offset against its end: how many messages the group has still to handle there. */
export interface ConsumerGroupLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** What rebuilding a Kafka-fed read model needs from the cluster: the group's members, and moving its offsets. */
export interface ConsumerGroupAdmin {
  /** Members currently in the group (0 when it is empty or unknown). */
  members(groupId: string): Promise<number>;
  /**
   * Forgets the group's committed offsets (the group must have no members): a consumer of the group that starts from
   * the beginning then reads every topic from the oldest message kept. Nothing to do for a group Kafka does not know.
   */
  deleteOffsets(groupId: string): Promise<void>;
  /**
   * Sets the group's committed offset of every partition of the topics to the oldest message kept (`earliest`) or past
   * the newest (`latest`). Topics that do not exist are skipped. The group must have no members.
   */
  moveOffsets(groupId: string, topics: readonly string[], to: 'earliest' | 'latest'): Promise<void>;
  /** The group's lag per partition of the topics (a partition without a committed offset counts from its start). */
  lag(groupId: string, topics: readonly string[]): Promise<ConsumerGroupLag[]>;
  close(): Promise<void>;
}

export interface KafkaConsumerGroupAdminOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly retries?: number;
}

/** `ConsumerGroupAdmin` on kafkajs's admin client (connected on first use). */
export class KafkaConsumerGroupAdmin implements ConsumerGroupAdmin {
  private readonly kafka: Kafka;
  private admin: Promise<Admin> | undefined;

  constructor(private readonly options: KafkaConsumerGroupAdminOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'trellis',
      brokers: [...options.brokers],
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      retry: { retries: options.retries ?? 5, initialRetryTime: 300, maxRetryTime: 30_000 },
      logLevel: logLevel.NOTHING,
    });
  }

  async members(groupId: string): Promise<number> {
    const admin = await this.connected();
    const { groups } = await admin.describeGroups([groupId]);
    return groups.find((group) => group.groupId === groupId)?.members.length ?? 0;
  }

  /** One DeleteGroups request: unlike `moveOffsets`, no consumer has to join the group (which takes seconds). */
  async deleteOffsets(groupId: string): Promise<void> {
    const admin = await this.connected();
    try {
      await admin.deleteGroups([groupId]);
    } catch (error) {
      const failures = (error as { groups?: { error?: { type?: string; message?: string } }[] }).groups;
      if (failures === undefined) throw error;
      const refused = failures.filter((failure) => failure.error?.type !== 'GROUP_ID_NOT_FOUND');
      if (refused.length > 0) {
        throw new Error(`Kafka refused to delete the offsets of consumer group ${groupId}: ${refused.map((failure) => failure.error?.message ?? failure.error?.type).join('; ')}`, {
          cause: error,
        });
      }
    }
  }

  async moveOffsets(groupId: string, topics: readonly string[], to: 'earliest' | 'latest'): Promise<void> {
    const admin = await this.connected();
    const existing = new Set(await admin.listTopics());
    for (const topic of topics.filter((candidate) => existing.has(candidate))) {
      const offsets = await whenLeadersSettle(() => admin.fetchTopicOffsets(topic));
      await admin.setOffsets({
        groupId,
        topic,
        partitions: offsets.map((offset) => ({ partition: offset.partition, offset: to === 'earliest' ? offset.low : offset.high })),
      });
    }
  }

  async lag(groupId: string, topics: readonly string[]): Promise<ConsumerGroupLag[]> {
    const admin = await this.connected();
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length === 0) return [];
    const committed = await admin.fetchOffsets({ groupId, topics: present });
    const lags: ConsumerGroupLag[] = [];
    for (const topic of present) {
      const ends = await whenLeadersSettle(() => admin.fetchTopicOffsets(topic));
      const ofTopic = committed.find((entry) => entry.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const offset = Number(ofTopic.find((entry) => entry.partition === end.partition)?.offset ?? '-1');
        const from = offset >= 0 ? offset : Number(end.low);
        lags.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - from) });
      }
    }
    return lags;
  }

  /** The cluster's brokers and controller (what `KafkaHealthIndicator` of @trellis/platform asks). */
  async describeCluster(): Promise<{ readonly brokers: readonly unknown[]; readonly controller: number | null }> {
    return (await this.connected()).describeCluster();
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((connected) => connected.disconnect(), () => undefined);
  }

  private connected(): Promise<Admin> {
    if (this.admin === undefined) {
      const admin = this.kafka.admin({ retry: { retries: this.options.retries ?? 5, initialRetryTime: 300, maxRetryTime: 30_000 } });
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
}

/**
 * Asks again while Kafka answers with an error it calls retriable (a topic just created elsewhere whose partition
 * leaders are being elected answers NOT_LEADER_FOR_PARTITION for a moment; kafkajs's admin does not retry ListOffsets).
 */
async function whenLeadersSettle<T>(request: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= attempts || (error as { retriable?: unknown }).retriable !== true) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
