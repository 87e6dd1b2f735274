/**
 * Who holds an external task and until when. A lock is not part of the process instance (the engine knows jobs, not
 * workers): it lives beside it, in a store every runtime replica shares, so that two replicas never hand one task to two
 * workers. A lock whose `expiresAt` has passed is as good as none: the task may be fetched again.
 */
export interface ExternalTaskLock {
  readonly taskId: string;
  readonly workerId: string;
  /** ISO 8601 UTC date-time. */
  readonly expiresAt: string;
}

/**
 * The port of the external-task locks (and of what a worker reported beside the engine's events: the `errorDetails` of
 * its last failure). Every time is passed in, by the platform clock of the caller, so that tests move a `ManualClock`.
 * Each method is atomic on one task: of two callers racing for a free task, exactly one gets it.
 */
export interface ExternalTaskLockStore {
  /**
   * Locks the task for `workerId` until `expiresAt` when it is free at `now` (never locked, unlocked, expired) or is
   * already this worker's (its lock is then moved to `expiresAt`). False: another worker holds it.
   */
  tryLock(taskId: string, workerId: string, expiresAt: Date, now: Date): Promise<boolean>;
  /**
   * `tryLock` on several tasks at once, all for `workerId` until `expiresAt`: the ids of those it locked. Each task is
   * taken or refused on its own, as by `tryLock`; what it saves is the round trips (one for a whole fetch).
   */
  tryLockAll(taskIds: readonly string[], workerId: string, expiresAt: Date, now: Date): Promise<Set<string>>;
  /** Moves the lock of `workerId` to `expiresAt` when the worker still holds it at `now`. False: it does not (any more). */
  extendLock(taskId: string, workerId: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** The lock on the task, expired or not; undefined: never locked or unlocked. */
  lockOf(taskId: string): Promise<ExternalTaskLock | undefined>;
  /** The locks on these tasks (expired ones included), by task id: one round trip for a whole fetch. */
  locksOf(taskIds: readonly string[]): Promise<Map<string, ExternalTaskLock>>;
  /** Every lock that has not expired at `now`: what `GET /api/workers` counts. */
  activeLocks(now: Date): Promise<ExternalTaskLock[]>;
  /** Frees the task (whoever held it); its error details stay. */
  unlock(taskId: string): Promise<void>;
  /** Keeps the error details of a failure (they are too long for the process instance's events). */
  setErrorDetails(taskId: string, errorDetails: string): Promise<void>;
  errorDetailsOf(taskId: string): Promise<string | undefined>;
  /**
   * The task is done with (completed, canceled): its lock and error details go, and it can never be locked again. The
   * mark stays (until `purgeFinished`) because another replica's views may still show the task open for a moment: it
   * must not hand it out again.
   */
  finish(taskId: string, now: Date): Promise<void>;
  /** Drops the marks of tasks finished before `before` (every replica's views have long seen them end). */
  purgeFinished(before: Date): Promise<void>;
}

/** The Nest token of the store; without a provider the runtime keeps locks in memory (one process: the standalone server). */
export const EXTERNAL_TASK_LOCK_STORE = Symbol('trellis.ExternalTaskLockStore');
