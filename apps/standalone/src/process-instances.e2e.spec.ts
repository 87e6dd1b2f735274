import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { deploy, memoryApp, oneTaskBpmn, orderProcessBpmn } from './testing/e2e.fixture.js';

describe('process instances', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
    await deploy(app, ['order-process.bpmn', orderProcessBpmn], ['one-task.bpmn', oneTaskBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  it('lists instances filtered by process id, state and business key, with paging', async () => {
    const ids: string[] = [];
    for (const key of ['a', 'b', 'c']) {
      ids.push((await http.post('/api/process-instances').send({ processId: 'order-process', businessKey: key }).expect(201)).body.id);
    }
    await http.post('/api/process-instances').send({ processId: 'one-task' }).expect(201);
    await http.post(`/api/process-instances/${ids[0]}/cancel`).expect(200);

    const page = await http.get('/api/process-instances').query({ processId: 'order-process', limit: 2, offset: 1 }).expect(200);
    expect(page.body.total).toBe(3);
    expect(page.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1], ids[2]]);
    const terminated = await http.get('/api/process-instances').query({ state: 'TERMINATED' }).expect(200);
    expect(terminated.body).toEqual({ items: [expect.objectContaining({ id: ids[0], state: 'TERMINATED' })], total: 1 });
    const byKey = await http.get('/api/process-instances').query({ businessKey: 'c' }).expect(200);
    expect(byKey.body.items.map((item: { id: string }) => item.id)).toEqual([ids[2]]);
    expect((await http.get('/api/process-instances').expect(200)).body.total).toBe(4);
  });

  it('cancels an instance: it ends TERMINATED, its task is cancelled, and it cannot be cancelled twice', async () => {
    const started = await http.post('/api/process-instances').send({ processId: 'order-process' }).expect(201);
    const cancelled = await http.post(`/api/process-instances/${started.body.id}/cancel`).expect(200);

    expect(cancelled.body).toEqual(expect.objectContaining({ state: 'TERMINATED', activeElementInstances: [], endedAt: expect.any(String) }));
    expect((await http.get('/api/user-tasks').query({ state: 'CREATED' }).expect(200)).body).toEqual([]);
    const again = await http.post(`/api/process-instances/${started.body.id}/cancel`).expect(409);
    expect(again.headers['content-type']).toBe('application/problem+json');
    expect(again.body).toEqual(expect.objectContaining({ type: 'urn:trellis:problem:invalid-state', status: 409 }));
  });

  it('sets variables on a running instance', async () => {
    const started = await http.post('/api/process-instances').send({ processId: 'order-process', variables: { customer: 'Ada' } }).expect(201);
    const updated = await http.put(`/api/process-instances/${started.body.id}/variables`).send({ variables: { customer: 'Grace', rush: true } }).expect(200);
    expect(updated.body.variables).toEqual({ customer: 'Grace', rush: true });
    expect((await http.get(`/api/process-instances/${started.body.id}`).expect(200)).body.variables).toEqual({ customer: 'Grace', rush: true });
  });

  it('names each invalid field in a problem+json 400', async () => {
    const response = await http
      .post('/api/process-instances')
      .send({ processId: 'order-process', variables: ['not', 'an', 'object'], businessKey: 42, colour: 'red' })
      .expect(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual(
      expect.objectContaining({ type: 'urn:trellis:problem:validation', title: 'Invalid request', status: 400, instance: '/api/process-instances' }),
    );
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'variables', message: 'variables must be a JSON object' },
        expect.objectContaining({ field: 'businessKey' }),
        { field: 'colour', message: 'property colour should not exist' },
      ]),
    );
    expect(response.body.detail).toContain('variables must be a JSON object');
  });

  it('needs a process id or a definition id, not both', async () => {
    const neither = await http.post('/api/process-instances').send({ variables: {} }).expect(400);
    expect(neither.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'processId' })]));
    const both = await http.post('/api/process-instances').send({ processId: 'one-task', processDefinitionId: 'one-task:1' }).expect(400);
    expect(both.body.errors).toEqual([expect.objectContaining({ field: 'processDefinitionId' })]);
  });

  it('validates variables of every command', async () => {
    const started = await http.post('/api/process-instances').send({ processId: 'order-process' }).expect(201);
    const [task] = (await http.get('/api/user-tasks').expect(200)).body;
    const onTask = await http.post(`/api/user-tasks/${task.id}/complete`).send({ variables: 'approved' }).expect(400);
    expect(onTask.body.errors).toEqual([{ field: 'variables', message: 'variables must be a JSON object' }]);
    const missing = await http.put(`/api/process-instances/${started.body.id}/variables`).send({}).expect(400);
    expect(missing.body.errors).toEqual([{ field: 'variables', message: 'variables must be a JSON object' }]);
  });

  it('answers 400 problem+json to a malformed JSON body', async () => {
    const response = await http.post('/api/process-instances').set('Content-Type', 'application/json').send('{"processId": ').expect(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual(expect.objectContaining({ type: 'urn:trellis:problem:malformed-request', status: 400, title: 'Malformed JSON' }));
  });

  it('answers 415 problem+json to a JSON body sent without Content-Type: application/json, instead of misreading it', async () => {
    // What `curl -d '{...}'` without `-H 'Content-Type: application/json'` sends: a form, whose one field is the JSON.
    const form = await http.post('/api/process-instances').set('Content-Type', 'application/x-www-form-urlencoded').send('{"processId":"order-process"}').expect(415);
    expect(form.headers['content-type']).toBe('application/problem+json');
    expect(form.body).toEqual({
      type: 'urn:trellis:problem:unsupported-media-type',
      title: 'Unsupported media type',
      status: 415,
      detail:
        'The request body must be sent with Content-Type: application/json (multipart/form-data for file uploads); ' +
        'this one has Content-Type: application/x-www-form-urlencoded',
      instance: '/api/process-instances',
    });
    const text = await http.post('/api/process-instances').set('Content-Type', 'text/plain').send('{"processId":"order-process"}').expect(415);
    expect(text.body.detail).toContain('this one has Content-Type: text/plain');
    expect((await http.get('/api/process-instances').query({ state: 'ACTIVE' }).expect(200)).body.total).toBe(0);
    // A charset parameter, or a body-less command, is fine.
    await http.post('/api/process-instances').set('Content-Type', 'application/json; charset=utf-8').send('{"processId":"order-process"}').expect(201);
  });

  it('answers 404 problem+json to unknown instances, definitions, tasks and routes', async () => {
    const unknownInstance = await http.get('/api/process-instances/nope').expect(404);
    expect(unknownInstance.headers['content-type']).toBe('application/problem+json');
    expect(unknownInstance.body).toEqual(expect.objectContaining({ status: 404, details: { processInstanceId: 'nope' } }));
    await http.post('/api/process-instances/nope/cancel').expect(404);
    await http.put('/api/process-instances/nope/variables').send({ variables: {} }).expect(404);
    await http.get('/api/user-tasks/nope').expect(404);
    await http.post('/api/user-tasks/nope/complete').send({}).expect(404);

    const unknownProcess = await http.post('/api/process-instances').send({ processId: 'nope' }).expect(404);
    expect(unknownProcess.body.detail).toContain('nope');
    await http.post('/api/process-instances').send({ processDefinitionId: 'order-process:9' }).expect(404);

    for (const path of ['/api/nothing-here', '/nothing-here']) {
      const route = await http.get(path).expect(404);
      expect(route.headers['content-type']).toBe('application/problem+json');
      expect(route.body).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: `Cannot GET ${path}`, instance: path });
    }
  });

  it('refuses to complete a user task twice', async () => {
    await http.post('/api/process-instances').send({ processId: 'order-process' }).expect(201);
    const [task] = (await http.get('/api/user-tasks').expect(200)).body;
    await http.post(`/api/user-tasks/${task.id}/complete`).send({ variables: { approved: false } }).expect(200);
    const again = await http.post(`/api/user-tasks/${task.id}/complete`).send({}).expect(409);
    expect(again.headers['content-type']).toBe('application/problem+json');
    expect(again.body).toEqual(expect.objectContaining({ type: 'urn:trellis:problem:invalid-state', detail: 'The process instance is completed' }));
  });
});
