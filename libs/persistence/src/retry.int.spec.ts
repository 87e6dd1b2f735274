import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { createPostgresDataSource } from './data-source.js';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from './postgres-test-support.js';
import { isTransient, type RetryPolicy, withRetry } from '@trellis/resilience';
import { inTransaction, withQueryRunner } from './sessions.js';

class CreateCounters1795564800300 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE counters (id text PRIMARY KEY, value integer NOT NULL CHECK (value >= 0))');
    await queryRunner.query("INSERT INTO counters (id, value) VALUES ('a', 0), ('b', 0)");
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE counters');
  }
}

const schema = uniqueSchema('retry');
let dataSource: DataSource;

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, poolMax: 10, migrations: [CreateCounters1795564800300] });
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

/** A latch another transaction can wait for: bounded, so that a broken test fails instead of hanging. */
function latch(): { open: () => void; passed: Promise<void> } {
  let open = () => {};
  const passed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('latch never opened')), 10_000);
    open = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { open, passed };
}

const quietPolicy: RetryPolicy = { maxAttempts: 20, baseDelayMs: 5, maxDelayMs: 50, logger: { warn: () => undefined } };

describe('retrying against the real Postgres', () => {
  it('lands every concurrent serializable increment: serialization failures are retried', async () => {
    const logged: number[] = [];
    const policy: RetryPolicy = { ...quietPolicy, logger: { warn: (details) => logged.push(details['attempt'] as number) } };
    const increment = () =>
      withRetry(
        () =>
          inTransaction(
            dataSource,
            async (manager: EntityManager) => {
              const [row]: { value: number }[] = await manager.query("SELECT value FROM counters WHERE id = 'a'");
              await manager.query("UPDATE counters SET value = $1 WHERE id = 'a'", [row.value + 1]);
            },
            { isolationLevel: 'SERIALIZABLE' },
          ),
        policy,
      );

    await Promise.all(Array.from({ length: 8 }, increment));

    expect(await dataSource.query("SELECT value FROM counters WHERE id = 'a'")).toEqual([{ value: 8 }]);
    // Eight read-then-write transactions on one row cannot all commit at the first attempt.
    expect(logged.length).toBeGreaterThan(0);
  });

  it('classifies a deadlock as transient', async () => {
    const aLocked = latch();
    const bLocked = latch();
    const lockInOrder = (first: string, second: string, mine: () => void, theirs: Promise<void>) =>
      inTransaction(dataSource, async (manager) => {
        await manager.query("SET LOCAL deadlock_timeout = '50ms'");
        await manager.query('UPDATE counters SET value = value + 1 WHERE id = $1', [first]);
        mine();
        await theirs;
        await manager.query('UPDATE counters SET value = value + 1 WHERE id = $1', [second]);
      });
    const outcomes = await Promise.allSettled([lockInOrder('a', 'b', aLocked.open, bLocked.passed), lockInOrder('b', 'a', bLocked.open, aLocked.passed)]);

    const failures = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => (outcome as PromiseRejectedResult).reason);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ code: '40P01' });
    expect(isTransient(failures[0])).toBe(true);
  });

  it('classifies a connection the server ended as transient', async () => {
    const error = await failureOf(withQueryRunner(dataSource, (queryRunner) => queryRunner.query('SELECT pg_terminate_backend(pg_backend_pid())')));
    expect(error).toMatchObject({ code: '57P01' });
    expect(isTransient(error)).toBe(true);
  });

  it('does not retry a unique violation, a check violation or a syntax error', async () => {
    const attempts: string[] = [];
    const once = (name: string, sql: string) =>
      failureOf(
        withRetry(() => {
          attempts.push(name);
          return dataSource.query(sql);
        }, quietPolicy),
      );

    const duplicate = await once('duplicate', "INSERT INTO counters (id, value) VALUES ('a', 0)");
    const negative = await once('negative', "UPDATE counters SET value = -1 WHERE id = 'b'");
    const syntax = await once('syntax', 'SELEC 1');

    expect([duplicate, negative, syntax]).toMatchObject([{ code: '23505' }, { code: '23514' }, { code: '42601' }]);
    expect(attempts).toEqual(['duplicate', 'negative', 'syntax']);
  });

  it('classifies a Kafka broker that refuses connections as transient', async () => {
    const kafka = new Kafka({ brokers: ['127.0.0.1:1'], connectionTimeout: 1_000, retry: { retries: 0 }, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    const error = await failureOf(producer.connect());
    await producer.disconnect();
    expect(isTransient(error)).toBe(true);
  });
});
