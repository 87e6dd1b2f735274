import type { MessageHandler, ReceivedMessage } from './message-bus.port.js';

/**
 * The ids a consumer has already handled. Delivery is at least once (a redelivery after a crash, a relay that
 * republishes after a restart), so a handler with effects outside a transaction of its own dedupes by event id.
 * A read model that commits its checkpoint with its rows (the projection runner of @trellis/persistence) needs none.
 */
export interface ProcessedMessages {
  seen(id: string): Promise<boolean>;
  mark(id: string): Promise<void>;
}

/**
 * The last `capacity` ids, in memory. Enough against redeliveries, which come soon after the first delivery (the
 * messages since the last committed offset); not across restarts.
 */
export class InMemoryProcessedMessages implements ProcessedMessages {
  // A Map iterates in insertion order: re-inserting an id moves it to the end, so the first key is the least recent.
  private readonly ids = new Map<string, true>();

  constructor(readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.ids.size;
  }

  async seen(id: string): Promise<boolean> {
    if (!this.ids.has(id)) return false;
    this.ids.delete(id);
    this.ids.set(id, true);
    return true;
  }

  async mark(id: string): Promise<void> {
    this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.keys().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }
}

/**
 * Wraps a handler so that a message whose id was handled before is skipped. The id is marked only after the handler
 * succeeded: a failed attempt is retried, not skipped. Messages of one key reach the handler one at a time, so the
 * check and the mark cannot race for one id.
 */
export function idempotent<T>(
  handler: MessageHandler<T>,
  options: { readonly processed: ProcessedMessages; readonly idOf: (body: T, message: ReceivedMessage) => string },
): MessageHandler<T> {
  return async (body, message) => {
    const id = options.idOf(body, message);
    if (await options.processed.seen(id)) return;
    await handler(body, message);
    await options.processed.mark(id);
  };
}
