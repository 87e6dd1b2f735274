export {
  type CorsOrigins,
  ENVIRONMENTS,
  type Environment,
  type EnvironmentRule,
  type Parsed,
  type Setting,
  type SettingsOf,
  type SettingsSchema,
} from './configuration/setting.js';
export {
  EVENT_STORE_KINDS,
  type EventStoreKind,
  type EventStoreSettings,
  eventStoreSettings,
  type HistorySettings,
  historySettings,
  type HttpSettings,
  httpSettings,
  type KafkaSettings,
  kafkaSettings,
  LOG_LEVELS,
  type PostgresSettings,
  postgresSettings,
  type RelaySettings,
  relaySettings,
  type RuntimeSettings,
  runtimeSettings,
  type TasksSettings,
  tasksSettings,
  type DmnSettings,
  dmnSettings,
  type TrellisLogLevel,
  type TrellisSettings,
  type TrellisSettingsSchema,
  trellisSettings,
} from './configuration/trellis.settings.js';
export { ConfigurationError, type Env, loadSettings, type SettingsCheck, unknownSettings, validateSettings } from './configuration/load-settings.js';
export { documentSetting, normalizeDocumentText, type SettingDocumentation } from './configuration/setting-documentation.js';
export { environmentWithFiles } from './configuration/env-files.js';
export { InjectSettings, PlatformConfigModule, SETTINGS } from './configuration/platform-config.module.js';
export { PlatformLoggingModule, type LoggingOptions, pinoLevel } from './logging/logging.module.js';
export { applyHttpHardening, corsOptions } from './http/http-hardening.js';
export { EVENT_STORE } from './event-store/event-store.token.js';
export { CLOCK, type Clock, ManualClock, systemClock } from './clock/clock.js';
export { EventStoreModule } from './event-store/event-store.module.js';
export { PlatformLifecycleModule, ShutdownTasks } from './lifecycle/shutdown-tasks.js';
export {
  postgresCheckKey,
  postgresDataSourceProvider,
  type PostgresDataSourceProviderOptions,
} from './persistence/postgres-data-source.provider.js';
export {
  type InProcessMessagingOptions,
  type KafkaMessagingOptions,
  MessagingModule,
  type MessagingOptions,
} from './messaging/messaging.module.js';
export { kafkaMessageBusOptionsOf, nestMessagingLogger } from './messaging/kafka-options.js';
export { ConsumerLagMessageBus, consumerLag } from './messaging/consumer-lag.js';
export {
  describeEventStore,
  type EventStoreModuleSettings,
  EventStoreOpenError,
  openEventStore,
  withoutCredentials,
} from './event-store/open-event-store.js';
export { ProblemError, ProblemType, type ProblemDetails, type ProblemFieldError } from './http/problem/problem-details.js';
export { ApiProblemResponses, ProblemDetailsDto, ProblemFieldErrorDto } from './http/problem/problem-details.dto.js';
export {
  notFoundProblem,
  notFoundProblemWith,
  ProblemDetailsFilter,
  type ProblemRenderer,
  renderProblem,
  sendProblem,
} from './http/problem/problem-details.filter.js';
export { validationPipe } from './http/validation.js';
export { REQUEST_BODY_TYPES, requestBodyContentType } from './http/request-body-content-type.middleware.js';
export { API_VERSION, createServiceApp, type ServiceAppOptions } from './http/create-service-app.js';
export { runService, type RunServiceOptions } from './http/run-service.js';
export {
  EventStoreHealthIndicator,
  HEALTH_STREAM,
  type KafkaClusterAdmin,
  KafkaHealthIndicator,
  PostgresHealthIndicator,
  type Queryable,
  ReadinessChecks,
  type ReadinessIndicator,
} from './health/readiness.js';
export { HealthController, type HealthOptions, PlatformHealthModule } from './health/health.module.js';
export {
  type EventStoreMetrics,
  eventStoreMetrics,
  exposition,
  HTTP_BUCKETS,
  httpRequestDuration,
  type PartitionLag,
  type PoolCounts,
  processMetricsRegistry,
  type QueryDuration,
  queryDurationObserver,
  type Reader,
  registerConsumerLag,
  registerPoolMetrics,
  registerRelayLag,
  STORAGE_BUCKETS,
} from './metrics/metrics.js';
export { httpMetricsMiddleware, NO_ROUTE } from './metrics/http-metrics.middleware.js';
export { MeteredEventStore } from './metrics/metered-event-store.js';
export { MetricsController, PlatformMetricsModule } from './metrics/metrics.module.js';
export { configurePlatformHttp, PLATFORM_ROUTES, PlatformModule, type PlatformOptions } from './platform.module.js';
