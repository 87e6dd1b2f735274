import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the integration tests use (the same setting the services read). */
export const postgresUrl = process.env['TRELLIS_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own for one suite, so that suites run in parallel and leave nothing behind. */
export function uniqueSchema(suite: string): string {
  return `t_${suite}_${randomBytes(4).toString('hex')}`;
}

/** Fails (never skips) with what to do when the server is not there. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Postgres is not reachable at ${postgresUrl} (${error instanceof Error ? error.message : String(error)}). ` +
        'Start it (on Debian: `sudo service postgresql start`) or point TRELLIS_POSTGRES_URL at a server where user ' +
        'may create schemas.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
