import type { BoundaryEventNode, FlowNode, IntermediateCatchEventNode } from '../model/executable-model.js';
import type { JsonObject } from '../model/json.js';
import { eventBasedGatewayEventOccurred } from './behaviors/event-based-gateway.behavior.js';
import type { DecisionRun } from './decision-run.js';
import type { Outcome } from './element-lifecycle.js';
import type { ElementInstance } from './process-instance-state.js';
import { closeMessageSubscriptions, openMessageSubscription } from './messages/message-subscription.js';
import { closeSignalSubscriptions, openSignalSubscription } from './signals/signal-subscription.js';
import { cancelTimers, openTimer } from './timers/timer-subscription.js';

/** A flow node that waits for an event: an intermediate catch event or a boundary event. */
export type CatchEventNode = IntermediateCatchEventNode | BoundaryEventNode;

export function isCatchEventNode(node: FlowNode): node is CatchEventNode {
  return node.kind === 'intermediateCatchEvent' || node.kind === 'boundaryEvent';
}

/**
 * Starts waiting for the event of a catch event: `owner` is the catch event's own instance, or, for a boundary
 * event, the instance of the activity it is attached to. Expressions (a timer's due date, say) are evaluated in the
 * owner's scope; a failure is the owner's problem (an incident on it).
 */
export function openCatchSubscription(run: DecisionRun, owner: ElementInstance, node: CatchEventNode): Outcome {
  switch (node.eventDefinition.type) {
    case 'timer':
      return openTimer(run, owner, node, node.eventDefinition.timer);
    case 'message':
      return openMessageSubscription(run, owner, node.id, node.eventDefinition.message);
    case 'signal':
      return openSignalSubscription(run, owner, node.id, node.eventDefinition.signalName);
    case 'error':
    case 'escalation':
      // Nothing to wait for: the thrower looks outward for the boundary event that catches it (see throw-events.ts).
      return undefined;
    case 'conditional':
      // Nothing to record: a waiting element is its own subscription, checked at the end of each decision (see
      // conditional-events.ts).
      return undefined;
  }
}

/** Stops waiting for every event `owner` waits for (its own, and those of the boundary events attached to it). */
export function closeCatchSubscriptions(run: DecisionRun, ownerInstanceId: string): void {
  cancelTimers(run, ownerInstanceId);
  closeSignalSubscriptions(run, ownerInstanceId);
  closeMessageSubscriptions(run, ownerInstanceId);
}

/** Opens the subscriptions of the boundary events attached to an activity that has just been activated. */
export function openBoundarySubscriptions(run: DecisionRun, owner: ElementInstance, activity: FlowNode): Outcome {
  for (const boundaryId of activity.boundaryEventIds ?? []) {
    const boundary = run.node(boundaryId);
    if (boundary.kind !== 'boundaryEvent') continue;
    const problem = openCatchSubscription(run, owner, boundary);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * The event of a catch event occurred. An intermediate catch event completes (with the event's variables); a
 * boundary event runs in the activity's flow scope, after terminating the activity if it interrupts (which closes
 * the activity's other subscriptions). The caller has already closed the subscription that occurred.
 */
export function catchEventOccurred(run: DecisionRun, owner: ElementInstance, node: CatchEventNode, variables?: JsonObject): void {
  if (node.kind === 'intermediateCatchEvent' && owner.elementId !== node.id) {
    // The owner is an event-based gateway waiting for this catch event among others: the first to occur wins.
    eventBasedGatewayEventOccurred(run, owner, node, variables);
    return;
  }
  if (node.kind === 'intermediateCatchEvent') {
    run.setCompletionVariables(owner, node, variables);
    run.complete(owner);
    return;
  }
  if (node.cancelActivity) run.terminate(owner.id);
  const boundaryInstanceId = run.createInstance(node, owner.flowScopeInstanceId);
  const boundary = run.state.elementInstances[boundaryInstanceId];
  if (boundary !== undefined) run.setCompletionVariables(boundary, node, variables);
}
