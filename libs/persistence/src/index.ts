export { assertSynchronizeAllowed, createPostgresDataSource, postgresDataSourceOptions, prepareSchema } from './data-source.js';
export { type MigrationClass, POSTGRES_DEFAULTS, POSTGRES_ENVIRONMENT, type PostgresOptions } from './postgres-options.js';
export { inTransaction, type TransactionOptions, withQueryRunner } from './sessions.js';
export {
  observeQueryDurations,
  type PoolStats,
  poolStats,
  type QueryDuration,
  type QueryDurationObserver,
  type QueryOperation,
  queryOperation,
} from './pool-metrics.js';
export {
  type Projection,
  ProjectionError,
  ProjectionRunner,
  type ProjectionRunnerOptions,
  type SubscribeProjectionOptions,
} from './projection-runner.js';
export { CreateProjectionCheckpoints1795564800000 } from './projection-checkpoints.migration.js';
export {
  CreateProjectionStreamCheckpoints1796342400000,
  type StreamProjection,
  StreamProjectionGapError,
  StreamProjectionRunner,
  type StreamProjectionRunnerOptions,
} from './stream-projection-runner.js';
