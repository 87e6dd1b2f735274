// The dmn-service as it runs: the app on real Postgres and the real Kafka broker, fed with the envelopes the
// deployment-service and the runtime publish (a deployment made by the real deployment handler, instances run by the
// real engine), on topics of the test's own. What it sends back is read from the commands topic by a group of its own.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DecisionEvaluated, type EventEnvelope, type RuntimeCommandMessage, eventMessageOf, validateDecisionEvaluated, validateRuntimeCommand } from '@trellis/contracts';
import { Deployments, approvalDmn, decisionTaskBpmn, riskDmn } from '@trellis/decisions/testing';
import { KafkaMessageBus, type MessageSubscription, asJson, silentMessagingLogger } from '@trellis/messaging';
import { Collected, kafkaBrokers, testTopics } from '@trellis/messaging/testing';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineInstance, compileProcess } from '@trellis/runtime/testing';
import request from 'supertest';

import { createDmnServiceApp } from './create-dmn-service-app.js';
import { loadDmnServiceSettings } from './dmn-service.settings.js';

const schema = uniqueSchema('dmn_service');
const topics = testTopics();
const groupId = `dmn-service-e2e.${randomUUID()}`;
let bus: KafkaMessageBus;
let app: INestApplication;
let http: ReturnType<typeof request>;
const subscriptions: MessageSubscription[] = [];
const commands = new Collected<RuntimeCommandMessage>();
const evaluations = new Collected<DecisionEvaluated>();
const deployments = new Deployments();

/** Waits for a condition on what the API answers; fails with the last answer. */
async function eventually<T>(read: () => Promise<T>, test: (value: T) => boolean, what: string, deadlineMs = 30_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const publishEvents = (envelopes: readonly EventEnvelope[]): Promise<void> => bus.publish(topics.processInstanceEvents, envelopes.map(eventMessageOf));

beforeAll(async () => {
  await requirePostgres();
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: 'dmn-service-e2e', logger: silentMessagingLogger });
  await bus.ensureTopics([
    { topic: topics.deployments, partitions: 1 },
    { topic: topics.processInstanceEvents, partitions: 3 },
    { topic: topics.runtimeCommands, partitions: 3 },
    { topic: topics.deadLetter, partitions: 1 },
    { topic: topics.decisionEvaluations, partitions: 3 },
  ]);
  const settings = loadDmnServiceSettings({
    TRELLIS_ENV: 'test',
    TRELLIS_LOG_LEVEL: 'silent',
    TRELLIS_POSTGRES_URL: postgresUrl,
    TRELLIS_KAFKA_BROKERS: kafkaBrokers.join(','),
    TRELLIS_KAFKA_CLIENT_ID: 'dmn-service-e2e',
    TRELLIS_DMN_SCHEMA: schema,
  });
  app = await createDmnServiceApp({ settings, topics, groupId });
  await app.listen(0, '127.0.0.1');
  http = request(app.getHttpServer());
  subscriptions.push(
    await bus.subscribe({
      topics: topics.runtimeCommands,
      groupId: `dmn-service-e2e.commands.${randomUUID()}`,
      fromBeginning: true,
      decode: asJson(validateRuntimeCommand),
      deadLetterTopic: `${topics.deadLetter}.reader`,
      handler: commands.handler,
    }),
    await bus.subscribe({
      topics: topics.decisionEvaluations,
      groupId: `dmn-service-e2e.evaluations.${randomUUID()}`,
      fromBeginning: true,
      decode: asJson(validateDecisionEvaluated),
      deadLetterTopic: `${topics.deadLetter}.reader`,
      handler: evaluations.handler,
    }),
  );
}, 90_000);

afterAll(async () => {
  await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
  await app?.close();
  await bus?.close();
  await dropSchema(schema);
}, 60_000);

describe('dmn-service', () => {
  it('serves the decisions of the deployments it reads: list, filters, one, its DMN', async () => {
    const first = await deployments.deploy(['check-order.bpmn', decisionTaskBpmn()], ['risk.dmn', riskDmn()], ['limit.dmn', riskDmn('limit', '1000')]);
    const second = await deployments.deploy(['risk.dmn', riskDmn('risk-check', '"low"')]);
    await bus.publish(topics.deployments, [eventMessageOf(first.envelope), eventMessageOf(second.envelope)]);

    const all = await eventually(
      () => http.get('/api/decision-definitions').then((response) => response.body),
      (page) => page.total === 3,
      'the three decision definitions',
    );
    expect(all.items.map((definition: { id: string }) => definition.id)).toEqual(['limit:1', 'risk-check:1', 'risk-check:2']);
    const latest = await http.get('/api/decision-definitions').query({ decisionId: 'risk-check', latest: 'true' }).expect(200);
    expect(latest.headers['content-type']).toBe('application/json');
    expect(latest.body).toEqual({
      items: [
        {
          id: 'risk-check:2',
          decisionId: 'risk-check',
          name: 'Decision risk-check',
          version: 2,
          decisionRequirementsId: 'drg-risk-check',
          decisionRequirementsName: 'Rules of risk-check',
          resourceName: 'risk.dmn',
          deploymentId: second.view.id,
          deployedAt: second.view.deployedAt,
        },
      ],
      total: 1,
      limit: 100,
      offset: 0,
    });
    const paged = await http.get('/api/decision-definitions').query({ version: 1, limit: 1, offset: 1 }).expect(200);
    expect(paged.body).toMatchObject({ items: [{ id: 'risk-check:1' }], total: 2, limit: 1, offset: 1 });

    expect((await http.get('/api/decision-definitions/limit:1').expect(200)).body).toMatchObject({ decisionId: 'limit', deploymentId: first.view.id });
    const xml = await http.get('/api/decision-definitions/risk-check:1/xml').expect(200);
    expect(xml.headers['content-type']).toContain('application/xml');
    expect(xml.text).toBe(riskDmn());
  });

  it('answers problems: 404 for an unknown definition, 400 for a bad filter', async () => {
    await eventually(() => http.get('/api/decision-definitions/limit:1').then((response) => response.status), (status) => status === 200, 'limit:1');
    for (const path of ['/api/decision-definitions/nope:1', '/api/decision-definitions/nope:1/xml']) {
      const missing = await http.get(path).expect(404);
      expect(missing.headers['content-type']).toBe('application/problem+json');
      expect(missing.body).toMatchObject({ type: 'urn:trellis:problem:not-found', detail: expect.stringContaining('nope:1') });
    }
    const badFilter = await http.get('/api/decision-definitions').query({ limit: 0, latest: 'maybe' }).expect(400);
    expect(badFilter.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['latest', 'limit']);
    await http.post('/api/decision-definitions/nope:1/evaluate').send({}).expect(404);
  });

  it('evaluates the decisions it stores: native, Camunda 7 and Camunda 8', async () => {
    const { envelope } = await deployments.deploy(['approval.dmn', approvalDmn()]);
    await bus.publish(topics.deployments, [eventMessageOf(envelope)]);
    await eventually(() => http.get('/api/decision-definitions/approval:1').then((response) => response.status), (status) => status === 200, 'approval:1');

    const native = await http.post('/api/decisions/approval/evaluate').send({ variables: { amount: 5000 } }).expect(200);
    expect(native.body).toMatchObject({
      decisionDefinitionId: 'approval:1',
      output: { approved: false, reason: 'needs review' },
      matchedRules: [{ ruleId: 'review-rest', ruleIndex: 2 }],
      evaluatedDecisions: [expect.objectContaining({ decisionId: 'risk-level', output: 'high' }), expect.objectContaining({ decisionId: 'approval' })],
    });
    const byDefinition = await http.post('/api/decision-definitions/limit:1/evaluate').send({}).expect(200);
    expect(byDefinition.body).toMatchObject({ output: 1000 });

    const camunda7 = await http.post('/engine-rest/decision-definition/key/discounts/evaluate').send({ variables: { tier: { value: 'gold', type: 'String' } } }).expect(200);
    expect(camunda7.body).toEqual([10, 5, 0].map((value) => ({ discount: { type: 'Integer', value, valueInfo: {} } })));
    const camunda8 = await http.post('/v2/decision-definitions/evaluation').send({ decisionDefinitionKey: 'risk-level:1', variables: { amount: 3 } }).expect(200);
    expect(camunda8.body).toMatchObject({ decisionDefinitionId: 'risk-level', decisionDefinitionVersion: 1, output: '"low"' });
    // Each evaluation is published to the decision evaluations topic, for the history, keyed by its decision id.
    await evaluations.until((items) => items.length >= 4, 'the four DecisionEvaluated');
    expect(evaluations.items.map(({ decisionId, inputs, output, failed }) => ({ decisionId, inputs, output, failed }))).toEqual([
      { decisionId: 'approval', inputs: { amount: 5000 }, output: { approved: false, reason: 'needs review' }, failed: false },
      { decisionId: 'limit', inputs: {}, output: 1000, failed: false },
      { decisionId: 'discounts', inputs: { tier: 'gold' }, output: [10, 5, 0], failed: false },
      { decisionId: 'risk-level', inputs: { amount: 3 }, output: 'low', failed: false },
    ]);
    expect(evaluations.items.every((evaluation) => evaluation.processInstanceId === undefined)).toBe(true);
  });

  it('answers the decision job of a business rule task with a CompleteJob carrying the result', async () => {
    await eventually(() => http.get('/api/decision-definitions/risk-check:2').then((response) => response.status), (status) => status === 200, 'risk-check:2');
    const instance = new EngineInstance(await compileProcess(decisionTaskBpmn('risk-check')));
    await publishEvents(instance.start({ amount: 1200 }));
    await commands.until((items) => items.some((command) => command.processInstanceId === instance.id), 'the CompleteJob of the decision job');

    const jobId = instance.job('check').id;
    expect(commands.items.filter((command) => command.processInstanceId === instance.id)).toEqual([
      {
        type: 'CompleteJob',
        commandId: `dmn-service:complete-decision-job:${jobId}`,
        processInstanceId: instance.id,
        issuedBy: 'dmn-service',
        issuedAt: expect.any(String),
        jobId,
        variables: { risk: 'low' },
      },
    ]);
  });

  it('is ready with its database and its consumer, and has the OpenAPI of its routes', async () => {
    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', details: { dmnConsumer: { status: 'up', state: 'consuming' }, [`postgres:${schema}`]: { status: 'up' } } });
    const openApi = await http.get('/docs-json').expect(200);
    expect(Object.keys(openApi.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/decision-definitions',
        '/api/decision-definitions/{id}',
        '/api/decision-definitions/{id}/xml',
        '/api/decision-definitions/{id}/evaluate',
        '/api/decisions/{decisionId}/evaluate',
      ]),
    );
  });
});
