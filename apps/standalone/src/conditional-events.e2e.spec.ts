// Conditional events over the API, with examples/conditional-events.bpmn: conditions are checked when an element
// starts waiting and whenever a request sets variables (PUT /api/process-instances/{id}/variables here).
import { readFile } from 'node:fs/promises';

import type { INestApplication } from '@nestjs/common';
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { deploy, memoryApp } from './testing/e2e.fixture.js';

const conditionalEventsBpmn = readFile(new URL('../../../examples/conditional-events.bpmn', import.meta.url), 'utf8');

const activeElements = (body: { activeElementInstances: readonly { elementId: string }[] }): string[] =>
  body.activeElementInstances.map((instance) => instance.elementId).sort();

describe('conditional events over the API (memory store)', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function started(variables: object) {
    const app = await memoryApp();
    apps.push(app);
    const http = request(app.getHttpServer());
    await deploy(app, ['conditional-events.bpmn', await conditionalEventsBpmn]).expect(201);
    const body = (await http.post('/api/process-instances').send({ processId: 'conditional-events', variables }).expect(201)).body;
    const setVariables = async (values: object) => (await http.put(`/api/process-instances/${body.id}/variables`).send({ variables: values }).expect(200)).body;
    return { http, body, setVariables };
  }

  it('waits for stock, notifies the lead each time the priority is set above 3, and packs', async () => {
    const { http, body, setVariables } = await started({ inStock: false, priority: 1 });
    expect(activeElements(body)).toEqual(['in-stock']);

    expect(activeElements(await setVariables({ inStock: true }))).toEqual(['pack-order']);
    expect(activeElements(await setVariables({ priority: 5 }))).toEqual(['notify-lead', 'pack-order']);
    expect(activeElements(await setVariables({ priority: 7 }))).toEqual(['notify-lead', 'notify-lead', 'pack-order']);
    expect((await http.get('/api/jobs').query({ type: 'notify-lead' }).expect(200)).body).toHaveLength(2);

    const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: body.id }).expect(200)).body;
    const completed = (await http.post(`/api/user-tasks/${task.id}/complete`).send({}).expect(200)).body;
    expect(activeElements(completed)).toEqual(['notify-lead', 'notify-lead']);
  });

  it('passes the stock check at once when the items are in stock, and a cancellation stops the packing', async () => {
    const { http, body, setVariables } = await started({ inStock: true, priority: 1 });
    expect(activeElements(body)).toEqual(['pack-order']);

    const instance = await setVariables({ cancelled: true });
    expect(activeElements(instance)).toEqual(['restock']);
    const tasks = (await http.get('/api/user-tasks').query({ processInstanceId: body.id }).expect(200)).body;
    expect(tasks).toEqual([expect.objectContaining({ elementId: 'pack-order', state: 'CANCELED' })]);
  });
});
