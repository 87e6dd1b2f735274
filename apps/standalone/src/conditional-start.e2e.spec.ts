// Conditional start events over the API (examples/conditional-start.bpmn): POST /api/conditionals/evaluation starts an
// instance at each conditional start event whose condition holds for the variables; the instances it started are
// there after a restart of the embedded store.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const exampleBpmn = readFileSync(new URL('../../../examples/conditional-start.bpmn', import.meta.url), 'utf8');

type Http = ReturnType<typeof request>;
interface Started {
  processInstanceId: string;
  processDefinitionId: string;
  startEventId: string;
}

const activeElements = async (http: Http, id: string): Promise<string[]> =>
  ((await http.get(`/api/process-instances/${id}`).expect(200)).body.activeElementInstances as { elementId: string }[]).map((instance) => instance.elementId).sort();

describe('conditional start events over the API (memory store)', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function deployed(): Promise<Http> {
    const app = await memoryApp();
    apps.push(app);
    await deploy(app, ['conditional-start.bpmn', exampleBpmn]).expect(201);
    return request(app.getHttpServer());
  }

  it('starts an instance at the start event whose condition holds, with the variables and the business key', async () => {
    const http = await deployed();
    const evaluation = (await http.post('/api/conditionals/evaluation').send({ variables: { temperature: 93, sensorStatus: 'ok' }, businessKey: 'press-4' }).expect(200)).body;
    expect(evaluation.conditionalEvaluationId).toEqual(expect.any(String));
    expect(evaluation.processInstances).toEqual([{ processInstanceId: expect.any(String), processDefinitionId: 'overheating:1', startEventId: 'too-hot' }]);

    const [started] = evaluation.processInstances as Started[];
    const instance = (await http.get(`/api/process-instances/${started!.processInstanceId}`).expect(200)).body;
    expect(instance).toMatchObject({ businessKey: 'press-4', state: 'ACTIVE', variables: { temperature: 93, sensorStatus: 'ok' } });
    expect(await activeElements(http, started!.processInstanceId)).toEqual(['cool-down']);
    expect((await http.get('/api/jobs').query({ type: 'replace-sensor' }).expect(200)).body).toEqual([]);
  });

  it('starts one instance per holding start event, and none when no condition holds or a variable is missing', async () => {
    const http = await deployed();
    const both = (await http.post('/api/conditionals/evaluation').send({ variables: { temperature: 85, sensorStatus: 'fault' } }).expect(200)).body;
    expect((both.processInstances as Started[]).map((started) => started.startEventId).sort()).toEqual(['sensor-fault', 'too-hot']);
    expect((await http.get('/api/jobs').query({ type: 'replace-sensor' }).expect(200)).body).toHaveLength(1);

    expect((await http.post('/api/conditionals/evaluation').send({ variables: { temperature: 20, sensorStatus: 'ok' } }).expect(200)).body.processInstances).toEqual([]);
    // `temperature` missing: its condition cannot be evaluated, so it does not hold; the other one still does.
    const partial = (await http.post('/api/conditionals/evaluation').send({ variables: { sensorStatus: 'fault' } }).expect(200)).body;
    expect((partial.processInstances as Started[]).map((started) => started.startEventId)).toEqual(['sensor-fault']);
    expect((await http.get('/api/process-instances').expect(200)).body.total).toBe(3);
  });

  it('evaluates only the definition asked for, and answers 404 for an unknown one and 400 without variables', async () => {
    const http = await deployed();
    const only = (await http.post('/api/conditionals/evaluation').send({ processDefinitionId: 'overheating:1', variables: { temperature: 81, sensorStatus: 'ok' } }).expect(200)).body;
    expect(only.processInstances).toHaveLength(1);

    const missing = await http.post('/api/conditionals/evaluation').send({ processDefinitionId: 'overheating:9', variables: {} }).expect(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body.detail).toContain('overheating:9');

    const invalid = await http.post('/api/conditionals/evaluation').send({ variables: 'hot' }).expect(400);
    expect(JSON.stringify(invalid.body)).toContain('variables must be a JSON object');
  });
});

describe('conditional start events across a restart (embedded store)', () => {
  it('the instance a condition started waits at its task after the restart, and completes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trellis-conditional-start-'));
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });
    try {
      const first = await open();
      await deploy(first, ['conditional-start.bpmn', exampleBpmn]).expect(201);
      const evaluation = (await request(first.getHttpServer()).post('/api/conditionals/evaluation').send({ variables: { temperature: 10, sensorStatus: 'fault' } }).expect(200)).body;
      const [started] = evaluation.processInstances as Started[];
      await first.close();

      const second = await open();
      try {
        const http = request(second.getHttpServer());
        expect(await activeElements(http, started!.processInstanceId)).toEqual(['replace-sensor']);
        const [job] = (await http.get('/api/jobs').query({ type: 'replace-sensor' }).expect(200)).body;
        const done = (await http.post(`/api/jobs/${job.id}/complete`).send({ variables: { replaced: true } }).expect(200)).body;
        expect(done).toMatchObject({ state: 'COMPLETED', variables: { sensorStatus: 'fault', replaced: true } });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
