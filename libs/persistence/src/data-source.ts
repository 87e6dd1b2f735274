import { DataSource, type DataSourceOptions, MigrationExecutor } from 'typeorm';
import { observeQueryDurations } from './pool-metrics.js';
import { POSTGRES_DEFAULTS, type PostgresOptions } from './postgres-options.js';
import { withQueryRunner } from './sessions.js';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Connects to Postgres, creates the service's schema if missing and runs its pending migrations, then returns the
 * initialized data source. Does not retry: wrap it in `withRetry` to wait for a database that is still starting.
 */
export async function createPostgresDataSource(options: PostgresOptions): Promise<DataSource> {
  assertSynchronizeAllowed(options);
  const dataSource = new DataSource(postgresDataSourceOptions(options));
  await dataSource.initialize();
  try {
    if (options.onQuery) observeQueryDurations(dataSource, options.onQuery);
    await prepareSchema(dataSource, options.schema, options.runMigrations ?? true);
    if (options.synchronize) await dataSource.synchronize();
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/**
 * The TypeORM options `createPostgresDataSource` uses, for callers that build the DataSource themselves (for example
 * `TypeOrmModule.forRootAsync` with a `dataSourceFactory`). Migrations are not run by TypeORM here: schema creation
 * and migrations go through `prepareSchema`, under a lock.
 */
export function postgresDataSourceOptions(options: PostgresOptions): DataSourceOptions {
  if (!SCHEMA_NAME.test(options.schema)) {
    throw new Error(`Invalid Postgres schema name "${options.schema}": use lower-case letters, digits and _, starting with a letter or _`);
  }
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    applicationName: options.applicationName ?? POSTGRES_DEFAULTS.applicationName,
    poolSize: options.poolMax ?? POSTGRES_DEFAULTS.poolMax,
    connectTimeoutMS: options.connectionTimeoutMs ?? POSTGRES_DEFAULTS.connectionTimeoutMs,
    entities: options.entities ?? [],
    migrations: [...(options.migrations ?? [])],
    migrationsRun: false,
    synchronize: false,
    logging: false,
    // Passed to pg's Pool and Client as they are.
    extra: {
      idleTimeoutMillis: options.idleTimeoutMs ?? POSTGRES_DEFAULTS.idleTimeoutMs,
      // Sent in the startup packet, so it holds on every connection of the pool from its first statement.
      statement_timeout: options.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs,
      // The service's raw SQL (projections, checkpoints) lands in its own schema; `public` keeps extensions visible.
      options: `-c search_path=${options.schema},public`,
    },
  };
}

/**
 * Creates the schema if missing and runs the pending migrations, holding an advisory lock so that replicas starting
 * together do not run the same migration twice.
 */
export async function prepareSchema(dataSource: DataSource, schema: string, runMigrations = true): Promise<void> {
  await withQueryRunner(dataSource, async (queryRunner) => {
    const lock = `trellis:migrations:${schema}`;
    await queryRunner.query('SELECT pg_advisory_lock(hashtext($1))', [lock]);
    try {
      await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      if (runMigrations) await new MigrationExecutor(dataSource, queryRunner).executePendingMigrations();
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock(hashtext($1))', [lock]);
    }
  });
}

/** `synchronize` rewrites tables from entity classes, dropping what it does not know: unit tests only. */
export function assertSynchronizeAllowed(options: Pick<PostgresOptions, 'synchronize'>, env: NodeJS.ProcessEnv = process.env): void {
  if (options.synchronize && env['NODE_ENV'] !== 'test') {
    throw new Error(
      `synchronize is only allowed in unit tests (NODE_ENV=test, here NODE_ENV=${env['NODE_ENV'] ?? 'unset'}): change the schema with a migration`,
    );
  }
}
