import type { DataSourceOptions, MigrationInterface } from 'typeorm';
import type { QueryDurationObserver } from './pool-metrics.js';

/** A TypeORM migration class (its name ends with a 13-digit timestamp, which orders the migrations). */
export type MigrationClass = new () => MigrationInterface;

/** How a service reaches its Postgres database. Only `url` and `schema` are required; the rest has defaults. */
export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` */
  readonly url: string;
  /** The service's own schema (lower-case letters, digits and `_`): created if missing, first on the search path. */
  readonly schema: string;
  /** Shown in `pg_stat_activity.application_name`. */
  readonly applicationName?: string;
  /** Most connections the pool opens. */
  readonly poolMax?: number;
  /** How long opening a connection, or waiting for a free one from the pool, may take before it fails. */
  readonly connectionTimeoutMs?: number;
  /** How long an unused connection stays open in the pool. */
  readonly idleTimeoutMs?: number;
  /** Postgres cancels any statement running longer than this (0: no limit). Set on every connection. */
  readonly statementTimeoutMs?: number;
  readonly entities?: DataSourceOptions['entities'];
  readonly migrations?: readonly MigrationClass[];
  /** Run pending migrations while connecting (default true). */
  readonly runMigrations?: boolean;
  /** Told the duration of every query, migrations included (metrics). */
  readonly onQuery?: QueryDurationObserver;
  /**
   * Never in a service: the schema is built by migrations. Accepted only when `NODE_ENV` is `test`, for unit tests
   * that want a throw-away schema from their entities; anywhere else `createPostgresDataSource` throws.
   */
  readonly synchronize?: boolean;
}

export const POSTGRES_DEFAULTS = {
  applicationName: 'trellis',
  poolMax: 10,
  connectionTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  statementTimeoutMs: 30_000,
} as const;

/** The environment variables the configuration maps onto `PostgresOptions` (documented in docs/persistence.md). */
export const POSTGRES_ENVIRONMENT = {
  url: 'TRELLIS_POSTGRES_URL',
  poolMax: 'TRELLIS_POSTGRES_POOL_MAX',
  connectionTimeoutMs: 'TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS',
  idleTimeoutMs: 'TRELLIS_POSTGRES_IDLE_TIMEOUT_MS',
  statementTimeoutMs: 'TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS',
} as const satisfies Partial<Record<keyof PostgresOptions, string>>;
