import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DEPLOYMENTS_STREAM } from '@trellis/deployment';
import { EVENT_STORE } from '@trellis/platform';
import type { EventStore } from '@trellis/event-store';
import request from 'supertest';

import { brokenBpmn, deploy, memoryApp, oneTaskBpmn, orderProcessBpmn } from './testing/e2e.fixture.js';

describe('deployments and process definitions', () => {
  let app: INestApplication;
  beforeEach(async () => {
    app = await memoryApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('deploys several resources at once under a name, with one definition per process', async () => {
    const response = await deploy(app, ['order-process.bpmn', orderProcessBpmn], ['one-task.bpmn', oneTaskBpmn])
      .field('name', 'first release')
      .expect(201);

    expect(response.body).toEqual({
      id: expect.any(String),
      name: 'first release',
      deployedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      resources: [
        { name: 'order-process.bpmn', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
        { name: 'one-task.bpmn', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ],
      processDefinitions: [
        { id: 'order-process:1', processId: 'order-process', name: 'Order process', version: 1, resourceName: 'order-process.bpmn', deploymentId: response.body.id },
        { id: 'one-task:1', processId: 'one-task', name: 'One task', version: 1, resourceName: 'one-task.bpmn', deploymentId: response.body.id },
      ],
    });
  });

  it('accepts any file field name', async () => {
    const response = await request(app.getHttpServer())
      .post('/api/deployments')
      .attach('file', Buffer.from(oneTaskBpmn), 'one-task.bpmn')
      .expect(201);
    expect(response.body.processDefinitions[0].id).toBe('one-task:1');
  });

  it('counts versions per process id, keeps the version of unchanged content, and starts the latest', async () => {
    const http = request(app.getHttpServer());
    await deploy(app, ['one-task.bpmn', oneTaskBpmn]).expect(201);
    const changed = oneTaskBpmn.replace('name="Do the work"', 'name="Do the work well"');
    const second = await deploy(app, ['one-task.bpmn', changed]).expect(201);
    const duplicate = await deploy(app, ['one-task.bpmn', changed]).expect(201);

    expect(second.body.processDefinitions[0]).toEqual(expect.objectContaining({ id: 'one-task:2', version: 2 }));
    expect(duplicate.body.processDefinitions).toEqual(second.body.processDefinitions);

    const all = await http.get('/api/process-definitions').query({ processId: 'one-task' }).expect(200);
    expect(all.body.map((definition: { id: string }) => definition.id)).toEqual(['one-task:1', 'one-task:2']);
    const latest = await http.get('/api/process-definitions').query({ latest: 'true' }).expect(200);
    expect(latest.body.map((definition: { id: string }) => definition.id)).toEqual(['one-task:2']);

    const byProcessId = await http.post('/api/process-instances').send({ processId: 'one-task' }).expect(201);
    expect(byProcessId.body).toEqual(expect.objectContaining({ processDefinitionId: 'one-task:2', version: 2 }));
    const byDefinition = await http.post('/api/process-instances').send({ processDefinitionId: 'one-task:1' }).expect(201);
    expect(byDefinition.body).toEqual(expect.objectContaining({ processDefinitionId: 'one-task:1', version: 1 }));
  });

  it('serves one definition and its XML exactly as deployed', async () => {
    const http = request(app.getHttpServer());
    await deploy(app, ['order-process.bpmn', orderProcessBpmn]).expect(201);

    const definition = await http.get('/api/process-definitions/order-process:1').expect(200);
    expect(definition.body).toEqual(expect.objectContaining({ id: 'order-process:1', resourceName: 'order-process.bpmn' }));
    const xml = await http.get('/api/process-definitions/order-process:1/xml').expect(200);
    expect(xml.headers['content-type']).toMatch(/^application\/xml/);
    expect(xml.text).toBe(orderProcessBpmn);
  });

  it('rejects a deployment with BPMN problems as problem+json naming elements and lines, and stores nothing', async () => {
    const http = request(app.getHttpServer());
    await deploy(app, ['one-task.bpmn', oneTaskBpmn]).expect(201);
    const store = app.get<EventStore>(EVENT_STORE);
    const deploymentsBefore = await store.readStream(DEPLOYMENTS_STREAM);

    const response = await deploy(app, ['order-process.bpmn', orderProcessBpmn], ['broken.bpmn', brokenBpmn]).expect(400);

    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual(
      expect.objectContaining({ type: 'urn:trellis:problem:invalid-bpmn', title: 'Invalid deployment', status: 400, instance: '/api/deployments' }),
    );
    expect(response.body.detail).toContain('nothing was deployed');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'broken.bpmn', elementId: 'dead-end', code: 'GATEWAY_WITHOUT_OUTGOING', line: 6 }),
        expect.objectContaining({ resource: 'broken.bpmn', elementId: 'to-nowhere', code: 'MISSING_FLOW_TARGET', line: 8 }),
      ]),
    );
    for (const error of response.body.errors) expect(error.message).toEqual(expect.any(String));

    expect(await store.readStream(DEPLOYMENTS_STREAM)).toEqual(deploymentsBefore);
    const definitions = await http.get('/api/process-definitions').expect(200);
    expect(definitions.body.map((definition: { id: string }) => definition.id)).toEqual(['one-task:1']);
  });

  it('rejects XML that is not well-formed with its line', async () => {
    const response = await deploy(app, ['bad.bpmn', '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">\n  <oops>\n</bpmn:definitions>']).expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ resource: 'bad.bpmn', line: expect.any(Number) })]);
  });

  it('refuses files that are not BPMN resources', async () => {
    const response = await deploy(app, ['notes.txt', 'hello']).expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ resource: 'notes.txt', code: 'NOT_SUPPORTED' })]);
  });

  it('answers 400 to a deployment without files', async () => {
    const multipartWithoutFiles = await request(app.getHttpServer()).post('/api/deployments').field('name', 'empty').expect(400);
    expect(multipartWithoutFiles.headers['content-type']).toBe('application/problem+json');
    expect(multipartWithoutFiles.body.errors).toEqual([{ field: 'resources', message: 'at least one file is required' }]);

    const json = await request(app.getHttpServer()).post('/api/deployments').send({}).expect(400);
    expect(json.body.errors).toEqual([{ field: 'resources', message: 'at least one file is required' }]);
  });

  it('answers 404 problems for unknown definitions', async () => {
    const http = request(app.getHttpServer());
    for (const path of ['/api/process-definitions/nope:1', '/api/process-definitions/nope:1/xml']) {
      const response = await http.get(path).expect(404);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toEqual(
        expect.objectContaining({ type: 'urn:trellis:problem:not-found', status: 404, detail: expect.stringContaining('nope:1') }),
      );
    }
  });

  it('validates the definition list query', async () => {
    const response = await request(app.getHttpServer()).get('/api/process-definitions').query({ latest: 'maybe', colour: 'red' }).expect(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'latest' }),
        expect.objectContaining({ field: 'colour', message: 'property colour should not exist' }),
      ]),
    );
  });
});
