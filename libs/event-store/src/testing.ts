/**
 * The contract every event store adapter passes: `eventStoreContract('my adapter', create, destroy)` in the adapter's
 * spec. The tests share one store from `create` (opening a durable store takes time), each in streams of its own and
 * looking at the log only after a mark it appends first; one test opens a second, fresh store. `destroy` (default:
 * `close()`) disposes of each store. `capabilities` names what an adapter's store does not promise (EventStoreDB).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { JsonValue } from '@trellis/engine';
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from './event-store.port.js';

/** `count` events with fresh ids, numbered from `from` in their data. */
export function newEvents(count: number, from = 0, type = 'ThingHappened'): NewEvent[] {
  return Array.from({ length: count }, (_, i) => ({ id: randomUUID(), type, data: { n: from + i } }));
}

/** Collects what a subscription delivers and lets a test wait for the n-th event. */
export class DeliveredEvents {
  readonly events: RecordedEvent[] = [];
  private waiters: { readonly count: number; readonly resolve: () => void }[] = [];

  readonly handler = (event: RecordedEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((waiter) => {
      if (this.events.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  until(count: number): Promise<void> {
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

/**
 * What an adapter's store does not promise, so that the contract checks what it promises instead. Both default to
 * true; only the EventStoreDB adapter sets them (docs/event-store.md says why).
 */
export interface EventStoreCapabilities {
  /** A new store has a log of its own, with positions 1, 2, 3… Otherwise stores share a server's log. */
  readonly contiguousPositions?: boolean;
  /** Event ids are unique across the store. Otherwise ids are only checked against the stream's events. */
  readonly uniqueEventIds?: boolean;
}

export function eventStoreContract(
  name: string,
  create: () => Promise<EventStore>,
  destroy: (store: EventStore) => Promise<void> = (store) => store.close(),
  capabilities: EventStoreCapabilities = {},
): void {
  const { contiguousPositions = true, uniqueEventIds = true } = capabilities;
  describe(`${name}: event store contract`, () => {
    let store: EventStore;
    let prefix = '';
    /** A stream id no other test uses. */
    const s = (name: string): string => `${prefix}${name}`;
    /** Appends a marker event and returns its position: the log after it is the test's own. */
    const mark = async (): Promise<number> =>
      (await store.appendToStream(s('mark'), [{ id: randomUUID(), type: 'Mark', data: null }], { expectedRevision: 'any' })).position;

    beforeAll(async () => {
      store = await create();
    }, 60_000);

    afterAll(async () => {
      await destroy(store);
    });

    beforeEach(() => {
      prefix = `${randomUUID().slice(0, 8)}-`;
    });

    describe('append and read', () => {
      it('reads back what was appended, as recorded', async () => {
        const order = s('order');
        const result = await store.appendToStream(
          order,
          [
            { id: `${order}-e1`, type: 'OrderPlaced', data: { amount: 120, lines: [{ sku: 'a', qty: 2 }], note: `fragile "glass" 'x' \\ \n\t` }, metadata: { by: 'alice' } },
            { id: `${order}-e2`, type: 'OrderShipped', data: 'by boat' },
          ],
          { expectedRevision: 'no_stream' },
        );
        const events = await store.readStream(order);

        expect(result).toEqual({ nextExpectedRevision: 1, position: events[1]?.position });
        expect(events).toEqual([
          expect.objectContaining({
            id: `${order}-e1`,
            type: 'OrderPlaced',
            data: { amount: 120, lines: [{ sku: 'a', qty: 2 }], note: `fragile "glass" 'x' \\ \n\t` },
            metadata: { by: 'alice' },
            streamId: order,
            revision: 0,
          }),
          expect.objectContaining({ id: `${order}-e2`, type: 'OrderShipped', data: 'by boat', metadata: null, streamId: order, revision: 1 }),
        ]);
        for (const event of events) expect(new Date(event.recordedAt).toISOString()).toBe(event.recordedAt);
      });

      it('keeps every JSON value as it was given, and stream ids and types as they were written', async () => {
        const values: JsonValue[] = [null, true, false, 0, -1.5, 1e21, '', 'ünïcødé ✓ 🚀', [], {}, { nested: { deep: [1, [2, { x: null }]] } }];
        const odd = s(`it's a "stream"\twith\\odd\ncharacters ✓`);
        await store.appendToStream(
          odd,
          values.map((data, i) => ({ id: `${odd}-${i}`, type: `Value's\ttype`, data })),
          { expectedRevision: 'no_stream' },
        );

        const events = await store.readStream(odd);
        expect(events.map((event) => event.data)).toEqual(values);
        expect(events.map((event) => [event.streamId, event.type])).toEqual(values.map(() => [odd, `Value's\ttype`]));
      });

      it('gives each reader its own copy of the events', async () => {
        await store.appendToStream(s('copies'), [{ id: randomUUID(), type: 'Counted', data: { count: 1 } }], { expectedRevision: 'no_stream' });
        const first = await store.readStream(s('copies'));
        (first[0]?.data as { count: number }).count = 99;

        expect((await store.readStream(s('copies')))[0]?.data).toEqual({ count: 1 });
      });

      it('reads a stream that does not exist as empty', async () => {
        await store.appendToStream(s('exists'), newEvents(1), { expectedRevision: 'no_stream' });

        expect(await store.readStream(s('does-not-exist'))).toEqual([]);
        expect(await store.streamRevision(s('does-not-exist'))).toBeUndefined();
        expect(await store.streamRevision(s('exists'))).toBe(0);
      });

      it('reads a stream from a revision, at most maxCount events', async () => {
        await store.appendToStream(s('ten'), newEvents(10), { expectedRevision: 'no_stream' });
        const revisions = async (options: { fromRevision?: number; maxCount?: number }): Promise<number[]> =>
          (await store.readStream(s('ten'), options)).map((event) => event.revision);

        expect(await revisions({ fromRevision: 3 })).toEqual([3, 4, 5, 6, 7, 8, 9]);
        expect(await revisions({ fromRevision: 3, maxCount: 4 })).toEqual([3, 4, 5, 6]);
        expect(await revisions({ maxCount: 2 })).toEqual([0, 1]);
        expect(await revisions({ maxCount: 0 })).toEqual([]);
        expect(await revisions({ fromRevision: 10 })).toEqual([]);
      });

      it('refuses events without id or type, and negative read bounds, writing nothing', async () => {
        const start = await mark();

        await expect(store.appendToStream(s('bad'), [{ id: '', type: 'T', data: null }], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
        await expect(store.appendToStream(s('bad'), [{ id: randomUUID(), type: '', data: null }], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
        await expect(store.readStream(s('bad'), { fromRevision: -1 })).rejects.toThrow(RangeError);
        await expect(store.readAll({ maxCount: -5 })).rejects.toThrow(RangeError);
        expect(await store.readAll({ afterPosition: start })).toEqual([]);
      });
    });

    describe('expected revision', () => {
      it("'no_stream' creates a stream and fails once it exists, reporting its revision", async () => {
        await store.appendToStream(s('created'), newEvents(2), { expectedRevision: 'no_stream' });

        const error = await rejectionOf(store.appendToStream(s('created'), newEvents(1), { expectedRevision: 'no_stream' }));

        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamId: s('created'), expected: 'no_stream', actual: 1 });
        expect(await store.readStream(s('created'))).toHaveLength(2);
      });

      it('a revision appends when it is the last one, and fails otherwise without writing', async () => {
        await store.appendToStream(s('three'), newEvents(3), { expectedRevision: 'no_stream' });

        const behind = await rejectionOf(store.appendToStream(s('three'), newEvents(1), { expectedRevision: 1 }));
        const ahead = await rejectionOf(store.appendToStream(s('three'), newEvents(1), { expectedRevision: 5 }));
        const missing = await rejectionOf(store.appendToStream(s('missing'), newEvents(1), { expectedRevision: 0 }));
        const result = await store.appendToStream(s('three'), newEvents(2), { expectedRevision: 2 });

        expect(behind).toBeInstanceOf(WrongExpectedRevisionError);
        expect(behind).toMatchObject({ streamId: s('three'), expected: 1, actual: 2 });
        expect(ahead).toMatchObject({ expected: 5, actual: 2 });
        expect(missing).toBeInstanceOf(WrongExpectedRevisionError);
        expect(missing).toMatchObject({ streamId: s('missing'), expected: 0, actual: undefined });
        expect(result.nextExpectedRevision).toBe(4);
        expect((await store.readStream(s('three'))).map((event) => event.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(await store.readStream(s('missing'))).toEqual([]);
      });

      it("'any' appends to a missing or an existing stream", async () => {
        const created = await store.appendToStream(s('any'), newEvents(2), { expectedRevision: 'any' });
        const appended = await store.appendToStream(s('any'), newEvents(1), { expectedRevision: 'any' });

        expect(created.nextExpectedRevision).toBe(1);
        expect(appended.nextExpectedRevision).toBe(2);
        expect(await store.streamRevision(s('any'))).toBe(2);
      });

      it('an append of no events checks the expected revision and writes nothing', async () => {
        const written = await store.appendToStream(s('two'), newEvents(2), { expectedRevision: 'no_stream' });

        const check = await store.appendToStream(s('two'), [], { expectedRevision: 1 });
        const missing = await store.appendToStream(s('missing'), [], { expectedRevision: 'no_stream' });

        expect(check).toEqual(written);
        expect(missing).toEqual({ nextExpectedRevision: -1, position: 0 });
        await expect(store.appendToStream(s('two'), [], { expectedRevision: 0 })).rejects.toThrow(WrongExpectedRevisionError);
        expect(await store.readAll({ afterPosition: written.position })).toEqual([]);
        // -1, the revision an empty append reports for a missing stream, is accepted back as 'no_stream'.
        const created = await store.appendToStream(s('missing'), newEvents(1), { expectedRevision: missing.nextExpectedRevision });
        expect(created.nextExpectedRevision).toBe(0);
      });

      it('of concurrent appends with the same expected revision exactly one wins; the others learn the actual revision', async () => {
        await store.appendToStream(s('contended'), newEvents(1), { expectedRevision: 'no_stream' });

        const outcomes = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.appendToStream(s('contended'), newEvents(2), { expectedRevision: 0 })),
        );

        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(19);
        for (const error of lost) {
          expect(error).toBeInstanceOf(WrongExpectedRevisionError);
          expect(error).toMatchObject({ streamId: s('contended'), expected: 0, actual: 2 });
        }
        expect(await store.readStream(s('contended'))).toHaveLength(3);
      });

      it('of concurrent creations of one stream exactly one wins', async () => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream(s('created-once'), newEvents(3), { expectedRevision: 'no_stream' })),
        );

        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ name: 'WrongExpectedRevisionError', actual: 2 });
        }
        expect(await store.readStream(s('created-once'))).toHaveLength(3);
      });
    });

    describe('order', () => {
      it('keeps the order of events within a stream across appends', async () => {
        const batches = [newEvents(3, 0), newEvents(1, 3), newEvents(4, 4)];
        let expectedRevision: number | 'no_stream' = 'no_stream';
        for (const batch of batches) expectedRevision = (await store.appendToStream(s('ordered'), batch, { expectedRevision })).nextExpectedRevision;

        const events = await store.readStream(s('ordered'));

        expect(events.map((event) => event.id)).toEqual(batches.flat().map((event) => event.id));
        expect(events.map((event) => event.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        expect(events.map((event) => (event.data as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      });

      it('gives positions that increase strictly across streams, in the order of the log', async () => {
        const start = await mark();
        const results: AppendResult[] = [];
        for (let i = 0; i < 12; i++) results.push(await store.appendToStream(s(`stream-${i % 3}`), newEvents(1 + (i % 2)), { expectedRevision: 'any' }));
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendToStream(s(`parallel-${i}`), newEvents(3), { expectedRevision: 'no_stream' })));

        const all = await store.readAll({ afterPosition: start });
        const positions = all.map((event) => event.position);

        expect(all).toHaveLength(18 + 30);
        expect(positions[0]).toBeGreaterThan(start);
        for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1] as number);
        for (let i = 1; i < results.length; i++) expect(results[i]?.position).toBeGreaterThan(results[i - 1]?.position as number);
        // Each append's result points at its own last event.
        results.forEach((result, i) => expect(all.find((event) => event.position === result.position)?.streamId).toBe(s(`stream-${i % 3}`)));
        // Within each stream, the log's order is the stream's order.
        for (const streamId of new Set(all.map((event) => event.streamId))) {
          const revisions = all.filter((event) => event.streamId === streamId).map((event) => event.revision);
          expect(revisions).toEqual(revisions.map((_, i) => i));
        }
      });

      it('reads the log after a position, at most maxCount events, page by page', async () => {
        const start = await mark();
        for (let i = 0; i < 5; i++) await store.appendToStream(s(`paged-${i}`), newEvents(5), { expectedRevision: 'no_stream' });
        const all = await store.readAll({ afterPosition: start });

        const pages: RecordedEvent[][] = [];
        let afterPosition = start;
        for (;;) {
          const page = await store.readAll({ afterPosition, maxCount: 7 });
          if (page.length === 0) break;
          pages.push(page);
          afterPosition = page[page.length - 1]?.position as number;
        }

        expect(all).toHaveLength(25);
        expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 4]);
        expect(pages.flat()).toEqual(all);
        expect(await store.readAll({ afterPosition: all[9]?.position })).toEqual(all.slice(10));
        expect(await store.readAll({ afterPosition: all[24]?.position })).toEqual([]);
      });

      if (contiguousPositions) {
        it('starts a new log at position 1', async () => {
          const fresh = await create();
          try {
            expect(await fresh.readAll()).toEqual([]);
            const first = await fresh.appendToStream(s('first'), newEvents(2), { expectedRevision: 'no_stream' });
            expect(first.position).toBe(2);
            expect((await fresh.readAll()).map((event) => event.position)).toEqual([1, 2]);
          } finally {
            await destroy(fresh);
          }
        }, 60_000);
      } else {
        it('shares the log with every store on the same server', async () => {
          const start = await mark();
          const other = await create();
          try {
            const first = await other.appendToStream(s('first'), newEvents(2), { expectedRevision: 'no_stream' });
            const seen = await store.readAll({ afterPosition: start });
            expect(seen.map((event) => event.streamId)).toEqual([s('first'), s('first')]);
            expect(first.position).toBe(seen[1]?.position);
            expect(await other.readAll({ afterPosition: start })).toEqual(seen);
          } finally {
            await destroy(other);
          }
        }, 60_000);
      }
    });

    describe('idempotent appends', () => {
      it('re-appending the same events at the same place stores them once and returns the same result', async () => {
        const events = newEvents(3);
        const first = await store.appendToStream(s('retried'), events, { expectedRevision: 'no_stream' });

        const again = await store.appendToStream(s('retried'), events, { expectedRevision: 'no_stream' });
        const withAny = await store.appendToStream(s('retried'), events, { expectedRevision: 'any' });

        expect(again).toEqual(first);
        expect(withAny).toEqual(first);
        expect(await store.readStream(s('retried'))).toHaveLength(3);
        expect(await store.readAll({ afterPosition: first.position })).toEqual([]);
      });

      it('recognises a retry after the stream moved on', async () => {
        await store.appendToStream(s('moving'), newEvents(2), { expectedRevision: 'no_stream' });
        const retried = newEvents(2);
        const first = await store.appendToStream(s('moving'), retried, { expectedRevision: 1 });
        await store.appendToStream(s('moving'), newEvents(4), { expectedRevision: 3 });

        expect(await store.appendToStream(s('moving'), retried, { expectedRevision: 1 })).toEqual(first);
        expect(await store.appendToStream(s('moving'), retried, { expectedRevision: 'any' })).toEqual(first);
        expect(await store.readStream(s('moving'))).toHaveLength(8);
      });

      it('stores a batch sent twice at the same time once', async () => {
        const start = await mark();
        const events = newEvents(5);

        const [a, b] = await Promise.all([
          store.appendToStream(s('twice'), events, { expectedRevision: 'no_stream' }),
          store.appendToStream(s('twice'), events, { expectedRevision: 'no_stream' }),
        ]);

        expect(a).toEqual(b);
        expect(await store.readAll({ afterPosition: start })).toHaveLength(5);
      });

      const refusedIds = uniqueEventIds ? 'known event ids at another place, and an id twice in one append' : 'a partial repeat of stored events and an id twice in one append';
      it(`refuses ${refusedIds}, writing nothing`, async () => {
        const events = newEvents(2);
        const written = await store.appendToStream(s('original'), events, { expectedRevision: 'no_stream' });
        const one = newEvents(1);

        if (uniqueEventIds) {
          const elsewhere = await rejectionOf(store.appendToStream(s('other'), events, { expectedRevision: 'any' }));
          expect(elsewhere).toBeInstanceOf(DuplicateEventIdError);
          expect(elsewhere).toMatchObject({ streamId: s('other'), eventId: events[0]?.id });
        }
        const partly = await rejectionOf(store.appendToStream(s('original'), [...events, ...one], { expectedRevision: 'no_stream' }));
        if (uniqueEventIds) expect(await rejectionOf(store.appendToStream(s('original'), events, { expectedRevision: 1 }))).toBeInstanceOf(DuplicateEventIdError);
        const twice = await rejectionOf(store.appendToStream(s('original'), [one[0] as NewEvent, one[0] as NewEvent], { expectedRevision: 1 }));

        expect(partly).toBeInstanceOf(WrongExpectedRevisionError);
        expect(twice).toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readAll({ afterPosition: written.position })).toEqual([]);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up on stored events, then delivers new ones live, in order', async () => {
        const start = await mark();
        await store.appendToStream(s('a'), newEvents(3), { expectedRevision: 'no_stream' });
        const delivered = new DeliveredEvents();
        const subscription = store.subscribeToAll(delivered.handler, { afterPosition: start });
        try {
          await delivered.until(3);
          await store.appendToStream(s('b'), newEvents(2), { expectedRevision: 'no_stream' });
          await store.appendToStream(s('a'), newEvents(1), { expectedRevision: 2 });
          await delivered.until(6);
        } finally {
          await subscription.close();
        }

        expect(delivered.events).toEqual(await store.readAll({ afterPosition: start }));
      });

      it('delivers the whole log from the start by default', async () => {
        const all = await store.readAll();
        const delivered = new DeliveredEvents();
        const subscription = store.subscribeToAll(delivered.handler);
        await delivered.until(all.length);
        await subscription.close();

        expect(delivered.events.slice(0, all.length)).toEqual(all);
      });

      it('starts after the given position', async () => {
        await store.appendToStream(s('a'), newEvents(5), { expectedRevision: 'no_stream' });
        const events = await store.readStream(s('a'));
        const delivered = new DeliveredEvents();

        const subscription = store.subscribeToAll(delivered.handler, { afterPosition: events[2]?.position });
        await delivered.until(2);
        await store.appendToStream(s('a'), newEvents(1), { expectedRevision: 4 });
        await delivered.until(3);
        await subscription.close();

        expect(delivered.events.map((event) => [event.streamId, event.revision])).toEqual([
          [s('a'), 3],
          [s('a'), 4],
          [s('a'), 5],
        ]);
      });

      it('calls the handler for one event at a time, each after the previous one finished', async () => {
        const start = await mark();
        let running = 0;
        let mostAtOnce = 0;
        const delivered = new DeliveredEvents();
        const subscription = store.subscribeToAll(
          async (event) => {
            running++;
            mostAtOnce = Math.max(mostAtOnce, running);
            await new Promise((resolve) => setTimeout(resolve, 1));
            running--;
            delivered.handler(event);
          },
          { afterPosition: start },
        );
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendToStream(s(`serial-${i}`), newEvents(2), { expectedRevision: 'no_stream' })));
        await delivered.until(20);
        await subscription.close();

        expect(mostAtOnce).toBe(1);
        expect(delivered.events.map((event) => event.position)).toEqual((await store.readAll({ afterPosition: start })).map((event) => event.position));
      });

      it('delivers nothing more once closed, and close waits for the running handler', async () => {
        const start = await mark();
        await store.appendToStream(s('a'), newEvents(1), { expectedRevision: 'no_stream' });
        const steps: string[] = [];
        let release = (): void => undefined;
        const blocked = new Promise<void>((resolve) => {
          release = resolve;
        });
        let entered = (): void => undefined;
        const handlerEntered = new Promise<void>((resolve) => {
          entered = resolve;
        });
        const subscription = store.subscribeToAll(
          async () => {
            steps.push('handler started');
            entered();
            await blocked;
            steps.push('handler finished');
          },
          { afterPosition: start },
        );
        await handlerEntered;

        const closing = subscription.close().then(() => steps.push('closed'));
        await new Promise((resolve) => setImmediate(resolve));
        steps.push('handler released');
        release();
        await closing;
        await store.appendToStream(s('a'), newEvents(1), { expectedRevision: 0 });
        const witness = new DeliveredEvents();
        const later = store.subscribeToAll(witness.handler, { afterPosition: start });
        await witness.until(2);
        await later.close();

        expect(steps).toEqual(['handler started', 'handler released', 'handler finished', 'closed']);
      });

      it('stops and reports when the handler fails, without skipping the event', async () => {
        const start = await mark();
        await store.appendToStream(s('a'), newEvents(3), { expectedRevision: 'no_stream' });
        const seen: number[] = [];
        const failure = new Error('projection broke');
        const reported = new Promise<unknown>((resolve) => {
          store.subscribeToAll(
            (event) => {
              seen.push(event.revision);
              if (event.revision === 1) throw failure;
            },
            { afterPosition: start, onError: resolve },
          );
        });

        expect(await reported).toBe(failure);
        await store.appendToStream(s('a'), newEvents(1), { expectedRevision: 2 });
        const witness = new DeliveredEvents();
        const subscription = store.subscribeToAll(witness.handler, { afterPosition: start });
        await witness.until(4);
        await subscription.close();
        expect(seen).toEqual([0, 1]);
      });
    });

    it('holds a stream of 100,000 events appended in batches, read back whole and in order', async () => {
      const total = 100_000;
      const batchSize = 2_000;
      const big = s('big');
      let expectedRevision: number | 'no_stream' = 'no_stream';
      for (let from = 0; from < total; from += batchSize) {
        const batch = Array.from({ length: batchSize }, (_, i) => ({ id: `${big}-${from + i}`, type: 'Ticked', data: { n: from + i } }));
        expectedRevision = (await store.appendToStream(big, batch, { expectedRevision })).nextExpectedRevision;
      }

      const events = await store.readStream(big);

      expect(expectedRevision).toBe(total - 1);
      expect(events).toHaveLength(total);
      events.forEach((event, i) => {
        if (event.revision !== i || event.id !== `${big}-${i}` || (event.data as { n: number }).n !== i) {
          throw new Error(`event ${i} is out of place: revision ${event.revision}, id ${event.id}`);
        }
      });
      expect(await store.readStream(big, { fromRevision: 99_990 })).toHaveLength(10);
      expect(await store.streamRevision(big)).toBe(total - 1);
    }, 60_000);
  });
}
