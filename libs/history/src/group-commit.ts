import type { EventEnvelope } from '@trellis/contracts';

/** What the batcher writes with: `StreamProjectionRunner.apply`. */
export interface EnvelopeApplier {
  apply(events: readonly EventEnvelope[]): Promise<number>;
}

interface Pending {
  readonly envelope: EventEnvelope;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for a consumer fed by several partitions at once: the envelopes that arrive while a transaction is
 * running (a batch of another partition, or single messages) wait and go together into the next one, up to
 * `maxBatchSize` per transaction. Each caller's promise settles with its own envelopes' fate: when a transaction fails
 * (one envelope's stream has a gap, a lock timed out) its envelopes are applied again one by one, and only the callers
 * of the ones at fault fail.
 *
 * Order within a stream holds: a partition's next messages are handed over only once the previous ones settled, a
 * call's envelopes are queued together in their order, and a stream lives in one partition.
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private draining = false;
  private batches = 0;
  private largest = 0;

  constructor(
    private readonly applier: EnvelopeApplier,
    private readonly maxBatchSize = 500,
  ) {
    if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) throw new RangeError('maxBatchSize must be a positive integer');
  }

  /** Resolves once the envelope is applied (or was already), rejects with the reason it could not be. */
  apply(envelope: EventEnvelope): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ envelope, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  /**
   * Resolves once every envelope is applied (or was already); rejects, once all settled, with the first failure in
   * their order when any could not be. Queued together, so they share transactions instead of the first one going
   * alone into a transaction of its own.
   */
  async applyAll(envelopes: readonly EventEnvelope[]): Promise<void> {
    const settled = envelopes.map(
      (envelope) =>
        new Promise<void>((resolve, reject) => {
          this.queue.push({ envelope, resolve, reject });
        }),
    );
    if (!this.draining && this.queue.length > 0) void this.drain();
    const failed = (await Promise.allSettled(settled)).find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** Transactions run so far, and the largest number of envelopes one of them held. */
  get stats(): { readonly batches: number; readonly largestBatch: number } {
    return { batches: this.batches, largestBatch: this.largest };
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatchSize);
        this.batches++;
        this.largest = Math.max(this.largest, batch.length);
        try {
          await this.applier.apply(batch.map((pending) => pending.envelope));
          for (const pending of batch) pending.resolve();
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else await this.oneByOne(batch);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async oneByOne(batch: readonly Pending[]): Promise<void> {
    for (const pending of batch) {
      try {
        await this.applier.apply([pending.envelope]);
        pending.resolve();
      } catch (error) {
        pending.reject(error);
      }
    }
  }
}
