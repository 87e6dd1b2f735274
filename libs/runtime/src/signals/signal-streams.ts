import type { JsonObject } from '@trellis/engine';

/**
 * Broadcasts live in streams of their own, `signal-<signalId>`, so that a restarted runtime knows which broadcasts it
 * had not finished delivering (the RuntimeProjection folds every event at startup). A broadcast over the API is
 * recorded there (SignalBroadcast) before it is delivered; a signal thrown by an event is recorded in its instance's
 * stream (SignalThrown). Either way SignalBroadcastCompleted follows once every subscription it was meant for has it.
 * They are runtime state, not facts other services read: the relay publishes no topic for them (`eventTopicOfStream`).
 */
export const SIGNAL_STREAM_PREFIX = 'signal-';
export const SIGNAL_EVENT_SCHEMA_VERSION = 1;

export const SIGNAL_BROADCAST = 'SignalBroadcast';
export const SIGNAL_BROADCAST_COMPLETED = 'SignalBroadcastCompleted';

/** A signal was broadcast over the API: it reaches every subscription of its name open when it was recorded. */
export interface SignalBroadcastData {
  readonly signalId: string;
  readonly signalName: string;
  readonly variables: JsonObject;
  readonly broadcastAt: string;
}

/** Every subscription the broadcast was meant for has received it (or had left): nothing to resume after a restart. */
export interface SignalBroadcastCompletedData {
  readonly signalId: string;
  /** How many subscriptions took it. */
  readonly reached: number;
}

export function signalStream(signalId: string): string {
  return `${SIGNAL_STREAM_PREFIX}${signalId}`;
}
