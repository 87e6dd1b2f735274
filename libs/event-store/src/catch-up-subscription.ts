import type { RecordedEvent, SubscribeOptions, Subscription } from './event-store.port.js';

interface Latch {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

function latch(): Latch {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Wakes whoever waits for the next commit. */
export class CommitSignal {
  private current = latch();

  /** Resolves at the next `notify()`. */
  next(): Promise<void> {
    return this.current.promise;
  }

  notify(): void {
    const woken = this.current;
    this.current = latch();
    woken.resolve();
  }
}

const PAGE_SIZE = 500;

/**
 * A subscription that pulls: it reads the page after the last delivered position, delivers it, and waits for the next
 * commit only once a read comes back empty. Catch-up and live delivery are the same loop, so no event can fall between
 * them, and a slow handler only delays its own subscription.
 */
export class CatchUpSubscription implements Subscription {
  private closed = false;
  private readonly closing = latch();
  private readonly running: Promise<void>;

  constructor(
    private readonly readAfter: (position: number, maxCount: number) => Promise<RecordedEvent[]>,
    private readonly commits: CommitSignal,
    private readonly handler: (event: RecordedEvent) => Promise<void> | void,
    options: SubscribeOptions,
    private readonly onClosed: (subscription: CatchUpSubscription) => void,
  ) {
    const afterPosition = options.afterPosition ?? 0;
    if (!Number.isSafeInteger(afterPosition) || afterPosition < 0) {
      throw new RangeError(`afterPosition must be an integer >= 0, got ${String(afterPosition)}`);
    }
    const onError = options.onError ?? reportSubscriptionError;
    this.running = this.deliver(afterPosition).catch((error: unknown) => {
      if (this.closed) return;
      this.closed = true;
      this.onClosed(this);
      onError(error);
    });
  }

  private async deliver(afterPosition: number): Promise<void> {
    let cursor = afterPosition;
    while (!this.closed) {
      // Taken before the read, so that a commit landing during the read still wakes us.
      const committed = this.commits.next();
      const page = await this.readAfter(cursor, PAGE_SIZE);
      for (const event of page) {
        if (this.closed) return;
        await this.handler(event);
        cursor = event.position;
      }
      if (page.length === 0) await Promise.race([committed, this.closing.promise]);
    }
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.onClosed(this);
      this.closing.resolve();
    }
    await this.running;
  }
}

function reportSubscriptionError(error: unknown): void {
  console.error('Event store subscription stopped: its handler failed', error);
}
