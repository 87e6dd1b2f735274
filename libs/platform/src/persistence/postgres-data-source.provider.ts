import { type FactoryProvider, type InjectionToken, Logger } from '@nestjs/common';
import type { MigrationClass } from '@trellis/persistence';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '@trellis/resilience';
import { Registry } from 'prom-client';
import type { DataSource, DataSourceOptions } from 'typeorm';

import { SETTINGS } from '../configuration/platform-config.module.js';
import { withoutCredentials } from '../event-store/open-event-store.js';
import type { PostgresSettings } from '../configuration/trellis.settings.js';
import { PostgresHealthIndicator, ReadinessChecks } from '../health/readiness.js';
import { ShutdownTasks } from '../lifecycle/shutdown-tasks.js';
import { queryDurationObserver, registerPoolMetrics } from '../metrics/metrics.js';

export interface PostgresDataSourceProviderOptions {
  /** The feature's own schema (lower-case letters, digits and `_`): created if missing, first on the search path. */
  readonly schema: string;
  /** Run in order at startup, under an advisory lock (replicas starting together run each once). */
  readonly migrations?: readonly MigrationClass[];
  /** Entity classes, for repositories and the query builder. */
  readonly entities?: DataSourceOptions['entities'];
  /** Shown in `pg_stat_activity.application_name` (default `trellis-<schema>`). */
  readonly applicationName?: string;
  /** Connection attempts at startup, for a database that is still starting (default 5, from 100 ms up to 5 s apart). */
  readonly retry?: Partial<Pick<RetryPolicy, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs'>>;
}

/** The readiness key of a data source's check: one per schema, so that a service with several shows each. */
export function postgresCheckKey(schema: string): string {
  return `postgres:${schema}`;
}

/**
 * A provider of a TypeORM `DataSource` under `token`, for a feature module's `forRoot()`: connected to
 * `TRELLIS_POSTGRES_URL` with the `TRELLIS_POSTGRES_*` pool settings of the application's validated settings
 * (`SETTINGS`), in the feature's schema with its migrations run (at startup, retried while the database cannot be
 * reached). It shows the pool as `trellis_db_pool_*{pool="<schema>"}` and every query in
 * `trellis_db_query_duration_seconds`, adds the readiness check `postgres:<schema>`, and is destroyed at shutdown
 * after the modules that use it stopped. Needs `PlatformModule` (settings, registry, readiness, shutdown tasks).
 */
export function postgresDataSourceProvider(token: InjectionToken, options: PostgresDataSourceProviderOptions): FactoryProvider<DataSource> {
  return {
    provide: token,
    inject: [SETTINGS, Registry, ReadinessChecks, ShutdownTasks],
    useFactory: async (settings: PostgresSettings, registry: Registry, readiness: ReadinessChecks, shutdown: ShutdownTasks): Promise<DataSource> => {
      // Loaded here, not with the platform: TypeORM takes about 250 ms to load, which a service without it never pays.
      const { createPostgresDataSource, poolStats } = await import('@trellis/persistence');
      const logger = new Logger(`Postgres ${options.schema}`);
      const opening = withRetry(
        () =>
          createPostgresDataSource({
            url: settings.TRELLIS_POSTGRES_URL,
            schema: options.schema,
            applicationName: options.applicationName ?? `trellis-${options.schema}`,
            poolMax: settings.TRELLIS_POSTGRES_POOL_MAX,
            connectionTimeoutMs: settings.TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS,
            idleTimeoutMs: settings.TRELLIS_POSTGRES_IDLE_TIMEOUT_MS,
            statementTimeoutMs: settings.TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS,
            migrations: options.migrations ?? [],
            ...(options.entities !== undefined ? { entities: options.entities } : {}),
            onQuery: queryDurationObserver(registry),
          }),
        {
          ...DEFAULT_RETRY_POLICY,
          ...options.retry,
          operation: `Opening the ${options.schema} schema`,
          logger: { warn: (details, message) => logger.warn({ msg: message, ...details }) },
        },
      );
      const dataSource = await opening.catch((error: unknown) => {
        throw new Error(
          `The Postgres schema ${options.schema} at ${withoutCredentials(settings.TRELLIS_POSTGRES_URL)} cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      });
      const unregisterPool = registerPoolMetrics(registry, options.schema, () => poolStats(dataSource));
      const unregisterCheck = readiness.register(new PostgresHealthIndicator(dataSource, postgresCheckKey(options.schema)));
      shutdown.add(`the ${options.schema} data source`, async () => {
        unregisterCheck();
        unregisterPool();
        await dataSource.destroy();
      });
      return dataSource;
    },
  };
}
