import type { SignalReceived, SignalSubscriptionClosed, SignalSubscriptionOpened, SignalThrown } from '../process-instance-events.js';
import type { Draft } from './draft.js';

/** How many broadcasts a subscription remembers having received (see `SignalSubscriptionState.receivedSignalIds`). */
export const RECEIVED_SIGNALS_KEPT = 32;

export function applySignalSubscriptionOpened(draft: Draft, { data }: SignalSubscriptionOpened): void {
  draft.signalSubscriptions[data.subscriptionId] = {
    id: data.subscriptionId,
    elementInstanceId: data.elementInstanceId,
    elementId: data.elementId,
    signalName: data.signalName,
  };
}

export function applySignalSubscriptionClosed(draft: Draft, { data }: SignalSubscriptionClosed): void {
  delete draft.signalSubscriptions[data.subscriptionId];
}

/**
 * The subscription stays open: a non-interrupting boundary event may receive the next signal too; any other element
 * leaves, and its leaving closes the subscription. It remembers the broadcast, so that a second delivery is refused.
 */
export function applySignalReceived(draft: Draft, { data }: SignalReceived): void {
  const subscription = draft.signalSubscriptions[data.subscriptionId];
  if (subscription === undefined || data.signalId === undefined) return;
  const received = [...(subscription.receivedSignalIds ?? []), data.signalId].slice(-RECEIVED_SIGNALS_KEPT);
  draft.signalSubscriptions[data.subscriptionId] = { ...subscription, receivedSignalIds: received };
}

/** A broadcast leaves this instance: the runtime delivers it; nothing here changes. */
export function applySignalThrown(_draft: Draft, _event: SignalThrown): void {
  // Nothing to record: the event itself is what the runtime's broadcaster reacts to.
}
