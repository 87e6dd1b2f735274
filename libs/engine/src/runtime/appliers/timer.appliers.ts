import type { TimerCanceled, TimerCreated, TimerTriggered } from '../process-instance-events.js';
import type { Draft } from './draft.js';

export function applyTimerCreated(draft: Draft, { data }: TimerCreated): void {
  draft.timers[data.timerId] = {
    id: data.timerId,
    elementInstanceId: data.elementInstanceId,
    elementId: data.elementId,
    dueAt: data.dueAt,
    ...(data.cycle === undefined ? {} : { cycle: data.cycle }),
    ...(data.taskListener === undefined ? {} : { taskListener: data.taskListener }),
  };
}

/** A timer occurs once: the next occurrence of a cycle is a timer of its own. */
export function applyTimerTriggered(draft: Draft, { data }: TimerTriggered): void {
  delete draft.timers[data.timerId];
}

export function applyTimerCanceled(draft: Draft, { data }: TimerCanceled): void {
  delete draft.timers[data.timerId];
}
