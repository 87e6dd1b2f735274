import type { TimerDefinition } from '../../model/executable-model.js';
import type { DecisionRun } from '../decision-run.js';
import type { CatchEventNode } from '../catch-events.js';
import type { Outcome } from '../element-lifecycle.js';
import type { ElementInstance, TimerState } from '../process-instance-state.js';
import { firstOccurrence, nextOccurrence } from './timer-schedule.js';

/** Starts the timer of a timer catch event: its expression is evaluated in the owner's scope, now. */
export function openTimer(run: DecisionRun, owner: ElementInstance, node: CatchEventNode, timer: TimerDefinition): Outcome {
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

/** The next occurrence of a repeating timer of a non-interrupting boundary event, while its activity goes on. */
export function rearmTimer(run: DecisionRun, timer: TimerState): void {
  if (timer.cycle === undefined) return;
  const next = nextOccurrence(timer.cycle, timer.dueAt);
  if (next === undefined) return;
  run.emit({
    type: 'TimerCreated',
    data: {
      timerId: run.newId(),
      elementInstanceId: timer.elementInstanceId,
      elementId: timer.elementId,
      dueAt: next.dueAt,
      ...(next.cycle === undefined ? {} : { cycle: next.cycle }),
    },
  });
}

export function cancelTimers(run: DecisionRun, ownerInstanceId: string): void {
  for (const timer of Object.values(run.state.timers)) {
    if (timer.elementInstanceId === ownerInstanceId) run.emit({ type: 'TimerCanceled', data: { timerId: timer.id } });
  }
}
