import {
  type AppendResult,
  DuplicateEventIdError,
  type ExpectedRevision,
  type NewEvent,
  WrongExpectedRevisionError,
} from './event-store.port.js';

/** Where an already stored event sits. */
export interface StoredEventPlace {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
}

/** The last event of a stream, or undefined when the stream does not exist. */
export type StreamHead = { readonly revision: number; readonly position: number } | undefined;

/** The JSON text of an event, encoded once when the append is called. */
export interface EncodedEvent {
  readonly id: string;
  readonly type: string;
  readonly dataJson: string;
  readonly metadataJson: string | null;
}

/** -1 is the revision a missing stream reports, so it reads as `'no_stream'`. */
export function normalizeExpectedRevision(expected: ExpectedRevision): ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream') return expected;
  if (!Number.isSafeInteger(expected) || expected < -1) {
    throw new RangeError(`Expected revision must be a revision (an integer >= 0), 'no_stream' or 'any', got ${String(expected)}`);
  }
  return expected === -1 ? 'no_stream' : expected;
}

export function expectedRevisionHolds(expected: ExpectedRevision, actual: number | undefined): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === undefined;
  return actual === expected;
}

/**
 * Checks the events and turns them into JSON text, so that neither adapter keeps a reference to the caller's objects
 * and every adapter refuses the same input.
 */
export function encodeEvents(streamId: string, events: readonly NewEvent[]): EncodedEvent[] {
  checkName('A stream id', streamId);
  const seen = new Set<string>();
  return events.map((event) => {
    checkName(`An event id of stream ${streamId}`, event.id);
    checkName(`The type of event ${event.id}`, event.type);
    if (seen.has(event.id)) throw new DuplicateEventIdError(streamId, event.id);
    seen.add(event.id);
    const dataJson = JSON.stringify(event.data) as string | undefined;
    if (dataJson === undefined) throw new TypeError(`Event ${event.id} of stream ${streamId} has data that is not JSON`);
    const metadataJson = event.metadata === undefined || event.metadata === null ? null : (JSON.stringify(event.metadata) as string | undefined);
    if (metadataJson === undefined) throw new TypeError(`Event ${event.id} of stream ${streamId} has metadata that is not JSON`);
    return { id: event.id, type: event.type, dataJson, metadataJson };
  });
}

/** Ids and types are text columns in the durable stores, where U+0000 cannot be stored: refused everywhere alike. */
function checkName(what: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\0')) {
    throw new TypeError(`${what} must be a non-empty string without U+0000`);
  }
}

export type AppendDecision = { readonly kind: 'write' } | { readonly kind: 'done'; readonly result: AppendResult };

/**
 * Decides an append from what is stored, with EventStoreDB's idempotence: when every event id is already stored in
 * this stream, in order, at the place the expected revision designates (for `'any'`: wherever the first one is), the
 * append already happened and its result is returned again. Throws when the append must fail.
 *
 * `stored` holds the place of every event id of the append that is already stored.
 */
export function decideAppend(
  streamId: string,
  expected: ExpectedRevision,
  head: StreamHead,
  eventIds: readonly string[],
  stored: ReadonlyMap<string, StoredEventPlace>,
): AppendDecision {
  const actual = head?.revision;
  if (eventIds.length === 0) {
    if (!expectedRevisionHolds(expected, actual)) throw new WrongExpectedRevisionError(streamId, expected, actual);
    return { kind: 'done', result: { nextExpectedRevision: actual ?? -1, position: head?.position ?? 0 } };
  }
  const places = eventIds.map((id) => stored.get(id));
  if (places.every((place) => place === undefined)) {
    if (expectedRevisionHolds(expected, actual)) return { kind: 'write' };
    throw new WrongExpectedRevisionError(streamId, expected, actual);
  }
  const start = expected === 'any' ? places[0]?.revision : expected === 'no_stream' ? 0 : expected + 1;
  const alreadyAppended =
    start !== undefined && places.every((place, i) => place !== undefined && place.streamId === streamId && place.revision === start + i);
  if (alreadyAppended) {
    const last = places[places.length - 1] as StoredEventPlace;
    return { kind: 'done', result: { nextExpectedRevision: last.revision, position: last.position } };
  }
  if (!expectedRevisionHolds(expected, actual)) throw new WrongExpectedRevisionError(streamId, expected, actual);
  throw new DuplicateEventIdError(streamId, eventIds[places.findIndex((place) => place !== undefined)] as string);
}
