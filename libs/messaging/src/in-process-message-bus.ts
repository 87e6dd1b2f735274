/**
 * The message bus of the embedded mode: topics, partitions, consumer groups and committed offsets in memory, with the
 * delivery rules of the Kafka adapter (order per key, at least once, dead letters, graceful close), so that code
 * written against the port behaves the same in one process and across services. Nothing survives the process: in the
 * embedded mode the event store is the durable log and consumers rebuild from it.
 */
import { TOPICS } from '@trellis/contracts';
import { type HandlerRetryPolicy, handlerRetryPolicy } from './handler-retry-policy.js';
import { deliver, deliverBatch } from './message-delivery.js';
import type { MessageBus, MessageSubscription, OutgoingMessage, ReceivedMessage, SubscribeOptions, TopicSpec } from './message-bus.port.js';
import { type MessagingLogger, consoleMessagingLogger } from './messaging-logger.js';
import { DEFAULT_MAX_BATCH_SIZE, checkPublish, checkSubscribe, checkTopicSpecs, topicsOf } from './port-arguments.js';

export interface InProcessMessageBusOptions {
  /** Partitions of a topic that is published or subscribed to before `ensureTopics` created it (default 1). */
  readonly defaultPartitions?: number;
  /** Messages kept per partition; older ones are dropped, as Kafka's retention does (default 100,000). */
  readonly retainedMessagesPerPartition?: number;
  /** How subscriptions retry failed handlers (each subscription may override it). */
  readonly retry?: Partial<HandlerRetryPolicy>;
  readonly logger?: MessagingLogger;
  readonly clock?: () => Date;
}

interface StoredMessage {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

class PartitionLog {
  private base = 0;
  private readonly messages: StoredMessage[] = [];
  private waiters: (() => void)[] = [];

  constructor(private readonly retained: number) {}

  get start(): number {
    return this.base;
  }

  get end(): number {
    return this.base + this.messages.length;
  }

  at(offset: number): StoredMessage | undefined {
    return offset >= this.base ? this.messages[offset - this.base] : undefined;
  }

  append(message: StoredMessage): void {
    this.messages.push(message);
    // Dropping in chunks keeps appends O(1) amortised.
    if (this.messages.length > this.retained + Math.ceil(this.retained / 10)) {
      const dropped = this.messages.length - this.retained;
      this.messages.splice(0, dropped);
      this.base += dropped;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next append, or when the signal aborts. */
  nextAppend(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        resolve();
      };
      this.waiters.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

class Topic {
  private nextUnkeyed = 0;

  constructor(
    readonly name: string,
    readonly partitions: readonly PartitionLog[],
  ) {}

  partitionFor(key: string | null): number {
    if (key === null) return this.nextUnkeyed++ % this.partitions.length;
    return fnv1a(key) % this.partitions.length;
  }
}

/** FNV-1a, 32 bits: a stable hash, so that a key always lands in the same partition. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

const partitionKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** One member's delivery loop over one partition, from the group's committed offset. */
class PartitionConsumer {
  private readonly abort = new AbortController();
  readonly done: Promise<void>;

  constructor(
    readonly member: Member,
    private readonly topic: Topic,
    private readonly partition: number,
    previous: PartitionConsumer | undefined,
  ) {
    const key = partitionKey(topic.name, partition);
    const log = topic.partitions[partition] as PartitionLog;
    // Decided now, not when the loop starts, so that a message published once `subscribe` resolved is delivered.
    if (!member.group.committed.has(key)) member.group.committed.set(key, member.options.fromBeginning ? log.start : log.end);
    this.done = (async () => {
      // The previous owner finishes its message in flight (and commits it) before this one starts.
      await previous?.done;
      await this.run(key, log);
      member.consumers.delete(this);
    })();
  }

  stop(): void {
    this.abort.abort();
  }

  private async run(key: string, log: PartitionLog): Promise<void> {
    const { group, bus } = this.member;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let offset = group.committed.get(key) ?? log.start;
      if (offset < log.start) {
        bus.logger.warn(`Group ${group.id} was behind the messages kept on ${this.topic.name}[${this.partition}]: skipped to offset ${log.start}`, {
          topic: this.topic.name,
          partition: this.partition,
          groupId: group.id,
          from: offset,
          to: log.start,
        });
        offset = log.start;
        group.committed.set(key, offset);
      }
      if (offset >= log.end) {
        await log.nextAppend(signal);
        continue;
      }
      const { batchHandler, maxBatchSize = DEFAULT_MAX_BATCH_SIZE } = this.member.options;
      if (batchHandler !== undefined) {
        const messages: ReceivedMessage[] = [];
        for (let next = offset; next < Math.min(log.end, offset + maxBatchSize); next++) messages.push(this.received(log, next));
        const outcome = await deliverBatch(messages, batchHandler, { ...this.member.delivery, signal }, (message) => group.committed.set(key, Number(message.offset) + 1));
        if (outcome === 'abandoned') return;
        continue;
      }
      const outcome = await deliver(this.received(log, offset), { ...this.member.delivery, signal });
      if (outcome === 'abandoned') return;
      group.committed.set(key, offset + 1);
    }
  }

  private received(log: PartitionLog, offset: number): ReceivedMessage {
    const stored = log.at(offset) as StoredMessage;
    return {
      topic: this.topic.name,
      partition: this.partition,
      offset: String(offset),
      key: stored.key,
      value: stored.value === null ? null : Buffer.from(stored.value),
      headers: { ...stored.headers },
      timestamp: stored.timestamp,
    };
  }
}

class ConsumerGroup {
  readonly committed = new Map<string, number>();
  readonly members: Member[] = [];
  private readonly owners = new Map<string, PartitionConsumer>();

  constructor(
    readonly id: string,
    private readonly topics: Map<string, Topic>,
  ) {}

  /** Spreads every partition of the members' topics over the members subscribed to it, round robin, and hands over. */
  rebalance(): void {
    const wanted = new Map<string, { member: Member; topic: Topic; partition: number }>();
    for (const name of new Set(this.members.flatMap((member) => member.topics))) {
      const topic = this.topics.get(name) as Topic;
      const eligible = this.members.filter((member) => member.topics.includes(name));
      topic.partitions.forEach((_, partition) => {
        wanted.set(partitionKey(name, partition), { member: eligible[partition % eligible.length] as Member, topic, partition });
      });
    }
    for (const [key, current] of this.owners) {
      if (wanted.get(key)?.member !== current.member) current.stop();
      if (!wanted.has(key)) this.owners.delete(key);
    }
    for (const [key, { member, topic, partition }] of wanted) {
      const current = this.owners.get(key);
      if (current?.member === member) continue;
      const next = new PartitionConsumer(member, topic, partition, current);
      this.owners.set(key, next);
      member.consumers.add(next);
    }
  }
}

class Member implements MessageSubscription {
  readonly consumers = new Set<PartitionConsumer>();
  readonly delivery: Omit<Parameters<typeof deliver>[1], 'signal'>;
  private closing: Promise<void> | undefined;

  constructor(
    readonly bus: InProcessMessageBus,
    readonly group: ConsumerGroup,
    readonly topics: readonly string[],
    readonly options: SubscribeOptions<unknown>,
    retry: HandlerRetryPolicy,
  ) {
    this.delivery = {
      groupId: group.id,
      decode: options.decode,
      handler: options.handler,
      deadLetterTopic: options.deadLetterTopic ?? TOPICS.deadLetter,
      retry,
      logger: bus.logger,
      publish: (topic, messages) => bus.publish(topic, messages),
      now: bus.clock,
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const index = this.group.members.indexOf(this);
      if (index >= 0) this.group.members.splice(index, 1);
      // Stops this member's loops (each lets its handler call finish) and hands their partitions to the others.
      this.group.rebalance();
      for (const consumer of this.consumers) consumer.stop();
      await Promise.all([...this.consumers].map((consumer) => consumer.done));
      this.bus.forget(this);
    })();
    return this.closing;
  }
}

export class InProcessMessageBus implements MessageBus {
  readonly logger: MessagingLogger;
  readonly clock: () => Date;
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly members = new Set<Member>();
  private readonly defaultPartitions: number;
  private readonly retained: number;
  private readonly retry: HandlerRetryPolicy;
  private closed = false;

  constructor(options: InProcessMessageBusOptions = {}) {
    this.logger = options.logger ?? consoleMessagingLogger;
    this.clock = options.clock ?? (() => new Date());
    this.defaultPartitions = options.defaultPartitions ?? 1;
    this.retained = options.retainedMessagesPerPartition ?? 100_000;
    this.retry = handlerRetryPolicy(options.retry);
    if (!Number.isInteger(this.defaultPartitions) || this.defaultPartitions < 1) throw new RangeError('defaultPartitions must be a positive integer');
    if (!Number.isInteger(this.retained) || this.retained < 1) throw new RangeError('retainedMessagesPerPartition must be a positive integer');
  }

  async publish(topicName: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.checkOpen();
    checkPublish(topicName, messages);
    const topic = this.topic(topicName, this.defaultPartitions);
    const timestamp = this.clock().toISOString();
    for (const message of messages) {
      const partition = topic.partitionFor(message.key);
      (topic.partitions[partition] as PartitionLog).append({
        key: message.key,
        value: message.value === null ? null : Buffer.from(message.value),
        headers: { ...message.headers },
        timestamp,
      });
    }
  }

  async subscribe<T>(options: SubscribeOptions<T>): Promise<MessageSubscription> {
    this.checkOpen();
    checkSubscribe(options);
    const topics = topicsOf(options.topics);
    for (const name of topics) this.topic(name, this.defaultPartitions);
    let group = this.groups.get(options.groupId);
    if (group === undefined) {
      group = new ConsumerGroup(options.groupId, this.topics);
      this.groups.set(options.groupId, group);
    }
    const member = new Member(this, group, topics, options as SubscribeOptions<unknown>, handlerRetryPolicy(this.retry, options.retry));
    group.members.push(member);
    this.members.add(member);
    group.rebalance();
    return member;
  }

  async ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    this.checkOpen();
    checkTopicSpecs(topics);
    for (const spec of topics) this.topic(spec.topic, spec.partitions);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.members].map((member) => member.close()));
  }

  /** Called by a member once closed. */
  forget(member: Member): void {
    this.members.delete(member);
  }

  private topic(name: string, partitions: number): Topic {
    let topic = this.topics.get(name);
    if (topic === undefined) {
      topic = new Topic(
        name,
        Array.from({ length: partitions }, () => new PartitionLog(this.retained)),
      );
      this.topics.set(name, topic);
    }
    return topic;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('The message bus is closed');
  }
}
