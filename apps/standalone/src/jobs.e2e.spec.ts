import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { deploy, memoryApp, oneTaskBpmn } from './testing/e2e.fixture.js';

describe('jobs and incidents', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
    await deploy(app, ['one-task.bpmn', oneTaskBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  const startOne = async (variables: Record<string, unknown> = {}): Promise<string> =>
    (await http.post('/api/process-instances').send({ processId: 'one-task', variables }).expect(201)).body.id;

  it('lists the job of a started instance by type at once, with its variables, and completes it', async () => {
    const instanceId = await startOne({ orderId: 4711 });

    const jobs = await http.get('/api/jobs').query({ type: 'work' }).expect(200);
    expect(jobs.headers['content-type']).toBe('application/json');
    expect(jobs.body).toEqual([
      expect.objectContaining({
        type: 'work',
        retries: 3,
        processInstanceId: instanceId,
        processId: 'one-task',
        elementId: 'work',
        variables: { orderId: 4711 },
        customHeaders: {},
      }),
    ]);
    expect((await http.get('/api/jobs').query({ type: 'other' }).expect(200)).body).toEqual([]);

    const completed = await http.post(`/api/jobs/${jobs.body[0].id}/complete`).send({ variables: { paid: true } }).expect(200);
    expect(completed.body).toEqual(expect.objectContaining({ id: instanceId, state: 'COMPLETED', variables: { orderId: 4711, paid: true } }));
    expect((await http.get('/api/jobs').query({ type: 'work' }).expect(200)).body).toEqual([]);

    const again = await http.post(`/api/jobs/${jobs.body[0].id}/complete`).send({}).expect(404);
    expect(again.body).toEqual(expect.objectContaining({ type: 'urn:trellis:problem:not-found', details: { jobId: jobs.body[0].id } }));
  });

  it('completes a job without a body', async () => {
    await startOne();
    const [job] = (await http.get('/api/jobs').expect(200)).body;
    const completed = await http.post(`/api/jobs/${job.id}/complete`).expect(200);
    expect(completed.body.state).toBe('COMPLETED');
  });

  it('limits the job list', async () => {
    await startOne();
    await startOne();
    await startOne();
    expect((await http.get('/api/jobs').query({ type: 'work', limit: 2 }).expect(200)).body).toHaveLength(2);
  });

  it('raises an incident when a job fails without retries, and offers the job again once the incident is resolved', async () => {
    const instanceId = await startOne();
    const [job] = (await http.get('/api/jobs').query({ processInstanceId: instanceId }).expect(200)).body;

    const retried = await http.post(`/api/jobs/${job.id}/fail`).send({ retries: 1, errorMessage: 'timeout' }).expect(200);
    expect(retried.body.incidents).toEqual([]);
    expect((await http.get('/api/jobs').query({ type: 'work' }).expect(200)).body).toEqual([
      expect.objectContaining({ id: job.id, retries: 1, errorMessage: 'timeout' }),
    ]);

    const failed = await http.post(`/api/jobs/${job.id}/fail`).send({ retries: 0, errorMessage: 'payment service down' }).expect(200);
    expect(failed.body.state).toBe('ACTIVE');
    expect(failed.body.incidents).toEqual([
      expect.objectContaining({ type: 'JOB_NO_RETRIES', message: 'payment service down', elementId: 'work', jobId: job.id }),
    ]);
    expect((await http.get('/api/jobs').query({ type: 'work' }).expect(200)).body).toEqual([]);
    const incidents = await http.get('/api/incidents').query({ processInstanceId: instanceId }).expect(200);
    expect(incidents.body).toEqual([expect.objectContaining({ id: failed.body.incidents[0].id, processInstanceId: instanceId })]);

    const resolved = await http.post(`/api/incidents/${incidents.body[0].id}/resolve`).send({ retries: 2 }).expect(200);
    expect(resolved.body.incidents).toEqual([]);
    expect((await http.get('/api/incidents').expect(200)).body).toEqual([]);
    const offered = await http.get('/api/jobs').query({ type: 'work' }).expect(200);
    expect(offered.body).toEqual([expect.objectContaining({ id: job.id, retries: 2 })]);

    await http.post(`/api/jobs/${job.id}/complete`).send({}).expect(200);
    expect((await http.get(`/api/process-instances/${instanceId}`).expect(200)).body.state).toBe('COMPLETED');
  });

  it('does not offer a failed job before its back-off has passed', async () => {
    await startOne();
    const [job] = (await http.get('/api/jobs').expect(200)).body;
    await http.post(`/api/jobs/${job.id}/fail`).send({ retries: 2, retryBackoffMs: 3_600_000 }).expect(200);
    expect((await http.get('/api/jobs').query({ type: 'work' }).expect(200)).body).toEqual([]);
  });

  it('validates failure reports and names each field', async () => {
    await startOne();
    const [job] = (await http.get('/api/jobs').expect(200)).body;
    const response = await http.post(`/api/jobs/${job.id}/fail`).send({ retries: -1, retryBackoffMs: 'soon' }).expect(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.type).toBe('urn:trellis:problem:validation');
    expect(response.body.errors.map((error: { field: string }) => error.field)).toEqual(
      expect.arrayContaining(['retries', 'retryBackoffMs']),
    );
  });

  it('answers 404 for unknown jobs and incidents', async () => {
    await http.post('/api/jobs/unknown/complete').send({}).expect(404);
    await http.post('/api/jobs/unknown/fail').send({ retries: 0 }).expect(404);
    const incident = await http.post('/api/incidents/unknown/resolve').send({}).expect(404);
    expect(incident.body.detail).toContain('unknown');
  });
});
