import type { ExecutableProcess, TimerDefinition } from '../../model/executable-model.js';
import { evaluateExpression } from '../../expressions/expressions.js';
import { err, type Result } from '../../result.js';
import { firstOccurrence, nextOccurrence, type TimerCycle, type TimerSchedule } from './timer-schedule.js';

/** A timer start event of a process, with its timer. */
export interface TimerStartEvent {
  readonly startEventId: string;
  readonly timer: TimerDefinition;
}

/** The process's timer start events (none for a model compiled before they existed). */
export function timerStartEvents(process: ExecutableProcess): TimerStartEvent[] {
  const found: TimerStartEvent[] = [];
  for (const startEventId of process.timerStartEventIds ?? []) {
    const node = process.elements[startEventId];
    if (node?.kind === 'startEvent' && node.timer !== undefined) found.push({ startEventId, timer: node.timer });
  }
  return found;
}

/**
 * When a timer start event is first due: its expression is evaluated without variables (an instance does not exist
 * yet) at `anchor`, the time its process version was deployed, so every replica computes the same due times.
 * A `timeDate` or `timeDuration` is due once; a `timeCycle` repeats (`nextOccurrence`).
 */
export function firstTimerStart(timer: TimerDefinition, anchor: string): Result<TimerSchedule, string> {
  const value = evaluateExpression(timer.expression, { variables: () => undefined, now: anchor });
  if (!value.ok) return err(`the ${timer.kind} cannot be evaluated: ${value.error.message}`);
  return firstOccurrence(timer.kind, value.value, anchor);
}

/**
 * The occurrence to start at when the clock reads `now`: `due` itself, or, when later occurrences of its cycle fell due
 * too (the runtime was down), the latest of them, so that missed occurrences start one instance, not one each.
 * `maxSkipped` bounds the walk.
 */
export function latestDueTimerStart(due: TimerSchedule, now: string, maxSkipped = 100_000): TimerSchedule {
  const nowMs = Date.parse(now);
  let latest = due;
  for (let skipped = 0; latest.cycle !== undefined && skipped < maxSkipped; skipped++) {
    const following = nextOccurrence(latest.cycle, latest.dueAt);
    if (following === undefined || Date.parse(following.dueAt) > nowMs) break;
    latest = following;
  }
  return latest;
}

/** The occurrence after the one started at `dueAt` (with what was left of its cycle then); undefined once it has ended. */
export function nextTimerStart(dueAt: string, cycle: TimerCycle | undefined): TimerSchedule | undefined {
  return cycle === undefined ? undefined : nextOccurrence(cycle, dueAt);
}

export type { TimerCycle, TimerSchedule };
