import type { EventStore } from '@trellis/event-store';

/**
 * The position of the last event in the store, found through the port alone (it has no "last position" call): a read
 * of one event after `p` says whether the log goes past `p`, so the head is found by galloping up from `known` and
 * bisecting, in O(log(head - known)) one-event reads. From a recent `known` that is one or two reads.
 * `known` must be at or below the head (0, or the position of an event read from this store).
 * Appends made meanwhile may or may not be counted: the answer lies between the heads at the start and at the end.
 */
export async function storeHead(store: Pick<EventStore, 'readAll'>, known = 0): Promise<number> {
  const after = async (position: number): Promise<number | undefined> => (await store.readAll({ afterPosition: position, maxCount: 1 }))[0]?.position;
  // `low` is at or below the head, and is an event's position once the first read found one; nothing lies after `high`.
  const first = await after(known);
  if (first === undefined) return known;
  let low = first;
  let high = 0;
  for (let step = 1; high === 0; step *= 2) {
    const probe = low + step;
    const next = await after(probe);
    if (next === undefined) high = probe;
    else low = next;
  }
  while (low < high) {
    const middle: number = low + Math.floor((high - low) / 2);
    const next = await after(middle);
    if (next === undefined) high = middle;
    else low = next;
  }
  return low;
}
