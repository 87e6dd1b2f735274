// The relay's checkpoints in the Postgres at TRELLIS_POSTGRES_URL, in a schema of this suite's own, dropped afterwards.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PostgresRelayCheckpointStore } from './postgres-relay-checkpoint-store.js';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from './relay-test-support.js';

const schema = uniqueSchema('relay_checkpoints');
const stores: PostgresRelayCheckpointStore[] = [];

async function connect(): Promise<PostgresRelayCheckpointStore> {
  const store = await PostgresRelayCheckpointStore.connect({ url: postgresUrl, schema, poolMax: 2 });
  stores.push(store);
  return store;
}

beforeAll(async () => {
  await requirePostgres();
});

afterAll(async () => {
  for (const store of stores) await store.close();
  await dropSchema(schema);
});

describe('PostgresRelayCheckpointStore', () => {
  it('creates its table in its schema, even when several replicas connect at once', async () => {
    await Promise.all([connect(), connect(), connect()]);

    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
      expect(tables.rows.map((row) => row.table_name)).toEqual(['migrations', 'relay_checkpoints']);
    } finally {
      await client.end();
    }
  });

  it('reads 0 for a relay that never saved, then what it saved, per relay name, across connections', async () => {
    const store = await connect();
    expect(await store.load('never-saved')).toBe(0);

    await store.save('orders', 120);
    await store.save('orders', 4_000_000_000);
    await store.save('billing', 7);

    const other = await connect();
    expect(await other.load('orders')).toBe(4_000_000_000);
    expect(await other.load('billing')).toBe(7);
  });

  it('never moves a checkpoint backwards', async () => {
    const store = await connect();
    await store.save('forward-only', 50);
    await store.save('forward-only', 49);
    await store.save('forward-only', 0);

    expect(await store.load('forward-only')).toBe(50);
  });

  it('refuses a position that is not an integer of 0 or more, and an empty name', async () => {
    const store = await connect();
    await expect(store.save('bad', -1)).rejects.toThrow(RangeError);
    await expect(store.save('bad', 1.5)).rejects.toThrow(RangeError);
    await expect(store.load('')).rejects.toThrow(TypeError);
    expect(await store.load('bad')).toBe(0);
  });
});
