// Messages over Kafka in the distributed mode: a runtime-service on a Postgres event store and the real broker (topics
// and groups of the test's own) takes messages other services publish on the messages topic, and dead-letters the one
// nothing takes.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DeadLetterEnvelope, TOPICS, type TopicName, messagePublicationMessageOf } from '@trellis/contracts';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { PostgresEventStore } from '@trellis/event-store';
import { KafkaMessageBus, type MessageSubscription, asDeadLetterEnvelope, silentMessagingLogger } from '@trellis/messaging';
import { kafkaBrokers, testTopicName } from '@trellis/messaging/testing';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { MessageTopicConsumer, RuntimeCommandConsumer } from '@trellis/runtime';
import request from 'supertest';

import { createRuntimeServiceApp } from './create-runtime-service-app.js';
import { loadRuntimeServiceSettings } from './runtime-service.settings.js';

const DEADLINE_MS = 60_000;
const run = randomUUID().slice(0, 8);
const eventsSchema = uniqueSchema('runtime_messages_events');
const relaySchema = uniqueSchema('runtime_messages_relay');
const topicName = (topic: TopicName): string => testTopicName(run, topic);
const groups = { runtime: `trellis-test.${run}.runtime-service`, deadLetters: `trellis-test.${run}.dead-letters` };
const exampleBpmn = readFileSync(new URL('../../../examples/order-messages.bpmn', import.meta.url), 'utf8');

let store: PostgresEventStore;
let bus: KafkaMessageBus;
let app: INestApplication;
let deadLetterSubscription: MessageSubscription | undefined;
const deadLetters: DeadLetterEnvelope[] = [];

async function eventually(test: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`Waited ${DEADLINE_MS} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  await requirePostgres();
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: `runtime-messages-test-${run}`, logger: silentMessagingLogger });
  const settings = loadRuntimeServiceSettings({
    TRELLIS_ENV: 'test',
    TRELLIS_LOG_LEVEL: 'silent',
    TRELLIS_POSTGRES_URL: postgresUrl,
    TRELLIS_EVENT_STORE_SCHEMA: eventsSchema,
    TRELLIS_RELAY_SCHEMA: relaySchema,
    TRELLIS_RELAY_NAME: `runtime-messages-${run}`,
    TRELLIS_RELAY_TOPIC_PARTITIONS: '2',
    TRELLIS_KAFKA_BROKERS: kafkaBrokers.join(','),
    TRELLIS_KAFKA_CLIENT_ID: `runtime-messages-${run}`,
  });
  // Other services publish on the messages topic: it exists before the runtime subscribes to it.
  await bus.ensureTopics([TOPICS.messages, TOPICS.deadLetter].map((topic) => ({ topic: topicName(topic), partitions: 2 })));
  app = await createRuntimeServiceApp({ settings, topicName, groupId: groups.runtime });
  await app.listen(0, '127.0.0.1');
  await app.get(RuntimeCommandConsumer, { strict: false }).start();
  await app.get(MessageTopicConsumer, { strict: false }).start();
  store = await PostgresEventStore.open({ connectionString: postgresUrl, schema: eventsSchema });
  deadLetterSubscription = await bus.subscribe({
    topics: topicName(TOPICS.deadLetter),
    groupId: groups.deadLetters,
    fromBeginning: true,
    decode: asDeadLetterEnvelope,
    deadLetterTopic: `${topicName(TOPICS.deadLetter)}.of-dead-letters`,
    handler: (envelope: DeadLetterEnvelope) => {
      deadLetters.push(envelope);
    },
  });
  // The deployment-service's part: deploying appends to the shared store.
  const deploying = new DefinitionRegistry(store);
  await deploying.reload();
  await new DeployResourcesHandler(store, deploying).execute(new DeployResourcesCommand([{ name: 'order-messages.bpmn', content: exampleBpmn }]));
}, 120_000);

afterAll(async () => {
  await deadLetterSubscription?.close();
  await app?.close();
  try {
    await bus?.deleteGroups([...Object.values(groups), `${groups.runtime}.messages`]);
    await bus?.deleteTopics([...Object.values(TOPICS).map(topicName), `${topicName(TOPICS.deadLetter)}.of-dead-letters`]);
  } finally {
    await bus?.close();
    await store?.close();
    await dropSchema(eventsSchema);
    await dropSchema(relaySchema);
  }
}, 120_000);

describe('runtime-service, messages over Kafka', () => {
  it('correlates a message from the messages topic to the instance waiting with its key, and dead-letters one nothing takes', async () => {
    const http = request(app.getHttpServer());
    const id: string = (await http.post('/api/process-instances').send({ processId: 'order-messages', variables: { orderId: `K-${run}` } }).expect(201)).body.id;
    await bus.publish(topicName(TOPICS.messages), [
      messagePublicationMessageOf({ name: 'payment-received', correlationKey: `K-${run}`, variables: { amount: 42 } }),
      messagePublicationMessageOf({ name: 'payment-received', correlationKey: `nobody-${run}` }),
    ]);
    await eventually(async () => {
      const view = (await http.get(`/api/process-instances/${id}`).expect(200)).body as { activeElementInstances: { elementId: string }[] };
      return view.activeElementInstances.some((element) => element.elementId === 'pack-order');
    }, 'the payment to reach the instance');
    expect((await http.get(`/api/process-instances/${id}`).expect(200)).body.variables).toEqual({ orderId: `K-${run}`, amount: 42 });

    await eventually(() => deadLetters.length > 0, 'the unmatched message in the dead-letter topic');
    expect(deadLetters).toEqual([
      expect.objectContaining({
        reason: 'rejected',
        originalTopic: topicName(TOPICS.messages),
        key: `nobody-${run}`,
        error: expect.stringContaining('matched no subscription and has no time to live'),
      }),
    ]);
  }, 90_000);
});
