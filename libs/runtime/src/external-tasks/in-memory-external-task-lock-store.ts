import type { ExternalTaskLock, ExternalTaskLockStore } from './external-task-lock-store.js';

interface Entry {
  lock?: ExternalTaskLock;
  errorDetails?: string;
  /** Epoch ms when the task was finished: it is never locked again. */
  finishedAt?: number;
}

/**
 * Locks in this process's memory: right for one runtime process (the standalone server, the embedded store). A restart
 * forgets them, which frees every task at once: a worker whose lock is lost is refused when it completes (400), as when
 * its lock expired.
 */
export class InMemoryExternalTaskLockStore implements ExternalTaskLockStore {
  private readonly entries = new Map<string, Entry>();

  tryLock(taskId: string, workerId: string, expiresAt: Date, now: Date): Promise<boolean> {
    return Promise.resolve(this.lockNow(taskId, workerId, expiresAt.toISOString(), now.getTime()));
  }

  tryLockAll(taskIds: readonly string[], workerId: string, expiresAt: Date, now: Date): Promise<Set<string>> {
    const until = expiresAt.toISOString();
    const locked = new Set<string>();
    for (const taskId of taskIds) if (this.lockNow(taskId, workerId, until, now.getTime())) locked.add(taskId);
    return Promise.resolve(locked);
  }

  private lockNow(taskId: string, workerId: string, expiresAt: string, now: number): boolean {
    const entry = this.entries.get(taskId) ?? {};
    const held = entry.lock;
    if (entry.finishedAt !== undefined) return false;
    if (held !== undefined && held.workerId !== workerId && Date.parse(held.expiresAt) > now) return false;
    entry.lock = { taskId, workerId, expiresAt };
    this.entries.set(taskId, entry);
    return true;
  }

  extendLock(taskId: string, workerId: string, expiresAt: Date, now: Date): Promise<boolean> {
    const entry = this.entries.get(taskId);
    const held = entry?.lock;
    if (entry === undefined || held === undefined || held.workerId !== workerId || Date.parse(held.expiresAt) <= now.getTime()) {
      return Promise.resolve(false);
    }
    entry.lock = { ...held, expiresAt: expiresAt.toISOString() };
    return Promise.resolve(true);
  }

  lockOf(taskId: string): Promise<ExternalTaskLock | undefined> {
    return Promise.resolve(this.entries.get(taskId)?.lock);
  }

  locksOf(taskIds: readonly string[]): Promise<Map<string, ExternalTaskLock>> {
    const locks = new Map<string, ExternalTaskLock>();
    for (const taskId of taskIds) {
      const lock = this.entries.get(taskId)?.lock;
      if (lock !== undefined) locks.set(taskId, lock);
    }
    return Promise.resolve(locks);
  }

  activeLocks(now: Date): Promise<ExternalTaskLock[]> {
    const active: ExternalTaskLock[] = [];
    for (const { lock } of this.entries.values()) if (lock !== undefined && Date.parse(lock.expiresAt) > now.getTime()) active.push(lock);
    return Promise.resolve(active);
  }

  unlock(taskId: string): Promise<void> {
    const entry = this.entries.get(taskId);
    if (entry !== undefined) {
      delete entry.lock;
      if (entry.errorDetails === undefined && entry.finishedAt === undefined) this.entries.delete(taskId);
    }
    return Promise.resolve();
  }

  setErrorDetails(taskId: string, errorDetails: string): Promise<void> {
    const entry = this.entries.get(taskId) ?? {};
    entry.errorDetails = errorDetails;
    this.entries.set(taskId, entry);
    return Promise.resolve();
  }

  errorDetailsOf(taskId: string): Promise<string | undefined> {
    return Promise.resolve(this.entries.get(taskId)?.errorDetails);
  }

  finish(taskId: string, now: Date): Promise<void> {
    this.entries.set(taskId, { finishedAt: now.getTime() });
    return Promise.resolve();
  }

  purgeFinished(before: Date): Promise<void> {
    for (const [taskId, entry] of this.entries) if (entry.finishedAt !== undefined && entry.finishedAt < before.getTime()) this.entries.delete(taskId);
    return Promise.resolve();
  }
}
