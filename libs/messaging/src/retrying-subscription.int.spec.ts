// Against the Kafka broker at TRELLIS_KAFKA_BROKERS (default 127.0.0.1:9092), which `deploy/local/kafka start` provides.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { asText } from './decoders.js';
import { KafkaMessageBus } from './kafka-message-bus.js';
import { RetryingSubscription, subscriptionReadiness } from './retrying-subscription.js';
import { RecordingLogger } from './testing.js';

const brokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const topics: string[] = [];
const groups: string[] = [];
let bus: KafkaMessageBus;

beforeAll(async () => {
  bus = await KafkaMessageBus.connect({ brokers, clientId: 'retrying-subscription-test', retries: 1, logger: new RecordingLogger() });
}, 60_000);

afterAll(async () => {
  try {
    await bus?.deleteGroups(groups);
    await bus?.deleteTopics(topics);
  } finally {
    await bus?.close();
  }
}, 60_000);

function names(): { topic: string; groupId: string } {
  const id = randomUUID();
  const names = { topic: `trellis.test.retrying-subscription.${id}`, groupId: `retrying-subscription-test.${id}` };
  topics.push(names.topic, `${names.topic}.dead-letter`);
  groups.push(names.groupId);
  return names;
}

async function until(condition: () => boolean, what: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('RetryingSubscription on Kafka', () => {
  it('keeps trying while its topic does not exist, with the broker’s error, then consumes once the topic is created', async () => {
    const { topic, groupId } = names();
    const received: string[] = [];
    const logger = new RecordingLogger();
    const subscription = new RetryingSubscription({
      bus,
      subscribe: { topics: topic, groupId, fromBeginning: true, decode: asText, deadLetterTopic: `${topic}.dead-letter`, handler: (text) => void received.push(String(text)) },
      backoff: { initialDelayMs: 100, maxDelayMs: 500 },
      logger,
    });
    expect(subscription.status()).toEqual({ state: 'idle', attempts: 0 });
    try {
      const started = subscription.start();
      await until(() => subscription.status().attempts >= 2, 'two attempts');

      expect(subscription.status()).toMatchObject({ state: 'subscribing', lastError: { message: expect.stringContaining('does not host this topic-partition') } });
      expect(subscriptionReadiness(subscription.status())).toMatchObject({ ready: false, details: { state: 'subscribing', lastError: expect.any(String) } });
      expect(logger.entries[0]).toMatchObject({ level: 'warn', message: expect.stringContaining(`Cannot consume ${topic} yet (attempt 1)`), context: { groupId } });

      await bus.ensureTopics([
        { topic, partitions: 2 },
        { topic: `${topic}.dead-letter`, partitions: 1 },
      ]);
      await started;
      expect(subscription.status().state).toBe('consuming');
      expect(subscriptionReadiness(subscription.status()).ready).toBe(true);

      await bus.publish(topic, [
        { key: 'a', value: 'first' },
        { key: 'b', value: 'second' },
      ]);
      await until(() => received.length >= 2, 'both messages');
      expect(received.sort()).toEqual(['first', 'second']);
    } finally {
      await subscription.stop();
    }
    expect(subscription.status().state).toBe('stopped');
  });

  it('hands its batch handler and batch size to the bus', async () => {
    const { topic, groupId } = names();
    await bus.ensureTopics([
      { topic, partitions: 1 },
      { topic: `${topic}.dead-letter`, partitions: 1 },
    ]);
    await bus.publish(topic, Array.from({ length: 5 }, (_, n) => ({ key: 'k', value: `m${n}` })));
    const batches: string[][] = [];
    const subscription = new RetryingSubscription({
      bus,
      subscribe: {
        topics: topic,
        groupId,
        fromBeginning: true,
        decode: asText,
        deadLetterTopic: `${topic}.dead-letter`,
        handler: () => {
          throw new Error('the handler must not be called when the batch handler resolves');
        },
        batchHandler: async (items) => void batches.push(items.map(({ body }) => String(body))),
        maxBatchSize: 2,
      },
    });
    try {
      await subscription.start();
      await until(() => batches.flat().length >= 5, 'the five messages');
    } finally {
      await subscription.stop();
    }

    expect(batches.flat()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(Math.max(...batches.map((batch) => batch.length))).toBe(2);
  });

  it('stops during a backoff wait without waiting it out', async () => {
    const { topic, groupId } = names();
    const subscription = new RetryingSubscription({
      bus,
      subscribe: { topics: topic, groupId, decode: asText, handler: () => undefined },
      // Jitter pinned to the ceiling: the wait after the first failure is the full hour.
      backoff: { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000, random: () => 0.999 },
    });
    const started = subscription.start();
    await until(() => subscription.status().lastError !== undefined, 'a failed attempt');

    // Jest's 60 s test timeout fails this if stop() waited for the hour.
    await subscription.stop();
    await started;

    expect(subscription.status()).toMatchObject({ state: 'stopped', attempts: 1 });
  });
});
