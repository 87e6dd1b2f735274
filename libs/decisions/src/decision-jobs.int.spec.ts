import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type DeadLetterEnvelope,
  type EventEnvelope,
  type FailJobCommandMessage,
  type RuntimeCommandMessage,
  eventMessageOf,
  validateRuntimeCommand,
} from '@trellis/contracts';
import { KafkaMessageBus, type MessageSubscription, asDeadLetterEnvelope, asJson, silentMessagingLogger } from '@trellis/messaging';
import { Collected, kafkaBrokers, testTopics } from '@trellis/messaging/testing';
import { StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineInstance, compileProcess } from '@trellis/runtime/testing';
import type { DataSource } from 'typeorm';

import { DecisionDefinitionsProjection } from './decision-definitions.projection.js';
import { DecisionJobResponder } from './decision-job.responder.js';
import { DECISIONS_MIGRATIONS } from './decisions.migrations.js';
import { DmnMessagesConsumer } from './dmn-messages.consumer.js';
import { PostgresDecisionCatalog } from './postgres-decision-catalog.js';
import { Deployments, decisionTaskBpmn, riskDmn } from './testing.js';

// The decision-job answer through the real Kafka broker and Postgres: process-instance events of the real engine in,
// FailJob commands out, read back from the commands topic by a consumer group of the test's own.
const schema = uniqueSchema('dmn_jobs');
const topics = testTopics();
const run = randomUUID().slice(0, 8);
let dataSource: DataSource;
let bus: KafkaMessageBus;
let consumer: DmnMessagesConsumer;
const subscriptions: MessageSubscription[] = [];
const commands = new Collected<RuntimeCommandMessage>();
const deadLetters = new Collected<DeadLetterEnvelope>();
let catalog: PostgresDecisionCatalog;
/** The deployments stream the test publishes, revision after revision. */
const deployments = new Deployments();

const publishEvents = (envelopes: readonly EventEnvelope[]): Promise<void> => bus.publish(topics.processInstanceEvents, envelopes.map(eventMessageOf));
const commandsFor = (processInstanceId: string): RuntimeCommandMessage[] => commands.items.filter((command) => command.processInstanceId === processInstanceId);

async function eventually(check: () => Promise<boolean>, what: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: DECISIONS_MIGRATIONS });
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: `dmn-jobs-test-${run}`, logger: silentMessagingLogger });
  await bus.ensureTopics([
    { topic: topics.deployments, partitions: 1 },
    { topic: topics.processInstanceEvents, partitions: 3 },
    { topic: topics.runtimeCommands, partitions: 3 },
    { topic: topics.deadLetter, partitions: 1 },
  ]);
  catalog = new PostgresDecisionCatalog(dataSource);
  consumer = new DmnMessagesConsumer({
    bus,
    groupId: `trellis-test.${run}.dmn-service`,
    topics,
    runner: new StreamProjectionRunner(dataSource, new DecisionDefinitionsProjection()),
    responder: new DecisionJobResponder({ dataSource, catalog, bus, runtimeCommandsTopic: topics.runtimeCommands }),
  });
  await consumer.start();
  subscriptions.push(
    await bus.subscribe({
      topics: topics.runtimeCommands,
      groupId: `trellis-test.${run}.commands-reader`,
      fromBeginning: true,
      decode: asJson(validateRuntimeCommand),
      deadLetterTopic: `${topics.deadLetter}.reader`,
      handler: commands.handler,
    }),
    await bus.subscribe({
      topics: topics.deadLetter,
      groupId: `trellis-test.${run}.dead-letter-reader`,
      fromBeginning: true,
      decode: asDeadLetterEnvelope,
      deadLetterTopic: `${topics.deadLetter}.reader`,
      handler: deadLetters.handler,
    }),
  );
  const { envelope } = await deployments.deploy(['risk.dmn', riskDmn('risk-check')]);
  await bus.publish(topics.deployments, [eventMessageOf(envelope)]);
  await eventually(() => catalog.isDeployed('risk-check'), 'the deployment in the dmn-service store');
}, 90_000);

afterAll(async () => {
  await consumer?.stop();
  await Promise.all(subscriptions.map((subscription) => subscription.close()));
  await bus?.close();
  await dataSource?.destroy();
  await dropSchema(schema);
}, 60_000);

describe('decision jobs over Kafka', () => {
  it('answers the job of a deployed decision with a FailJob (no retries left): decision engine not available', async () => {
    const instance = new EngineInstance(await compileProcess(decisionTaskBpmn('risk-check')));
    await publishEvents(instance.start({ amount: 1200 }));
    await commands.until(() => commandsFor(instance.id).length >= 1, 'the FailJob of the decision job');

    const job = instance.job('check');
    expect(commandsFor(instance.id)).toEqual([
      {
        type: 'FailJob',
        commandId: `dmn-service:fail-decision-job:${job.id}`,
        processInstanceId: instance.id,
        issuedBy: 'dmn-service',
        issuedAt: expect.any(String),
        jobId: job.id,
        retries: 0,
        errorMessage: "decision engine not available: cannot evaluate decision 'risk-check' (the DMN engine comes with issue #8)",
      },
    ]);
    // What the runtime does with it: an incident on the task, which waits instead of hanging unnoticed.
    const [command] = commandsFor(instance.id) as FailJobCommandMessage[];
    instance.send({ type: 'FailJob', jobId: command?.jobId ?? '', retries: command?.retries ?? 1, ...(command?.errorMessage === undefined ? {} : { errorMessage: command.errorMessage }) });
    expect(Object.values(instance.state.incidents)).toEqual([
      expect.objectContaining({ type: 'JOB_NO_RETRIES', elementId: 'check', message: command?.errorMessage }),
    ]);
  });

  it('says that the decision is not deployed when no deployment defines it', async () => {
    const instance = new EngineInstance(await compileProcess(decisionTaskBpmn('never-deployed')));
    await publishEvents(instance.start());
    await commands.until(() => commandsFor(instance.id).length >= 1, 'the FailJob of the decision job');
    expect(commandsFor(instance.id)).toEqual([
      expect.objectContaining({
        type: 'FailJob',
        retries: 0,
        errorMessage: "decision 'never-deployed' is not deployed: deploy a DMN resource that defines it, then resolve this incident",
      }),
    ]);
  });

  it('sends the same command for a redelivered JobCreated, and answers again when the incident is resolved', async () => {
    const instance = new EngineInstance(await compileProcess(decisionTaskBpmn('risk-check')));
    const started = instance.start();
    await publishEvents(started);
    await commands.until(() => commandsFor(instance.id).length >= 1, 'the first FailJob');
    // A relay that died before its checkpoint publishes the events again.
    await publishEvents(started);
    await commands.until(() => commandsFor(instance.id).length >= 2, 'the FailJob of the redelivered event');
    const [first, again] = commandsFor(instance.id);
    expect(again?.commandId).toBe(first?.commandId);

    // The runtime fails the job (incident); the incident is resolved: the job is offered again and answered again.
    const jobId = instance.job('check').id;
    const failed = instance.send({ type: 'FailJob', jobId, retries: 0, errorMessage: 'decision engine not available' });
    const incident = Object.values(instance.state.incidents)[0];
    if (incident === undefined) throw new Error('no incident');
    const resolved = instance.send({ type: 'ResolveIncident', incidentId: incident.id });
    await publishEvents([...failed, ...resolved]);
    await commands.until(() => commandsFor(instance.id).length >= 3, 'the FailJob of the job offered again');
    const retriesUpdated = resolved.find((event) => event.type === 'JobRetriesUpdated');
    expect(commandsFor(instance.id)[2]).toMatchObject({ type: 'FailJob', jobId, retries: 0, commandId: `dmn-service:fail-decision-job:${jobId}:${retriesUpdated?.revision}` });
  });

  it('forgets a decision job once it is completed', async () => {
    const instance = new EngineInstance(await compileProcess(decisionTaskBpmn('risk-check')));
    const started = instance.start();
    const jobId = instance.job('check').id;
    // A worker that took the decision job completed it before the dmn-service saw it.
    const completed = instance.send({ type: 'CompleteJob', jobId, variables: { risk: 'low' } });
    await publishEvents([...started, ...completed]);
    await commands.until(() => commandsFor(instance.id).length >= 1, 'the FailJob of the JobCreated');
    await eventually(async () => {
      const rows: unknown[] = await dataSource.query('SELECT 1 FROM decision_jobs WHERE job_id = $1', [jobId]);
      return rows.length === 0;
    }, 'the completed decision job forgotten');
    expect(instance.state.status).toBe('completed');
  });

  it('stores deployments published together, in order', async () => {
    const ids = Array.from({ length: 5 }, (_, n) => `batch-${run}-${n}`);
    const envelopes: EventEnvelope[] = [];
    for (const id of ids) envelopes.push((await deployments.deploy([`${id}.dmn`, riskDmn(id)])).envelope);

    await bus.publish(topics.deployments, envelopes.map(eventMessageOf));

    await eventually(async () => (await Promise.all(ids.map((id) => catalog.isDeployed(id)))).every(Boolean), 'the five deployments in the dmn-service store');
  });

  it('sends a malformed event to the dead-letter topic and goes on', async () => {
    const key = `pi-${randomUUID()}`;
    await bus.publish(topics.processInstanceEvents, [{ key, value: '{"type": "JobCreated"' }]);
    const instance = new EngineInstance(await compileProcess(decisionTaskBpmn('risk-check')));
    await publishEvents(instance.start());
    await deadLetters.until((items) => items.some((item) => item.key === key), 'the dead letter');
    await commands.until(() => commandsFor(instance.id).length >= 1, 'the FailJob after the malformed event');
    expect(deadLetters.items.find((item) => item.key === key)).toMatchObject({ reason: 'invalid-message', originalTopic: topics.processInstanceEvents });
  });
});
