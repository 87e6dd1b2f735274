import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource, EntitySubscriberInterface, MigrationInterface, QueryRunner } from 'typeorm';
import { createPostgresDataSource } from './data-source.js';
import { poolStats } from './pool-metrics.js';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from './postgres-test-support.js';
import { inTransaction, withQueryRunner } from './sessions.js';

class CreateAccounts1795564800200 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("CREATE TABLE accounts (id text PRIMARY KEY, balance integer NOT NULL CHECK (balance >= 0))");
    await queryRunner.query("INSERT INTO accounts (id, balance) VALUES ('existing', 10)");
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE accounts');
  }
}

const schema = uniqueSchema('sessions');
let dataSource: DataSource;

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({
    url: postgresUrl,
    schema,
    poolMax: 4,
    // Generous, so that only a leak (not a slow machine) could make a caller time out waiting for a connection.
    connectionTimeoutMs: 10_000,
    migrations: [CreateAccounts1795564800200],
  });
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

async function accountIds(): Promise<string[]> {
  const rows: { id: string }[] = await dataSource.query('SELECT id FROM accounts ORDER BY id');
  return rows.map((row) => row.id);
}

/** Four ways a request fails: its own code throws, a constraint, bad SQL, or outside any transaction. */
const failingRequests: ((n: number) => Promise<unknown>)[] = [
  (n) =>
    inTransaction(dataSource, async (manager) => {
      await manager.query('INSERT INTO accounts (id, balance) VALUES ($1, 1)', [`written-${n}`]);
      throw new Error(`request ${n} failed after writing`);
    }),
  (n) =>
    inTransaction(dataSource, async (manager) => {
      await manager.query('INSERT INTO accounts (id, balance) VALUES ($1, 1)', [`before-duplicate-${n}`]);
      await manager.query("INSERT INTO accounts (id, balance) VALUES ('existing', 1)");
    }),
  () => inTransaction(dataSource, (manager) => manager.query('SELEC 1')),
  (n) =>
    withQueryRunner(dataSource, async (queryRunner) => {
      await queryRunner.query('UPDATE accounts SET balance = -1');
      throw new Error(`request ${n} should not get here`);
    }),
];

describe('sessions', () => {
  it('gives every connection back after 1,000 failing requests on a pool of 4', async () => {
    const results = await Promise.allSettled(Array.from({ length: 1_000 }, (_, n) => failingRequests[n % 4](n)));

    const reasons = results.map((result) => (result.status === 'rejected' ? (result.reason as { code?: string; message: string }) : undefined));
    expect(reasons.filter((reason) => reason === undefined)).toHaveLength(0);
    // Each failed for its own reason, none for want of a connection.
    expect(reasons.filter((reason, n) => n % 4 === 0 && reason?.message === `request ${n} failed after writing`)).toHaveLength(250);
    expect(reasons.filter((reason, n) => n % 4 === 1 && reason?.code === '23505')).toHaveLength(250);
    expect(reasons.filter((reason, n) => n % 4 === 2 && reason?.code === '42601')).toHaveLength(250);
    expect(reasons.filter((reason, n) => n % 4 === 3 && reason?.code === '23514')).toHaveLength(250);

    expect(poolStats(dataSource)).toMatchObject({ inUse: 0, waiting: 0, max: 4 });
    expect(poolStats(dataSource).total).toBeLessThanOrEqual(4);
    expect(await accountIds()).toEqual(['existing']);
    expect(await inTransaction(dataSource, (manager) => manager.query('SELECT balance FROM accounts'))).toEqual([{ balance: 10 }]);
  });

  it('closes a connection whose rollback failed instead of handing it, still in the transaction, to the next caller', async () => {
    const refuseRollback: EntitySubscriberInterface = {
      beforeTransactionRollback: () => {
        throw new Error('rollback refused');
      },
    };
    dataSource.subscribers.push(refuseRollback);
    try {
      const failing = inTransaction(dataSource, async (manager) => {
        await manager.query("INSERT INTO accounts (id, balance) VALUES ('half-written', 1)");
        throw new Error('the request failed');
      });
      // The caller learns why the request failed, not why the cleanup did.
      await expect(failing).rejects.toThrow('the request failed');
    } finally {
      dataSource.subscribers.splice(dataSource.subscribers.indexOf(refuseRollback), 1);
    }

    expect(poolStats(dataSource)).toMatchObject({ inUse: 0, waiting: 0 });
    // Every connection of the pool answers outside any transaction: none still sees the uncommitted row.
    const views = await Promise.all(
      [1, 2, 3, 4].map(() =>
        withQueryRunner(dataSource, async (queryRunner) => {
          await queryRunner.connect();
          const [row]: { in_transaction: boolean }[] = await queryRunner.query('SELECT now() <> statement_timestamp() AS in_transaction');
          return { inTransaction: row.in_transaction, ids: await queryRunner.query('SELECT id FROM accounts ORDER BY id') };
        }),
      ),
    );
    for (const view of views) expect(view).toEqual({ inTransaction: false, ids: [{ id: 'existing' }] });
  });

  it('gives the pool a fresh connection after the server ended one in the middle of a transaction', async () => {
    const failing = inTransaction(dataSource, async (manager) => {
      await manager.query("INSERT INTO accounts (id, balance) VALUES ('lost', 1)");
      await manager.query('SELECT pg_terminate_backend(pg_backend_pid())');
    });
    await expect(failing).rejects.toMatchObject({ code: '57P01' });

    expect(poolStats(dataSource)).toMatchObject({ inUse: 0, waiting: 0 });
    expect(await accountIds()).toEqual(['existing']);
  });

  it('closes a connection the server ended instead of handing it to the next caller', async () => {
    // pg-pool hands out the most recently released connection first: without the close, the next query would get
    // the dead one before its socket reports the end.
    const failing = withQueryRunner(dataSource, (queryRunner) => queryRunner.query('SELECT pg_terminate_backend(pg_backend_pid())'));
    await expect(failing).rejects.toMatchObject({ code: '57P01' });

    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(poolStats(dataSource)).toMatchObject({ inUse: 0, waiting: 0 });
  });
});
