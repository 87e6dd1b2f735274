import type { BoundaryEventNode, CatchEventDefinition, FlowNode, IntermediateCatchEventNode, StartEventNode } from '../model/executable-model.js';
import type { JsonObject } from '../model/json.js';
import { eventBasedGatewayEventOccurred } from './behaviors/event-based-gateway.behavior.js';
import type { DecisionRun } from './decision-run.js';
import type { Outcome } from './element-lifecycle.js';
import { eventSubProcessTriggered } from './event-sub-processes.js';
import type { ElementInstance } from './process-instance-state.js';
import { closeMessageSubscriptions, openMessageSubscription } from './messages/message-subscription.js';
import { closeSignalSubscriptions, openSignalSubscription } from './signals/signal-subscription.js';
import { cancelTimers, openTimer } from './timers/timer-subscription.js';

/** The start event of an event sub-process: it waits, as a catch event does, while its enclosing scope runs. */
export type EventSubProcessStartNode = StartEventNode & { readonly eventDefinition: CatchEventDefinition };

/** A flow node that waits for an event: an intermediate catch event, a boundary event, or an event sub-process's start event. */
export type CatchEventNode = IntermediateCatchEventNode | BoundaryEventNode | EventSubProcessStartNode;

export function isCatchEventNode(node: FlowNode): node is CatchEventNode {
  return node.kind === 'intermediateCatchEvent' || node.kind === 'boundaryEvent' || isEventSubProcessStart(node);
}

export function isEventSubProcessStart(node: FlowNode): node is EventSubProcessStartNode {
  return node.kind === 'startEvent' && node.eventDefinition !== undefined;
}

/**
 * Who waits for an event: an element instance, or, for an event sub-process of the process level, the process instance
 * (whose id is then `id`). Only the id is kept in a subscription.
 */
export type SubscriptionOwner = Pick<ElementInstance, 'id'>;

/**
 * Starts waiting for the event of a catch event: `owner` is the catch event's own instance, or, for a boundary
 * event, the instance of the activity it is attached to, or, for an event sub-process's start event, its enclosing
 * scope. Expressions (a timer's due date, say) are evaluated in the owner's scope; a failure is the owner's problem (an
 * incident on it).
 */
export function openCatchSubscription(run: DecisionRun, owner: SubscriptionOwner, node: CatchEventNode): Outcome {
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
    case 'compensation':
    case 'cancel':
      // Nothing to wait for: compensation throw events and cancel end events run them (see compensation.ts).
      return undefined;
  }
}

/**
 * Stops waiting for every event `owner` waits for (its own, those of the boundary events attached to it, and those of
 * its event sub-processes' start events), or only for those of the elements `only` names.
 */
export function closeCatchSubscriptions(run: DecisionRun, ownerInstanceId: string, only?: ReadonlySet<string>): void {
  cancelTimers(run, ownerInstanceId, only);
  closeSignalSubscriptions(run, ownerInstanceId, only);
  closeMessageSubscriptions(run, ownerInstanceId, only);
}

/**
 * Opens the subscriptions of the start events of a scope's event sub-processes: the scope (a sub-process instance, or
 * the process instance) has just been activated.
 */
export function openEventSubProcessSubscriptions(run: DecisionRun, scopeInstanceId: string, eventSubProcessIds: readonly string[] | undefined): Outcome {
  for (const eventSubProcessId of eventSubProcessIds ?? []) {
    const eventSubProcess = run.node(eventSubProcessId);
    if (eventSubProcess.kind !== 'subProcess') continue;
    const start = run.node(eventSubProcess.startEventId);
    if (!isEventSubProcessStart(start)) continue;
    const problem = openCatchSubscription(run, { id: scopeInstanceId }, start);
    if (problem !== undefined) return problem;
  }
  return undefined;
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
 * the activity's other subscriptions); an event sub-process starts in its scope (see `eventSubProcessTriggered`).
 */
export function catchEventOccurred(run: DecisionRun, owner: ElementInstance, node: CatchEventNode, variables?: JsonObject): void {
  if (node.kind === 'startEvent') {
    eventSubProcessTriggered(run, owner.id, node, variables);
    return;
  }
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
