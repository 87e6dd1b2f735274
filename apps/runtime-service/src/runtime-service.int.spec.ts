// Two runtime-service replicas, in-process, on one Postgres event store and the real Kafka broker, as the distributed
// mode scales the runtime out: commands for many instances arrive on the commands topic (topics of the test's own),
// a worker completes the jobs it learns of from the events the relay publishes, and the REST API takes commands on
// either replica. The deployment is made the way the deployment-service makes it: its handler appending to the shared
// store, after the replicas started.
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type EventEnvelope,
  type RuntimeCommandMessage,
  type RuntimeCommandResult,
  TOPICS,
  type TopicName,
  decodeRuntimeCommandResult,
  runtimeCommandMessageOf,
} from '@trellis/contracts';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { PostgresEventStore, type RecordedEvent } from '@trellis/event-store';
import { KafkaMessageBus, type MessageSubscription, asEventEnvelope, silentMessagingLogger } from '@trellis/messaging';
import { kafkaBrokers, testTopicName } from '@trellis/messaging/testing';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EventRelay } from '@trellis/relay';
import { RuntimeCommandConsumer } from '@trellis/runtime';
import request from 'supertest';

import { createRuntimeServiceApp } from './create-runtime-service-app.js';
import { loadRuntimeServiceSettings } from './runtime-service.settings.js';

const INSTANCES = 120;
const DEADLINE_MS = 60_000;
const run = randomUUID().slice(0, 8);
const eventsSchema = uniqueSchema('runtime_service_events');
const relaySchema = uniqueSchema('runtime_service_relay');
const topicName = (topic: TopicName): string => testTopicName(run, topic);
const groups = { runtime: `trellis-test.${run}.runtime-service`, results: `trellis-test.${run}.results`, worker: `trellis-test.${run}.worker` };

const oneTaskBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="scale-out-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="scale-out" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-work" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="scale-out-work" retries="3" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

let store: PostgresEventStore;
let bus: KafkaMessageBus;
const replicas: INestApplication[] = [];
const subscriptions: MessageSubscription[] = [];
const results: RuntimeCommandResult[] = [];
const envelopes: EventEnvelope[] = [];
const sent: RuntimeCommandMessage[] = [];
/** The instances whose jobs the worker completes (the REST test keeps its instance waiting at its job). */
const worked = new Set<string>();

const settings = loadRuntimeServiceSettings({
  TRELLIS_ENV: 'test',
  TRELLIS_LOG_LEVEL: 'silent',
  TRELLIS_POSTGRES_URL: postgresUrl,
  TRELLIS_EVENT_STORE_SCHEMA: eventsSchema,
  TRELLIS_RELAY_SCHEMA: relaySchema,
  TRELLIS_RELAY_NAME: `runtime-service-${run}`,
  TRELLIS_RELAY_TOPIC_PARTITIONS: '6',
  TRELLIS_KAFKA_BROKERS: kafkaBrokers.join(','),
  TRELLIS_KAFKA_CLIENT_ID: `runtime-service-test-${run}`,
  TRELLIS_SNAPSHOT_EVERY: '5',
});

const header = (processInstanceId: string, commandId: string = randomUUID()) => ({ commandId, processInstanceId, issuedBy: 'runtime-service-test', issuedAt: new Date().toISOString() });

async function send(...commands: RuntimeCommandMessage[]): Promise<void> {
  sent.push(...commands);
  await bus.publish(topicName(TOPICS.runtimeCommands), commands.map(runtimeCommandMessageOf));
}

async function eventually(test: () => boolean | Promise<boolean>, what: string, deadlineMs = DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const resultsOf = (commandId: string): RuntimeCommandResult[] => results.filter((result) => result.commandId === commandId);
const streamOf = (processInstanceId: string): Promise<RecordedEvent[]> => store.readStream(`process-instance-${processInstanceId}`);

beforeAll(async () => {
  await requirePostgres();
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: `runtime-service-test-${run}`, logger: silentMessagingLogger });
  // Replica A first: it creates the topics, takes the relay's leadership and joins the group; then replica B joins it.
  for (let i = 0; i < 2; i++) {
    const app = await createRuntimeServiceApp({ settings, topicName, groupId: groups.runtime });
    await app.listen(0, '127.0.0.1');
    // The consumer joins its group in the background (a fresh broker may not have the topics yet): wait until it
    // consumes, so that both replicas are in the group before the commands are sent.
    await app.get(RuntimeCommandConsumer, { strict: false }).start();
    replicas.push(app);
  }
  store = await PostgresEventStore.open({ connectionString: postgresUrl, schema: eventsSchema });

  subscriptions.push(
    await bus.subscribe({
      topics: topicName(TOPICS.runtimeCommandResults),
      groupId: groups.results,
      fromBeginning: true,
      decode: (message) => decodeRuntimeCommandResult(message.value),
      handler: (result: RuntimeCommandResult) => {
        results.push(result);
      },
      deadLetterTopic: topicName(TOPICS.deadLetter),
    }),
    // A worker: completes each job it learns of from the events topic. Its command id comes from the job id, so a
    // JobCreated delivered twice sends the same command, which the runtime answers without completing twice.
    await bus.subscribe({
      topics: topicName(TOPICS.processInstanceEvents),
      groupId: groups.worker,
      fromBeginning: true,
      decode: asEventEnvelope,
      handler: async (envelope: EventEnvelope) => {
        envelopes.push(envelope);
        if (envelope.type !== 'JobCreated' || envelope.processInstanceId === undefined || !worked.has(envelope.processInstanceId)) return;
        const jobId = (envelope.data as { jobId: string }).jobId;
        await send({ type: 'CompleteJob', ...header(envelope.processInstanceId, `complete-${jobId}`), jobId, variables: { doneBy: 'worker' } });
      },
      deadLetterTopic: topicName(TOPICS.deadLetter),
    }),
  );
  // The deployment-service's part: deploying appends to the shared store; the replicas were started before it.
  const deploying = new DefinitionRegistry(store);
  await deploying.reload();
  await new DeployResourcesHandler(store, deploying).execute(new DeployResourcesCommand([{ name: 'scale-out.bpmn', content: oneTaskBpmn }]));
}, 120_000);

afterAll(async () => {
  for (const subscription of subscriptions) await subscription.close();
  for (const app of replicas) await app.close();
  try {
    await bus?.deleteGroups(Object.values(groups));
    await bus?.deleteTopics(Object.values(TOPICS).map(topicName));
  } finally {
    await bus?.close();
    await store?.close();
    await dropSchema(eventsSchema);
    await dropSchema(relaySchema);
  }
}, 120_000);

describe('runtime-service, two replicas on one store and Kafka', () => {
  it('shares the commands between the replicas: every command answered accepted once per command id, every instance run to its end, no stream corrupt', async () => {
    const ids = Array.from({ length: INSTANCES }, () => randomUUID());
    for (const id of ids) worked.add(id);
    const starts = ids.map((id): RuntimeCommandMessage => ({ type: 'StartProcessInstance', ...header(id), processId: 'scale-out', variables: { n: id } }));
    await send(...starts);

    const completed = (id: string): boolean => envelopes.some((envelope) => envelope.processInstanceId === id && envelope.type === 'ProcessInstanceCompleted');
    await eventually(() => ids.every(completed), `${INSTANCES} instances completed on the events topic`);
    await eventually(() => sent.every((command) => resultsOf(command.commandId).length > 0), 'a result for every command sent');

    // Every command accepted, and every delivery of its result says the same: one decision per command id.
    const distinct = new Map<string, Set<string>>();
    for (const result of results) {
      const answers = distinct.get(result.commandId) ?? new Set<string>();
      answers.add(`${result.outcome}@${result.revision}`);
      distinct.set(result.commandId, answers);
    }
    const commandIds = new Set(sent.map((command) => command.commandId));
    expect(distinct.size).toBe(commandIds.size);
    expect([...distinct.values()].filter((answers) => answers.size !== 1)).toEqual([]);
    expect(results.filter((result) => result.outcome !== 'accepted')).toEqual([]);
    expect(commandIds.size).toBe(2 * INSTANCES);

    // Both replicas handled commands: the group split the partitions.
    const consumers = replicas.map((app) => app.get(RuntimeCommandConsumer, { strict: false }));
    const handled = consumers.map((consumer) => consumer.handled.accepted + consumer.handled.duplicate);
    expect(handled.every((count) => count > 0)).toBe(true);
    expect(handled[0]! + handled[1]!).toBeGreaterThanOrEqual(2 * INSTANCES);

    // Each stream: one start, one job completed, the end; contiguous revisions; each append carries its command id.
    for (const [i, id] of ids.entries()) {
      const events = await streamOf(id);
      expect(events.map((event) => event.revision)).toEqual(events.map((_, revision) => revision));
      expect(events.filter((event) => event.type === 'ProcessInstanceCreated')).toHaveLength(1);
      expect(events.filter((event) => event.type === 'JobCompleted')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('ProcessInstanceCompleted');
      const commandIdsInStream = [...new Set(events.map((event) => (event.metadata as { commandId?: string }).commandId))];
      const jobId = (events.find((event) => event.type === 'JobCreated')?.data as { jobId: string }).jobId;
      expect(commandIdsInStream).toEqual([starts[i]!.commandId, `complete-${jobId}`]);
      const accepted = resultsOf(`complete-${jobId}`)[0];
      expect(accepted?.revision).toBe(events.at(-1)?.revision);
    }

    // One relay published (the other stood by), each instance's events in order on the topic.
    const relays = replicas.map((app) => app.get(EventRelay, { strict: false }).status());
    expect(relays.map((status) => status.state).sort()).toEqual(['live', 'standby']);
    for (const id of ids) {
      const seen: number[] = [];
      for (const envelope of envelopes) if (envelope.processInstanceId === id && !seen.includes(envelope.revision)) seen.push(envelope.revision);
      expect(seen).toEqual(seen.map((_, revision) => revision));
    }
  }, 120_000);

  it('answers a start sent again accepted with its first revision, and starts no second instance', async () => {
    const id = randomUUID();
    const start: RuntimeCommandMessage = { type: 'StartProcessInstance', ...header(id), processDefinitionId: 'scale-out:1' };
    await send(start);
    await eventually(() => resultsOf(start.commandId).length === 1, 'the first result');
    const before = await streamOf(id);
    await send(start);
    await eventually(() => resultsOf(start.commandId).length === 2, 'the second result');

    expect(resultsOf(start.commandId).map((result) => [result.outcome, result.revision])).toEqual([
      ['accepted', resultsOf(start.commandId)[0]!.revision],
      ['accepted', resultsOf(start.commandId)[0]!.revision],
    ]);
    const after = await streamOf(id);
    expect(after.filter((event) => event.type === 'ProcessInstanceCreated')).toHaveLength(1);
    expect(after.slice(0, before.length)).toEqual(before);
  }, 60_000);

  it('takes REST commands for one instance on either replica at once, each applied (a lost race is decided again)', async () => {
    const [a, b] = replicas.map((app) => request(app.getHttpServer()));
    const started = await a!.post('/api/process-instances').send({ processId: 'scale-out', variables: { from: 'rest' } }).expect(201);
    const id = started.body.id as string;
    await eventually(async () => (await b!.get(`/api/process-instances/${id}`)).status === 200, 'replica B to see the instance');

    const writes = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a! : b!).put(`/api/process-instances/${id}/variables`).send({ variables: { [`v${i}`]: i } }));
    const answers = await Promise.all(writes);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));

    const expected = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`v${i}`, i]));
    await eventually(async () => {
      const views = await Promise.all([a!, b!].map((replica) => replica.get(`/api/process-instances/${id}`)));
      return views.every((view) => isDeepStrictEqual(view.body.variables, { from: 'rest', ...expected }));
    }, 'both replicas to show every variable');
    const events = await streamOf(id);
    // The start's own variables, then the twelve writes, each once.
    expect(events.filter((event) => event.type === 'VariablesSet')).toHaveLength(13);
    expect(events.map((event) => event.revision)).toEqual(events.map((_, revision) => revision));
    // This long a stream got snapshots (TRELLIS_SNAPSHOT_EVERY=5): the replica that loads it next starts from one.
    expect(await store.streamRevision(`snapshot-process-instance-${id}`)).toBeDefined();
  }, 60_000);

  it('fires a timer once, and starts each occurrence of a timer start event once, with both replicas scheduling (wall clock)', async () => {
    const timerModel = (processId: string, body: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="${processId}-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="${processId}" isExecutable="true">
${body}
    <bpmn:userTask id="review"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
    // A second after it starts, an instance moves on; twice, a second apart, the process starts itself.
    const shortWait = timerModel(
      'short-wait',
      `    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-wait" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="to-review" sourceRef="wait" targetRef="review" />`,
    );
    const ticking = timerModel(
      'ticking',
      `    <bpmn:startEvent id="tick"><bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R2/PT1S</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
    <bpmn:sequenceFlow id="to-review" sourceRef="tick" targetRef="review" />`,
    );
    const deploying = new DefinitionRegistry(store);
    await deploying.reload();
    await new DeployResourcesHandler(store, deploying).execute(
      new DeployResourcesCommand([
        { name: 'short-wait.bpmn', content: shortWait },
        { name: 'ticking.bpmn', content: ticking },
      ]),
    );

    const [a, b] = replicas.map((app) => request(app.getHttpServer()));
    const started = await a!.post('/api/process-instances').send({ processId: 'short-wait' }).expect(201);
    const id = started.body.id as string;
    expect(started.body.timers).toEqual([expect.objectContaining({ elementId: 'wait' })]);
    await eventually(async () => {
      const views = await Promise.all([a!, b!].map((replica) => replica.get(`/api/process-instances/${id}`)));
      return views.every((view) => view.body.activeElementInstances?.[0]?.elementId === 'review');
    }, 'both replicas to show the instance past its timer');
    expect((await streamOf(id)).filter((event) => event.type === 'TimerTriggered')).toHaveLength(1);

    const tickingInstances = async (replica: typeof a): Promise<{ id: string }[]> =>
      (await replica!.get('/api/process-instances').query({ processId: 'ticking' })).body.items;
    await eventually(async () => (await tickingInstances(a)).length === 2 && (await tickingInstances(b)).length === 2, 'two instances of the R2 timer start event');
    for (const instance of await tickingInstances(a)) {
      expect((await streamOf(instance.id)).filter((event) => event.type === 'ProcessInstanceCreated')).toHaveLength(1);
    }
  }, 60_000);

  it('runs each asynchronous continuation once, with both replicas running job executors (wall clock)', async () => {
    const asyncModel = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="async-step-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="async-step" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-prepare" sourceRef="start" targetRef="prepare" />
    <bpmn:task id="prepare" camunda:asyncBefore="true" camunda:asyncAfter="true" />
    <bpmn:sequenceFlow id="to-review" sourceRef="prepare" targetRef="review" />
    <bpmn:userTask id="review" />
  </bpmn:process>
</bpmn:definitions>`;
    const deploying = new DefinitionRegistry(store);
    await deploying.reload();
    await new DeployResourcesHandler(store, deploying).execute(new DeployResourcesCommand([{ name: 'async-step.bpmn', content: asyncModel }]));

    const http = replicas.map((app) => request(app.getHttpServer()));
    const ids: string[] = [];
    for (let index = 0; index < 10; index++) {
      const started = await http[index % 2]!.post('/api/process-instances').send({ processId: 'async-step' }).expect(201);
      ids.push(started.body.id as string);
    }
    await eventually(async () => {
      for (const replica of http) {
        for (const id of ids) {
          const view = await replica.get(`/api/process-instances/${id}`);
          if (view.body.activeElementInstances?.[0]?.elementId !== 'review') return false;
        }
      }
      return true;
    }, 'both replicas to show every instance past its two continuations');
    for (const id of ids) {
      expect((await streamOf(id)).filter((event) => event.type === 'AsyncContinuationExecuted')).toHaveLength(2);
    }
    expect((await http[0]!.get('/api/async-continuations').expect(200)).body).toEqual([]);
  }, 60_000);

  it('serves its own API only: no deployment endpoint, health and metrics of its parts', async () => {
    const a = request(replicas[0]!.getHttpServer());
    await a.post('/api/deployments').expect(404);
    const ready = await a.get('/health/ready').expect(200);
    expect(Object.keys(ready.body.details ?? ready.body.info ?? {})).toEqual(expect.arrayContaining(['eventStore', 'kafka', 'relay']));
    const metrics = await a.get('/metrics').expect(200);
    expect(metrics.text).toContain('trellis_runtime_commands_total{type="StartProcessInstance",outcome="accepted"}');
    expect(metrics.text).toContain(`trellis_relay_lag_events{relay="runtime-service-${run}"}`);
  }, 30_000);

  it('serves Camunda 7\'s /engine-rest over its runtime: a definition the deployment-service deployed, started by key, listed, its external task locked and completed across replicas', async () => {
    const b = request(replicas[1]!.getHttpServer());
    const definitions = await b.get('/engine-rest/process-definition').query({ key: 'scale-out' }).expect(200);
    expect(definitions.headers['content-type']).toBe('application/json');
    expect(definitions.body.map((definition: { id: string }) => definition.id)).toEqual(['scale-out:1']);
    const started = await b
      .post('/engine-rest/process-definition/key/scale-out/start')
      .send({ businessKey: `c7-${run}`, variables: { amount: { value: 5, type: 'Integer' } }, withVariablesInReturn: true })
      .expect(200);
    expect(started.body).toMatchObject({ definitionId: 'scale-out:1', businessKey: `c7-${run}`, ended: false, variables: { amount: { type: 'Integer', value: 5 } } });
    const listed = await b.get('/engine-rest/process-instance').query({ businessKey: `c7-${run}` }).expect(200);
    expect(listed.body.map((instance: { id: string }) => instance.id)).toEqual([started.body.id]);
    // Its task, locked through /engine-rest/external-task on one replica, is held on the other too (one lock store).
    const workerId = `c7-worker-${run}`;
    const fetched = await b
      .post('/engine-rest/external-task/fetchAndLock')
      .send({ workerId, maxTasks: 1, topics: [{ topicName: 'scale-out-work', lockDuration: 60_000, businessKey: `c7-${run}` }] })
      .expect(200);
    const [task] = fetched.body as { id: string; processInstanceId: string }[];
    expect(task).toMatchObject({ processInstanceId: started.body.id, topicName: 'scale-out-work', workerId, variables: { amount: { type: 'Integer', value: 5 } } });
    const a = request(replicas[0]!.getHttpServer());
    await eventually(async () => (await a.get(`/engine-rest/external-task/${task?.id}`)).status === 200, 'the task in the other replica’s views');
    expect((await a.post(`/engine-rest/external-task/${task?.id}/complete`).send({ workerId: 'someone-else' }).expect(400)).body).toEqual({
      type: 'RestException',
      message: `External Task ${task?.id} cannot be completed by worker 'someone-else'. It is locked by worker '${workerId}'.`,
    });
    await a.post(`/engine-rest/external-task/${task?.id}/complete`).send({ workerId, variables: { paid: { value: true, type: 'Boolean' } } }).expect(204);
    await eventually(async () => (await b.get(`/engine-rest/history/process-instance/${started.body.id}`)).body.state === 'COMPLETED', 'the instance completed');
    // Deployments are the deployment-service's: the gateway sends /engine-rest/deployment/create there.
    const create = await b.post('/engine-rest/deployment/create').expect(404);
    expect(create.body).toEqual({ type: 'InvalidRequestException', message: 'Cannot POST /engine-rest/deployment/create' });
  }, 30_000);
});
