import type { ExecutableProcess } from '../model/executable-model.js';

/** Everything a decision needs from the outside world: the engine itself reads no clock and makes no ids. */
export interface DecisionContext {
  /** The time of the decision, ISO 8601 with zone (e.g. `2026-01-01T10:00:00.000Z`). */
  readonly now: string;
  /** Returns a fresh unique id (element instances, jobs, user tasks, incidents). */
  readonly newId: () => string;
  /** The compiled process the instance runs. */
  readonly process: ExecutableProcess;
}

/** Why a command was rejected. Nothing was changed. Maps to an HTTP status in the adapters. */
export interface Failure {
  readonly code: 'NOT_FOUND' | 'INVALID_STATE' | 'INVALID_ARGUMENT' | 'ALREADY_EXISTS';
  readonly message: string;
  /** What the failure is about, e.g. `{ jobId: '...' }`. */
  readonly details?: Readonly<Record<string, string>>;
}
