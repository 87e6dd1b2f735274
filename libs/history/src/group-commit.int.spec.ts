// GroupCommit.applyAll, as the history consumer's batch handler uses it, on Postgres with the history projection.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '@trellis/contracts';
import { createPostgresDataSource, StreamProjectionGapError, StreamProjectionRunner } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineDriver } from '@trellis/runtime/testing';
import type { DataSource } from 'typeorm';

import { GroupCommit } from './group-commit.js';
import { historyEntities } from './history.entities.js';
import { historyMigrations } from './history.migrations.js';
import { HistoryProjection } from './history.projection.js';
import { HistoryQueries } from './history.queries.js';
import { orderBpmn } from './testing/history-models.js';

const schema = uniqueSchema('group_commit');
let dataSource: DataSource;
let runner: StreamProjectionRunner;
let queries: HistoryQueries;

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, entities: historyEntities, migrations: historyMigrations });
  runner = new StreamProjectionRunner(dataSource, new HistoryProjection({ warn: () => undefined }));
  queries = new HistoryQueries(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

beforeEach(async () => {
  await runner.reset();
});

/** Orders started by the engine, each with its envelopes (the instance created, its first elements activated). */
async function orders(count: number): Promise<{ id: string; envelopes: EventEnvelope[] }[]> {
  const engine = new EngineDriver();
  await engine.deploy(orderBpmn);
  const started: { id: string; envelopes: EventEnvelope[] }[] = [];
  for (let index = 0; index < count; index++) {
    const id = await engine.start('order');
    started.push({ id, envelopes: await engine.envelopesOf(id) });
  }
  return started;
}

describe('GroupCommit.applyAll', () => {
  it('applies a batch of envelopes in as few transactions as maxBatchSize allows', async () => {
    const started = await orders(4);
    const envelopes = started.flatMap(({ envelopes: ofOrder }) => ofOrder);
    const groupCommit = new GroupCommit(runner, 5);

    await groupCommit.applyAll(envelopes);

    expect(groupCommit.stats).toEqual({ batches: Math.ceil(envelopes.length / 5), largestBatch: 5 });
    expect((await queries.processInstances({ processId: 'order' })).total).toBe(4);
    for (const { id, envelopes: ofOrder } of started) expect(await runner.revision(`process-instance-${id}`)).toBe(ofOrder.length - 1);
  });

  it('puts the batches that arrive while a transaction runs (other partitions) together into the next one', async () => {
    const [a, b, c] = await orders(3);

    const groupCommit = new GroupCommit(runner);
    await Promise.all([groupCommit.applyAll(a!.envelopes), groupCommit.applyAll(b!.envelopes), groupCommit.applyAll(c!.envelopes)]);

    expect(groupCommit.stats).toEqual({ batches: 2, largestBatch: b!.envelopes.length + c!.envelopes.length });
    expect((await queries.processInstances({ processId: 'order' })).total).toBe(3);
  });

  it('rejects with the failure of the envelope at fault, once the others are applied', async () => {
    const [a, b] = await orders(2);
    const groupCommit = new GroupCommit(runner);
    const [first, , third] = a!.envelopes;

    const applying = groupCommit.applyAll([first!, third!, ...b!.envelopes]);

    await expect(applying).rejects.toBeInstanceOf(StreamProjectionGapError);
    expect(await runner.revision(`process-instance-${a!.id}`)).toBe(0);
    expect(await runner.revision(`process-instance-${b!.id}`)).toBe(b!.envelopes.length - 1);
  });

  it('resolves at once for no envelopes', async () => {
    const groupCommit = new GroupCommit(runner);

    await groupCommit.applyAll([]);

    expect(groupCommit.stats).toEqual({ batches: 0, largestBatch: 0 });
  });
});
