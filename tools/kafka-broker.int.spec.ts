// The broker that deploy/local/kafka starts serves what the Kafka adapters rely on: explicit topics, topics created
// on first use, an idempotent producer, consumer groups reading from the beginning, keys and headers kept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Admin, Consumer, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';

const brokers = (process.env.TRELLIS_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
const howToStart = 'start one with `deploy/local/kafka start` (or set TRELLIS_KAFKA_BROKERS)';

const kafka = new Kafka({
  clientId: 'trellis-kafka-broker-test',
  brokers,
  connectionTimeout: 3000,
  retry: { retries: 5, initialRetryTime: 200 },
  // Creating a topic on first use answers the first metadata request with a retriable error that kafkajs logs at
  // ERROR level; real failures reach the tests as rejected promises.
  logLevel: logLevel.NOTHING,
});

interface Received {
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  value: string | undefined;
  headers: Record<string, string>;
}

/** Bounded wait: a broker that never delivers fails the test with a reason instead of hanging it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

describe('the local Kafka broker (deploy/local/kafka)', () => {
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];
  const topics: string[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
    } catch (error) {
      throw new Error(`Kafka is not reachable at ${brokers.join(',')}: ${howToStart}. (${String(error)})`);
    }
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.disconnect();
    await producer?.disconnect();
    if (topics.length > 0) await admin?.deleteTopics({ topics }).catch(() => undefined);
    await admin?.disconnect();
  });

  /** Reads `topic` from the beginning in a fresh consumer group and returns the first message, within `ms`. */
  async function firstMessage(topic: string, ms: number): Promise<Received> {
    const consumer = kafka.consumer({ groupId: `trellis-test-${randomUUID()}` });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const first = new Promise<Received>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ topic: from, partition, message }) => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
            resolve({
              topic: from,
              partition,
              offset: message.offset,
              key: message.key?.toString(),
              value: message.value?.toString(),
              headers,
            });
          },
        })
        .catch(reject);
    });
    return within(first, ms, `consuming ${topic}`);
  }

  it('delivers a produced message, with its key and headers, to a consumer group on a new topic', async () => {
    const topic = `trellis-broker-test-${randomUUID()}`;
    topics.push(topic);
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    expect(created).toBe(true);

    const key = `instance-${randomUUID()}`;
    const [ack] = await producer.send({
      topic,
      messages: [{ key, value: JSON.stringify({ type: 'ProcessInstanceCreated' }), headers: { 'event-id': 'e-1' } }],
    });
    expect(ack.errorCode).toBe(0);

    const received = await firstMessage(topic, 30_000);
    expect(received).toEqual({
      topic,
      partition: ack.partition,
      offset: '0',
      key,
      value: '{"type":"ProcessInstanceCreated"}',
      headers: { 'event-id': 'e-1' },
    });
  });

  it('creates a topic on first use (auto.create.topics.enable)', async () => {
    const topic = `trellis-broker-auto-${randomUUID()}`;
    topics.push(topic);
    expect(await admin.listTopics()).not.toContain(topic);

    await producer.send({ topic, messages: [{ key: 'k', value: 'first' }] });

    expect(await admin.listTopics()).toContain(topic);
    const received = await firstMessage(topic, 30_000);
    expect(received.value).toBe('first');
  });
});
