// Ad-hoc sub-processes driven over Kafka in the distributed mode: a runtime-service on a Postgres event store and the
// real broker (topics and groups of the test's own) starts examples/ad-hoc-sub-process.bpmn and activates its inner
// elements from `ActivateAdHocActivities` commands, answering each on the results topic: accepted (once per command
// id, however often it is sent), rejected with a reason a program can act on, or dead-lettered when malformed.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type DeadLetterEnvelope,
  type RuntimeCommandMessage,
  type RuntimeCommandResult,
  TOPICS,
  type TopicName,
  decodeRuntimeCommandResult,
  runtimeCommandMessageOf,
} from '@trellis/contracts';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { PostgresEventStore } from '@trellis/event-store';
import { KafkaMessageBus, type MessageSubscription, asDeadLetterEnvelope, silentMessagingLogger } from '@trellis/messaging';
import { kafkaBrokers, testTopicName } from '@trellis/messaging/testing';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { RuntimeCommandConsumer } from '@trellis/runtime';
import request from 'supertest';

import { createRuntimeServiceApp } from './create-runtime-service-app.js';
import { loadRuntimeServiceSettings } from './runtime-service.settings.js';

const DEADLINE_MS = 60_000;
const run = randomUUID().slice(0, 8);
const eventsSchema = uniqueSchema('runtime_ad_hoc_events');
const relaySchema = uniqueSchema('runtime_ad_hoc_relay');
const topicName = (topic: TopicName): string => testTopicName(run, topic);
const groups = { runtime: `trellis-test.${run}.runtime-service`, results: `trellis-test.${run}.results`, deadLetters: `trellis-test.${run}.dead-letters` };
const exampleBpmn = readFileSync(new URL('../../../examples/ad-hoc-sub-process.bpmn', import.meta.url), 'utf8');

let store: PostgresEventStore;
let bus: KafkaMessageBus;
let app: INestApplication;
const subscriptions: MessageSubscription[] = [];
const results: RuntimeCommandResult[] = [];
const deadLetters: DeadLetterEnvelope[] = [];

async function eventually(test: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`Waited ${DEADLINE_MS} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const header = (processInstanceId: string, commandId: string = randomUUID()) => ({ commandId, processInstanceId, issuedBy: 'ad-hoc-test', issuedAt: new Date().toISOString() });

async function send(...commands: RuntimeCommandMessage[]): Promise<void> {
  await bus.publish(topicName(TOPICS.runtimeCommands), commands.map(runtimeCommandMessageOf));
}

/** The first result for the command, once it arrived. */
async function resultOf(commandId: string): Promise<RuntimeCommandResult> {
  await eventually(() => results.some((result) => result.commandId === commandId), `the result of command ${commandId}`);
  return results.find((result) => result.commandId === commandId)!;
}

beforeAll(async () => {
  await requirePostgres();
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: `runtime-ad-hoc-test-${run}`, logger: silentMessagingLogger });
  const settings = loadRuntimeServiceSettings({
    TRELLIS_ENV: 'test',
    TRELLIS_LOG_LEVEL: 'silent',
    TRELLIS_POSTGRES_URL: postgresUrl,
    TRELLIS_EVENT_STORE_SCHEMA: eventsSchema,
    TRELLIS_RELAY_SCHEMA: relaySchema,
    TRELLIS_RELAY_NAME: `runtime-ad-hoc-${run}`,
    TRELLIS_RELAY_TOPIC_PARTITIONS: '2',
    TRELLIS_KAFKA_BROKERS: kafkaBrokers.join(','),
    TRELLIS_KAFKA_CLIENT_ID: `runtime-ad-hoc-${run}`,
  });
  await bus.ensureTopics([TOPICS.runtimeCommands, TOPICS.runtimeCommandResults, TOPICS.deadLetter].map((topic) => ({ topic: topicName(topic), partitions: 2 })));
  app = await createRuntimeServiceApp({ settings, topicName, groupId: groups.runtime });
  await app.listen(0, '127.0.0.1');
  await app.get(RuntimeCommandConsumer, { strict: false }).start();
  store = await PostgresEventStore.open({ connectionString: postgresUrl, schema: eventsSchema });
  subscriptions.push(
    await bus.subscribe({
      topics: topicName(TOPICS.runtimeCommandResults),
      groupId: groups.results,
      fromBeginning: true,
      decode: (message) => decodeRuntimeCommandResult(message.value),
      deadLetterTopic: `${topicName(TOPICS.deadLetter)}.of-results`,
      handler: (result: RuntimeCommandResult) => {
        results.push(result);
      },
    }),
    await bus.subscribe({
      topics: topicName(TOPICS.deadLetter),
      groupId: groups.deadLetters,
      fromBeginning: true,
      decode: asDeadLetterEnvelope,
      deadLetterTopic: `${topicName(TOPICS.deadLetter)}.of-dead-letters`,
      handler: (envelope: DeadLetterEnvelope) => {
        deadLetters.push(envelope);
      },
    }),
  );
  // The deployment-service's part: deploying appends to the shared store.
  const deploying = new DefinitionRegistry(store);
  await deploying.reload();
  await new DeployResourcesHandler(store, deploying).execute(new DeployResourcesCommand([{ name: 'ad-hoc-sub-process.bpmn', content: exampleBpmn }]));
}, 120_000);

afterAll(async () => {
  for (const subscription of subscriptions) await subscription.close();
  await app?.close();
  try {
    await bus?.deleteGroups(Object.values(groups));
    await bus?.deleteTopics([
      ...Object.values(TOPICS).map(topicName),
      `${topicName(TOPICS.deadLetter)}.of-results`,
      `${topicName(TOPICS.deadLetter)}.of-dead-letters`,
    ]);
  } finally {
    await bus?.close();
    await store?.close();
    await dropSchema(eventsSchema);
    await dropSchema(relaySchema);
  }
}, 120_000);

interface InstanceView {
  readonly state: string;
  readonly activeElementInstances: readonly { readonly id: string; readonly elementId: string; readonly elementType: string }[];
}

describe('runtime-service, ActivateAdHocActivities over Kafka', () => {
  it('starts the elements named, once per command id; refuses one it cannot start and an unknown sub-process; dead-letters an empty list', async () => {
    const http = request(app.getHttpServer());
    const view = async (id: string): Promise<InstanceView> => (await http.get(`/api/process-instances/${id}`).expect(200)).body as InstanceView;
    const active = async (id: string): Promise<string[]> => (await view(id)).activeElementInstances.map((element) => element.elementId).sort();

    const id = randomUUID();
    const start = { type: 'StartProcessInstance' as const, ...header(id), processId: 'support-case', variables: { firstSteps: ['check-logs'], solved: false } };
    await send(start);
    expect(await resultOf(start.commandId)).toMatchObject({ outcome: 'accepted', commandType: 'StartProcessInstance', processInstanceId: id });
    await eventually(async () => (await active(id)).includes('check-logs'), 'the first step to run');
    const adHoc = (await view(id)).activeElementInstances.find((element) => element.elementId === 'investigate');
    expect(adHoc?.elementType).toBe('adHocSubProcess');

    // Two elements in one command, and the same command sent twice: they start once.
    const activate: RuntimeCommandMessage = {
      type: 'ActivateAdHocActivities',
      ...header(id),
      adHocSubProcessInstanceId: adHoc!.id,
      elements: [{ elementId: 'call-customer' }, { elementId: 'search-known-issues' }],
    };
    await send(activate, activate);
    await eventually(() => results.filter((result) => result.commandId === activate.commandId).length === 2, 'both answers to the activation');
    const answers = results.filter((result) => result.commandId === activate.commandId);
    expect(answers.map(({ outcome, commandType }) => ({ outcome, commandType }))).toEqual([
      { outcome: 'accepted', commandType: 'ActivateAdHocActivities' },
      { outcome: 'accepted', commandType: 'ActivateAdHocActivities' },
    ]);
    expect(answers[1]?.revision).toBe(answers[0]?.revision);
    await eventually(async () => (await active(id)).includes('call-customer'), 'the activated elements in the view');
    expect(await active(id)).toEqual(['call-customer', 'check-logs', 'investigate', 'search-known-issues']);
    const events = await store.readStream(`process-instance-${id}`);
    const activated = events.filter((event) => event.type === 'ElementActivated').map((event) => (event.data as { elementInstanceId: string }).elementInstanceId);
    const started = events
      .filter((event) => event.type === 'ElementActivating' && activated.includes((event.data as { elementInstanceId: string }).elementInstanceId))
      .map((event) => (event.data as { elementId: string }).elementId)
      .filter((elementId) => elementId === 'call-customer' || elementId === 'search-known-issues');
    expect(started).toEqual(['call-customer', 'search-known-issues']);

    // An element with an incoming flow cannot be started: rejected, nothing changed.
    const notStartable: RuntimeCommandMessage = { type: 'ActivateAdHocActivities', ...header(id), adHocSubProcessInstanceId: adHoc!.id, elements: [{ elementId: 'write-notes' }] };
    await send(notStartable);
    expect(await resultOf(notStartable.commandId)).toMatchObject({
      outcome: 'rejected',
      rejection: 'invalid-argument',
      detail: expect.stringContaining("'write-notes' is not an element of 'investigate' that can be started"),
    });
    // An element instance that is no ad-hoc sub-process of the instance.
    const unknown: RuntimeCommandMessage = { type: 'ActivateAdHocActivities', ...header(id), adHocSubProcessInstanceId: randomUUID(), elements: [{ elementId: 'check-logs' }] };
    await send(unknown);
    expect(await resultOf(unknown.commandId)).toMatchObject({ outcome: 'rejected', rejection: 'not-found' });
    expect((await store.readStream(`process-instance-${id}`)).length).toBe(events.length);

    // An empty list breaks the contract: not answered, dead-lettered with the field.
    const emptyCommandId = randomUUID();
    await bus.publish(topicName(TOPICS.runtimeCommands), [
      { key: id, value: JSON.stringify({ type: 'ActivateAdHocActivities', ...header(id, emptyCommandId), adHocSubProcessInstanceId: adHoc!.id, elements: [] }), headers: {} },
    ]);
    await eventually(() => deadLetters.some((letter) => letter.key === id), 'the empty activation in the dead-letter topic');
    expect(deadLetters.find((letter) => letter.key === id)).toMatchObject({
      reason: 'invalid-message',
      originalTopic: topicName(TOPICS.runtimeCommands),
      problems: [{ path: 'elements', message: expect.stringContaining('must be a list of 1 to 1000 elements') }],
    });
    expect(results.some((result) => result.commandId === emptyCommandId)).toBe(false);
  }, 120_000);
});
