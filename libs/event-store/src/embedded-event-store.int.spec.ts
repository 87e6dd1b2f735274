import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { DirectoryInUseError } from './directory-lock.js';
import { EmbeddedEventStore } from './embedded-event-store.js';
import { type EventStore } from './event-store.port.js';
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
