import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { memoryApp, orderProcessBpmn } from './testing/e2e.fixture.js';

/** The walk-through of the README, step by step, as a user runs it with curl. */
describe('README walk-through', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await memoryApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('deploys the order process, starts an order, approves it, and sees the instance end', async () => {
    const http = request(app.getHttpServer());

    const deployment = await http.post('/api/deployments').attach('resources', Buffer.from(orderProcessBpmn), 'order-process.bpmn').expect(201);
    expect(deployment.headers['content-type']).toBe('application/json');
    expect(deployment.body.processDefinitions).toEqual([
      expect.objectContaining({ id: 'order-process:1', processId: 'order-process', version: 1, name: 'Order process' }),
    ]);

    const started = await http
      .post('/api/process-instances')
      .send({ processId: 'order-process', businessKey: 'order-42', variables: { customer: 'ACME', items: ['bolt', 'nut'] } })
      .expect(201);
    expect(started.body).toEqual(
      expect.objectContaining({ processDefinitionId: 'order-process:1', businessKey: 'order-42', state: 'ACTIVE' }),
    );
    expect(started.body.activeElementInstances).toEqual([
      expect.objectContaining({ elementId: 'approve-order', elementType: 'userTask', state: 'ACTIVATED' }),
    ]);
    const instanceId: string = started.body.id;

    const tasks = await http.get('/api/user-tasks').query({ candidateGroup: 'sales', state: 'CREATED' }).expect(200);
    expect(tasks.body).toEqual([
      expect.objectContaining({
        elementId: 'approve-order',
        name: 'Approve order',
        processInstanceId: instanceId,
        candidateGroups: ['sales'],
        state: 'CREATED',
        variables: { customer: 'ACME', items: ['bolt', 'nut'] },
      }),
    ]);

    const completed = await http.post(`/api/user-tasks/${tasks.body[0].id}/complete`).send({ variables: { approved: true } }).expect(200);
    expect(completed.body.state).toBe('COMPLETED');

    const instance = await http.get(`/api/process-instances/${instanceId}`).expect(200);
    expect(instance.body).toEqual(
      expect.objectContaining({
        id: instanceId,
        state: 'COMPLETED',
        activeElementInstances: [],
        incidents: [],
        variables: { customer: 'ACME', items: ['bolt', 'nut'], approved: true, shipmentNote: 'Ship 2 items to ACME' },
      }),
    );
    expect(typeof instance.body.endedAt).toBe('string');
    expect((await http.get(`/api/user-tasks/${tasks.body[0].id}`).expect(200)).body.state).toBe('COMPLETED');
  });

  it('takes the default flow when the order is not approved', async () => {
    const http = request(app.getHttpServer());
    const started = await http.post('/api/process-instances').send({ processId: 'order-process', variables: { customer: 'Bob', items: [] } }).expect(201);
    const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: started.body.id }).expect(200)).body;
    const completed = await http.post(`/api/user-tasks/${task.id}/complete`).send({ variables: { approved: false } }).expect(200);
    expect(completed.body).toEqual(expect.objectContaining({ state: 'COMPLETED', variables: { customer: 'Bob', items: [], approved: false } }));
  });

  it('documents the API in OpenAPI at /docs-json and serves Swagger UI at /docs', async () => {
    const http = request(app.getHttpServer());
    const document = await http.get('/docs-json').expect(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/deployments',
        '/api/process-definitions',
        '/api/process-definitions/{id}',
        '/api/process-definitions/{id}/xml',
        '/api/process-instances',
        '/api/process-instances/{id}',
        '/api/process-instances/{id}/cancel',
        '/api/process-instances/{id}/variables',
        '/api/jobs',
        '/api/jobs/{id}/complete',
        '/api/jobs/{id}/fail',
        '/api/user-tasks',
        '/api/user-tasks/{id}',
        '/api/user-tasks/{id}/complete',
        '/api/incidents',
        '/api/incidents/{id}/resolve',
      ]),
    );
    expect(document.body.paths['/api/process-instances'].post.responses['400'].content['application/problem+json']).toBeDefined();
    expect(document.body.components.schemas.ProblemDetailsDto).toBeDefined();
    const ui = await http.get('/docs').expect(200);
    expect(ui.text).toContain('swagger');
  });
});
