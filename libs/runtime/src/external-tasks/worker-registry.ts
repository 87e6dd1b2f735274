import type { ExternalTaskLock } from './external-task-lock-store.js';
import type { ExternalTaskWorkerView } from './external-task.views.js';

interface WorkerRecord {
  readonly topics: Set<string>;
  lastPollAt: number;
  /** Requests of this worker held open now. */
  waiting: number;
}

/**
 * The workers that polled this process: each `workerId` with its topics and its last poll. Kept in memory per runtime
 * process (a worker is listed by the replica it polls); the tasks it holds are counted from the shared lock store.
 */
export class WorkerRegistry {
  private readonly workers = new Map<string, WorkerRecord>();

  constructor(private readonly unhealthyAfterMs: number) {}

  /** A fetch-and-lock request of the worker came in at `now`. */
  polled(workerId: string, topics: readonly string[], now: Date): void {
    const record = this.workers.get(workerId) ?? { topics: new Set<string>(), lastPollAt: 0, waiting: 0 };
    for (const topic of topics) record.topics.add(topic);
    record.lastPollAt = now.getTime();
    this.workers.set(workerId, record);
  }

  /** A request of the worker is held open (+1) or was answered (-1). */
  waiting(workerId: string, change: 1 | -1): void {
    const record = this.workers.get(workerId);
    if (record !== undefined) record.waiting = Math.max(0, record.waiting + change);
  }

  /**
   * Every worker, by id. A worker is healthy while a request of it is held open or it polled within the last
   * `unhealthyAfterMs`: a worker that long-polls is never silent, one that stopped polling becomes unhealthy.
   */
  list(now: Date, activeLocks: readonly ExternalTaskLock[]): ExternalTaskWorkerView[] {
    const held = new Map<string, number>();
    for (const lock of activeLocks) held.set(lock.workerId, (held.get(lock.workerId) ?? 0) + 1);
    return [...this.workers.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([workerId, record]) => ({
        workerId,
        topics: [...record.topics].sort(),
        lastPollAt: new Date(record.lastPollAt).toISOString(),
        tasksHeld: held.get(workerId) ?? 0,
        waiting: record.waiting > 0,
        healthy: record.waiting > 0 || now.getTime() - record.lastPollAt <= this.unhealthyAfterMs,
      }));
  }
}
