/**
 * The private server reliability tests restart under load: what a committed transaction meets after each way of
 * taking the server down, and that nothing is left behind.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type PrivatePostgres, startPrivatePostgres } from './private-postgres.js';

let server: PrivatePostgres;

beforeAll(async () => {
  server = await startPrivatePostgres();
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('a private Postgres server', () => {
  it('keeps every committed row through a fast shutdown, a crash and a killed postmaster, on the same URL', async () => {
    await query('CREATE TABLE kept (n int PRIMARY KEY)');
    await query('INSERT INTO kept VALUES (1)');
    await server.restart({ mode: 'fast' });
    await query('INSERT INTO kept VALUES (2)');
    await server.restart({ mode: 'immediate' });
    await query('INSERT INTO kept VALUES (3)');
    await server.kill();
    await server.start();

    expect(await query<{ n: number }>('SELECT n FROM kept ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  }, 60_000);

  it('refuses connections while shut down, and serves them again once started', async () => {
    await server.shutdown('fast');
    await expect(query('SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await server.start();
    expect(await query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  }, 60_000);

  it('ends the server and deletes its files when stopped', async () => {
    const other = await startPrivatePostgres();
    await other.stop();
    await other.stop();

    expect(existsSync(other.dataDir)).toBe(false);
    const client = new pg.Client({ connectionString: other.url, connectionTimeoutMillis: 5_000 });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  }, 60_000);
});
