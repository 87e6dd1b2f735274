import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createPostgresDataSource } from './data-source.js';
import { poolStats, type QueryDuration } from './pool-metrics.js';
import type { PostgresOptions } from './postgres-options.js';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from './postgres-test-support.js';
import { CreateProjectionCheckpoints1795564800000 } from './projection-checkpoints.migration.js';
import { isTransient, withRetry } from '@trellis/resilience';
import { withQueryRunner } from './sessions.js';

class CreateJobs1795564800100 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE jobs (id text PRIMARY KEY, retries integer NOT NULL)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE jobs');
  }
}

const schemas: string[] = [];
const dataSources: DataSource[] = [];

async function open(options: Partial<PostgresOptions> = {}): Promise<DataSource> {
  const schema = options.schema ?? uniqueSchema('datasource');
  if (!schemas.includes(schema)) schemas.push(schema);
  const dataSource = await createPostgresDataSource({
    url: postgresUrl,
    schema,
    migrations: [CreateProjectionCheckpoints1795564800000, CreateJobs1795564800100],
    ...options,
  });
  dataSources.push(dataSource);
  return dataSource;
}

/** Polls until `condition` holds, failing after a deadline rather than hanging. */
async function eventually(condition: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Still not true after ${deadlineMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

beforeAll(requirePostgres);

afterAll(async () => {
  for (const dataSource of dataSources) if (dataSource.isInitialized) await dataSource.destroy();
  for (const schema of schemas) await dropSchema(schema);
});

describe('createPostgresDataSource', () => {
  it('creates the schema and runs each migration once, even when replicas start together', async () => {
    const schema = uniqueSchema('datasource');
    const replicas = await Promise.all([open({ schema }), open({ schema }), open({ schema })]);

    const tables: { table_name: string }[] = await replicas[0].query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.map((row) => row.table_name)).toEqual(['jobs', 'migrations', 'projection_checkpoints']);
    const migrations: { name: string }[] = await replicas[0].query(`SELECT name FROM "${schema}".migrations ORDER BY id`);
    expect(migrations.map((row) => row.name)).toEqual(['CreateProjectionCheckpoints1795564800000', 'CreateJobs1795564800100']);

    // Unqualified SQL lands in the service's schema.
    await replicas[1].query("INSERT INTO jobs (id, retries) VALUES ('job-1', 3)");
    expect(await replicas[2].query(`SELECT id FROM "${schema}".jobs`)).toEqual([{ id: 'job-1' }]);
  });

  it('sets statement timeout, search path and application name on every connection of the pool', async () => {
    const dataSource = await open({ poolMax: 3, statementTimeoutMs: 250, applicationName: 'trellis-persistence-test' });
    const schema = dataSource.driver.schema;
    const settings = await Promise.all(
      [1, 2, 3].map(() =>
        withQueryRunner(dataSource, async (queryRunner) => {
          // Holding all three runners at once makes every pooled connection answer.
          await queryRunner.connect();
          return queryRunner.query(
            "SELECT current_setting('statement_timeout') AS statement_timeout, current_schema() AS schema, current_setting('application_name') AS application_name, pg_backend_pid() AS pid",
          );
        }),
      ),
    );
    const rows = settings.map((result: { pid: number }[]) => result[0]);
    expect(new Set(rows.map((row) => row.pid)).size).toBe(3);
    for (const row of rows) {
      expect(row).toMatchObject({ statement_timeout: '250ms', schema, application_name: 'trellis-persistence-test' });
    }

    const slow = dataSource.query('SELECT pg_sleep(5)');
    await expect(slow).rejects.toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    expect(isTransient(await slow.catch((error: unknown) => error))).toBe(false);
  });

  it('makes a caller wait at most the connection timeout for a free connection, and counts it as waiting', async () => {
    const dataSource = await open({ poolMax: 1, connectionTimeoutMs: 300 });
    await withQueryRunner(dataSource, async (holder) => {
      await holder.connect();
      expect(poolStats(dataSource)).toEqual({ total: 1, idle: 0, inUse: 1, waiting: 0, max: 1 });

      const starved = dataSource.query('SELECT 1').catch((error: unknown) => error);
      await eventually(() => poolStats(dataSource).waiting === 1, 'one caller waits for a connection');
      const error = await starved;
      expect(error).toMatchObject({ message: 'timeout exceeded when trying to connect' });
      expect(isTransient(error)).toBe(true);
    });
    expect(poolStats(dataSource)).toMatchObject({ inUse: 0, waiting: 0 });
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('closes connections that stay idle longer than the idle timeout', async () => {
    const dataSource = await open({ idleTimeoutMs: 100 });
    await Promise.all([dataSource.query('SELECT 1'), dataSource.query('SELECT 2')]);
    expect(poolStats(dataSource).total).toBeGreaterThan(0);
    await eventually(() => poolStats(dataSource).total === 0, 'idle connections are closed');
  });

  it('reports the duration of every query by operation, failed ones included', async () => {
    const durations: QueryDuration[] = [];
    const dataSource = await open({ onQuery: (duration) => durations.push(duration) });
    // Migrations ran through the same observer.
    expect(durations.some((duration) => duration.operation === 'other')).toBe(true);
    durations.length = 0;

    await dataSource.query("INSERT INTO jobs (id, retries) VALUES ('job-1', 3)");
    await dataSource.query('SELECT * FROM jobs');
    await dataSource.query("UPDATE jobs SET retries = 2 WHERE id = 'job-1'");
    await dataSource.query("DELETE FROM jobs WHERE id = 'job-1'");
    await expect(dataSource.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });

    expect(durations.map(({ operation, success }) => ({ operation, success }))).toEqual([
      { operation: 'insert', success: true },
      { operation: 'select', success: true },
      { operation: 'update', success: true },
      { operation: 'delete', success: true },
      { operation: 'select', success: false },
    ]);
    for (const { durationMs } of durations) expect(durationMs).toBeGreaterThanOrEqual(0);
  });

  it('fails with a transient error when the server is unreachable, so that startup can retry it', async () => {
    const unreachable = { url: 'postgres://postgres@127.0.0.1:1/test', schema: 'unreachable', connectionTimeoutMs: 2_000 };
    let attempts = 0;
    const starting = withRetry(
      () => {
        attempts++;
        return createPostgresDataSource(unreachable);
      },
      { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined, logger: { warn: () => undefined } },
    );
    const error = await starting.catch((caught: unknown) => caught);
    expect(isTransient(error)).toBe(true);
    expect(attempts).toBe(3);
  });
});
