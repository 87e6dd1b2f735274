import type { AppendResult } from './event-store.port.js';

/** What the queue needs to know of an append to batch it. */
export interface QueuedAppend {
  readonly streamId: string;
  /** About the size of its events' JSON text: what bounds a batch's statement. */
  readonly bytes: number;
}

/** An append waiting in the queue, with the settling of its caller's promise. */
export interface WaitingAppend<T extends QueuedAppend> {
  readonly append: T;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

export interface AppendQueueLimits {
  /** Most appends written by one batch. */
  readonly maxAppends: number;
  /** Most JSON characters of one batch; an append larger than this alone still goes, in a batch of its own. */
  readonly maxBytes: number;
  /** Most batches written at once. */
  readonly maxInFlight: number;
}

/**
 * Group commit: appends that arrive while earlier ones are being written wait here and leave together, as one batch,
 * when a batch in flight finishes. An append on an idle store leaves at once, alone: no timer holds it back.
 *
 * A stream has at most one append in flight (in a batch or being settled after it): in one statement, a second append
 * to the same stream would read the stream's head before the first one moved it, and so would always fail or collide.
 * The later append waits for the earlier one to settle, and other streams' appends pass it meanwhile. Within a batch,
 * appends keep the order they arrived in.
 *
 * `write` must settle every append of the batch it is given; one it leaves pending is rejected when it returns.
 */
export class AppendQueue<T extends QueuedAppend> {
  private waiting: WaitingAppend<T>[] = [];
  /** Streams with an append taken into a batch and not settled yet. */
  private readonly busyStreams = new Set<string>();
  private inFlight = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly limits: AppendQueueLimits,
    private readonly write: (batch: readonly WaitingAppend<T>[]) => Promise<void>,
  ) {}

  /** Queues the append, and sends it at once if a batch may leave now. */
  enqueue(append: T): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.waiting.push({ append, resolve, reject });
      this.pump();
    });
  }

  /** Resolves once no append waits or is being written. */
  drained(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxInFlight) {
      const batch = this.take();
      if (batch.length === 0) break;
      this.inFlight++;
      void this.run(batch);
    }
    if (this.isIdle()) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** The next batch, in arrival order, skipping appends whose stream has one in flight. */
  private take(): WaitingAppend<T>[] {
    const batch: WaitingAppend<T>[] = [];
    const rest: WaitingAppend<T>[] = [];
    let bytes = 0;
    for (const entry of this.waiting) {
      const { streamId } = entry.append;
      const fits = batch.length < this.limits.maxAppends && (batch.length === 0 || bytes + entry.append.bytes <= this.limits.maxBytes);
      if (!fits || this.busyStreams.has(streamId)) {
        rest.push(entry);
        continue;
      }
      this.busyStreams.add(streamId);
      bytes += entry.append.bytes;
      batch.push(this.releasingStream(entry));
    }
    this.waiting = rest;
    return batch;
  }

  /** The entry, settling which frees its stream for the next append to it. */
  private releasingStream(entry: WaitingAppend<T>): WaitingAppend<T> {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      this.busyStreams.delete(entry.append.streamId);
      return true;
    };
    return {
      append: entry.append,
      resolve: (result) => {
        if (!settle()) return;
        entry.resolve(result);
        this.pump();
      },
      reject: (error) => {
        if (!settle()) return;
        entry.reject(error);
        this.pump();
      },
    };
  }

  private async run(batch: readonly WaitingAppend<T>[]): Promise<void> {
    let failure: unknown = new Error('The event store left an append of a batch unsettled');
    try {
      await this.write(batch);
    } catch (error) {
      failure = error;
    } finally {
      // Settling again is a no-op, so this rejects only what `write` left pending.
      for (const entry of batch) entry.reject(failure);
      this.inFlight--;
      this.pump();
    }
  }
}
