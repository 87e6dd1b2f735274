import { Duration } from 'luxon';
import { err, ok, type Result } from '../../result.js';

/**
 * A Camunda 7 `camunda:failedJobRetryTimeCycle`, read: how many attempts a job gets, and how long to wait after each
 * failed one before the next.
 *
 * - `R3/PT10S`: 3 attempts in all, 10 s apart (Camunda 7 counts a job's retries this way: the job starts with 3
 *   retries, each failure takes one, the third leaves none and raises the incident).
 * - `PT1M,PT5M,PT10M`: one attempt more than intervals (4), each interval the wait before the next attempt.
 */
export interface RetryCycle {
  /** Attempts in all: the retries a continuation starts with. */
  readonly attempts: number;
  /** The waits between attempts; the last repeats when there are fewer than attempts - 1. */
  readonly intervals: readonly string[];
}

/** Camunda 7's default when no cycle is given: 3 attempts, each failure tried again at once. */
export const DEFAULT_ATTEMPTS = 3;

const REPEATING = /^R(\d+)\/(P[^/]+)$/;

export function parseRetryCycle(text: string): Result<RetryCycle, string> {
  const trimmed = text.trim();
  if (trimmed.includes('${') || trimmed.includes('#{') || trimmed.startsWith('=')) {
    return err(`'${trimmed}' is an expression: a retry cycle is written as R3/PT10S or PT1M,PT5M (expressions are not supported)`);
  }
  const repeating = REPEATING.exec(trimmed);
  if (repeating !== null) {
    const attempts = Number(repeating[1]);
    if (!Number.isSafeInteger(attempts) || attempts < 1) return err(`'${trimmed}' gives ${repeating[1]} attempts: at least 1 is needed`);
    if (!isDuration(repeating[2])) return err(`the interval '${repeating[2]}' of '${trimmed}' is not an ISO 8601 duration (e.g. PT10S)`);
    return ok({ attempts, intervals: [repeating[2]] });
  }
  const intervals = trimmed.split(',').map((part) => part.trim());
  const wrong = intervals.find((interval) => !isDuration(interval));
  if (wrong !== undefined) {
    return err(`'${trimmed}' is neither a repeating interval (e.g. R3/PT10S) nor a list of ISO 8601 durations (e.g. PT1M,PT5M): '${wrong}' is not a duration`);
  }
  return ok({ attempts: intervals.length + 1, intervals });
}

/**
 * When the next attempt is due after a failure that left `retriesLeft` retries, for a job that started with
 * `cycle.attempts`: the interval for this failure added to `now`. Without a cycle, at once.
 */
export function nextAttemptAt(cycle: RetryCycle | undefined, retriesLeft: number, now: string): string {
  if (cycle === undefined) return now;
  const failures = cycle.attempts - retriesLeft;
  const interval = cycle.intervals[Math.min(Math.max(failures - 1, 0), cycle.intervals.length - 1)];
  const duration = Duration.fromISO(interval);
  return new Date(Date.parse(now) + duration.as('milliseconds')).toISOString();
}

/** The wait before the next attempt, in ms, after a failure that left `retriesLeft` of `cycle.attempts`. */
export function retryIntervalMs(cycle: RetryCycle, retriesLeft: number): number {
  return Date.parse(nextAttemptAt(cycle, retriesLeft, '2000-01-01T00:00:00.000Z')) - Date.parse('2000-01-01T00:00:00.000Z');
}

function isDuration(text: string): boolean {
  const duration = Duration.fromISO(text);
  return duration.isValid && duration.as('milliseconds') >= 0;
}
