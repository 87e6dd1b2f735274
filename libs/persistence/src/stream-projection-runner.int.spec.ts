import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '@trellis/contracts';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

import { createPostgresDataSource } from './data-source.js';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from './postgres-test-support.js';
import {
  CreateProjectionStreamCheckpoints1796342400000,
  type StreamProjection,
  StreamProjectionGapError,
  StreamProjectionRunner,
} from './stream-projection-runner.js';

class CreateElementLog1796342400100 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE element_log (stream_id text NOT NULL, revision integer NOT NULL, type text NOT NULL)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE element_log');
  }
}

/** The read model under test: one row per event applied, so a duplicate or a loss shows as a row too many or too few. */
class ElementLog implements StreamProjection {
  readonly name = 'element-log';

  async handle(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (event.type === 'Poisoned') throw new Error('cannot project a poisoned event');
    await manager.query('INSERT INTO element_log (stream_id, revision, type) VALUES ($1, $2, $3)', [event.streamId, event.revision, event.type]);
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query('DELETE FROM element_log');
  }
}

let position = 0;
function envelope(instance: string, revision: number, type = 'ElementActivated'): EventEnvelope {
  position++;
  return {
    eventId: `${instance}-${revision}`,
    type,
    schemaVersion: 1,
    streamId: `process-instance-${instance}`,
    processInstanceId: instance,
    revision,
    position,
    recordedAt: '2026-12-04T10:00:00.000Z',
    data: {},
    metadata: null,
  };
}

const schema = uniqueSchema('stream_projection');
let dataSource: DataSource;
let runner: StreamProjectionRunner;

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({
    url: postgresUrl,
    schema,
    migrations: [CreateProjectionStreamCheckpoints1796342400000, CreateElementLog1796342400100],
  });
  runner = new StreamProjectionRunner(dataSource, new ElementLog(), { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE element_log, projection_stream_checkpoints');
});

async function rows(): Promise<string[]> {
  const result: { stream_id: string; revision: number }[] = await dataSource.query('SELECT stream_id, revision FROM element_log ORDER BY stream_id, revision');
  return result.map((row) => `${row.stream_id}@${row.revision}`);
}

describe('StreamProjectionRunner', () => {
  it('applies each event once however often Kafka redelivers it, with streams interleaved', async () => {
    const a = [0, 1, 2].map((revision) => envelope('a', revision));
    const b = [0, 1].map((revision) => envelope('b', revision));

    expect(await runner.apply([a[0], b[0], a[1]])).toBe(3);
    expect(await runner.apply([a[0], a[1], b[0], b[1], a[2]])).toBe(2);
    expect(await runner.apply([a[2]])).toBe(0);

    expect(await rows()).toEqual(['process-instance-a@0', 'process-instance-a@1', 'process-instance-a@2', 'process-instance-b@0', 'process-instance-b@1']);
    expect(await runner.revision('process-instance-a')).toBe(2);
    expect(await runner.revision('process-instance-c')).toBe(-1);
  });

  it('hands a set-based projection only the events not applied yet, in one call per transaction', async () => {
    const calls: string[][] = [];
    const batched = new StreamProjectionRunner(
      dataSource,
      {
        name: 'element-log-batched',
        handle: () => Promise.reject(new Error('handle must not be called when handleBatch exists')),
        async handleBatch(events, manager) {
          calls.push(events.map((event) => `${event.processInstanceId}@${event.revision}`));
          await manager.query('INSERT INTO element_log (stream_id, revision, type) SELECT * FROM unnest($1::text[], $2::int[], $3::text[])', [
            events.map((event) => event.streamId),
            events.map((event) => event.revision),
            events.map((event) => event.type),
          ]);
        },
      },
      { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const a = [0, 1, 2].map((revision) => envelope('a', revision));
    const b = [0, 1].map((revision) => envelope('b', revision));

    expect(await batched.apply([a[0], b[0], a[1]])).toBe(3);
    expect(await batched.apply([a[0], a[1], b[0], b[1], a[2]])).toBe(2);
    expect(await batched.apply([a[1]])).toBe(0);

    expect(calls).toEqual([['a@0', 'b@0', 'a@1'], ['b@1', 'a@2']]);
    expect(await rows()).toEqual(['process-instance-a@0', 'process-instance-a@1', 'process-instance-a@2', 'process-instance-b@0', 'process-instance-b@1']);
    expect(await batched.revision('process-instance-b')).toBe(1);
  });

  it('refuses to skip over missing revisions, and the refusal is not retriable', async () => {
    await runner.apply([envelope('a', 0)]);

    const applying = runner.apply([envelope('a', 2)]);

    await expect(applying).rejects.toBeInstanceOf(StreamProjectionGapError);
    await expect(applying).rejects.toMatchObject({ nonRetriable: true, applied: 0, received: 2 });
    expect(await rows()).toEqual(['process-instance-a@0']);
  });

  it('rolls back rows and checkpoints together when one event of a batch fails', async () => {
    await expect(runner.apply([envelope('a', 0), envelope('b', 0), envelope('a', 1, 'Poisoned')])).rejects.toThrow('poisoned');

    expect(await rows()).toEqual([]);
    expect(await runner.revision('process-instance-a')).toBe(-1);
    expect(await runner.apply([envelope('a', 0), envelope('b', 0)])).toBe(2);
  });

  it('two replicas applying the same events concurrently still apply each once', async () => {
    const events = Array.from({ length: 40 }, (_, revision) => envelope('shared', revision));
    const replica = new StreamProjectionRunner(dataSource, new ElementLog());

    const applied = await Promise.all([
      ...events.map((event) => runner.apply([event])),
      ...events.map((event) => replica.apply([event])),
    ].map((promise) => promise.catch((error: unknown) => (error instanceof StreamProjectionGapError ? 0 : Promise.reject(error)))));
    // Out-of-order arrivals are refused as gaps; delivering the whole stream again in order fills them.
    const again = await runner.apply(events);

    expect(applied.reduce((sum, count) => sum + count, 0) + again).toBe(40);
    expect((await rows()).length).toBe(40);
  });

  it('reset empties rows and checkpoints so the streams can be replayed', async () => {
    await runner.apply([envelope('a', 0), envelope('a', 1)]);

    await runner.reset();

    expect(await rows()).toEqual([]);
    expect(await runner.apply([envelope('a', 0), envelope('a', 1)])).toBe(2);
  });
});
