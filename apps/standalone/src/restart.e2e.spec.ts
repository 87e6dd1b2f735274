import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { orderProcessBpmn } from './testing/e2e.fixture.js';

describe('restart on the embedded store', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trellis-restart-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });

  it('continues every running instance after the server is restarted on the same directory', async () => {
    const first = await open();
    const before = request(first.getHttpServer());
    await before.post('/api/deployments').attach('resources', Buffer.from(orderProcessBpmn), 'order-process.bpmn').expect(201);
    const ids: string[] = [];
    for (const customer of ['Ada', 'Grace', 'Linus']) {
      const started = await before
        .post('/api/process-instances')
        .send({ processId: 'order-process', businessKey: customer, variables: { customer, items: [customer] } })
        .expect(201);
      ids.push(started.body.id);
    }
    await first.close();

    const second = await open();
    try {
      const after = request(second.getHttpServer());
      const definitions = await after.get('/api/process-definitions').expect(200);
      expect(definitions.body.map((definition: { id: string }) => definition.id)).toEqual(['order-process:1']);

      const active = await after.get('/api/process-instances').query({ state: 'ACTIVE' }).expect(200);
      expect(active.body.items.map((item: { id: string }) => item.id)).toEqual(ids);
      for (const item of active.body.items) {
        expect(item.activeElementInstances).toEqual([expect.objectContaining({ elementId: 'approve-order', state: 'ACTIVATED' })]);
      }

      const tasks = await after.get('/api/user-tasks').query({ state: 'CREATED' }).expect(200);
      expect(tasks.body.map((task: { processInstanceId: string }) => task.processInstanceId)).toEqual(ids);
      for (const task of tasks.body) {
        await after.post(`/api/user-tasks/${task.id}/complete`).send({ variables: { approved: true } }).expect(200);
      }

      for (const [index, id] of ids.entries()) {
        const instance = await after.get(`/api/process-instances/${id}`).expect(200);
        const customer = ['Ada', 'Grace', 'Linus'][index];
        expect(instance.body).toEqual(
          expect.objectContaining({ state: 'COMPLETED', variables: expect.objectContaining({ shipmentNote: `Ship 1 items to ${customer}` }) }),
        );
      }
      expect((await after.get('/api/process-instances').query({ state: 'COMPLETED' }).expect(200)).body.total).toBe(3);
    } finally {
      await second.close();
    }
  });
});
