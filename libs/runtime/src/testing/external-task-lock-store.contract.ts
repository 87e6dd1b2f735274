import { describe, expect, it } from '@jest/globals';

import type { ExternalTaskLockStore } from '../external-tasks/external-task-lock-store.js';

const at = (time: string): Date => new Date(`2026-03-01T${time}Z`);

/**
 * What every `ExternalTaskLockStore` adapter must do. `store()` gives the suite's store (each test uses task ids of its
 * own, so one store may serve the whole suite).
 */
export function externalTaskLockStoreContract(name: string, store: () => ExternalTaskLockStore): void {
  let sequence = 0;
  const task = (): string => `${name}-task-${++sequence}-${Math.random().toString(36).slice(2)}`;

  describe(`${name}: the ExternalTaskLockStore contract`, () => {
    it('locks a free task for a worker until the given time, and tells who holds it', async () => {
      const id = task();
      expect(await store().lockOf(id)).toBeUndefined();
      expect(await store().tryLock(id, 'worker-1', at('08:01:00.000'), at('08:00:00.000'))).toBe(true);
      expect(await store().lockOf(id)).toEqual({ taskId: id, workerId: 'worker-1', expiresAt: '2026-03-01T08:01:00.000Z' });
    });

    it('refuses a task another worker holds until its lock expires, then gives it to the next worker', async () => {
      const id = task();
      await store().tryLock(id, 'worker-1', at('08:01:00.000'), at('08:00:00.000'));
      expect(await store().tryLock(id, 'worker-2', at('08:02:00.000'), at('08:00:59.999'))).toBe(false);
      expect((await store().lockOf(id))?.workerId).toBe('worker-1');
      expect(await store().tryLock(id, 'worker-2', at('08:02:00.000'), at('08:01:00.000'))).toBe(true);
      expect(await store().lockOf(id)).toEqual({ taskId: id, workerId: 'worker-2', expiresAt: '2026-03-01T08:02:00.000Z' });
    });

    it('lets the holder lock again (moving its lock), and extend its lock only while it holds it', async () => {
      const id = task();
      await store().tryLock(id, 'worker-1', at('08:01:00.000'), at('08:00:00.000'));
      expect(await store().tryLock(id, 'worker-1', at('08:03:00.000'), at('08:00:30.000'))).toBe(true);
      expect(await store().extendLock(id, 'worker-1', at('08:05:00.000'), at('08:01:00.000'))).toBe(true);
      expect((await store().lockOf(id))?.expiresAt).toBe('2026-03-01T08:05:00.000Z');
      expect(await store().extendLock(id, 'worker-2', at('08:09:00.000'), at('08:01:00.000'))).toBe(false);
      // Expired: not even its former holder may extend it.
      expect(await store().extendLock(id, 'worker-1', at('08:09:00.000'), at('08:05:00.000'))).toBe(false);
      expect(await store().extendLock(task(), 'worker-1', at('08:09:00.000'), at('08:00:00.000'))).toBe(false);
    });

    it('frees an unlocked task for anyone at once', async () => {
      const id = task();
      await store().tryLock(id, 'worker-1', at('09:00:00.000'), at('08:00:00.000'));
      await store().unlock(id);
      expect(await store().lockOf(id)).toBeUndefined();
      expect(await store().tryLock(id, 'worker-2', at('08:01:00.000'), at('08:00:00.000'))).toBe(true);
    });

    it('never locks a finished task again (whatever a lagging replica believes), until its mark is purged', async () => {
      const id = task();
      const never = task();
      await store().tryLock(id, 'worker-1', at('08:01:00.000'), at('08:00:00.000'));
      await store().finish(id, at('08:00:30.000'));
      await store().finish(never, at('08:00:30.000'));
      expect(await store().lockOf(id)).toBeUndefined();
      expect(await store().tryLock(id, 'worker-1', at('08:05:00.000'), at('08:00:31.000'))).toBe(false);
      expect(await store().tryLock(never, 'worker-2', at('08:05:00.000'), at('08:00:31.000'))).toBe(false);
      await store().purgeFinished(at('08:00:30.000'));
      expect(await store().tryLock(id, 'worker-1', at('08:05:00.000'), at('08:00:31.000'))).toBe(false);
      await store().purgeFinished(at('08:00:30.001'));
      expect(await store().tryLock(id, 'worker-1', at('08:05:00.000'), at('08:00:31.000'))).toBe(true);
    });

    it('keeps error details across unlocking, until the task is finished', async () => {
      const id = task();
      expect(await store().errorDetailsOf(id)).toBeUndefined();
      await store().setErrorDetails(id, 'ECONNREFUSED\n  at charge (payment.js:12)');
      await store().tryLock(id, 'worker-1', at('08:01:00.000'), at('08:00:00.000'));
      await store().unlock(id);
      expect(await store().errorDetailsOf(id)).toBe('ECONNREFUSED\n  at charge (payment.js:12)');
      await store().setErrorDetails(id, 'timeout');
      expect(await store().errorDetailsOf(id)).toBe('timeout');
      await store().finish(id, at('08:00:00.000'));
      expect(await store().errorDetailsOf(id)).toBeUndefined();
    });

    it('reads the locks of many tasks at once, expired ones included, and lists the active ones', async () => {
      const [a, b, c] = [task(), task(), task()];
      await store().tryLock(a as string, 'worker-1', at('08:01:00.000'), at('08:00:00.000'));
      await store().tryLock(b as string, 'worker-2', at('07:59:00.000'), at('07:58:00.000'));
      const locks = await store().locksOf([a as string, b as string, c as string]);
      expect([...locks.keys()].sort()).toEqual([a, b].sort());
      expect(locks.get(b as string)?.expiresAt).toBe('2026-03-01T07:59:00.000Z');
      expect((await store().locksOf([])).size).toBe(0);
      const active = (await store().activeLocks(at('08:00:00.000'))).filter((lock) => lock.taskId === a || lock.taskId === b);
      expect(active).toEqual([{ taskId: a, workerId: 'worker-1', expiresAt: '2026-03-01T08:01:00.000Z' }]);
    });

    it('locks many tasks at once: the free, expired and own ones, not those another worker holds, not a finished one', async () => {
      const [free, expired, own, others, finished] = [task(), task(), task(), task(), task()] as [string, string, string, string, string];
      await store().tryLock(expired, 'worker-2', at('08:00:00.000'), at('07:59:00.000'));
      await store().tryLock(own, 'worker-1', at('08:00:30.000'), at('07:59:00.000'));
      await store().tryLock(others, 'worker-2', at('08:05:00.000'), at('07:59:00.000'));
      await store().finish(finished, at('07:59:30.000'));
      const locked = await store().tryLockAll([free, expired, own, others, finished], 'worker-1', at('08:10:00.000'), at('08:00:00.000'));
      expect([...locked].sort()).toEqual([free, expired, own].sort());
      for (const id of [free, expired, own]) expect(await store().lockOf(id)).toEqual({ taskId: id, workerId: 'worker-1', expiresAt: '2026-03-01T08:10:00.000Z' });
      expect(await store().lockOf(others)).toEqual({ taskId: others, workerId: 'worker-2', expiresAt: '2026-03-01T08:05:00.000Z' });
      expect(await store().lockOf(finished)).toBeUndefined();
      expect((await store().tryLockAll([], 'worker-1', at('08:10:00.000'), at('08:00:00.000'))).size).toBe(0);
    });

    it('gives each task to exactly one of many workers locking overlapping sets at once', async () => {
      const ids = Array.from({ length: 30 }, () => task());
      // Each worker asks for most of the tasks, in an order of its own (reversed, rotated): none may be given twice.
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, worker) => {
          const rotated = [...ids.slice(worker * 4), ...ids.slice(0, worker * 4)].slice(0, 24);
          return store().tryLockAll(worker % 2 === 0 ? rotated : rotated.reverse(), `worker-${worker}`, at('08:01:00.000'), at('08:00:00.000'));
        }),
      );
      const handedOut = results.flatMap((locked) => [...locked]);
      expect(new Set(handedOut).size).toBe(handedOut.length);
      expect(new Set(handedOut)).toEqual(new Set(ids));
      for (const [worker, locked] of results.entries()) {
        for (const id of locked) expect((await store().lockOf(id))?.workerId).toBe(`worker-${worker}`);
      }
    });

    it('gives a free task to exactly one of many workers racing for it', async () => {
      for (let round = 0; round < 20; round++) {
        const id = task();
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, worker) => store().tryLock(id, `worker-${worker}`, at('08:01:00.000'), at('08:00:00.000'))),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store().lockOf(id))?.workerId).toBe(`worker-${results.indexOf(true)}`);
      }
    });
  });
}
