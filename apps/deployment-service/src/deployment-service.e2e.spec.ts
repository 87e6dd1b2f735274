// The deployment-service as it runs: the app on the Postgres event store and the real Kafka broker (topics of the
// test's own), deploying over HTTP, and what its relay publishes read back from the deployments topic.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type EventEnvelope, type TopicName, TOPICS } from '@trellis/contracts';
import { decisionTaskBpmn, riskDmn } from '@trellis/decisions/testing';
import { KafkaMessageBus, type MessageSubscription, asEventEnvelope, silentMessagingLogger } from '@trellis/messaging';
import { Collected, kafkaBrokers, testTopicName } from '@trellis/messaging/testing';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import request from 'supertest';

import { createDeploymentServiceApp } from './create-deployment-service-app.js';
import { loadDeploymentServiceSettings } from './deployment-service.settings.js';

const run = randomUUID().slice(0, 8);
const eventsSchema = uniqueSchema('deployment_service_events');
const relaySchema = uniqueSchema('deployment_service_relay');
const topicName = (topic: TopicName): string => testTopicName(run, topic);
const approvalForm = JSON.stringify({ id: 'approval', type: 'default', components: [{ type: 'checkbox', key: 'approved', label: 'Approved' }] });

let app: INestApplication;
let http: ReturnType<typeof request>;
let bus: KafkaMessageBus;
const subscriptions: MessageSubscription[] = [];
const published = new Collected<EventEnvelope>();

function deploy(...resources: readonly (readonly [name: string, content: string])[]): request.Test {
  let test = http.post('/api/deployments');
  for (const [name, content] of resources) test = test.attach('resources', Buffer.from(content, 'utf8'), name);
  return test;
}

beforeAll(async () => {
  await requirePostgres();
  const settings = loadDeploymentServiceSettings({
    TRELLIS_ENV: 'test',
    TRELLIS_LOG_LEVEL: 'silent',
    TRELLIS_POSTGRES_URL: postgresUrl,
    TRELLIS_EVENT_STORE_SCHEMA: eventsSchema,
    TRELLIS_RELAY_SCHEMA: relaySchema,
    TRELLIS_RELAY_NAME: `deployment-service-${run}`,
    TRELLIS_RELAY_TOPIC_PARTITIONS: '3',
    TRELLIS_KAFKA_BROKERS: kafkaBrokers.join(','),
    TRELLIS_KAFKA_CLIENT_ID: `deployment-service-test-${run}`,
  });
  expect(settings.TRELLIS_EVENT_STORE).toBe('postgres');
  app = await createDeploymentServiceApp({ settings, topicName });
  await app.listen(0, '127.0.0.1');
  http = request(app.getHttpServer());
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: `deployment-service-reader-${run}`, logger: silentMessagingLogger });
  await bus.ensureTopics([{ topic: topicName(TOPICS.deployments), partitions: 1 }]);
  subscriptions.push(
    await bus.subscribe({
      topics: topicName(TOPICS.deployments),
      groupId: testTopicName(run, 'deployments-reader'),
      fromBeginning: true,
      decode: asEventEnvelope,
      deadLetterTopic: topicName(TOPICS.deadLetter),
      handler: published.handler,
    }),
  );
}, 90_000);

afterAll(async () => {
  await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
  await bus?.close();
  await app?.close();
  await dropSchema(eventsSchema);
  await dropSchema(relaySchema);
}, 60_000);

describe('deployment-service', () => {
  it('deploys BPMN, DMN and form resources at once and publishes the deployment on the deployments topic', async () => {
    const response = await deploy(['check-order.bpmn', decisionTaskBpmn()], ['risk.dmn', riskDmn()], ['approval.form', approvalForm])
      .field('name', 'release 1')
      .expect(201);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toEqual({
      id: expect.any(String),
      name: 'release 1',
      deployedAt: expect.any(String),
      resources: [
        { name: 'check-order.bpmn', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { name: 'risk.dmn', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { name: 'approval.form', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ],
      processDefinitions: [expect.objectContaining({ id: 'check-order:1', resourceName: 'check-order.bpmn' })],
      decisionDefinitions: [expect.objectContaining({ id: 'risk-check:1', decisionId: 'risk-check', version: 1, resourceName: 'risk.dmn' })],
      formDefinitions: [{ id: 'approval:1', formId: 'approval', version: 1, resourceName: 'approval.form', deploymentId: response.body.id }],
    });

    await published.until((items) => items.length >= 1, 'the deployment on the deployments topic');
    const [envelope] = published.items;
    expect(envelope).toMatchObject({ type: 'DeploymentCreated', streamId: 'deployments', revision: 0 });
    expect(envelope?.data).toMatchObject({
      deploymentId: response.body.id,
      resources: [
        { name: 'check-order.bpmn', kind: 'bpmn', xml: decisionTaskBpmn() },
        { name: 'risk.dmn', kind: 'dmn', xml: riskDmn() },
        { name: 'approval.form', kind: 'form', xml: approvalForm },
      ],
      processDefinitions: response.body.processDefinitions,
      decisionDefinitions: response.body.decisionDefinitions,
      formDefinitions: response.body.formDefinitions,
    });
  });

  it('refuses the whole deployment when one resource is broken, naming it, and publishes nothing of it', async () => {
    const rejected = await deploy(['other.bpmn', decisionTaskBpmn('other')], ['broken.dmn', riskDmn('broken').replace('</decision>', '')]).expect(400);
    expect(rejected.headers['content-type']).toBe('application/problem+json');
    expect(rejected.body.errors).toEqual([expect.objectContaining({ resource: 'broken.dmn', code: 'NOT_WELL_FORMED', line: expect.any(Number) })]);

    const definitions = await http.get('/api/process-definitions').expect(200);
    expect(definitions.body.map((definition: { id: string }) => definition.id)).toEqual(['check-order:1']);
    // The next deployment is the next event of the stream: the refused one left nothing between them.
    const next = await deploy(['risk.dmn', riskDmn('risk-check', '"low"')]).expect(201);
    await published.until((items) => items.some((item) => (item.data as { deploymentId?: string }).deploymentId === next.body.id), 'the next deployment');
    expect(published.items.map((item) => item.revision)).toEqual([0, 1]);
    expect(next.body.decisionDefinitions).toEqual([expect.objectContaining({ id: 'risk-check:2', version: 2 })]);
  });

  it('serves the process definitions and their BPMN', async () => {
    const definition = await http.get('/api/process-definitions/check-order:1').expect(200);
    expect(definition.body).toMatchObject({ processId: 'check-order', version: 1 });
    const xml = await http.get('/api/process-definitions/check-order:1/xml').expect(200);
    expect(xml.text).toBe(decisionTaskBpmn());
  });

  it('is ready with its event store and relay, and has the OpenAPI of its routes', async () => {
    const ready = await http.get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({ eventStore: { status: 'up' }, relay: { status: 'up' } });
    const openApi = await http.get('/docs-json').expect(200);
    expect(Object.keys(openApi.body.paths)).toEqual(
      expect.arrayContaining(['/api/deployments', '/api/process-definitions', '/api/process-definitions/{id}', '/api/process-definitions/{id}/xml']),
    );
  });

  it('takes Camunda Modeler\'s deployment at /engine-rest/deployment/create and answers in Camunda\'s shape', async () => {
    const bpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="modeler" targetNamespace="http://example.org/modeler">
  <bpmn:process id="modeler-check" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
    const response = await http
      .post('/engine-rest/deployment/create')
      .field('deployment-name', 'modeler')
      .field('deployment-source', 'Camunda Modeler')
      .field('enable-duplicate-filtering', 'true')
      .attach('modeler-check.bpmn', Buffer.from(bpmn, 'utf8'), 'modeler-check.bpmn')
      .expect(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toMatchObject({ name: 'modeler', source: 'Camunda Modeler', tenantId: null, deployedCaseDefinitions: null });
    expect(response.body.deployedProcessDefinitions['modeler-check:1']).toMatchObject({ key: 'modeler-check', version: 1, deploymentId: response.body.id });
    const broken = await http.post('/engine-rest/deployment/create').attach('broken.bpmn', Buffer.from('<bpmn:definitions', 'utf8'), 'broken.bpmn').expect(400);
    expect(broken.body.type).toBe('ParseException');
  });
});
