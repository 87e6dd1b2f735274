import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CompleteJobCommandMessage,
  type DeadLetterEnvelope,
  type DecisionEvaluated,
  type EventEnvelope,
  type RuntimeCommandMessage,
  eventMessageOf,
  validateDecisionEvaluated,
  validateRuntimeCommand,
} from '@trellis/contracts';
import { KafkaMessageBus, type MessageSubscription, asDeadLetterEnvelope, asJson, silentMessagingLogger } from '@trellis/messaging';
import { Collected, kafkaBrokers, testTopics } from '@trellis/messaging/testing';
import { StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineInstance, compileProcess } from '@trellis/runtime/testing';
import type { DataSource } from 'typeorm';

import { DecisionDefinitionsProjection } from './decision-definitions.projection.js';
import { BusDecisionEvaluationLog } from './decision-evaluation-log.js';
import { DecisionEvaluator } from './decision-evaluator.js';
import { DecisionJobResponder } from './decision-job.responder.js';
import { DECISIONS_MIGRATIONS } from './decisions.migrations.js';
import { DmnMessagesConsumer } from './dmn-messages.consumer.js';
import { PostgresDecisionCatalog } from './postgres-decision-catalog.js';
import { Deployments, amountDmn, approvalDmn, camundaDecisionTaskBpmn, decisionTaskBpmn, riskDmn } from './testing.js';

// The decision-job answer through the real Kafka broker and Postgres: process-instance events of the real engine in,
// decisions evaluated by the real DMN engine, CompleteJob and FailJob commands out, read back from the commands topic by a consumer group of the test's own.
const schema = uniqueSchema('dmn_jobs');
const topics = testTopics();
const run = randomUUID().slice(0, 8);
let dataSource: DataSource;
let bus: KafkaMessageBus;
let consumer: DmnMessagesConsumer;
const subscriptions: MessageSubscription[] = [];
const commands = new Collected<RuntimeCommandMessage>();
const deadLetters = new Collected<DeadLetterEnvelope>();
const evaluations = new Collected<DecisionEvaluated>();
let catalog: PostgresDecisionCatalog;
/** The deployments stream the test publishes, revision after revision. */
const deployments = new Deployments();

const publishEvents = (envelopes: readonly EventEnvelope[]): Promise<void> => bus.publish(topics.processInstanceEvents, envelopes.map(eventMessageOf));
const commandsFor = (processInstanceId: string): RuntimeCommandMessage[] => commands.items.filter((command) => command.processInstanceId === processInstanceId);
const evaluationsOf = (processInstanceId: string): DecisionEvaluated[] => evaluations.items.filter((evaluation) => evaluation.processInstanceId === processInstanceId);

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
    { topic: topics.decisionEvaluations, partitions: 3 },
  ]);
  catalog = new PostgresDecisionCatalog(dataSource);
  consumer = new DmnMessagesConsumer({
    bus,
    groupId: `trellis-test.${run}.dmn-service`,
    topics,
    runner: new StreamProjectionRunner(dataSource, new DecisionDefinitionsProjection()),
    responder: new DecisionJobResponder({
      dataSource,
      evaluator: new DecisionEvaluator(catalog, undefined, new BusDecisionEvaluationLog(bus, topics.decisionEvaluations)),
      bus,
      runtimeCommandsTopic: topics.runtimeCommands,
    }),
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
      topics: topics.decisionEvaluations,
      groupId: `trellis-test.${run}.evaluations-reader`,
      fromBeginning: true,
      decode: asJson(validateDecisionEvaluated),
      deadLetterTopic: `${topics.deadLetter}.reader`,
      handler: evaluations.handler,
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
  const { envelope } = await deployments.deploy(['risk.dmn', riskDmn('risk-check')], ['approval.dmn', approvalDmn()]);
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
  it('evaluates the decision with the variables of the JobCreated and answers with a CompleteJob carrying the result', async () => {
    const instance = new EngineInstance(await compileProcess(camundaDecisionTaskBpmn('approval', 'singleResult')));
    await publishEvents(instance.start({ amount: 1200 }));
    await commands.until(() => commandsFor(instance.id).length >= 1, 'the CompleteJob of the decision job');

    const job = instance.job('check');
    expect(commandsFor(instance.id)).toEqual([
      {
        type: 'CompleteJob',
        commandId: `dmn-service:complete-decision-job:${job.id}`,
        processInstanceId: instance.id,
        issuedBy: 'dmn-service',
        issuedAt: expect.any(String),
        jobId: job.id,
        variables: { result: { approved: false, reason: 'needs review' } },
      },
    ]);
    // What the runtime does with it: the task completes with the result in the process variables.
    const [command] = commandsFor(instance.id) as CompleteJobCommandMessage[];
    instance.send({ type: 'CompleteJob', jobId: job.id, ...(command?.variables === undefined ? {} : { variables: command.variables }) });
    expect(instance.state.status).toBe('completed');
    expect(instance.state.variables[instance.id]).toEqual({ amount: 1200, result: { approved: false, reason: 'needs review' } });

    // The evaluation is published for the history: its inputs, output and matched rules, with the task's job.
    await evaluations.until(() => evaluationsOf(instance.id).length >= 1, 'the DecisionEvaluated of the decision job');
    expect(evaluationsOf(instance.id)).toEqual([
      {
        id: job.id,
        decisionId: 'approval',
        decisionDefinitionId: 'approval:1',
        version: 1,
        processInstanceId: instance.id,
        elementInstanceId: job.elementInstanceId,
        jobId: job.id,
        inputs: { amount: 1200 },
        output: { approved: false, reason: 'needs review' },
        matchedRules: [
          { decisionId: 'risk-level', matchedRules: [expect.objectContaining({ outputs: { risk: 'high' } })] },
          { decisionId: 'approval', matchedRules: [expect.objectContaining({ outputs: { approved: false, reason: 'needs review' } })] },
        ],
        evaluatedDecisions: ['risk-level', 'approval'],
        failed: false,
        evaluatedAt: expect.any(String),
      },
    ]);
  });

  it('fails the job with no retries, saying why, when the decision is not deployed; answers again once it is and the incident is resolved', async () => {
    const decisionId = `later-${run}`;
    const instance = new EngineInstance(await compileProcess(decisionTaskBpmn(decisionId)));
    const started = instance.start({ amount: 1 });
    await publishEvents(started);
    await commands.until(() => commandsFor(instance.id).length >= 1, 'the FailJob of the decision job');
    const jobId = instance.job('check').id;
    expect(commandsFor(instance.id)).toEqual([
      expect.objectContaining({
        type: 'FailJob',
        commandId: `dmn-service:fail-decision-job:${jobId}`,
        retries: 0,
        errorMessage: `decision '${decisionId}' is not deployed: deploy a DMN resource that defines it, then resolve this incident`,
      }),
    ]);
    // A relay that died before its checkpoint publishes the events again: the same command, handled once by the runtime.
    await publishEvents(started);
    await commands.until(() => commandsFor(instance.id).length >= 2, 'the FailJob of the redelivered event');
    expect(commandsFor(instance.id)[1]?.commandId).toBe(commandsFor(instance.id)[0]?.commandId);

    // The runtime fails the job (incident); the decision is deployed; the incident is resolved: the job is offered
    // again and evaluated with the variables its JobCreated carried.
    const failed = instance.send({ type: 'FailJob', jobId, retries: 0, errorMessage: 'not deployed' });
    const { envelope } = await deployments.deploy([`${decisionId}.dmn`, amountDmn(decisionId, 'amount + 41')]);
    await bus.publish(topics.deployments, [eventMessageOf(envelope)]);
    await eventually(() => catalog.isDeployed(decisionId), 'the late deployment');
    const incident = Object.values(instance.state.incidents)[0];
    if (incident === undefined) throw new Error('no incident');
    const resolved = instance.send({ type: 'ResolveIncident', incidentId: incident.id });
    await publishEvents([...failed, ...resolved]);
    await commands.until(() => commandsFor(instance.id).length >= 3, 'the CompleteJob of the job offered again');
    const retriesUpdated = resolved.find((event) => event.type === 'JobRetriesUpdated');
    expect(commandsFor(instance.id)[2]).toMatchObject({
      type: 'CompleteJob',
      jobId,
      commandId: `dmn-service:complete-decision-job:${jobId}:${retriesUpdated?.revision}`,
      variables: { risk: 42 },
    });
    // A decision not deployed was not evaluated: the one evaluation published is the re-offer's, its id derived from it.
    await evaluations.until(() => evaluationsOf(instance.id).length >= 1, 'the DecisionEvaluated of the job offered again');
    expect(evaluationsOf(instance.id)).toEqual([
      expect.objectContaining({ id: `${jobId}:${retriesUpdated?.revision}`, decisionId, jobId, inputs: { amount: 1 }, output: 42, failed: false }),
    ]);
  });

  it('forgets a decision job once it is completed', async () => {
    const instance = new EngineInstance(await compileProcess(decisionTaskBpmn('risk-check')));
    const started = instance.start();
    const jobId = instance.job('check').id;
    // A worker that took the decision job completed it before the dmn-service saw it.
    const completed = instance.send({ type: 'CompleteJob', jobId, variables: { risk: 'low' } });
    await publishEvents([...started, ...completed]);
    await commands.until(() => commandsFor(instance.id).length >= 1, 'the answer to the JobCreated');
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
    await commands.until(() => commandsFor(instance.id).length >= 1, 'the answer after the malformed event');
    expect(deadLetters.items.find((item) => item.key === key)).toMatchObject({ reason: 'invalid-message', originalTopic: topics.processInstanceEvents });
  });
});
