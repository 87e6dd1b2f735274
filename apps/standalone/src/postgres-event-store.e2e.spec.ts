// The standalone server on the Postgres event store: the same API, the streams in a schema of the test's own.
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import pg from 'pg';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, orderProcessBpmn } from './testing/e2e.fixture.js';

describe('the standalone server on the Postgres event store', () => {
  const schema = uniqueSchema('standalone_events');
  const open = (): Promise<INestApplication> =>
    createStandaloneApp({ env: { TRELLIS_EVENT_STORE: 'postgres', TRELLIS_POSTGRES_URL: postgresUrl, TRELLIS_EVENT_STORE_SCHEMA: schema }, logger: false });

  beforeAll(async () => {
    await requirePostgres();
  });
  afterAll(async () => {
    await dropSchema(schema);
  });

  it('runs an order to its end, with its events in the schema, and finds it again after a restart', async () => {
    const first = await open();
    let instanceId: string;
    try {
      const http = request(first.getHttpServer());
      await deploy(first, ['order-process.bpmn', orderProcessBpmn]).expect(201);
      const started = await http
        .post('/api/process-instances')
        .send({ processId: 'order-process', businessKey: 'order-7', variables: { customer: 'Ada', items: ['bolt', 'nut', 'washer'] } })
        .expect(201);
      instanceId = started.body.id;
      const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: instanceId, state: 'CREATED' }).expect(200)).body;
      await http.post(`/api/user-tasks/${task.id}/complete`).send({ variables: { approved: true } }).expect(200);

      const instance = await http.get(`/api/process-instances/${instanceId}`).expect(200);
      expect(instance.body).toEqual(
        expect.objectContaining({ state: 'COMPLETED', variables: expect.objectContaining({ shipmentNote: 'Ship 3 items to Ada' }) }),
      );
      const ready = await http.get('/health/ready').expect(200);
      expect(ready.body.details.eventStore).toEqual(expect.objectContaining({ status: 'up' }));
    } finally {
      await first.close();
    }

    // The events are rows of the store's tables in that schema, not anywhere else.
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      expect(tables.rows.length).toBeGreaterThan(0);
    } finally {
      await client.end();
    }

    const second = await open();
    try {
      const http = request(second.getHttpServer());
      expect((await http.get('/api/process-definitions').expect(200)).body.map((definition: { id: string }) => definition.id)).toEqual(['order-process:1']);
      const again = await http.get(`/api/process-instances/${instanceId}`).expect(200);
      expect(again.body).toEqual(expect.objectContaining({ state: 'COMPLETED', businessKey: 'order-7' }));
    } finally {
      await second.close();
    }
  });
});
