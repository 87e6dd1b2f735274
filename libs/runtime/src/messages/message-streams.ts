import { createHash } from 'node:crypto';

import type { JsonObject } from '@trellis/engine';

/**
 * Buffered messages (published with a time to live) live in streams of their own, `message-<...>`, so that a restarted
 * runtime knows them again (the RuntimeProjection folds every event at startup). They are runtime state, not facts
 * other services read: the relay publishes no topic for them (see `eventTopicOfStream`).
 */
export const MESSAGE_STREAM_PREFIX = 'message-';
export const MESSAGE_EVENT_SCHEMA_VERSION = 1;

/** A message was published with a time to live: it waits in the buffer until `expiresAt` for subscriptions to open. */
export interface MessagePublishedData {
  readonly messageKey: string;
  readonly name: string;
  readonly correlationKey: string;
  readonly variables: JsonObject;
  /** The sender's id that makes publishing idempotent (Zeebe `messageId`). */
  readonly messageId?: string;
  readonly publishedAt: string;
  readonly expiresAt: string;
}

export const MESSAGE_PUBLISHED = 'MessagePublished';

/**
 * The stream of a buffered message. A message with a `messageId` has the stream of that id (with its name and
 * correlation key): two publishers of one id append to one stream with an expected revision, so only one of them
 * buffers it while it lives. Without an id each message has a stream of its own.
 */
export function messageStream(messageKey: string, name: string, correlationKey: string, messageId: string | undefined): string {
  if (messageId === undefined) return `${MESSAGE_STREAM_PREFIX}${messageKey}`;
  const digest = createHash('sha256').update(JSON.stringify([name, correlationKey, messageId])).digest('hex').slice(0, 40);
  return `${MESSAGE_STREAM_PREFIX}id-${digest}`;
}
