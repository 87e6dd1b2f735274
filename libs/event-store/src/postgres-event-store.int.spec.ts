/**
 * The Postgres event store against the server of the machine (TRELLIS_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/test). Each store works in a schema of its own, dropped afterwards, so suites run
 * in parallel and leave nothing behind. Without a server the suite fails, saying how to start one.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { type AppendResult, DuplicateEventIdError, type EventStore, type NewEvent, type RecordedEvent, WrongExpectedRevisionError } from './event-store.port.js';
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
async function openStore(suite: string, options: { poolMax?: number; appendBatchesInFlight?: number } = {}): Promise<PostgresEventStore> {
  await requirePostgres();
  const schema = `t_${suite}_${randomBytes(4).toString('hex')}`;
  const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema, poolMax: options.poolMax ?? 20, pollIntervalMs: 200, appendBatchesInFlight: options.appendBatchesInFlight });
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

  it('refuses a number of append batches in flight below 1', async () => {
    await expect(PostgresEventStore.open({ connectionString: postgresUrl, schema: 'never_opened', appendBatchesInFlight: 0 })).rejects.toThrow(RangeError);
  });

  it('refuses a schema name it would have to quote', async () => {
    await expect(PostgresEventStore.open({ connectionString: postgresUrl, schema: 'Robert"); DROP TABLE x; --' })).rejects.toThrow(RangeError);
  });
});

/**
 * The transaction (xmin) that wrote each commit after `afterPosition`, by the commit's last position: how many
 * transactions a set of appends took, which is what group commit changes.
 */
async function writingTransactions(store: PostgresEventStore, afterPosition: number): Promise<Map<number, string>> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    const result = await client.query<{ last_position: string; xmin: string }>(
      `SELECT last_position, xmin::text AS xmin FROM ${schemas.get(store) as string}.event_commits WHERE last_position > $1 ORDER BY last_position`,
      [afterPosition],
    );
    return new Map(result.rows.map((row) => [Number(row.last_position), row.xmin]));
  } finally {
    await client.end();
  }
}

type Outcome = { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: unknown };

/** Starts every append in the same tick, so that those after the first few queue up and leave as one batch. */
async function appendAllAtOnce(
  store: PostgresEventStore,
  appends: readonly { readonly streamId: string; readonly events: readonly NewEvent[]; readonly expectedRevision: number | 'no_stream' | 'any' }[],
): Promise<Outcome[]> {
  return Promise.all(
    appends.map(({ streamId, events, expectedRevision }) =>
      store.appendToStream(streamId, events, { expectedRevision }).then(
        (result): Outcome => ({ ok: true, result }),
        (error: unknown): Outcome => ({ ok: false, error }),
      ),
    ),
  );
}

function resultOf(outcome: Outcome | undefined): AppendResult {
  if (!outcome?.ok) throw new Error(`The append failed: ${String(outcome?.error)}`);
  return outcome.result;
}

describe.each([1, 3])('postgres event store: appends that arrive together are written together (%i batches in flight)', (appendBatchesInFlight) => {
  let store: PostgresEventStore;

  beforeAll(async () => {
    store = await openStore('pg_es_group', { poolMax: 10, appendBatchesInFlight });
  }, 60_000);

  afterAll(async () => {
    await destroyStore(store);
  });

  it('writes 100 concurrent appends to distinct streams in far fewer transactions, at positions without a hole, each batch in call order', async () => {
    const start = await store.headPosition();
    const appends = Array.from({ length: 100 }, (_, i) => ({ streamId: `distinct-${i}-${randomUUID()}`, events: newEvents(2, i), expectedRevision: 'no_stream' as const }));

    const results = (await appendAllAtOnce(store, appends)).map(resultOf);

    expect(results.map((result) => result.nextExpectedRevision)).toEqual(appends.map(() => 1));
    expect([...results.map((result) => result.position)].sort((a, b) => a - b)).toEqual(appends.map((_, i) => start + 2 * (i + 1)));
    const log = await store.readAll({ afterPosition: start });
    expect(log.map((event) => event.position)).toEqual(log.map((_, i) => start + 1 + i));
    const byId = new Map(log.map((event) => [event.id, event]));
    appends.forEach(({ streamId, events }, i) => {
      const stored = events.map((event) => byId.get(event.id));
      expect(stored.map((event) => event && [event.streamId, event.revision, event.position, event.data])).toEqual([
        [streamId, 0, (results[i] as AppendResult).position - 1, { n: i }],
        [streamId, 1, (results[i] as AppendResult).position, { n: i + 1 }],
      ]);
    });

    const transactions = await writingTransactions(store, start);
    const distinct = new Set(transactions.values());
    // The first appends leave alone (one per batch that may be in flight); the rest queue up behind them and leave together.
    expect(distinct.size).toBeLessThan(20);
    for (const transaction of distinct) {
      const positions = results.map((result) => result.position).filter((position) => transactions.get(position) === transaction);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  }, 60_000);

  it('lets concurrent appends to one stream each expect the revision the one before leaves, in call order, while other streams share their batches', async () => {
    const start = await store.headPosition();
    const chained = `chained-${randomUUID()}`;
    const anywhere = `anywhere-${randomUUID()}`;
    const appends = Array.from({ length: 10 }, (_, i) => [
      { streamId: chained, events: newEvents(2, 2 * i), expectedRevision: i === 0 ? ('no_stream' as const) : 2 * i - 1 },
      { streamId: anywhere, events: newEvents(1, i), expectedRevision: 'any' as const },
      { streamId: `other-${i}-${randomUUID()}`, events: newEvents(1), expectedRevision: 'no_stream' as const },
    ]).flat();

    const results = (await appendAllAtOnce(store, appends)).map(resultOf);

    const chainedResults = results.filter((_, i) => appends[i]?.streamId === chained);
    expect(chainedResults.map((result) => result.nextExpectedRevision)).toEqual(Array.from({ length: 10 }, (_, i) => 2 * i + 1));
    expect((await store.readStream(chained)).map((event) => [event.revision, event.data])).toEqual(Array.from({ length: 20 }, (_, i) => [i, { n: i }]));
    const anywhereResults = results.filter((_, i) => appends[i]?.streamId === anywhere);
    expect(anywhereResults.map((result) => result.nextExpectedRevision)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect((await store.readStream(anywhere)).map((event) => event.data)).toEqual(Array.from({ length: 10 }, (_, i) => ({ n: i })));

    const log = await store.readAll({ afterPosition: start });
    expect(log.map((event) => event.position)).toEqual(Array.from({ length: 40 }, (_, i) => start + 1 + i));
    expect(new Set((await writingTransactions(store, start)).values()).size).toBeLessThan(appends.length);
  }, 60_000);

  it('fails only the append of a batch whose expected revision does not hold, with the actual revision, and writes the others', async () => {
    const existing = `existing-${randomUUID()}`;
    await store.appendToStream(existing, newEvents(2), { expectedRevision: 'no_stream' });
    const start = await store.headPosition();
    const appends: { streamId: string; events: NewEvent[]; expectedRevision: number | 'no_stream' }[] = Array.from({ length: 30 }, (_, i) => ({
      streamId: `beside-${i}-${randomUUID()}`,
      events: newEvents(1, i),
      expectedRevision: 'no_stream',
    }));
    // In the middle: after the appends that leave alone, inside the batch that follows them.
    appends[15] = { streamId: existing, events: newEvents(3), expectedRevision: 5 };

    const outcomes = await appendAllAtOnce(store, appends);

    const failed = outcomes[15];
    expect(failed?.ok).toBe(false);
    const error = (failed as { error: unknown }).error;
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamId: existing, expected: 5, actual: 1 });
    const succeeded = outcomes.filter((_, i) => i !== 15).map(resultOf);
    expect(succeeded.map((result) => result.nextExpectedRevision)).toEqual(succeeded.map(() => 0));
    const log = await store.readAll({ afterPosition: start });
    expect(log.map((event) => event.position)).toEqual(Array.from({ length: 29 }, (_, i) => start + 1 + i));
    expect(log.some((event) => event.streamId === existing)).toBe(false);
    expect(await store.streamRevision(existing)).toBe(1);
    expect(new Set((await writingTransactions(store, start)).values()).size).toBeLessThan(29);
  }, 60_000);

  it.each([
    ['the expected revision it was first sent with', 'first'],
    ["'any'", 'any'],
  ] as const)('recognises an idempotent retry inside a batch (sent with %s): its first result again, nothing stored twice', async (_label, retryExpectation) => {
    const retried = `retried-${randomUUID()}`;
    const events = newEvents(2);
    const first = await store.appendToStream(retried, events, { expectedRevision: 'no_stream' });
    const start = await store.headPosition();
    const appends: { streamId: string; events: NewEvent[]; expectedRevision: number | 'no_stream' | 'any' }[] = Array.from({ length: 30 }, (_, i) => ({
      streamId: `around-${i}-${randomUUID()}`,
      events: newEvents(2, i),
      expectedRevision: 'no_stream',
    }));
    appends[15] = { streamId: retried, events, expectedRevision: retryExpectation === 'any' ? 'any' : 'no_stream' };

    const results = (await appendAllAtOnce(store, appends)).map(resultOf);

    expect(results[15]).toEqual(first);
    expect(results.filter((_, i) => i !== 15).map((result) => result.nextExpectedRevision)).toEqual(Array.from({ length: 29 }, () => 1));
    const log = await store.readAll({ afterPosition: start });
    expect(log.map((event) => event.position)).toEqual(Array.from({ length: 58 }, (_, i) => start + 1 + i));
    expect(log.some((event) => event.streamId === retried)).toBe(false);
    expect((await store.readStream(retried)).map((event) => event.id)).toEqual(events.map((event) => event.id));
  }, 60_000);

  it('finishes the appends still queued when the store is closed', async () => {
    const other = await PostgresEventStore.open({ connectionString: postgresUrl, schema: schemas.get(store) as string, poolMax: 4, appendBatchesInFlight });
    const streamIds = Array.from({ length: 50 }, (_, i) => `closing-${i}-${randomUUID()}`);
    const appended = Promise.all(streamIds.map((streamId) => other.appendToStream(streamId, newEvents(1), { expectedRevision: 'no_stream' })));
    await other.close();

    expect((await appended).map((result) => result.nextExpectedRevision)).toEqual(streamIds.map(() => 0));
    expect(await Promise.all(streamIds.map((streamId) => store.streamRevision(streamId)))).toEqual(streamIds.map(() => 0));
  }, 60_000);
});
