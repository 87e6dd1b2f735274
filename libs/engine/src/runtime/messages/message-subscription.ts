import type { MessageDefinition } from '../../model/executable-model.js';
import type { JsonValue } from '../../model/json.js';
import type { DecisionRun } from '../decision-run.js';
import type { Outcome } from '../element-lifecycle.js';
import type { SubscriptionOwner } from '../catch-events.js';
import { asNonEmptyString, evaluateAs } from '../behaviors/values.js';

/** A correlation key is compared as text: Zeebe accepts a string or a number (`order-42`, `42`). */
function asCorrelationKey(value: JsonValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Opens the message subscription of a waiting element: `owner` is the catch event's or receive task's own instance, or
 * the activity a boundary event is attached to; `elementId` is the element that occurs. The message's name and
 * correlation key are evaluated in the owner's scope, now; later changes of the variables do not move it (as in Zeebe).
 */
export function openMessageSubscription(run: DecisionRun, owner: SubscriptionOwner, elementId: string, message: MessageDefinition): Outcome {
  const name = evaluateAs(run, message.name, owner.id, `the message name of '${elementId}'`, 'a non-empty string', asNonEmptyString);
  if (!name.ok) return name.error;
  let correlationKey: string | undefined;
  if (message.correlationKey !== undefined) {
    const key = evaluateAs(run, message.correlationKey, owner.id, `the correlation key of '${elementId}'`, 'a string or a number', asCorrelationKey);
    if (!key.ok) return key.error;
    correlationKey = key.value;
  }
  run.emit({
    type: 'MessageSubscriptionOpened',
    data: {
      subscriptionId: run.newId(),
      elementInstanceId: owner.id,
      elementId,
      messageName: name.value,
      ...(correlationKey === undefined ? {} : { correlationKey }),
    },
  });
  return undefined;
}

export function closeMessageSubscriptions(run: DecisionRun, ownerInstanceId: string, only?: ReadonlySet<string>): void {
  for (const subscription of Object.values(run.state.messageSubscriptions)) {
    if (subscription.elementInstanceId === ownerInstanceId && (only === undefined || only.has(subscription.elementId))) run.emit({ type: 'MessageSubscriptionClosed', data: { subscriptionId: subscription.id } });
  }
}
