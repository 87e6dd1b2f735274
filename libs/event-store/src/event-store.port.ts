import type { JsonValue } from '@trellis/engine';

/** An event to append. `id` makes appends idempotent: re-appending the same ids at the same place is a no-op. */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata?: JsonValue;
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata: JsonValue | null;
  readonly streamId: string;
  /** 0-based position of the event in its stream. */
  readonly revision: number;
  /** Position in the store-wide log: strictly increasing in commit order, starting at 1. */
  readonly position: number;
  /** When the store recorded it (ISO 8601). */
  readonly recordedAt: string;
}

/**
 * What the writer believes the stream's last revision is:
 * - a number: the revision of the stream's last event (the append fails if it differs),
 * - `'no_stream'`: the stream must not exist yet,
 * - `'any'`: no check.
 * -1 is accepted as a synonym of `'no_stream'` (the `nextExpectedRevision` of an empty append to a missing stream).
 */
export type ExpectedRevision = number | 'no_stream' | 'any';

export interface AppendResult {
  /**
   * Revision of the last event now in the stream. For an idempotent re-append: the revision of the last re-appended
   * event. For an append of no events: the stream's revision, -1 when it does not exist.
   */
  readonly nextExpectedRevision: number;
  /** Global position of the last appended event (of the stream's last event for an append of no events, 0 if none). */
  readonly position: number;
}

export interface ReadStreamOptions {
  /** First revision to read (default 0). */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events with a position strictly greater than this (default 0: from the start). */
  readonly afterPosition?: number;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Deliver events with a position strictly greater than this: catch-up first, then live. */
  readonly afterPosition?: number;
  /**
   * Called once when the handler throws or rejects (or the store fails to read); delivery then stops, so that no
   * event is skipped. Without it the error is written to the console.
   */
  readonly onError?: (error: unknown) => void;
}

export interface Subscription {
  /** Stops delivery; resolves when no handler call is running any more (so do not await it inside the handler). */
  close(): Promise<void>;
}

/**
 * The event store port. Every adapter (in-memory, embedded, postgres, eventstoredb) passes the one
 * contract suite in `testing.ts`.
 */
export interface EventStore {
  /** Appends atomically. Throws `WrongExpectedRevisionError` when the expected revision does not hold. */
  appendToStream(streamId: string, events: readonly NewEvent[], options: { readonly expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** Events of one stream in revision order; an empty array for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events of all streams in position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Calls `handler` for every event after `afterPosition`, in position order, one at a time (the next
   * call waits for the previous promise). Catches up on stored events, then delivers new ones as appended.
   */
  subscribeToAll(handler: (event: RecordedEvent) => Promise<void> | void, options?: SubscribeOptions): Subscription;
  /** The revision of a stream's last event, or undefined when it does not exist. */
  streamRevision(streamId: string): Promise<number | undefined>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | undefined,
  ) {
    super(`Wrong expected revision on stream ${streamId}: expected ${String(expected)}, actual ${actual === undefined ? 'no stream' : actual}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/**
 * An event id of the append is already stored elsewhere (event ids are unique across the store), or twice in the same
 * append, so the append is neither new nor an idempotent retry of an earlier one.
 */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(`Event id ${eventId} appended to stream ${streamId} is already stored at another place`);
    this.name = 'DuplicateEventIdError';
  }
}
