/**
 * The Postgres event store while its server goes away under load: a private server of the test's own
 * (`startPrivatePostgres`, never the machine's shared one) is restarted, crashed and killed while writers append to
 * it and a subscription follows the log. What a user relies on afterwards: no call hangs, every append that was
 * acknowledged is there exactly once at the revision and position it was given, an append that failed is there
 * completely or not at all, the log has no hole, and the subscription carried on by itself without skipping or
 * repeating an event.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type PrivatePostgres, type PostgresShutdownMode, startPrivatePostgres } from '@trellis/persistence/testing';
import {
  type AppendResult,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type Subscription,
  WrongExpectedRevisionError,
} from './event-store.port.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { newEvents } from './testing.js';

/** Longer than any bound of the adapter (connection timeout 2 s, statement timeout 10 s): a call still pending then hangs. */
const CALL_BOUND_MS = 20_000;

let server: PrivatePostgres;

beforeAll(async () => {
  server = await startPrivatePostgres();
}, 120_000);

afterAll(async () => {
  await server?.stop();
}, 60_000);

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown } | { readonly ok: 'hung' };

/** Waits for `call` at most CALL_BOUND_MS; a call still pending then is reported as hung, not awaited further. */
async function bounded<T>(call: () => Promise<T>): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: 'hung' }), CALL_BOUND_MS);
  });
  try {
    return await Promise.race([
      call().then(
        (value): Settled<T> => ({ ok: true, value }),
        (error: unknown): Settled<T> => ({ ok: false, error }),
      ),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** One append a writer made: acknowledged with its result, or failed (then possibly stored, possibly not). */
interface Attempt {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly ids: readonly string[];
  readonly expected: ExpectedRevision;
  result?: AppendResult;
}

function attemptOf(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): Attempt {
  return { streamId, events, ids: events.map((event) => event.id), expected };
}

class Workload {
  readonly attempts: Attempt[] = [];
  readonly errors: string[] = [];
  readonly hangs: string[] = [];
  conflicts = 0;
  private stopping = false;

  constructor(private readonly store: PostgresEventStore) {}

  get acknowledged(): number {
    return this.attempts.filter((attempt) => attempt.result !== undefined).length;
  }

  stop(): void {
    this.stopping = true;
  }

  /**
   * A writer of its own stream. `retry`: after a failure it sends the same append again (same ids, same expected
   * revision) until acknowledged, which the store recognises if the first one was stored after all. `resync`: it
   * gives the failed append up, asks the store where the stream is, and goes on from there with new events.
   */
  async ownStream(streamId: string, strategy: 'retry' | 'resync', size: number): Promise<void> {
    let expected: ExpectedRevision = 'no_stream';
    let pending: Attempt | undefined;
    while (!this.stopping) {
      const attempt: Attempt = pending ?? attemptOf(streamId, newEvents(size), expected);
      if (!pending) this.attempts.push(attempt);
      const outcome = await bounded(() => this.store.appendToStream(streamId, attempt.events, { expectedRevision: attempt.expected }));
      if (outcome.ok === 'hung') return void this.hangs.push(`append to ${streamId}`);
      if (outcome.ok) {
        attempt.result = outcome.value;
        expected = outcome.value.nextExpectedRevision;
        pending = undefined;
        continue;
      }
      this.errors.push(messageOf(outcome.error));
      if (strategy === 'retry') {
        pending = attempt;
        await pause(50);
        continue;
      }
      pending = undefined;
      const revision = await this.revisionOf(streamId);
      if (revision === 'hung') return;
      expected = revision ?? 'no_stream';
    }
  }

  /** One of several writers of one stream: each append expects the revision it just read; losing the race is a conflict. */
  async sharedStream(streamId: string): Promise<void> {
    while (!this.stopping) {
      const revision = await this.revisionOf(streamId);
      if (revision === 'hung') return;
      const attempt = attemptOf(streamId, newEvents(2), revision ?? 'no_stream');
      this.attempts.push(attempt);
      const outcome = await bounded(() => this.store.appendToStream(streamId, attempt.events, { expectedRevision: attempt.expected }));
      if (outcome.ok === 'hung') return void this.hangs.push(`append to ${streamId}`);
      if (outcome.ok) attempt.result = outcome.value;
      else if (outcome.error instanceof WrongExpectedRevisionError) this.conflicts++;
      else this.errors.push(messageOf(outcome.error));
    }
  }

  /** The stream's revision, asking again (bounded, each call) until the server answers. */
  private async revisionOf(streamId: string): Promise<number | undefined | 'hung'> {
    for (;;) {
      const outcome = await bounded(() => this.store.streamRevision(streamId));
      if (outcome.ok === 'hung') {
        this.hangs.push(`streamRevision of ${streamId}`);
        return 'hung';
      }
      if (outcome.ok) return outcome.value;
      this.errors.push(messageOf(outcome.error));
      if (this.stopping) return 'hung';
      await pause(50);
    }
  }
}

/** Resolves once `test()` holds; fails after `deadlineMs` naming `what`. */
async function until(test: () => boolean, what: string, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}`);
    await pause(20);
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

type Outage = { readonly kind: 'shutdown'; readonly mode: PostgresShutdownMode } | { readonly kind: 'kill' };

const OUTAGES: readonly (readonly [string, Outage])[] = [
  ['a fast shutdown (pg_ctl stop -m fast)', { kind: 'shutdown', mode: 'fast' }],
  ['a crash (pg_ctl stop -m immediate)', { kind: 'shutdown', mode: 'immediate' }],
  ['the postmaster killed (SIGKILL)', { kind: 'kill' }],
];

describe('postgres event store: the server restarts during a stream of appends', () => {
  it.each(OUTAGES)(
    'after %s, loses no acknowledged append, hangs no call, and its subscription resumes without a gap or a repeat',
    async (_label, outage) => {
      const schema = `restart_${outage.kind === 'kill' ? 'kill' : outage.mode}`;
      const store = await PostgresEventStore.open({
        connectionString: server.url,
        schema,
        poolMax: 8,
        connectionTimeoutMs: 2_000,
        statementTimeoutMs: 10_000,
        pollIntervalMs: 200,
      });
      const delivered: RecordedEvent[] = [];
      const subscriptionErrors: unknown[] = [];
      let subscription: Subscription | undefined;
      try {
        subscription = store.subscribeToAll((event) => void delivered.push(event), { onError: (error) => subscriptionErrors.push(error) });
        const work = new Workload(store);
        const writers = Promise.all([
          work.ownStream('retrying-1', 'retry', 1),
          work.ownStream('retrying-2', 'retry', 3),
          work.ownStream('retrying-3', 'retry', 2),
          work.ownStream('resyncing-1', 'resync', 1),
          work.ownStream('resyncing-2', 'resync', 3),
          work.ownStream('resyncing-3', 'resync', 2),
          work.sharedStream('shared'),
          work.sharedStream('shared'),
          // More writers than batches in flight, so that appends are group-committed and a batch the outage cuts off
          // fails as a whole: each of its appends must then be rejected (or, on a unique key, settled on its own).
          ...Array.from({ length: 8 }, (_, i) => work.ownStream(`batched-${i}`, i % 2 === 0 ? 'retry' : 'resync', 1 + (i % 3))),
        ]);

        await until(() => work.acknowledged >= 150, 'appends before the outage');
        const beforeOutage = work.acknowledged;
        if (outage.kind === 'kill') {
          await server.kill();
          await pause(1_000);
          await server.start();
        } else {
          await server.restart({ mode: outage.mode, downMs: 1_000 });
        }
        await until(() => work.acknowledged >= beforeOutage + 150 || work.hangs.length > 0, 'appends after the outage');
        work.stop();
        await writers;

        expect(work.hangs).toEqual([]);
        // The outage reached the writers: some of their calls failed while the server was away.
        expect(work.errors.length).toBeGreaterThan(0);

        // Read back through a store opened afresh: what the server has, not what this process remembers.
        const reader = await PostgresEventStore.open({ connectionString: server.url, schema });
        let log: RecordedEvent[];
        try {
          log = await reader.readAll();
          // The log: positions 1, 2, 3, ... without a hole, each event id once.
          expect(log.map((event) => event.position)).toEqual(log.map((_, i) => i + 1));
          expect(new Set(log.map((event) => event.id)).size).toBe(log.length);

          const streams = new Map<string, RecordedEvent[]>();
          for (const event of log) streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event]);
          for (const [streamId, events] of streams) {
            expect({ streamId, revisions: events.map((event) => event.revision) }).toEqual({ streamId, revisions: events.map((_, i) => i) });
            expect((await reader.readStream(streamId)).map((event) => event.id)).toEqual(events.map((event) => event.id));
          }

          const stored = new Map(log.map((event) => [event.id, event]));
          const attempted = new Set(work.attempts.flatMap((attempt) => attempt.ids));
          // Nothing in the log that no writer appended.
          expect(log.filter((event) => !attempted.has(event.id))).toEqual([]);
          for (const attempt of work.attempts) {
            const places = attempt.ids.map((id) => stored.get(id));
            if (attempt.result !== undefined) {
              // Acknowledged: stored, in order, at the revisions and position the store answered.
              const { nextExpectedRevision, position } = attempt.result;
              const first = nextExpectedRevision - attempt.ids.length + 1;
              expect(places.map((place) => place && [place.streamId, place.revision])).toEqual(attempt.ids.map((_, i) => [attempt.streamId, first + i]));
              expect(places[places.length - 1]?.position).toBe(position);
            } else {
              // Failed: all of its events or none of them.
              const present = places.filter((place) => place !== undefined).length;
              expect([0, attempt.ids.length]).toContain(present);
            }
          }

          // The expected revision still guards the streams: an append expecting a revision the stream has left fails.
          const [guarded, events] = [...streams].find(([streamId]) => streamId === 'retrying-1') as [string, RecordedEvent[]];
          await expect(reader.appendToStream(guarded, newEvents(1), { expectedRevision: events.length - 2 })).rejects.toThrow(WrongExpectedRevisionError);
        } finally {
          await reader.close();
        }

        // The subscription rode through the outage: it delivered the whole log once, in order.
        await until(() => delivered.length >= log.length || subscriptionErrors.length > 0, 'the subscription to catch up', 30_000);
        expect(subscriptionErrors).toEqual([]);
        expect(delivered.map((event) => [event.position, event.id])).toEqual(log.map((event) => [event.position, event.id]));
      } finally {
        await subscription?.close();
        await store.close();
      }
    },
    120_000,
  );
});
