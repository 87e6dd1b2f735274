import { describe, expect, it } from '@jest/globals';

import { KeyedMutex } from './keyed-mutex.js';

/** A promise the test resolves by hand, to control the interleaving exactly. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('KeyedMutex', () => {
  it('runs tasks with the same key one after the other, in call order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const first = gate();
    const a = mutex.runExclusive('instance-1', async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
    });
    const b = mutex.runExclusive('instance-1', async () => {
      log.push('b');
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    first.open();
    await Promise.all([a, b]);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('lets tasks with different keys run at the same time', async () => {
    const mutex = new KeyedMutex();
    const blocked = gate();
    const log: string[] = [];
    const a = mutex.runExclusive('instance-1', async () => {
      await blocked.promise;
      log.push('a');
    });
    await mutex.runExclusive('instance-2', async () => {
      log.push('b');
    });
    expect(log).toEqual(['b']);
    blocked.open();
    await a;
    expect(log).toEqual(['b', 'a']);
  });

  it('keeps serving a key after a task failed, and forgets idle keys', async () => {
    const mutex = new KeyedMutex();
    await expect(
      mutex.runExclusive('instance-1', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(mutex.runExclusive('instance-1', async () => 42)).resolves.toBe(42);
    expect(mutex.size).toBe(0);
  });
});
