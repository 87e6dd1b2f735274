/**
 * The Postgres event store against the server of the machine (TRELLIS_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/test). Each store works in a schema of its own, dropped afterwards, so suites run
 * in parallel and leave nothing behind. Without a server the suite fails, saying how to start one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DuplicateEventIdError, type EventStore, type RecordedEvent, WrongExpectedRevisionError } from './event-store.port.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { eventStoreContract, newEvents } from './testing.js';
import { dropSchema, postgresUrl, requirePostgres } from '@trellis/persistence/testing';


/** Waits, a bounded number of times, until a session of the server has run LISTEN on the channel. */
async function untilListening(channel: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      const result = await client.query("SELECT 1 FROM pg_stat_activity WHERE query = $1 AND state = 'idle'", [`LISTEN ${channel}`]);
      if (result.rowCount) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`No session listens on ${channel}`);
  } finally {
    await client.end();
  }
}

const schemas = new WeakMap<EventStore, string>();

/** A store in a fresh schema of its own. */
async function openStore(suite: string, options: { poolMax?: number } = {}): Promise<PostgresEventStore> {
  await requirePostgres();
  const schema = `t_${suite}_${randomBytes(4).toString('hex')}`;
  const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema, poolMax: options.poolMax ?? 20, pollIntervalMs: 200 });
  schemas.set(store, schema);
  return store;
}

async function destroyStore(store: EventStore): Promise<void> {
  try {
    await store.close();
  } finally {
    const schema = schemas.get(store);
    if (schema) await dropSchema(schema);
  }
}

eventStoreContract('postgres', () => openStore('pg_es'), destroyStore);

describe('postgres event store: positions in commit order', () => {
  let store: PostgresEventStore;

  beforeAll(async () => {
    store = await openStore('pg_es_order', { poolMax: 20 });
  }, 60_000);

  afterAll(async () => {
    await destroyStore(store);
  });

  it('lets a reader following the log never see a hole nor an event appear behind one it has read, while 16 writers append', async () => {
    const writers = 16;
    const appendsPerWriter = 40;
    const start = await store.headPosition();
    let writing = true;
    let failedWrites = 0;

    const writes = Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        let expectedRevision: number | 'no_stream' = 'no_stream';
        for (let i = 0; i < appendsPerWriter; i++) {
          // Sizes vary so that commits of different lengths interleave; every fifth append also fails after taking
          // positions (an event id already stored), and rolls back.
          const result = await store.appendToStream(`writer-${writer}`, newEvents(1 + ((writer + i) % 3)), { expectedRevision });
          expectedRevision = result.nextExpectedRevision;
          if (i % 5 === 0) {
            const taken = (await store.readStream(`writer-${writer}`, { fromRevision: 0, maxCount: 1 }))[0] as RecordedEvent;
            await expect(
              store.appendToStream(`shared-${writer}`, [...newEvents(2), { id: taken.id, type: 'Again', data: null }], { expectedRevision: 'any' }),
            ).rejects.toThrow(DuplicateEventIdError);
            failedWrites++;
          }
        }
      }),
    ).finally(() => {
      writing = false;
    });

    const seen: RecordedEvent[] = [];
    let last = start;
    let reads = 0;
    let holes = 0;
    const expectedTotal = Array.from({ length: writers }, (_, writer) =>
      Array.from({ length: appendsPerWriter }, (_, i) => 1 + ((writer + i) % 3)).reduce((sum, count) => sum + count, 0),
    ).reduce((sum, count) => sum + count, 0);
    // Bounded: the writers finish, after which at most one more read brings the rest.
    for (let finalRead = false; reads < 100_000; ) {
      const batch = await store.readAll({ afterPosition: last });
      reads++;
      for (const event of batch) {
        if (event.position !== last + 1) holes++;
        last = event.position;
        seen.push(event);
      }
      if (finalRead) break;
      if (!writing) finalRead = true;
    }
    await writes;

    expect(holes).toBe(0);
    expect(failedWrites).toBe(writers * (appendsPerWriter / 5));
    expect(seen).toHaveLength(expectedTotal);
    expect(seen.map((event) => event.position)).toEqual(Array.from({ length: expectedTotal }, (_, i) => start + 1 + i));
    expect(await store.headPosition()).toBe(start + expectedTotal);
    // The reader read while the writers wrote, not only once they had finished.
    expect(reads).toBeGreaterThan(2);
    for (let writer = 0; writer < writers; writer++) {
      const revisions = seen.filter((event) => event.streamId === `writer-${writer}`).map((event) => event.revision);
      expect(revisions).toEqual(revisions.map((_, i) => i));
      expect(seen.some((event) => event.streamId === `shared-${writer}`)).toBe(false);
    }
  }, 120_000);

  it('gives back the positions of an append that rolled back: the next append continues the log without a hole', async () => {
    const first = await store.appendToStream(`rolled-back-${randomUUID()}`, newEvents(2), { expectedRevision: 'no_stream' });
    const stored = (await store.readAll({ afterPosition: first.position - 1 }))[0] as RecordedEvent;

    // The duplicate id comes last, so the insert of the commit row, which took three positions, fails only afterwards.
    const duplicate = store.appendToStream(`rolled-back-${randomUUID()}`, [...newEvents(2), { id: stored.id, type: 'Again', data: null }], { expectedRevision: 'any' });
    await expect(duplicate).rejects.toThrow(DuplicateEventIdError);
    const wrong = store.appendToStream(`rolled-back-${randomUUID()}`, newEvents(2), { expectedRevision: 3 });
    await expect(wrong).rejects.toThrow(WrongExpectedRevisionError);
    const next = await store.appendToStream(`rolled-back-${randomUUID()}`, newEvents(1), { expectedRevision: 'no_stream' });

    expect(next.position).toBe(first.position + 1);
    expect((await store.readAll({ afterPosition: first.position - 2 })).map((event) => event.position)).toEqual([
      first.position - 1,
      first.position,
      first.position + 1,
    ]);
  });

  it('wakes a subscription of another store on the same schema when an append commits', async () => {
    const schema = schemas.get(store) as string;
    const other = await PostgresEventStore.open({ connectionString: postgresUrl, schema, pollIntervalMs: 60_000 });
    try {
      const start = await store.headPosition();
      const delivered: RecordedEvent[] = [];
      let arrived = (): void => undefined;
      const both = new Promise<void>((resolve) => {
        arrived = resolve;
      });
      const subscription = other.subscribeToAll(
        (event) => {
          delivered.push(event);
          if (delivered.length === 2) arrived();
        },
        { afterPosition: start },
      );
      // Listening before the append: with a one-minute poll, only the notification can deliver it in the test's time.
      await untilListening(`es_${schema}`);
      await store.appendToStream(`notified-${randomUUID()}`, newEvents(2), { expectedRevision: 'no_stream' });
      await both;
      await subscription.close();

      expect(delivered.map((event) => event.position)).toEqual([start + 1, start + 2]);
    } finally {
      await other.close();
    }
  }, 20_000);

  it('refuses a schema name it would have to quote', async () => {
    await expect(PostgresEventStore.open({ connectionString: postgresUrl, schema: 'Robert"); DROP TABLE x; --' })).rejects.toThrow(RangeError);
  });
});
