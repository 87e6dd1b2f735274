// MessagingModule on the Kafka broker at TRELLIS_KAFKA_BROKERS (default 127.0.0.1:9092; Jest's global setup starts
// `deploy/local/kafka` when none answers), and in process.
import { randomUUID } from 'node:crypto';

import { Controller, type DynamicModule, type INestApplication, Module } from '@nestjs/common';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { asText, InProcessMessageBus, MESSAGE_BUS, type MessageBus } from '@trellis/messaging';
import { Kafka, logLevel } from 'kafkajs';
import request from 'supertest';

import { loadSettings } from '../configuration/load-settings.js';
import type { TrellisSettings } from '../configuration/trellis.settings.js';
import { createServiceApp } from '../http/create-service-app.js';
import { PlatformModule } from '../platform.module.js';
import { MessagingModule, type MessagingOptions } from './messaging.module.js';

const brokers = process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092';

@Controller('nothing')
class NothingController {}

function serviceModule(settings: TrellisSettings, options: MessagingOptions): DynamicModule {
  @Module({})
  class MessagingServiceModule {}
  return {
    module: MessagingServiceModule,
    imports: [
      PlatformModule.forRoot({ settings, service: 'messaging-test' }),
      options.kind === 'kafka' ? MessagingModule.forRoot(settings, options) : MessagingModule.forRoot(settings, options),
    ],
    controllers: [NothingController],
  };
}

const apps: INestApplication[] = [];
async function start(env: Record<string, string>, options: MessagingOptions): Promise<INestApplication> {
  const settings = loadSettings({ TRELLIS_LOG_LEVEL: 'silent', TRELLIS_KAFKA_BROKERS: brokers, TRELLIS_KAFKA_CLIENT_ID: 'trellis-platform-test', ...env });
  const app = await createServiceApp({ module: serviceModule(settings, options), settings, title: 'Messaging', description: 'Test.' });
  apps.push(app);
  return app;
}

/** The value of one sample line of the exposition (`name{labels} value`), or undefined when it is absent. */
function sample(exposition: string, line: string): number | undefined {
  const found = exposition.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const admin = new Kafka({ clientId: 'trellis-platform-test-admin', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
const topics: string[] = [];
const groups: string[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});
afterAll(async () => {
  await admin.connect();
  try {
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.deleteTopics({ topics }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
});

describe('MessagingModule with Kafka', () => {
  it('provides a connected Kafka bus, checks the cluster in readiness, and shows each group lag until it has caught up', async () => {
    const app = await start({}, { kind: 'kafka' });
    const http = request(app.getHttpServer());
    const bus = app.get<MessageBus>(MESSAGE_BUS);
    const topic = `trellis-platform-test-${randomUUID()}`;
    const groupId = `trellis-platform-test-${randomUUID()}`;
    topics.push(topic);
    groups.push(groupId);
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    await bus.publish(
      topic,
      Array.from({ length: 5 }, (_, index) => ({ key: 'k', value: `message ${index}` })),
    );

    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body.details.kafka).toEqual({ status: 'up', brokers: 1, responseTime: expect.any(Number) });

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const subscription = await bus.subscribe({
      topics: topic,
      groupId,
      fromBeginning: true,
      decode: asText,
      handler: async (text) => {
        await gate;
        handled.push(text ?? '(none)');
      },
    });
    const lag = `trellis_kafka_consumer_lag_messages{group="${groupId}",topic="${topic}",partition="0"}`;
    const scrape = async () => sample((await http.get('/metrics').expect(200)).text, lag);
    // Nothing committed yet, and the group starts from the beginning: all five are owed.
    expect(await scrape()).toBe(5);

    release();
    await eventually(scrape, (value) => value === 0, 'the lag to reach 0');
    expect(handled).toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4']);

    await subscription.close();
    // The group has no subscription here any more: no series for it.
    expect(await scrape()).toBeUndefined();
  });

  it('closes the bus at shutdown: open subscriptions commit what they handled, and the bus refuses to publish', async () => {
    const app = await start({}, { kind: 'kafka' });
    const bus = app.get<MessageBus>(MESSAGE_BUS);
    const topic = `trellis-platform-test-${randomUUID()}`;
    const groupId = `trellis-platform-test-${randomUUID()}`;
    topics.push(topic);
    groups.push(groupId);
    await bus.ensureTopics([{ topic, partitions: 1 }]);
    const handled: string[] = [];
    // Left open: the application's shutdown closes it.
    await bus.subscribe({ topics: topic, groupId, fromBeginning: true, decode: asText, handler: (text) => void handled.push(text ?? '(none)') });
    await bus.publish(topic, [{ key: 'k', value: 'one' }, { key: 'k', value: 'two' }, { key: 'k', value: 'three' }]);
    await eventually(async () => handled.length, (count) => count === 3, 'three messages handled');

    await app.close();
    apps.splice(apps.indexOf(app), 1);

    await expect(bus.publish(topic, [{ key: 'k', value: 'four' }])).rejects.toThrow('The message bus is closed');
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
    } finally {
      await admin.disconnect();
    }
  });

  it('stops the service at startup when no broker answers, after the retries the settings allow', async () => {
    const attempt = start(
      { TRELLIS_KAFKA_BROKERS: '127.0.0.1:1', TRELLIS_KAFKA_RETRIES: '1', TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS: '500', TRELLIS_KAFKA_RETRY_INITIAL_MS: '50' },
      { kind: 'kafka' },
    );
    await expect(attempt).rejects.toThrow(/127\.0\.0\.1:1|ECONNREFUSED|Connection/);
  });
});

describe('MessagingModule in process', () => {
  it('provides an in-process bus, with no Kafka check in readiness, closed at shutdown', async () => {
    const app = await start({}, { kind: 'in-process' });
    const bus = app.get<MessageBus>(MESSAGE_BUS);
    expect(bus).toBeInstanceOf(InProcessMessageBus);
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.details).toEqual({});

    await app.close();
    apps.splice(apps.indexOf(app), 1);
    await expect(bus.publish('anything', [{ key: 'k', value: 'late' }])).rejects.toThrow();
  });
});
