import { describe, expect, it } from '@jest/globals';
import { assertSynchronizeAllowed, createPostgresDataSource, postgresDataSourceOptions } from './data-source.js';
import { queryOperation } from './pool-metrics.js';

const url = 'postgres://postgres@127.0.0.1:5432/test';

describe('postgresDataSourceOptions', () => {
  it('applies the defaults and sets statement timeout and search path on every connection', () => {
    const options = postgresDataSourceOptions({ url, schema: 'runtime' });
    expect(options).toMatchObject({
      type: 'postgres',
      url,
      schema: 'runtime',
      applicationName: 'trellis',
      poolSize: 10,
      connectTimeoutMS: 5_000,
      migrationsRun: false,
      synchronize: false,
      extra: { idleTimeoutMillis: 30_000, statement_timeout: 30_000, options: '-c search_path=runtime,public' },
    });
  });

  it('takes the configured values', () => {
    const options = postgresDataSourceOptions({
      url,
      schema: 'history',
      applicationName: 'history-service',
      poolMax: 4,
      connectionTimeoutMs: 1_000,
      idleTimeoutMs: 2_000,
      statementTimeoutMs: 3_000,
    });
    expect(options).toMatchObject({
      applicationName: 'history-service',
      poolSize: 4,
      connectTimeoutMS: 1_000,
      extra: { idleTimeoutMillis: 2_000, statement_timeout: 3_000 },
    });
  });

  it('refuses schema names that are not plain lower-case identifiers', () => {
    for (const schema of ['Runtime', 'task-service', '1st', 'a"; DROP SCHEMA public; --', '', 'x'.repeat(64)]) {
      expect(() => postgresDataSourceOptions({ url, schema })).toThrow(`Invalid Postgres schema name "${schema}"`);
    }
  });
});

describe('synchronize', () => {
  it('is refused outside unit tests', () => {
    expect(() => assertSynchronizeAllowed({ synchronize: true }, { NODE_ENV: 'production' })).toThrow(
      'synchronize is only allowed in unit tests (NODE_ENV=test, here NODE_ENV=production): change the schema with a migration',
    );
    expect(() => assertSynchronizeAllowed({ synchronize: true }, {})).toThrow('here NODE_ENV=unset');
    expect(() => assertSynchronizeAllowed({ synchronize: true }, { NODE_ENV: 'test' })).not.toThrow();
    expect(() => assertSynchronizeAllowed({ synchronize: false }, { NODE_ENV: 'production' })).not.toThrow();
  });

  it('stops createPostgresDataSource before it connects', async () => {
    const previous = process.env['NODE_ENV'];
    process.env['NODE_ENV'] = 'development';
    try {
      // Port 1: nothing listens there, so only the guard can produce this message.
      await expect(createPostgresDataSource({ url: 'postgres://postgres@127.0.0.1:1/test', schema: 's', synchronize: true })).rejects.toThrow(
        'synchronize is only allowed in unit tests',
      );
    } finally {
      process.env['NODE_ENV'] = previous;
    }
  });
});

describe('queryOperation', () => {
  it('classifies statements by their first keyword', () => {
    expect(queryOperation('SELECT 1')).toBe('select');
    expect(queryOperation('  (select 1) union (select 2)')).toBe('select');
    expect(queryOperation('INSERT INTO "runtime"."jobs"("id") VALUES ($1)')).toBe('insert');
    expect(queryOperation('update jobs set retries = 0')).toBe('update');
    expect(queryOperation('\nDELETE FROM jobs')).toBe('delete');
    expect(queryOperation('START TRANSACTION')).toBe('other');
    expect(queryOperation('WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved')).toBe('other');
  });
});
