import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';

import { externalTaskLockStoreContract } from '../testing/external-task-lock-store.contract.js';
import { PostgresExternalTaskLockStore } from './postgres-external-task-lock-store.js';

// Against the Postgres at TRELLIS_POSTGRES_URL (default 127.0.0.1:5432, db test): a missing server fails the suite, it
// is never skipped.
const schema = uniqueSchema('external_task_locks');
let store: PostgresExternalTaskLockStore;
let replica: PostgresExternalTaskLockStore;

beforeAll(async () => {
  await requirePostgres();
  store = await PostgresExternalTaskLockStore.open({ url: postgresUrl, schema, poolMax: 8 });
  replica = await PostgresExternalTaskLockStore.open({ url: postgresUrl, schema, poolMax: 8 });
});

afterAll(async () => {
  await store?.close();
  await replica?.close();
  await dropSchema(schema);
});

externalTaskLockStoreContract('postgres', () => store);

describe('two runtime replicas on one Postgres lock store', () => {
  it('never hand the same task to two workers: of 200 tasks raced for from both, each is locked exactly once', async () => {
    const now = new Date('2026-03-01T08:00:00.000Z');
    const until = new Date('2026-03-01T08:05:00.000Z');
    const taskIds = Array.from({ length: 200 }, (_, index) => `raced-${index}`);
    const outcomes = await Promise.all(
      taskIds.flatMap((taskId) => [
        store.tryLock(taskId, 'worker-on-a', until, now).then((locked) => ({ taskId, worker: 'worker-on-a', locked })),
        replica.tryLock(taskId, 'worker-on-b', until, now).then((locked) => ({ taskId, worker: 'worker-on-b', locked })),
      ]),
    );
    const winners = new Map<string, string>();
    for (const outcome of outcomes.filter((candidate) => candidate.locked)) {
      expect(winners.has(outcome.taskId)).toBe(false);
      winners.set(outcome.taskId, outcome.worker);
    }
    expect(winners.size).toBe(taskIds.length);
    const seenByA = await store.locksOf(taskIds);
    for (const [taskId, worker] of winners) expect(seenByA.get(taskId)?.workerId).toBe(worker);
  });

  it('refuses a schema name that is not one', async () => {
    await expect(PostgresExternalTaskLockStore.open({ url: postgresUrl, schema: 'Robert"); DROP TABLE x;--' })).rejects.toThrow('no Postgres schema name');
  });
});
