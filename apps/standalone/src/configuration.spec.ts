import { resolve } from 'node:path';

import { describe, expect, it } from '@jest/globals';

import { ConfigurationError, loadConfiguration, logLevelsUpTo } from './configuration.js';

describe('loadConfiguration', () => {
  it('serves on 8080 on every interface with the embedded store under ./data by default', () => {
    expect(loadConfiguration({})).toEqual({
      port: 8080,
      host: '0.0.0.0',
      eventStore: 'embedded',
      dataDir: resolve('data'),
      instanceCacheSize: 10_000,
      logLevel: 'log',
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfiguration({
        PORT: '9090',
        TRELLIS_HOST: '127.0.0.1',
        TRELLIS_EVENT_STORE: 'memory',
        TRELLIS_DATA_DIR: '/var/lib/trellis',
        TRELLIS_INSTANCE_CACHE_SIZE: '50',
        TRELLIS_LOG_LEVEL: 'debug',
      }),
    ).toEqual({ port: 9090, host: '127.0.0.1', eventStore: 'memory', dataDir: '/var/lib/trellis', instanceCacheSize: 50, logLevel: 'debug' });
  });

  it('names every bad value at once', () => {
    let error: unknown;
    try {
      loadConfiguration({ PORT: 'eighty', TRELLIS_EVENT_STORE: 'postgres', TRELLIS_INSTANCE_CACHE_SIZE: '0' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as ConfigurationError).message;
    expect((error as ConfigurationError).problems).toHaveLength(3);
    expect(message).toContain('PORT="eighty": expected a whole number from 0 to 65535');
    expect(message).toContain('TRELLIS_EVENT_STORE="postgres": expected one of embedded, memory');
    expect(message).toContain('TRELLIS_INSTANCE_CACHE_SIZE="0"');
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfiguration({ PORT: '70000' })).toThrow('PORT="70000"');
  });
});

describe('logLevelsUpTo', () => {
  it('enables a level and every less verbose one', () => {
    expect(logLevelsUpTo('warn')).toEqual(['fatal', 'error', 'warn']);
  });
});
