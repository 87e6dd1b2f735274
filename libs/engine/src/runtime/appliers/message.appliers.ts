import type { MessageCorrelated, MessageSubscriptionClosed, MessageSubscriptionOpened } from '../process-instance-events.js';
import type { Draft } from './draft.js';

export function applyMessageSubscriptionOpened(draft: Draft, { data }: MessageSubscriptionOpened): void {
  draft.messageSubscriptions[data.subscriptionId] = {
    id: data.subscriptionId,
    elementInstanceId: data.elementInstanceId,
    elementId: data.elementId,
    messageName: data.messageName,
    ...(data.correlationKey === undefined ? {} : { correlationKey: data.correlationKey }),
  };
}

export function applyMessageSubscriptionClosed(draft: Draft, { data }: MessageSubscriptionClosed): void {
  delete draft.messageSubscriptions[data.subscriptionId];
}

/**
 * The subscription stays open: a non-interrupting boundary event may catch the next message too; any other element
 * leaves, and its leaving closes the subscription.
 */
export function applyMessageCorrelated(draft: Draft, { data }: MessageCorrelated): void {
  if (data.messageKey === undefined) return;
  const subscription = draft.messageSubscriptions[data.subscriptionId];
  draft.correlatedMessages[data.messageKey] = subscription?.elementId ?? '';
}
