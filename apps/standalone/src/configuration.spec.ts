import { resolve } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { ConfigurationError, loadStandaloneSettings, logLevelOf } from './configuration.js';

describe('loadStandaloneSettings', () => {
  it('serves on 8080 on every interface with the embedded store under ./data by default', () => {
    expect(loadStandaloneSettings({})).toEqual(
      expect.objectContaining({
        PORT: 8080,
        TRELLIS_HOST: '0.0.0.0',
        TRELLIS_EVENT_STORE: 'embedded',
        TRELLIS_DATA_DIR: resolve('data'),
        TRELLIS_INSTANCE_CACHE_SIZE: 10_000,
        TRELLIS_LOG_LEVEL: 'log',
      }),
    );
  });

  it('reads the variables it has always read, with the same meaning', () => {
    expect(
      loadStandaloneSettings({
        PORT: '9090',
        TRELLIS_HOST: '127.0.0.1',
        TRELLIS_EVENT_STORE: 'memory',
        TRELLIS_DATA_DIR: '/var/lib/trellis',
        TRELLIS_INSTANCE_CACHE_SIZE: '50',
        TRELLIS_LOG_LEVEL: 'debug',
      }),
    ).toEqual(
      expect.objectContaining({
        PORT: 9090,
        TRELLIS_HOST: '127.0.0.1',
        TRELLIS_EVENT_STORE: 'memory',
        TRELLIS_DATA_DIR: '/var/lib/trellis',
        TRELLIS_INSTANCE_CACHE_SIZE: 50,
        TRELLIS_LOG_LEVEL: 'debug',
      }),
    );
  });

  it('takes every event store, with what each needs, and reports every problem at once', () => {
    expect(loadStandaloneSettings({ TRELLIS_EVENT_STORE: 'postgres', TRELLIS_EVENT_STORE_SCHEMA: 'orders_events' })).toEqual(
      expect.objectContaining({ TRELLIS_EVENT_STORE: 'postgres', TRELLIS_EVENT_STORE_SCHEMA: 'orders_events', TRELLIS_POSTGRES_POOL_MAX: 10 }),
    );
    expect(loadStandaloneSettings({ TRELLIS_EVENT_STORE: 'eventstoredb', TRELLIS_EVENTSTORE_URL: 'esdb://localhost:2113' }).TRELLIS_EVENTSTORE_URL).toBe(
      'esdb://localhost:2113',
    );
    let error: unknown;
    try {
      loadStandaloneSettings({ PORT: 'eighty', TRELLIS_EVENT_STORE: 'eventstoredb', TRELLIS_EVENT_STORE_SCHEMA: 'Events', TRELLIS_INSTANCE_CACHE_SIZE: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      'PORT="eighty": expected a whole number from 0 to 65535',
      'TRELLIS_EVENT_STORE_SCHEMA="Events": expected a Postgres schema name: lower-case letters, digits and _, starting with a letter or _, at most 60',
      'TRELLIS_INSTANCE_CACHE_SIZE="0": expected a whole number from 1 to 10000000',
      'TRELLIS_EVENTSTORE_URL is not set: required when TRELLIS_EVENT_STORE=eventstoredb; ' +
        'expected a URL starting with esdb://, esdb+discover://, kurrentdb:// or kurrentdb+discover://',
    ]);
  });

  it('reads no Kafka setting: its modules talk in process', () => {
    expect(Object.keys(loadStandaloneSettings({ TRELLIS_KAFKA_BROKERS: 'not a list' })).filter((key) => key.includes('KAFKA'))).toEqual([]);
  });
});

describe('logLevelOf', () => {
  it('prints the most verbose of the levels asked for, and nothing for none', () => {
    expect(logLevelOf(['fatal', 'error', 'warn'])).toBe('warn');
    expect(logLevelOf(['error'])).toBe('error');
    expect(logLevelOf(false)).toBe('silent');
  });
});
