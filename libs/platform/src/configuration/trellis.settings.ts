import { corsOrigins, ENVIRONMENTS, hostPortList, integer, oneOf, optionalUrl, path, type SettingsOf, text, url } from './setting.js';

/** Nest's log levels, from the least to the most verbose, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose', 'silent'] as const;
export type TrellisLogLevel = (typeof LOG_LEVELS)[number];

/** The event store kinds a service can be configured with. */
export const EVENT_STORE_KINDS = ['embedded', 'memory', 'postgres', 'eventstoredb'] as const;
export type EventStoreKind = (typeof EVENT_STORE_KINDS)[number];

/*
 * The settings of every Trellis service, in groups: a service's schema spreads the groups it reads
 * (`{ ...httpSettings, ...postgresSettings, ... }`), and `trellisSettings` is all of them. Each setting is read from
 * the environment variable of the same name and defined only here: validation, typed access, docs/configuration.md
 * and .env.example all follow it (tests compare).
 */

/** Every HTTP service: environment, listening address, logs, CORS, readiness checks. */
export const httpSettings = {
  TRELLIS_ENV: oneOf(ENVIRONMENTS, {
    default: 'development',
    fallback: 'NODE_ENV',
    meaning: 'The environment: chooses the per-environment defaults and rules of the other settings.',
  }),
  PORT: integer({ default: '8080', min: 0, max: 65_535, meaning: 'TCP port of the HTTP server; 0 picks a free port.' }),
  TRELLIS_HOST: text({
    default: '0.0.0.0',
    rule: 'a host name or an IP address',
    pattern: /^(?:[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?)$/,
    meaning: 'Interface the HTTP server listens on; 127.0.0.1 keeps it local to the machine.',
  }),
  TRELLIS_LOG_LEVEL: oneOf(LOG_LEVELS, {
    default: 'log',
    environments: { test: { default: 'warn' } },
    meaning: 'Least important log lines printed: a level prints itself and every less verbose one; silent prints none.',
  }),
  TRELLIS_CORS_ORIGINS: corsOrigins({
    default: '*',
    environments: { production: { required: true, forbid: { rule: 'no wildcard (*)', test: (origins) => origins === '*' } } },
    meaning: 'Browser origins allowed to call the HTTP API from another site (CORS).',
  }),
  TRELLIS_HEALTH_CHECK_TIMEOUT_MS: integer({
    default: '2000',
    min: 1,
    max: 60_000,
    unit: 'milliseconds',
    meaning: 'How long each readiness check (event store, Postgres, Kafka) may take before it counts as down.',
  }),
};

/** Services that own event streams (deployment, runtime, the standalone server): which store, and where. */
export const eventStoreSettings = {
  TRELLIS_EVENT_STORE: oneOf(EVENT_STORE_KINDS, {
    default: 'embedded',
    meaning: 'Where events are stored: embedded (files under TRELLIS_DATA_DIR), memory (gone at exit), postgres or eventstoredb.',
  }),
  TRELLIS_DATA_DIR: path({ default: './data', meaning: 'Directory of the embedded event store; created if missing.' }),
  TRELLIS_EVENTSTORE_URL: optionalUrl({
    protocols: ['esdb', 'esdb+discover', 'kurrentdb', 'kurrentdb+discover'],
    requiredWhen: { key: 'TRELLIS_EVENT_STORE', equals: 'eventstoredb' },
    meaning: 'Connection string of the EventStoreDB (KurrentDB) cluster of the eventstoredb event store.',
  }),
  TRELLIS_EVENT_STORE_SCHEMA: text({
    default: 'trellis_events',
    rule: 'a Postgres schema name: lower-case letters, digits and _, starting with a letter or _, at most 60',
    pattern: /^[a-z_][a-z0-9_]{0,59}$/,
    meaning: 'Postgres schema of the postgres event store (in TRELLIS_POSTGRES_URL); created if missing.',
  }),
};

/** Services with a Postgres pool (read models, the postgres event store, the relay checkpoint). */
export const postgresSettings = {
  TRELLIS_POSTGRES_URL: url({
    default: 'postgres://postgres@127.0.0.1:5432/test',
    protocols: ['postgres', 'postgresql'],
    meaning: 'PostgreSQL server and database of the read models and of the postgres event store.',
  }),
  TRELLIS_POSTGRES_POOL_MAX: integer({ default: '10', min: 1, max: 1000, meaning: 'Most connections one Postgres pool opens.' }),
  TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS: integer({
    default: '5000',
    min: 1,
    max: 600_000,
    unit: 'milliseconds',
    meaning: 'How long opening a Postgres connection, or waiting for a free one, may take before it fails.',
  }),
  TRELLIS_POSTGRES_IDLE_TIMEOUT_MS: integer({
    default: '30000',
    min: 0,
    max: 86_400_000,
    unit: 'milliseconds',
    meaning: 'How long an unused pooled connection stays open; 0 keeps it open.',
  }),
  TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS: integer({
    default: '30000',
    min: 0,
    max: 86_400_000,
    unit: 'milliseconds',
    meaning: 'Postgres cancels a statement running longer than this; 0: no limit.',
  }),
};

/** Services that produce to or consume from Kafka: the kafkajs client's brokers, timeouts and retries. */
export const kafkaSettings = {
  TRELLIS_KAFKA_BROKERS: hostPortList({ default: '127.0.0.1:9092', meaning: 'Kafka bootstrap brokers.' }),
  TRELLIS_KAFKA_CLIENT_ID: text({
    default: 'trellis',
    rule: '1 to 249 letters, digits, dots, underscores or hyphens',
    pattern: /^[A-Za-z0-9._-]{1,249}$/,
    meaning: 'Client id the service gives Kafka (broker logs, quotas).',
  }),
  TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS: integer({
    default: '3000',
    min: 1,
    max: 300_000,
    unit: 'milliseconds',
    meaning: 'How long opening a connection to a Kafka broker may take before the attempt fails (and is retried).',
  }),
  TRELLIS_KAFKA_REQUEST_TIMEOUT_MS: integer({
    default: '30000',
    min: 1,
    max: 600_000,
    unit: 'milliseconds',
    meaning: 'How long a Kafka broker may take to answer a request before it fails (and is retried).',
  }),
  TRELLIS_KAFKA_RETRIES: integer({
    default: '8',
    min: 0,
    max: 100,
    meaning: 'Retries of a failed Kafka request (connect, metadata, publish, commit) before the operation fails.',
  }),
  TRELLIS_KAFKA_RETRY_INITIAL_MS: integer({
    default: '300',
    min: 1,
    max: 600_000,
    unit: 'milliseconds',
    meaning: 'Delay before the first retry of a failed Kafka request; it doubles, with jitter, for each next one.',
  }),
  TRELLIS_KAFKA_RETRY_MAX_MS: integer({
    default: '30000',
    min: 1,
    max: 600_000,
    unit: 'milliseconds',
    meaning: 'Longest delay between two retries of a failed Kafka request.',
  }),
  TRELLIS_KAFKA_SESSION_TIMEOUT_MS: integer({
    default: '30000',
    min: 6_000,
    max: 1_800_000,
    unit: 'milliseconds',
    meaning: 'A consumer that sends no heartbeat for this long leaves its group, and its partitions go to the others.',
  }),
  TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS: integer({
    default: '3000',
    min: 1,
    max: 600_000,
    unit: 'milliseconds',
    lessThan: 'TRELLIS_KAFKA_SESSION_TIMEOUT_MS',
    meaning: 'How often a consumer tells its group it is alive.',
  }),
};

/** The service that runs the relay (event store to Kafka). */
export const relaySettings = {
  TRELLIS_RELAY_NAME: text({
    default: 'trellis',
    rule: '1 to 100 letters, digits, dots, underscores or hyphens',
    pattern: /^[A-Za-z0-9._-]{1,100}$/,
    meaning: 'Name of the relay: its checkpoint row and the relay label of its lag metric.',
  }),
  TRELLIS_RELAY_BATCH_SIZE: integer({
    default: '500',
    min: 1,
    max: 10_000,
    meaning: 'Most events the relay reads from the event store and publishes to Kafka in one batch.',
  }),
  TRELLIS_RELAY_TOPIC_PARTITIONS: integer({
    default: '12',
    min: 1,
    max: 10_000,
    meaning: 'Partitions of the process-instance events topic when the relay creates it; an existing topic is left as it is.',
  }),
  TRELLIS_RELAY_SCHEMA: text({
    default: 'trellis_relay',
    rule: 'a Postgres schema name: lower-case letters, digits and _, starting with a letter or _, at most 63',
    pattern: /^[a-z_][a-z0-9_]{0,62}$/,
    meaning: 'Postgres schema of the relay checkpoints table; created if missing.',
  }),
};

/** The service that runs process instances. */
export const runtimeSettings = {
  TRELLIS_INSTANCE_CACHE_SIZE: integer({
    default: '10000',
    min: 1,
    max: 10_000_000,
    meaning: 'How many process-instance states the runtime keeps in memory between commands.',
  }),
  TRELLIS_SNAPSHOT_EVERY: integer({
    default: '500',
    min: 0,
    max: 1_000_000,
    meaning: 'Events appended to a process instance between two snapshots of its state; 0: no snapshots.',
  }),
  TRELLIS_TIMERS_ENABLED: oneOf(['true', 'false'], {
    default: 'true',
    meaning: 'Whether this process fires due timers and starts the instances of timer start events; every replica may (each timer fires once).',
  }),
  TRELLIS_JOB_EXECUTOR_ENABLED: oneOf(['true', 'false'], {
    default: 'true',
    meaning: 'Whether this process runs due asynchronous continuations (camunda:asyncBefore/asyncAfter); every replica may (each runs once).',
  }),
  TRELLIS_WORKER_UNHEALTHY_AFTER_MS: integer({
    default: '60000',
    min: 1000,
    max: 86_400_000,
    unit: 'milliseconds',
    meaning: 'GET /api/workers lists an external-task worker as unhealthy once it has not polled for this many milliseconds.',
  }),
};

/** The history service (its read model's schema). */
export const historySettings = {
  TRELLIS_HISTORY_SCHEMA: text({
    default: 'trellis_history',
    rule: 'a Postgres schema name: lower-case letters, digits and _, starting with a letter or _, at most 63',
    pattern: /^[a-z_][a-z0-9_]{0,62}$/,
    meaning: 'Postgres schema of the history read model (in TRELLIS_POSTGRES_URL); created with its tables if missing.',
  }),
};

/** The task-service (its read model's schema, its outbox of runtime commands). */
export const tasksSettings = {
  TRELLIS_TASKS_SCHEMA: text({
    default: 'trellis_tasks',
    rule: 'a Postgres schema name: lower-case letters, digits and _, starting with a letter or _, at most 63',
    pattern: /^[a-z_][a-z0-9_]{0,62}$/,
    meaning: 'Postgres schema of the task-service (in TRELLIS_POSTGRES_URL): user tasks and the outbox; created with its tables if missing.',
  }),
  TRELLIS_TASKS_OUTBOX_POLL_INTERVAL_MS: integer({
    default: '1000',
    min: 10,
    max: 600_000,
    unit: 'milliseconds',
    meaning: 'How often the task-service looks for runtime commands committed but not yet published to Kafka.',
  }),
  TRELLIS_TASKS_OUTBOX_BATCH_SIZE: integer({
    default: '100',
    min: 1,
    max: 10_000,
    meaning: 'Most runtime commands the task-service publishes from its outbox in one Kafka request.',
  }),
};

/** The dmn-service (its store of decision definitions). */
export const dmnSettings = {
  TRELLIS_DMN_SCHEMA: text({
    default: 'trellis_dmn',
    rule: 'a Postgres schema name: lower-case letters, digits and _, starting with a letter or _, at most 63',
    pattern: /^[a-z_][a-z0-9_]{0,62}$/,
    meaning: 'Postgres schema of the dmn-service (in TRELLIS_POSTGRES_URL): decision definitions and their DMN; created with its tables if missing.',
  }),
};

/** Every setting of every Trellis service. */
export const trellisSettings = {
  ...httpSettings,
  ...eventStoreSettings,
  ...postgresSettings,
  ...kafkaSettings,
  ...relaySettings,
  ...runtimeSettings,
  ...historySettings,
  ...tasksSettings,
  ...dmnSettings,
};

export type HttpSettings = SettingsOf<typeof httpSettings>;
export type EventStoreSettings = SettingsOf<typeof eventStoreSettings>;
export type PostgresSettings = SettingsOf<typeof postgresSettings>;
export type KafkaSettings = SettingsOf<typeof kafkaSettings>;
export type RelaySettings = SettingsOf<typeof relaySettings>;
export type RuntimeSettings = SettingsOf<typeof runtimeSettings>;
export type HistorySettings = SettingsOf<typeof historySettings>;
export type TasksSettings = SettingsOf<typeof tasksSettings>;
export type DmnSettings = SettingsOf<typeof dmnSettings>;

export type TrellisSettingsSchema = typeof trellisSettings;

/** Every setting's validated value, by variable name: what services read instead of `process.env`. */
export type TrellisSettings = SettingsOf<TrellisSettingsSchema>;
