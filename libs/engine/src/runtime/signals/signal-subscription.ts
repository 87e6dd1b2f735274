import type { Expression } from '../../model/expression.js';
import type { JsonObject } from '../../model/json.js';
import { ok, type Result } from '../../result.js';
import { asNonEmptyString, evaluateAs } from '../behaviors/values.js';
import { catchEventOccurred, isCatchEventNode, type SubscriptionOwner } from '../catch-events.js';
import type { Failure } from '../decision.js';
import type { DecisionRun } from '../decision-run.js';
import type { Outcome, Problem } from '../element-lifecycle.js';
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
 * A signal throw event or signal end event: evaluates the name in its scope and records the broadcast with the
 * results of its input mappings (its local variables, as Zeebe sends them), for the runtime to deliver. It always
 * moves on: a signal is not caught by the thrower's enclosing activities but by whoever subscribed.
 */
export function throwSignal(run: DecisionRun, instance: ElementInstance, signalName: Expression): Result<{ passes: boolean }, Problem> {
  const name = evaluateAs(run, signalName, instance.id, 'the signal name', 'a non-empty string', asNonEmptyString);
  if (!name.ok) return name;
  const variables: JsonObject = { ...run.state.variables[instance.id] };
  run.emit({
    type: 'SignalThrown',
    data: { signalId: run.newId(), elementInstanceId: instance.id, elementId: instance.elementId, signalName: name.value, variables },
  });
  return ok({ passes: true });
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
  const owner = waitingOwner(run, subscription.elementInstanceId);
  const node = run.node(subscription.elementId);
  if (owner === undefined || !isCatchEventNode(node)) {
    return { code: 'INVALID_STATE', message: `The element of signal subscription '${subscription.id}' is not waiting for it`, details: { subscriptionId: subscription.id } };
  }
  const variables: JsonObject = command.variables ?? {};
  run.emit({
    type: 'SignalReceived',
    data: { subscriptionId: subscription.id, ...(command.signalId === undefined ? {} : { signalId: command.signalId }), signalName: subscription.signalName, variables },
  });
  catchEventOccurred(run, owner, node, Object.keys(variables).length === 0 ? undefined : variables);
  return undefined;
}
