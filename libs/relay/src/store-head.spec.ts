import { describe, expect, it } from '@jest/globals';
import { newEvents } from '@trellis/event-store/testing';
import { type EventStore, InMemoryEventStore, type ReadAllOptions, type RecordedEvent } from '@trellis/event-store';
import { storeHead } from './store-head.js';

/** Counts the store's reads: the head must come from a few one-event reads, not from reading the log. */
function counting(store: Pick<EventStore, 'readAll'>): { store: Pick<EventStore, 'readAll'>; reads: () => number } {
  let reads = 0;
  return {
    store: {
      readAll: (options?: ReadAllOptions) => {
        reads++;
        if (options?.maxCount !== 1) throw new Error('storeHead read more than one event at a time');
        return store.readAll(options);
      },
    },
    reads: () => reads,
  };
}

describe('storeHead', () => {
  it('is 0 for an empty store, and the last position otherwise, from any known position at or below it', async () => {
    const store = new InMemoryEventStore();
    expect(await storeHead(store)).toBe(0);
    for (const size of [1, 2, 3, 7, 64, 65, 1000, 1023]) {
      const have = (await store.readAll()).length;
      if (size > have) await store.appendToStream(`s-${size}`, newEvents(size - have), { expectedRevision: 'no_stream' });
      for (const known of [0, 1, Math.floor(size / 2), size - 1, size]) expect(await storeHead(store, Math.min(known, size))).toBe(size);
    }
    await store.close();
  });

  it('takes a logarithmic number of one-event reads, and one when nothing was appended since', async () => {
    const store = new InMemoryEventStore();
    for (let i = 0; i < 10; i++) await store.appendToStream(`s-${i}`, newEvents(10_000), { expectedRevision: 'no_stream' });
    const fromStart = counting(store);
    const fromHead = counting(store);

    expect(await storeHead(fromStart.store)).toBe(100_000);
    expect(await storeHead(fromHead.store, 100_000)).toBe(100_000);
    expect(fromStart.reads()).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(100_000)) + 2);
    expect(fromHead.reads()).toBe(1);
    await store.close();
  });

  it('finds the head of a log whose positions have gaps, as a sequence leaves after rolled-back appends', async () => {
    const positions = [3, 4, 9, 10, 11, 40, 41, 97, 1_000, 1_001, 5_000];
    // A log read as the port reads it: events after a position, at most maxCount.
    const gapped: Pick<EventStore, 'readAll'> = {
      readAll: async (options: ReadAllOptions = {}) =>
        positions
          .filter((position) => position > (options.afterPosition ?? 0))
          .slice(0, options.maxCount)
          .map((position): RecordedEvent => ({ id: `e${position}`, type: 'T', data: null, metadata: null, streamId: 's', revision: 0, position, recordedAt: '' })),
    };

    for (const known of [0, 3, 10, 41, 97, 1_001, 5_000]) expect(await storeHead(gapped, known)).toBe(5_000);
  });
});
