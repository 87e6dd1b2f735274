import type { TimerDefinition } from '../../model/executable-model.js';
import type { DecisionRun } from '../decision-run.js';
import type { CatchEventNode, SubscriptionOwner } from '../catch-events.js';
import type { Outcome } from '../element-lifecycle.js';
import type { TimerState } from '../process-instance-state.js';
import { firstOccurrence, nextOccurrence } from './timer-schedule.js';

/** Starts the timer of a timer catch event: its expression is evaluated in the owner's scope, now. */
export function openTimer(run: DecisionRun, owner: SubscriptionOwner, node: CatchEventNode, timer: TimerDefinition): Outcome {
  const value = run.evaluate(timer.expression, owner.id, 'EXPRESSION_ERROR');
  if (!value.ok) return { incidentType: 'EXPRESSION_ERROR', message: `Failed to evaluate the ${timer.kind} of timer '${node.id}': ${value.error.message}` };
  const schedule = firstOccurrence(timer.kind, value.value, run.now);
  if (!schedule.ok) return { incidentType: 'EXPRESSION_ERROR', message: `The ${timer.kind} of timer '${node.id}' is invalid: ${schedule.error}` };
  run.emit({
    type: 'TimerCreated',
    data: {
      timerId: run.newId(),
      elementInstanceId: owner.id,
      elementId: node.id,
      dueAt: schedule.value.dueAt,
      ...(schedule.value.cycle === undefined ? {} : { cycle: schedule.value.cycle }),
    },
  });
  return undefined;
}

/** At most this many missed occurrences are passed over at once (a cron of every second, a year late). */
const MAX_SKIPPED_OCCURRENCES = 100_000;

/**
 * The next occurrence of a repeating timer of a non-interrupting boundary event, while its activity goes on. The
 * occurrences that fell due while no scheduler ran (the runtime was down) are covered by the one firing now: the next
 * is the first still to come, so a late cycle fires once, not once per missed occurrence.
 */
export function rearmTimer(run: DecisionRun, timer: TimerState): void {
  if (timer.cycle === undefined) return;
  let next = nextOccurrence(timer.cycle, timer.dueAt);
  const now = Date.parse(run.now);
  for (let skipped = 0; next !== undefined && Date.parse(next.dueAt) <= now && skipped < MAX_SKIPPED_OCCURRENCES; skipped++) {
    next = next.cycle === undefined ? undefined : nextOccurrence(next.cycle, next.dueAt);
  }
  if (next === undefined) return;
  run.emit({
    type: 'TimerCreated',
    data: {
      timerId: run.newId(),
      elementInstanceId: timer.elementInstanceId,
      elementId: timer.elementId,
      dueAt: next.dueAt,
      ...(next.cycle === undefined ? {} : { cycle: next.cycle }),
      ...(timer.taskListener === undefined ? {} : { taskListener: timer.taskListener }),
    },
  });
}

export function cancelTimers(run: DecisionRun, ownerInstanceId: string, only?: ReadonlySet<string>): void {
  for (const timer of Object.values(run.state.timers)) {
    if (timer.elementInstanceId === ownerInstanceId && (only === undefined || only.has(timer.elementId))) run.emit({ type: 'TimerCanceled', data: { timerId: timer.id } });
  }
}
