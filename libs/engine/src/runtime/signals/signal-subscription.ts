import type { Expression } from '../../model/expression.js';
import type { JsonObject } from '../../model/json.js';
import { ok, type Result } from '../../result.js';
import { asNonEmptyString, evaluateAs } from '../behaviors/values.js';
import { catchEventOccurred, isCatchEventNode, type SubscriptionOwner } from '../catch-events.js';
import type { Failure } from '../decision.js';
import type { DecisionRun } from '../decision-run.js';
import { isLive, type Outcome, type Problem } from '../element-lifecycle.js';
import type { ReceiveSignal } from '../process-instance-commands.js';
import { waitingOwner } from '../event-sub-processes.js';
import type { ElementInstance } from '../process-instance-state.js';

/**
 * Opens the signal subscription of a waiting element: `owner` is the catch event's own instance, or the activity a
 * boundary event is attached to; `elementId` is the element that occurs. The name is evaluated in the owner's scope,
 * now; later changes of the variables do not move it (as in Zeebe).
 */
export function openSignalSubscription(run: DecisionRun, owner: SubscriptionOwner, elementId: string, signalName: Expression): Outcome {
  const name = evaluateAs(run, signalName, owner.id, `the signal name of '${elementId}'`, 'a non-empty string', asNonEmptyString);
  if (!name.ok) return name.error;
  run.emit({
    type: 'SignalSubscriptionOpened',
    data: { subscriptionId: run.newId(), elementInstanceId: owner.id, elementId, signalName: name.value },
  });
  return undefined;
}

export function closeSignalSubscriptions(run: DecisionRun, ownerInstanceId: string, only?: ReadonlySet<string>): void {
  for (const subscription of Object.values(run.state.signalSubscriptions)) {
    if (subscription.elementInstanceId === ownerInstanceId && (only === undefined || only.has(subscription.elementId))) run.emit({ type: 'SignalSubscriptionClosed', data: { subscriptionId: subscription.id } });
  }
}

/**
 * A signal throw event or signal end event (or a multi-instance body's behavior event): evaluates the name in its
 * scope and records the broadcast with the results of its input mappings (its local variables, as Zeebe sends them).
 * The subscriptions of that name in this instance that are open now receive it at once, inside this decision, in the
 * order they opened: delivered later by the runtime, it would miss those that close in this very decision (the
 * boundary event of a multi-instance activity whose last iteration threw it). `deliveredInInstance` tells the runtime
 * to deliver it only to other instances (and signal start events). `passes` is false when a subscription that received
 * it ended the thrower (an interrupting boundary event or event sub-process around it): nothing is left to move on.
 */
export function throwSignal(run: DecisionRun, instance: ElementInstance, signalName: Expression): Result<{ passes: boolean }, Problem> {
  const name = evaluateAs(run, signalName, instance.id, 'the signal name', 'a non-empty string', asNonEmptyString);
  if (!name.ok) return name;
  const variables: JsonObject = { ...run.state.variables[instance.id] };
  const signalId = run.newId();
  // Taken before anything receives it: one that opens while it is delivered (a boundary event's activity starting
  // again, say) was not open when it was thrown, and signals are not buffered.
  const open = Object.values(run.state.signalSubscriptions).filter((subscription) => subscription.signalName === name.value);
  run.emit({
    type: 'SignalThrown',
    data: { signalId, elementInstanceId: instance.id, elementId: instance.elementId, signalName: name.value, variables, deliveredInInstance: true },
  });
  for (const subscription of open) {
    // An earlier one may have closed it (an interrupting boundary event that terminated its owner): it is skipped.
    if (run.state.signalSubscriptions[subscription.id] === undefined) continue;
    deliverSignal(run, subscription.id, signalId, variables);
  }
  const thrower = run.state.elementInstances[instance.id];
  return ok({ passes: thrower !== undefined && isLive(thrower.state) });
}

/**
 * A broadcast reaches an open subscription. Two deliveries of one broadcast (two runtime replicas, or a retry): the
 * second finds the subscription closed (NOT_FOUND) or the broadcast already received (ALREADY_EXISTS), so the element
 * occurs once per broadcast. An intermediate catch event completes; a boundary event occurs.
 */
export function receiveSignal(run: DecisionRun, command: ReceiveSignal): Failure | undefined {
  const subscription = run.state.signalSubscriptions[command.subscriptionId];
  if (subscription === undefined) {
    return {
      code: 'NOT_FOUND',
      message: `Signal subscription '${command.subscriptionId}' is not open: its element left or the signal was received`,
      details: { subscriptionId: command.subscriptionId },
    };
  }
  if (command.signalId !== undefined && subscription.receivedSignalIds?.includes(command.signalId) === true) {
    return {
      code: 'ALREADY_EXISTS',
      message: `Signal '${command.signalId}' already reached subscription '${subscription.id}'`,
      details: { subscriptionId: subscription.id, signalId: command.signalId },
    };
  }
  return deliverSignal(run, subscription.id, command.signalId, command.variables ?? {});
}

/** The signal reaches an open subscription whose element waits: it records the receipt and the element occurs. */
function deliverSignal(run: DecisionRun, subscriptionId: string, signalId: string | undefined, variables: JsonObject): Failure | undefined {
  const subscription = run.state.signalSubscriptions[subscriptionId];
  const owner = subscription === undefined ? undefined : waitingOwner(run, subscription.elementInstanceId);
  const node = subscription === undefined ? undefined : run.node(subscription.elementId);
  if (subscription === undefined || owner === undefined || node === undefined || !isCatchEventNode(node)) {
    return { code: 'INVALID_STATE', message: `The element of signal subscription '${subscriptionId}' is not waiting for it`, details: { subscriptionId } };
  }
  run.emit({
    type: 'SignalReceived',
    data: { subscriptionId: subscription.id, ...(signalId === undefined ? {} : { signalId }), signalName: subscription.signalName, variables },
  });
  catchEventOccurred(run, owner, node, Object.keys(variables).length === 0 ? undefined : variables);
  return undefined;
}
