/**
 * How the group commit queue forms batches, with a writer that records the batches it is given and settles them when
 * the test says so (the Postgres statements behind it are tested in postgres-event-store.int.spec.ts).
 */
import { describe, expect, it } from '@jest/globals';
import type { AppendResult } from './event-store.port.js';
import { AppendQueue, type AppendQueueLimits, type QueuedAppend, type WaitingAppend } from './postgres-append-queue.js';

interface TestAppend extends QueuedAppend {
  readonly name: string;
}

/** A queue whose writer holds each batch until `finish` settles it: every append gets its name's length as position. */
function recordingQueue(limits: Partial<AppendQueueLimits> = {}) {
  const batches: string[][] = [];
  const open: { readonly batch: readonly WaitingAppend<TestAppend>[]; readonly done: () => void }[] = [];
  const queue = new AppendQueue<TestAppend>(
    { maxAppends: 200, maxBytes: 4 * 1024 * 1024, maxInFlight: 1, ...limits },
    (batch) =>
      new Promise<void>((resolve) => {
        batches.push(batch.map((entry) => entry.append.name));
        open.push({ batch, done: resolve });
      }),
  );
  const append = (name: string, streamId = name, bytes = 10): Promise<AppendResult> => queue.enqueue({ name, streamId, bytes });
  /** Settles the oldest batch still being written: each append succeeds, or fails when `fail` names it. */
  const finish = async (fail: readonly string[] = []): Promise<void> => {
    const next = open.shift();
    if (!next) throw new Error('No batch is being written');
    for (const entry of next.batch) {
      if (fail.includes(entry.append.name)) entry.reject(new Error(`${entry.append.name} failed`));
      else entry.resolve({ nextExpectedRevision: 0, position: entry.append.name.length });
    }
    next.done();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { queue, batches, open, append, finish };
}

describe('AppendQueue', () => {
  it('writes an append on an idle queue at once, alone, without waiting for a timer', async () => {
    const { batches, append, finish } = recordingQueue();

    const result = append('a');

    expect(batches).toEqual([['a']]);
    await finish();
    await expect(result).resolves.toEqual({ nextExpectedRevision: 0, position: 1 });
  });

  it('writes the appends that arrived while a batch was being written together, in arrival order, once it finishes', async () => {
    const { batches, append, finish } = recordingQueue();
    const results = [append('first'), append('b'), append('c'), append('d')];

    expect(batches).toEqual([['first']]);
    await finish();
    expect(batches).toEqual([['first'], ['b', 'c', 'd']]);
    await finish();
    await expect(Promise.all(results)).resolves.toHaveLength(4);
  });

  it('never puts two appends of one stream in a batch: the later waits for the earlier to settle, other streams pass it', async () => {
    const { batches, append, finish } = recordingQueue();
    const results = [append('first'), append('s1', 's'), append('s2', 's'), append('x'), append('s3', 's'), append('y')];

    await finish();
    expect(batches[1]).toEqual(['s1', 'x', 'y']);
    await finish();
    expect(batches[2]).toEqual(['s2']);
    await finish();
    expect(batches[3]).toEqual(['s3']);
    await finish();
    await expect(Promise.all(results)).resolves.toHaveLength(6);
  });

  it('bounds a batch by its number of appends and by its bytes, and still writes an append larger than the bound, alone', async () => {
    const counted = recordingQueue({ maxAppends: 200 });
    const many = Array.from({ length: 451 }, (_, i) => counted.append(`n${i}`));
    for (let i = 0; i < 4; i++) await counted.finish();
    expect(counted.batches.map((batch) => batch.length)).toEqual([1, 200, 200, 50]);
    await expect(Promise.all(many)).resolves.toHaveLength(451);

    const sized = recordingQueue({ maxBytes: 1000 });
    const large = [sized.append('first'), sized.append('a', 'a', 400), sized.append('b', 'b', 400), sized.append('c', 'c', 400), sized.append('huge', 'huge', 5000)];
    for (let i = 0; i < 4; i++) await sized.finish();
    expect(sized.batches).toEqual([['first'], ['a', 'b'], ['c'], ['huge']]);
    await expect(Promise.all(large)).resolves.toHaveLength(5);
  });

  it('writes up to maxInFlight batches at once', async () => {
    const { batches, append, finish } = recordingQueue({ maxInFlight: 3 });
    const results = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => append(name));

    expect(batches).toEqual([['a'], ['b'], ['c']]);
    await finish();
    expect(batches).toEqual([['a'], ['b'], ['c'], ['d', 'e', 'f']]);
    for (let i = 0; i < 3; i++) await finish();
    await expect(Promise.all(results)).resolves.toHaveLength(6);
  });

  it('fails only the appends the writer fails, and rejects what a writer leaves unsettled or throws on', async () => {
    const { append, finish } = recordingQueue();
    const first = append('first');
    const failing = append('bad').catch((error: unknown) => error);
    const passing = append('good');
    await finish();
    await finish(['bad']);
    await expect(first).resolves.toBeDefined();
    expect(await failing).toEqual(new Error('bad failed'));
    await expect(passing).resolves.toBeDefined();

    const forgetful = new AppendQueue<TestAppend>({ maxAppends: 10, maxBytes: 1000, maxInFlight: 1 }, async () => undefined);
    await expect(forgetful.enqueue({ name: 'x', streamId: 'x', bytes: 1 })).rejects.toThrow('unsettled');
    const throwing = new AppendQueue<TestAppend>({ maxAppends: 10, maxBytes: 1000, maxInFlight: 1 }, async () => {
      throw new Error('connection lost');
    });
    await expect(throwing.enqueue({ name: 'x', streamId: 'x', bytes: 1 })).rejects.toThrow('connection lost');
  });

  it('is drained once every queued append is settled', async () => {
    const { queue, append, finish } = recordingQueue();
    await queue.drained();
    const results = [append('a'), append('b'), append('c')];
    let drained = false;
    const waiting = queue.drained().then(() => {
      drained = true;
    });

    await finish();
    expect(drained).toBe(false);
    await finish();
    await waiting;
    expect(drained).toBe(true);
    await Promise.all(results);
  });
});
