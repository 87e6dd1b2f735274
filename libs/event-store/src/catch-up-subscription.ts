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
 * How long to wait before reading again after the read failed `failures` times in a row (1 for the first), or
 * undefined when the failure is not one that reading again can cure: the subscription then stops and reports it.
 */
export type ReadRetryDelay = (error: unknown, failures: number) => number | undefined;

/**
 * A subscription that pulls: it reads the page after the last delivered position, delivers it, and waits for the next
 * commit only once a read comes back empty. Catch-up and live delivery are the same loop, so no event can fall between
 * them, and a slow handler only delays its own subscription.
 *
 * A read that fails is tried again, from the same position, when `retryDelay` says the failure passes (a server
 * restarting): the subscription resumes where it was, neither skipping nor repeating an event. A handler that fails
 * always stops it.
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
    private readonly retryDelay: ReadRetryDelay = () => undefined,
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
    let failures = 0;
    while (!this.closed) {
      // Taken before the read, so that a commit landing during the read still wakes us.
      const committed = this.commits.next();
      let page: RecordedEvent[];
      try {
        page = await this.readAfter(cursor, PAGE_SIZE);
        failures = 0;
      } catch (error) {
        if (this.closed) return;
        const delayMs = this.retryDelay(error, ++failures);
        if (delayMs === undefined) throw error;
        await this.pause(delayMs);
        continue;
      }
      for (const event of page) {
        if (this.closed) return;
        await this.handler(event);
        cursor = event.position;
      }
      if (page.length === 0) await Promise.race([committed, this.closing.promise]);
    }
  }

  /** Resolves after `ms`, or at once when the subscription closes. */
  private async pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))), this.closing.promise]);
    clearTimeout(timer);
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
  console.error('Event store subscription stopped: its handler or a read of the store failed', error);
}
