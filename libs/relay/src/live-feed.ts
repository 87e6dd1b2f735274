import type { EventStore, RecordedEvent, Subscription } from '@trellis/event-store';

interface Latch {
  readonly promise: Promise<void>;
  readonly open: () => void;
}

function latch(): Latch {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * Turns the store's one-event-at-a-time subscription into batches: the subscription fills a queue of at most
 * `capacity` events (its handler waits while the queue is full, which holds the subscription back), and `take`
 * empties it. Whatever arrived while the previous batch was being published makes the next batch.
 */
export class LiveFeed {
  private readonly queue: RecordedEvent[] = [];
  private failure: { readonly error: unknown } | undefined;
  private closed = false;
  private changed = latch();
  private drained = latch();
  private readonly subscription: Subscription;
  private closing: Promise<void> | undefined;

  constructor(
    store: Pick<EventStore, 'subscribeToAll'>,
    afterPosition: number,
    private readonly capacity: number,
    signal: AbortSignal,
  ) {
    this.subscription = store.subscribeToAll(
      async (event) => {
        this.queue.push(event);
        this.signalChange();
        while (this.queue.length >= this.capacity && !this.closed) await this.drained.promise;
      },
      {
        afterPosition,
        onError: (error) => {
          this.failure = { error };
          this.signalChange();
        },
      },
    );
    if (signal.aborted) void this.close();
    else signal.addEventListener('abort', () => void this.close(), { once: true });
  }

  /**
   * The next events in position order, at most `max`, as soon as there is one. Resolves with none once closed, and
   * rejects with the subscription's error when it failed (after handing out what it had delivered before).
   */
  async take(max: number): Promise<RecordedEvent[]> {
    while (this.queue.length === 0) {
      if (this.failure !== undefined) throw this.failure.error;
      if (this.closed) return [];
      await this.changed.promise;
    }
    // The subscription hands events over one at a time: one turn of the event loop lets it hand over the rest of what
    // it has read, so that they go in this batch rather than one by one.
    if (this.queue.length < max) await new Promise((resolve) => setImmediate(resolve));
    const batch = this.queue.splice(0, max);
    this.signalDrained();
    return batch;
  }

  /** Stops the subscription (the events still queued are dropped) and resolves once its handler has returned. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.signalChange();
      this.signalDrained();
      await this.subscription.close();
    })();
    return this.closing;
  }

  private signalChange(): void {
    const current = this.changed;
    this.changed = latch();
    current.open();
  }

  private signalDrained(): void {
    const current = this.drained;
    this.drained = latch();
    current.open();
  }
}
