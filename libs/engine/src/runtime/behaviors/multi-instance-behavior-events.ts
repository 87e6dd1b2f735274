import type { FlowNode, MultiInstanceLoop } from '../../model/executable-model.js';
import type { DecisionRun } from '../decision-run.js';
import type { Outcome } from '../element-lifecycle.js';
import type { ElementInstance } from '../process-instance-state.js';
import { catchEventOccurred } from '../catch-events.js';
import { throwSignal } from '../signals/signal-subscription.js';
import { findCatcher } from '../throw-events.js';
import { asNonEmptyString, evaluateAs } from './values.js';

/**
 * The events a multi-instance body throws when an iteration completes (BPMN 2.0 §10.3.6 `behavior`): `None`, at
 * every completion; `One`, at the first; `Complex`, each definition whose condition holds in the completed iteration's
 * scope (which sees `loopCounter` and the body's counters, already counting this completion).
 *
 * An escalation is caught as one thrown by the body: by the boundary events of the multi-instance activity, else of
 * the activities around it (or an escalation event sub-process of a scope around it). An interrupting one terminates the activity, iterations included; uncaught, it is
 * dropped (it is not passed to a calling process: the body is not a throw event that could wait for an answer). A
 * signal is broadcast with the iteration's local variables (`loopCounter`, the input element), as a signal throw event
 * broadcasts its own: a signal boundary event of the activity, or any subscription of that name, receives it. The
 * subscriptions of this instance receive it within the decision, before the body decides whether it is done, so the
 * boundary event of the activity receives the signal of the last iteration too.
 */
export function throwBehaviorEvents(run: DecisionRun, body: ElementInstance, iteration: ElementInstance, node: FlowNode, loop: MultiInstanceLoop, completed: number): Outcome {
  if (loop.behavior === undefined || (loop.behavior === 'One' && completed !== 1)) return undefined;
  for (const event of loop.behaviorEvents ?? []) {
    if (event.condition !== undefined) {
      const holds = run.evaluateCondition(event.condition, iteration.id, `the complexBehaviorDefinition condition of '${node.id}'`);
      if (!holds.ok) return holds.error;
      if (!holds.value) continue;
    }
    if (event.thrown.type === 'signal') {
      const thrown = throwSignal(run, iteration, event.thrown.signalName);
      if (!thrown.ok) return thrown.error;
      // Received by an interrupting boundary event of the activity (or a scope around it): nothing more is thrown.
      if (run.state.elementInstances[body.id]?.state !== 'activated') return undefined;
      continue;
    }
    const code = evaluateAs(run, event.thrown.escalationCode, iteration.id, 'the escalation code', 'a non-empty string', asNonEmptyString);
    if (!code.ok) return code.error;
    const catcher = findCatcher(run, body, 'escalation', code.value);
    if (catcher === undefined) continue;
    catchEventOccurred(run, catcher.owner, catcher.node);
    // Interrupted: the activity (and this iteration) is gone; nothing more is thrown.
    if (run.state.elementInstances[body.id]?.state !== 'activated') return undefined;
  }
  return undefined;
}
