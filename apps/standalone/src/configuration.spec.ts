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

  it('refuses the event stores it cannot open yet, together with every other problem', () => {
    let error: unknown;
    try {
      loadStandaloneSettings({ PORT: 'eighty', TRELLIS_EVENT_STORE: 'postgres', TRELLIS_INSTANCE_CACHE_SIZE: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      'PORT="eighty": expected a whole number from 0 to 65535',
      'TRELLIS_INSTANCE_CACHE_SIZE="0": expected a whole number from 1 to 10000000',
      'TRELLIS_EVENT_STORE="postgres": the postgres event store is not available in the standalone server yet; expected one of embedded, memory',
    ]);
  });

  it('refuses eventstoredb as well, once its connection string is given', () => {
    expect(() => loadStandaloneSettings({ TRELLIS_EVENT_STORE: 'eventstoredb', TRELLIS_EVENTSTORE_URL: 'esdb://localhost:2113' })).toThrow(
      'TRELLIS_EVENT_STORE="eventstoredb": the eventstoredb event store is not available in the standalone server yet',
    );
  });
});

describe('logLevelOf', () => {
  it('prints the most verbose of the levels asked for, and nothing for none', () => {
    expect(logLevelOf(['fatal', 'error', 'warn'])).toBe('warn');
    expect(logLevelOf(['error'])).toBe('error');
    expect(logLevelOf(false)).toBe('silent');
  });
});
