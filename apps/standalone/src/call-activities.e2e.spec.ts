import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CallActivityCoordinator } from '@trellis/runtime';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const definitions = (content: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://example.org/call">
${content}
</bpmn:definitions>`;

/** order → ship (call activity, Camunda 8) → end */
const orderBpmn = definitions(`<bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ship" />
    <bpmn:callActivity id="ship"><bpmn:extensionElements><zeebe:calledElement processId="shipping" /></bpmn:extensionElements></bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="ship" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`);

/** shipping: start → pack (service task, job type pack) → end */
const shippingBpmn = definitions(`<bpmn:process id="shipping" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="g1" sourceRef="s" targetRef="pack" />
    <bpmn:serviceTask id="pack"><bpmn:extensionElements><zeebe:taskDefinition type="pack" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="g2" sourceRef="pack" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>`);

const exampleBpmn = readFileSync(new URL('../../../examples/call-activity-shipping.bpmn', import.meta.url), 'utf8');

describe('call activities', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
  });
  afterEach(async () => {
    await app.close();
  });

  const settled = () => app.get(CallActivityCoordinator).idle();
  const instance = async (id: string) => (await http.get(`/api/process-instances/${id}`).expect(200)).body;
  const childOf = async (parentId: string) => {
    await settled();
    const [job] = (await http.get('/api/jobs').query({ type: 'pack' }).expect(200)).body;
    expect(job).toBeDefined();
    const child = await instance(job.processInstanceId);
    expect(child).toEqual(expect.objectContaining({ processId: 'shipping', parentProcessInstanceId: parentId, state: 'ACTIVE' }));
    return { child, job };
  };

  it('starts the called process with the caller variables, and completes the call activity with the child variables', async () => {
    await deploy(app, ['order.bpmn', orderBpmn], ['shipping.bpmn', shippingBpmn]).expect(201);
    const parent = (await http.post('/api/process-instances').send({ processId: 'order', variables: { orderId: 'A-1' } }).expect(201)).body;
    const { child, job } = await childOf(parent.id);
    expect(child.variables).toEqual({ orderId: 'A-1' });
    expect(job.variables).toEqual({ orderId: 'A-1' });

    await http.post(`/api/jobs/${job.id}/complete`).send({ variables: { trackingNumber: 'T-9' } }).expect(200);
    await settled();
    expect((await instance(child.id)).state).toBe('COMPLETED');
    expect(await instance(parent.id)).toEqual(expect.objectContaining({ state: 'COMPLETED', variables: { orderId: 'A-1', trackingNumber: 'T-9' } }));
  });

  it('runs examples/call-activity-shipping.bpmn: the child sees the order, only the mapped tracking number comes back', async () => {
    await deploy(app, ['call-activity-shipping.bpmn', exampleBpmn]).expect(201);
    const parent = (await http.post('/api/process-instances').send({ processId: 'order-fulfilment', variables: { orderId: 'A-1' } }).expect(201)).body;
    const { child, job } = await childOf(parent.id);
    expect(child.variables).toEqual({ orderId: 'A-1' });
    await http.post(`/api/jobs/${job.id}/complete`).send({ variables: { trackingNumber: 'T-9', weight: 3 } }).expect(200);
    await settled();
    expect(await instance(parent.id)).toEqual(expect.objectContaining({ state: 'COMPLETED', variables: { orderId: 'A-1', tracking: 'T-9' } }));
  });

  it('cancelling the caller cancels the child; the child alone cannot be cancelled', async () => {
    await deploy(app, ['order.bpmn', orderBpmn], ['shipping.bpmn', shippingBpmn]).expect(201);
    const parent = (await http.post('/api/process-instances').send({ processId: 'order' }).expect(201)).body;
    const { child } = await childOf(parent.id);

    const refused = await http.post(`/api/process-instances/${child.id}/cancel`).expect(409);
    expect(refused.body).toEqual(expect.objectContaining({ details: { parentProcessInstanceId: parent.id } }));

    await http.post(`/api/process-instances/${parent.id}/cancel`).expect(200);
    await settled();
    expect((await instance(child.id)).state).toBe('TERMINATED');
    expect((await http.get('/api/jobs').query({ type: 'pack' }).expect(200)).body).toEqual([]);
  });

  it('raises an incident when the called process is not deployed, and calls it once deployed and the incident resolved', async () => {
    await deploy(app, ['order.bpmn', orderBpmn]).expect(201);
    const parent = (await http.post('/api/process-instances').send({ processId: 'order' }).expect(201)).body;
    await settled();
    const [incident] = (await instance(parent.id)).incidents;
    expect(incident).toEqual(expect.objectContaining({ type: 'CALLED_ELEMENT_ERROR', elementId: 'ship', message: expect.stringContaining("process 'shipping'") }));

    await deploy(app, ['shipping.bpmn', shippingBpmn]).expect(201);
    await http.post(`/api/incidents/${incident.id}/resolve`).send({}).expect(200);
    const { child } = await childOf(parent.id);
    expect(child.state).toBe('ACTIVE');
  });
});

describe('call activities across a restart', () => {
  it('a caller waiting for its child completes when the child completes after the server restarted', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trellis-call-'));
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });
    try {
      const first = await open();
      await deploy(first, ['order.bpmn', orderBpmn], ['shipping.bpmn', shippingBpmn]).expect(201);
      const parent = (await request(first.getHttpServer()).post('/api/process-instances').send({ processId: 'order', variables: { n: 1 } }).expect(201)).body;
      await first.get(CallActivityCoordinator).idle();
      await first.close();

      const second = await open();
      try {
        const http = request(second.getHttpServer());
        const [job] = (await http.get('/api/jobs').query({ type: 'pack' }).expect(200)).body;
        await http.post(`/api/jobs/${job.id}/complete`).send({ variables: { packed: true } }).expect(200);
        await second.get(CallActivityCoordinator).idle();
        const after = (await http.get(`/api/process-instances/${parent.id}`).expect(200)).body;
        expect(after).toEqual(expect.objectContaining({ state: 'COMPLETED', variables: { n: 1, packed: true } }));
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
