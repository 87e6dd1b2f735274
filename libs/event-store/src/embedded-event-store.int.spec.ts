import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DirectoryInUseError } from './directory-lock.js';
import { EmbeddedEventStore } from './embedded-event-store.js';
import { type EventStore, WrongExpectedRevisionError } from './event-store.port.js';
import { EVENT_STORE_MIGRATIONS, MIGRATIONS_TABLE_SQL } from './event-store.sql.js';
import { PgliteWorker } from './pglite-worker.js';
import { DeliveredEvents, eventStoreContract, newEvents } from './testing.js';

const directories: string[] = [];

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'trellis-event-store-'));
  directories.push(directory);
  return directory;
}

// Creating a database takes seconds; each test starts from a copy of one created here.
let template: string;

beforeAll(async () => {
  template = temporaryDirectory();
  await (await EmbeddedEventStore.open(template)).close();
}, 60_000);

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function freshDirectory(): string {
  const directory = temporaryDirectory();
  cpSync(template, directory, { recursive: true });
  return directory;
}

eventStoreContract(
  'embedded (PGlite)',
  () => EmbeddedEventStore.open(freshDirectory()),
  async (store: EventStore) => {
    await store.close();
    rmSync((store as EmbeddedEventStore).directory, { recursive: true, force: true });
  },
);

describe('EmbeddedEventStore', () => {
  const open: EmbeddedEventStore[] = [];

  async function openStore(directory: string, options?: Parameters<typeof EmbeddedEventStore.open>[1]): Promise<EmbeddedEventStore> {
    const store = await EmbeddedEventStore.open(directory, options);
    open.push(store);
    return store;
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((store) => store.close()));
  });

  it('keeps what it stored across a close and a reopen, and goes on from there', async () => {
    const directory = freshDirectory();
    const first = await openStore(directory);
    const events = newEvents(3);
    const appended = await first.appendToStream('order-1', events, { expectedRevision: 'no_stream' });
    await first.appendToStream('order-2', newEvents(2), { expectedRevision: 'no_stream' });
    const before = await first.readAll();
    await first.close();

    const second = await openStore(directory);

    expect(await second.readAll()).toEqual(before);
    expect(await second.streamRevision('order-1')).toBe(2);
    // The retry of an append made before the restart is still recognised.
    expect(await second.appendToStream('order-1', events, { expectedRevision: 'no_stream' })).toEqual(appended);
    await expect(second.appendToStream('order-1', newEvents(1), { expectedRevision: 1 })).rejects.toMatchObject({ actual: 2 });
    const next = await second.appendToStream('order-1', newEvents(1), { expectedRevision: 2 });
    expect(next).toEqual({ nextExpectedRevision: 3, position: 6 });
  });

  it('resumes a subscription after a restart from the position it had reached', async () => {
    const directory = freshDirectory();
    const first = await openStore(directory);
    await first.appendToStream('a', newEvents(4), { expectedRevision: 'no_stream' });
    const delivered = new DeliveredEvents();
    const subscription = first.subscribeToAll(delivered.handler);
    await delivered.until(4);
    await subscription.close();
    const checkpoint = delivered.events[delivered.events.length - 1]?.position;
    await first.appendToStream('a', newEvents(2), { expectedRevision: 3 });
    await first.close();

    const second = await openStore(directory);
    const resumed = new DeliveredEvents();
    second.subscribeToAll(resumed.handler, { afterPosition: checkpoint });
    await resumed.until(2);
    await second.appendToStream('b', newEvents(1), { expectedRevision: 'no_stream' });
    await resumed.until(3);

    expect(resumed.events.map((event) => [event.streamId, event.revision, event.position])).toEqual([
      ['a', 4, 5],
      ['a', 5, 6],
      ['b', 0, 7],
    ]);
  });

  it('numbers the log without holes, even when appends fail among concurrent ones', async () => {
    const store = await openStore(freshDirectory());
    await store.appendToStream('taken', newEvents(1), { expectedRevision: 'no_stream' });
    const known = newEvents(1);
    await store.appendToStream('known', known, { expectedRevision: 'no_stream' });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        i % 10 === 0
          ? store.appendToStream('taken', newEvents(2), { expectedRevision: 'no_stream' })
          : i % 10 === 5
            ? store.appendToStream(`other-${i}`, known, { expectedRevision: 'any' })
            : store.appendToStream(`s-${i}`, newEvents(2), { expectedRevision: 'no_stream' }),
      ),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(6);
    const positions = (await store.readAll()).map((event) => event.position);
    expect(positions).toEqual(positions.map((_, i) => i + 1));
    expect(positions).toHaveLength(2 + 24 * 2);
  });

  it('feeds a subscription from the files and from memory alike when it falls behind what memory keeps', async () => {
    const store = await openStore(freshDirectory(), { recentEventsKept: 4 });
    for (let i = 0; i < 10; i++) await store.appendToStream(`s-${i}`, newEvents(3), { expectedRevision: 'no_stream' });
    const delivered = new DeliveredEvents();

    const subscription = store.subscribeToAll(delivered.handler);
    await delivered.until(30);
    await Promise.all(Array.from({ length: 5 }, (_, i) => store.appendToStream(`t-${i}`, newEvents(4), { expectedRevision: 'no_stream' })));
    await delivered.until(50);
    await subscription.close();

    expect(delivered.events).toEqual(await store.readAll());
    expect(delivered.events.map((event) => event.position)).toEqual(delivered.events.map((_, i) => i + 1));
  });

  it('reads streams it does not remember, after forgetting them', async () => {
    const store = await openStore(freshDirectory(), { streamRevisionCacheSize: 2 });
    for (let i = 0; i < 5; i++) await store.appendToStream(`s-${i}`, newEvents(2), { expectedRevision: 'no_stream' });

    const results = await Promise.allSettled([
      store.appendToStream('s-0', newEvents(1), { expectedRevision: 1 }),
      store.appendToStream('s-1', newEvents(1), { expectedRevision: 0 }),
      store.appendToStream('s-2', newEvents(1), { expectedRevision: 'any' }),
      store.appendToStream('s-3', newEvents(1), { expectedRevision: 'no_stream' }),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(await store.streamRevision('s-0')).toBe(2);
    expect(await store.streamRevision('s-2')).toBe(2);
    expect(await store.streamRevision('s-4')).toBe(1);
  });

  it('refuses to open a directory another store has open, and opens it once that store is closed', async () => {
    const directory = freshDirectory();
    const first = await openStore(directory);

    await expect(EmbeddedEventStore.open(directory)).rejects.toThrow(DirectoryInUseError);
    expect(readFileSync(join(directory, 'event-store.lock'), 'utf8').trim()).toBe(String(process.pid));
    await first.close();

    const second = await openStore(directory);
    expect(await second.readAll()).toEqual([]);
  });

  it('refuses a lock held by a live process, and takes over one left by a process that is gone', async () => {
    const directory = freshDirectory();
    // The parent of this process is alive and is not an event store.
    writeFileSync(join(directory, 'event-store.lock'), `${process.ppid}\n`);
    await expect(EmbeddedEventStore.open(directory)).rejects.toThrow(`in use by process ${process.ppid}`);

    writeFileSync(join(directory, 'event-store.lock'), '2147483646\n');
    const store = await openStore(directory);
    await store.close();
    expect(existsSync(join(directory, 'event-store.lock'))).toBe(false);
  });

  it('keeps every acknowledged append when its process is killed mid-write, and opens after it', async () => {
    const directory = freshDirectory();
    // A writer in another process, killed while appends are in flight; it prints each acknowledged append.
    const writer = `
      import { randomUUID } from 'node:crypto';
      import { EmbeddedEventStore } from '@trellis/event-store';
      const store = await EmbeddedEventStore.open(process.argv[1]);
      let acknowledged = 0;
      await Promise.all(Array.from({ length: 8 }, async () => {
        for (;;) {
          const streamId = 'instance-' + randomUUID();
          const events = Array.from({ length: 40 }, (_, n) => ({ id: randomUUID(), type: 'Stepped', data: { n } }));
          const result = await store.appendToStream(streamId, events, { expectedRevision: 'no_stream' });
          process.stdout.write(streamId + ' ' + result.position + '\\n');
          if (++acknowledged === 200) process.kill(process.pid, 'SIGKILL');
        }
      }));`;
    const child = spawnSync(process.execPath, ['--import', './tools/register.mjs', '--input-type=module', '-e', writer, directory], {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const acknowledged = child.stdout
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => line.split(' ') as [string, string]);
    expect(child.signal).toBe('SIGKILL');
    expect(acknowledged).toHaveLength(200);

    const store = await openStore(directory);

    for (const [streamId, position] of acknowledged) {
      const events = await store.readStream(streamId);
      expect(events).toHaveLength(40);
      expect(events[39]?.position).toBe(Number(position));
    }
    const positions = (await store.readAll()).map((event) => event.position);
    expect(positions).toEqual(positions.map((_, i) => i + 1));
  }, 60_000);

  it('gives each event of an append its own copy of the metadata they share, read back from the files', async () => {
    const directory = freshDirectory();
    const first = await openStore(directory, { recentEventsKept: 0 });
    const events = newEvents(3).map((event) => ({ ...event, metadata: { schemaVersion: 1, by: 'alice' } }));
    await first.appendToStream('shared', events, { expectedRevision: 'no_stream' });
    await first.appendToStream('mixed', [{ ...newEvents(1)[0]!, metadata: { by: 'bob' } }, ...newEvents(1)], { expectedRevision: 'no_stream' });
    await first.close();

    const second = await openStore(directory);
    const shared = await second.readStream('shared');
    (shared[0]?.metadata as { by: string }).by = 'mallory';

    expect(shared.map((event) => event.metadata)).toEqual([{ schemaVersion: 1, by: 'mallory' }, { schemaVersion: 1, by: 'alice' }, { schemaVersion: 1, by: 'alice' }]);
    expect((await second.readAll()).map((event) => event.metadata)).toEqual([
      { schemaVersion: 1, by: 'alice' },
      { schemaVersion: 1, by: 'alice' },
      { schemaVersion: 1, by: 'alice' },
      { by: 'bob' },
      null,
    ]);
  });

  it('settles every append rightly when a group fails while the next one is already sent', async () => {
    const directory = freshDirectory();
    const before = await openStore(directory);
    await before.appendToStream('taken', newEvents(1), { expectedRevision: 'no_stream' });
    await before.close();
    // Reopened, the store does not remember 'taken': a 'no_stream' append to it is written optimistically and its
    // group rolls back on the unique key. The 9,999-event append fills that group, so the appends after it form the
    // next group, sent before the failing one has finished.
    const store = await openStore(directory);
    const first = store.appendToStream('first', newEvents(1), { expectedRevision: 'no_stream' });
    const failing = store.appendToStream('taken', newEvents(1), { expectedRevision: 'no_stream' });
    const large = store.appendToStream('large', newEvents(9_999), { expectedRevision: 'no_stream' });
    const later = first.then(() =>
      Promise.all(Array.from({ length: 5 }, (_, i) => store.appendToStream(`later-${i}`, newEvents(2), { expectedRevision: 'no_stream' }))),
    );

    await expect(failing).rejects.toThrow(WrongExpectedRevisionError);
    await expect(failing).rejects.toMatchObject({ actual: 0 });
    const results = [await first, await large, ...(await later)];
    const all = await store.readAll();
    expect(all.map((event) => event.position)).toEqual(all.map((_, i) => i + 1));
    expect(all).toHaveLength(1 + 1 + 9_999 + 10);
    for (const result of results) expect(all[result.position - 1]?.revision).toBe(result.nextExpectedRevision);
    expect(await store.readStream('taken')).toHaveLength(1);
  }, 60_000);

  it('moves the events of a version 1 store into the commit layout when it opens it', async () => {
    const directory = temporaryDirectory();
    const v1 = await PgliteWorker.start(join(directory, 'pgdata'), ['standard_conforming_strings=on']);
    const [v1Migration] = EVENT_STORE_MIGRATIONS;
    await v1.exec(`${MIGRATIONS_TABLE_SQL};
${v1Migration?.sql};
INSERT INTO event_store_migrations (version, description) VALUES (1, 'events table');
INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES
  (1, 'order-1', 0, 'e1', 'OrderPlaced', '{"amount": 120}', '{"by": "alice"}', '2026-01-02T03:04:05.678Z'),
  (2, 'order-2', 0, 'e2', 'OrderPlaced', '"x"', NULL, '2026-01-02T03:04:06.000Z'),
  (3, 'order-1', 1, 'e3', 'OrderShipped', 'null', NULL, '2026-01-02T03:04:07.000Z')`);
    await v1.close();

    const store = await openStore(directory);

    expect(await store.readAll()).toEqual([
      { id: 'e1', type: 'OrderPlaced', data: { amount: 120 }, metadata: { by: 'alice' }, streamId: 'order-1', revision: 0, position: 1, recordedAt: '2026-01-02T03:04:05.678Z' },
      { id: 'e2', type: 'OrderPlaced', data: 'x', metadata: null, streamId: 'order-2', revision: 0, position: 2, recordedAt: '2026-01-02T03:04:06.000Z' },
      { id: 'e3', type: 'OrderShipped', data: null, metadata: null, streamId: 'order-1', revision: 1, position: 3, recordedAt: '2026-01-02T03:04:07.000Z' },
    ]);
    expect((await store.readStream('order-1', { fromRevision: 1 })).map((event) => event.id)).toEqual(['e3']);
    expect(await store.appendToStream('order-1', [{ id: 'e3', type: 'OrderShipped', data: null }], { expectedRevision: 0 })).toEqual({
      nextExpectedRevision: 1,
      position: 3,
    });
    await expect(store.appendToStream('order-3', [{ id: 'e2', type: 'OrderPlaced', data: 'x' }], { expectedRevision: 'any' })).rejects.toThrow(
      'already stored',
    );
    expect(await store.appendToStream('order-1', newEvents(1), { expectedRevision: 1 })).toEqual({ nextExpectedRevision: 2, position: 4 });
  }, 60_000);

  it('refuses to work once closed', async () => {
    const store = await openStore(freshDirectory());
    await store.close();

    await expect(store.appendToStream('s', newEvents(1), { expectedRevision: 'any' })).rejects.toThrow('closed');
    await expect(store.readStream('s')).rejects.toThrow('closed');
  });

  it('writes the appends it accepted before closing', async () => {
    const directory = freshDirectory();
    const store = await openStore(directory);
    const appends = Array.from({ length: 20 }, (_, i) => store.appendToStream(`s-${i}`, newEvents(3), { expectedRevision: 'no_stream' }));
    await store.close();
    await Promise.all(appends);

    const reopened = await openStore(directory);
    expect(await reopened.readAll()).toHaveLength(60);
  });
});
