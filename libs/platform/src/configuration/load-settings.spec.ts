import { resolve } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { ConfigurationError, loadSettings, unknownSettings, validateSettings } from './load-settings.js';
import { ENVIRONMENTS } from './setting.js';
import {
  eventStoreSettings,
  historySettings,
  httpSettings,
  kafkaSettings,
  postgresSettings,
  relaySettings,
  runtimeSettings,
  tasksSettings,
  dmnSettings,
  trellisSettings,
} from './trellis.settings.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('loadSettings', () => {
  it('gives every setting its default in development', () => {
    expect(loadSettings({})).toEqual({
      TRELLIS_ENV: 'development',
      PORT: 8080,
      TRELLIS_HOST: '0.0.0.0',
      TRELLIS_EVENT_STORE: 'embedded',
      TRELLIS_DATA_DIR: resolve('data'),
      TRELLIS_INSTANCE_CACHE_SIZE: 10_000,
      TRELLIS_SNAPSHOT_EVERY: 500,
      TRELLIS_TIMERS_ENABLED: 'true',
      TRELLIS_JOB_EXECUTOR_ENABLED: 'true',
      TRELLIS_WORKER_UNHEALTHY_AFTER_MS: 60000,
      TRELLIS_HISTORY_SCHEMA: 'trellis_history',
      TRELLIS_TASKS_SCHEMA: 'trellis_tasks',
      TRELLIS_TASKS_OUTBOX_POLL_INTERVAL_MS: 1000,
      TRELLIS_TASKS_OUTBOX_BATCH_SIZE: 100,
      TRELLIS_DMN_SCHEMA: 'trellis_dmn',
      TRELLIS_LOG_LEVEL: 'log',
      TRELLIS_CORS_ORIGINS: '*',
      TRELLIS_HEALTH_CHECK_TIMEOUT_MS: 2000,
      TRELLIS_POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/test',
      TRELLIS_POSTGRES_POOL_MAX: 10,
      TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS: 5000,
      TRELLIS_POSTGRES_IDLE_TIMEOUT_MS: 30_000,
      TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS: 30_000,
      TRELLIS_KAFKA_BROKERS: ['127.0.0.1:9092'],
      TRELLIS_KAFKA_CLIENT_ID: 'trellis',
      TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS: 3000,
      TRELLIS_KAFKA_REQUEST_TIMEOUT_MS: 30_000,
      TRELLIS_KAFKA_RETRIES: 8,
      TRELLIS_KAFKA_RETRY_INITIAL_MS: 300,
      TRELLIS_KAFKA_RETRY_MAX_MS: 30_000,
      TRELLIS_KAFKA_SESSION_TIMEOUT_MS: 30_000,
      TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS: 3000,
      TRELLIS_RELAY_NAME: 'trellis',
      TRELLIS_RELAY_BATCH_SIZE: 500,
      TRELLIS_RELAY_TOPIC_PARTITIONS: 12,
      TRELLIS_RELAY_SCHEMA: 'trellis_relay',
      TRELLIS_EVENTSTORE_URL: undefined,
      TRELLIS_EVENT_STORE_SCHEMA: 'trellis_events',
    });
  });

  it('reads every variable into its type', () => {
    const settings = loadSettings({
      TRELLIS_ENV: 'production',
      PORT: '9090',
      TRELLIS_HOST: '127.0.0.1',
      TRELLIS_EVENT_STORE: 'eventstoredb',
      TRELLIS_DATA_DIR: '/var/lib/trellis',
      TRELLIS_INSTANCE_CACHE_SIZE: '50',
      TRELLIS_SNAPSHOT_EVERY: '0',
      TRELLIS_TIMERS_ENABLED: 'false',
      TRELLIS_JOB_EXECUTOR_ENABLED: 'false',
      TRELLIS_WORKER_UNHEALTHY_AFTER_MS: '5000',
      TRELLIS_LOG_LEVEL: 'debug',
      TRELLIS_CORS_ORIGINS: 'https://tasks.example.com, http://localhost:5173',
      TRELLIS_HEALTH_CHECK_TIMEOUT_MS: '500',
      TRELLIS_POSTGRES_URL: 'postgresql://trellis:secret@db.internal:6432/trellis?sslmode=require',
      TRELLIS_POSTGRES_POOL_MAX: '40',
      TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS: '2000',
      TRELLIS_POSTGRES_IDLE_TIMEOUT_MS: '0',
      TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS: '0',
      TRELLIS_KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092,[::1]:9093',
      TRELLIS_KAFKA_CLIENT_ID: 'runtime-service',
      TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS: '1000',
      TRELLIS_KAFKA_REQUEST_TIMEOUT_MS: '5000',
      TRELLIS_KAFKA_RETRIES: '0',
      TRELLIS_KAFKA_RETRY_INITIAL_MS: '100',
      TRELLIS_KAFKA_RETRY_MAX_MS: '2000',
      TRELLIS_KAFKA_SESSION_TIMEOUT_MS: '10000',
      TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      TRELLIS_RELAY_NAME: 'runtime-relay',
      TRELLIS_RELAY_BATCH_SIZE: '100',
      TRELLIS_RELAY_TOPIC_PARTITIONS: '48',
      TRELLIS_RELAY_SCHEMA: 'runtime_relay',
      TRELLIS_EVENTSTORE_URL: 'esdb+discover://node1:2113,node2:2113,node3:2113?tls=true',
      TRELLIS_EVENT_STORE_SCHEMA: 'runtime_events',
      TRELLIS_HISTORY_SCHEMA: 'history_replica',
      TRELLIS_TASKS_SCHEMA: 'tasks_replica',
      TRELLIS_TASKS_OUTBOX_POLL_INTERVAL_MS: '250',
      TRELLIS_TASKS_OUTBOX_BATCH_SIZE: '20',
      TRELLIS_DMN_SCHEMA: 'dmn_replica',
    });
    expect(settings).toEqual({
      TRELLIS_ENV: 'production',
      PORT: 9090,
      TRELLIS_HOST: '127.0.0.1',
      TRELLIS_EVENT_STORE: 'eventstoredb',
      TRELLIS_DATA_DIR: '/var/lib/trellis',
      TRELLIS_INSTANCE_CACHE_SIZE: 50,
      TRELLIS_SNAPSHOT_EVERY: 0,
      TRELLIS_TIMERS_ENABLED: 'false',
      TRELLIS_JOB_EXECUTOR_ENABLED: 'false',
      TRELLIS_WORKER_UNHEALTHY_AFTER_MS: 5000,
      TRELLIS_HISTORY_SCHEMA: 'history_replica',
      TRELLIS_TASKS_SCHEMA: 'tasks_replica',
      TRELLIS_TASKS_OUTBOX_POLL_INTERVAL_MS: 250,
      TRELLIS_TASKS_OUTBOX_BATCH_SIZE: 20,
      TRELLIS_DMN_SCHEMA: 'dmn_replica',
      TRELLIS_LOG_LEVEL: 'debug',
      TRELLIS_CORS_ORIGINS: ['https://tasks.example.com', 'http://localhost:5173'],
      TRELLIS_HEALTH_CHECK_TIMEOUT_MS: 500,
      TRELLIS_POSTGRES_URL: 'postgresql://trellis:secret@db.internal:6432/trellis?sslmode=require',
      TRELLIS_POSTGRES_POOL_MAX: 40,
      TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS: 2000,
      TRELLIS_POSTGRES_IDLE_TIMEOUT_MS: 0,
      TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS: 0,
      TRELLIS_KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9092', '[::1]:9093'],
      TRELLIS_KAFKA_CLIENT_ID: 'runtime-service',
      TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS: 1000,
      TRELLIS_KAFKA_REQUEST_TIMEOUT_MS: 5000,
      TRELLIS_KAFKA_RETRIES: 0,
      TRELLIS_KAFKA_RETRY_INITIAL_MS: 100,
      TRELLIS_KAFKA_RETRY_MAX_MS: 2000,
      TRELLIS_KAFKA_SESSION_TIMEOUT_MS: 10_000,
      TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS: 1000,
      TRELLIS_RELAY_NAME: 'runtime-relay',
      TRELLIS_RELAY_BATCH_SIZE: 100,
      TRELLIS_RELAY_TOPIC_PARTITIONS: 48,
      TRELLIS_RELAY_SCHEMA: 'runtime_relay',
      TRELLIS_EVENTSTORE_URL: 'esdb+discover://node1:2113,node2:2113,node3:2113?tls=true',
      TRELLIS_EVENT_STORE_SCHEMA: 'runtime_events',
    });
  });

  it('names every bad value with its rule, all at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      TRELLIS_EVENT_STORE: 'mongodb',
      TRELLIS_INSTANCE_CACHE_SIZE: '0',
      TRELLIS_POSTGRES_URL: 'mysql://db/trellis',
      TRELLIS_KAFKA_BROKERS: 'kafka-1',
      TRELLIS_CORS_ORIGINS: 'https://tasks.example.com/',
      TRELLIS_LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual([
      'PORT="eighty": expected a whole number from 0 to 65535',
      'TRELLIS_LOG_LEVEL="loud": expected one of fatal, error, warn, log, debug, verbose, silent',
      'TRELLIS_CORS_ORIGINS="https://tasks.example.com/": expected * (any origin), none, or comma-separated origins (scheme://host[:port])',
      'TRELLIS_EVENT_STORE="mongodb": expected one of embedded, memory, postgres, eventstoredb',
      'TRELLIS_POSTGRES_URL="mysql://db/trellis": expected a URL starting with postgres:// or postgresql://',
      'TRELLIS_KAFKA_BROKERS="kafka-1": expected comma-separated host:port pairs',
      'TRELLIS_INSTANCE_CACHE_SIZE="0": expected a whole number from 1 to 10000000',
    ]);
  });

  it('says so in one message that ends with where the settings are documented', () => {
    expect(() => loadSettings({ PORT: '70000', TRELLIS_POSTGRES_POOL_MAX: '-1' })).toThrow(
      'Invalid configuration:\n' +
        '  - PORT="70000": expected a whole number from 0 to 65535\n' +
        '  - TRELLIS_POSTGRES_POOL_MAX="-1": expected a whole number from 1 to 1000\n' +
        'See docs/configuration.md.',
    );
  });

  it('counts an empty or blank variable as unset', () => {
    expect(loadSettings({ PORT: '', TRELLIS_LOG_LEVEL: '  ' })).toEqual(expect.objectContaining({ PORT: 8080, TRELLIS_LOG_LEVEL: 'log' }));
  });

  it('takes the environment from TRELLIS_ENV, else from NODE_ENV', () => {
    expect(loadSettings({ NODE_ENV: 'test' }).TRELLIS_ENV).toBe('test');
    expect(loadSettings({ NODE_ENV: 'test', TRELLIS_ENV: 'development' }).TRELLIS_ENV).toBe('development');
    expect(problemsOf({ NODE_ENV: 'staging' })).toEqual([
      'NODE_ENV="staging" (read because TRELLIS_ENV is not set): expected one of development, test, production',
    ]);
  });

  it('logs only warnings and errors in the test environment unless told otherwise', () => {
    expect(loadSettings({ TRELLIS_ENV: 'test' }).TRELLIS_LOG_LEVEL).toBe('warn');
    expect(loadSettings({ TRELLIS_ENV: 'test', TRELLIS_LOG_LEVEL: 'debug' }).TRELLIS_LOG_LEVEL).toBe('debug');
  });

  it('requires explicit CORS origins in production, and no wildcard', () => {
    expect(problemsOf({ TRELLIS_ENV: 'production' })).toEqual([
      'TRELLIS_CORS_ORIGINS is not set: required in production; expected * (any origin), none, or comma-separated origins (scheme://host[:port])',
    ]);
    expect(problemsOf({ TRELLIS_ENV: 'production', TRELLIS_CORS_ORIGINS: '*' })).toEqual(['TRELLIS_CORS_ORIGINS="*": no wildcard (*) in production']);
    expect(loadSettings({ TRELLIS_ENV: 'production', TRELLIS_CORS_ORIGINS: 'none' }).TRELLIS_CORS_ORIGINS).toEqual([]);
    expect(loadSettings({ TRELLIS_ENV: 'development', TRELLIS_CORS_ORIGINS: '*' }).TRELLIS_CORS_ORIGINS).toBe('*');
  });

  it('requires the EventStoreDB connection string only with the eventstoredb store', () => {
    expect(problemsOf({ TRELLIS_EVENT_STORE: 'eventstoredb' })).toEqual([
      'TRELLIS_EVENTSTORE_URL is not set: required when TRELLIS_EVENT_STORE=eventstoredb; ' +
        'expected a URL starting with esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover://',
    ]);
    expect(loadSettings({ TRELLIS_EVENT_STORE: 'embedded' }).TRELLIS_EVENTSTORE_URL).toBeUndefined();
  });

  it('keeps a Kafka consumer heartbeat below its session timeout', () => {
    expect(problemsOf({ TRELLIS_KAFKA_SESSION_TIMEOUT_MS: '6000', TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS: '6000' })).toEqual([
      'TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS=6000: expected less than TRELLIS_KAFKA_SESSION_TIMEOUT_MS (6000)',
    ]);
    expect(problemsOf({ TRELLIS_KAFKA_SESSION_TIMEOUT_MS: '3000' })).toEqual([
      'TRELLIS_KAFKA_SESSION_TIMEOUT_MS="3000": expected a whole number from 6000 to 1800000 (milliseconds)',
    ]);
  });

  it('lets a service add its own rules, reported with the others', () => {
    const onlyEmbedded = (settings: { readonly TRELLIS_EVENT_STORE: string }): string[] =>
      settings.TRELLIS_EVENT_STORE === 'embedded' ? [] : [`TRELLIS_EVENT_STORE="${settings.TRELLIS_EVENT_STORE}": not here`];
    expect(() => loadSettings({ PORT: 'x', TRELLIS_EVENT_STORE: 'memory' }, [onlyEmbedded])).toThrow(
      expect.objectContaining({ problems: ['PORT="x": expected a whole number from 0 to 65535', 'TRELLIS_EVENT_STORE="memory": not here'] }),
    );
  });

  it('starts in every environment with only the required values given', () => {
    const example: Readonly<Record<string, string>> = { TRELLIS_CORS_ORIGINS: 'https://tasks.example.com' };
    for (const environment of ENVIRONMENTS) {
      const required = Object.entries(trellisSettings)
        .filter(([, setting]) => setting.environments?.[environment]?.required)
        .map(([key]) => [key, example[key] ?? '']);
      expect(loadSettings({ TRELLIS_ENV: environment, ...Object.fromEntries(required) }).TRELLIS_ENV).toBe(environment);
    }
  });
});

describe('settings groups', () => {
  const groups = { httpSettings, eventStoreSettings, postgresSettings, kafkaSettings, relaySettings, runtimeSettings, historySettings, tasksSettings, dmnSettings };

  it('put every setting in exactly one group, and trellisSettings is all of them', () => {
    const grouped = Object.values(groups).flatMap((group) => Object.keys(group));
    expect(new Set(grouped).size).toBe(grouped.length);
    expect([...grouped].sort()).toEqual(Object.keys(trellisSettings).sort());
  });

  it('validate a service schema spread from some groups: only its settings, only its problems', () => {
    const serviceSettings = { ...httpSettings, ...postgresSettings };
    const env = { PORT: '9000', TRELLIS_POSTGRES_POOL_MAX: '5', TRELLIS_KAFKA_BROKERS: 'not a broker list', TRELLIS_INSTANCE_CACHE_SIZE: '0' };
    const settings = validateSettings(serviceSettings, env);
    expect(Object.keys(settings).sort()).toEqual(Object.keys(serviceSettings).sort());
    expect(settings).toEqual(expect.objectContaining({ PORT: 9000, TRELLIS_POSTGRES_POOL_MAX: 5, TRELLIS_ENV: 'development' }));
    expect(() => validateSettings({ ...httpSettings, ...kafkaSettings }, env)).toThrow(
      expect.objectContaining({ problems: ['TRELLIS_KAFKA_BROKERS="not a broker list": expected comma-separated host:port pairs'] }),
    );
  });
});

describe('unknownSettings', () => {
  it('points out a TRELLIS_ variable that is no setting, with the setting it probably means', () => {
    expect(unknownSettings({ TRELLIS_CORS_ORIGIN: 'https://a.example.com', TRELLIS_TEST_NO_KAFKA: '1', HOME: '/root', TRELLIS_PORT: '' })).toEqual([
      'TRELLIS_CORS_ORIGIN is not a Trellis setting and is ignored (did you mean TRELLIS_CORS_ORIGINS?)',
      'TRELLIS_TEST_NO_KAFKA is not a Trellis setting and is ignored',
    ]);
  });
});
