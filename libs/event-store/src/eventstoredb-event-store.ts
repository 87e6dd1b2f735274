import { createHash } from 'node:crypto';
import {
  type AllStreamSubscription,
  ANY,
  type AppendStreamState,
  BACKWARDS,
  DeadlineExceededError,
  END,
  type EventData,
  excludeSystemEvents,
  type JSONType,
  KurrentDBClient,
  NO_STREAM,
  type Position,
  type ReadPosition,
  type ReadStreamOptions as ClientReadStreamOptions,
  START,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import type { JsonValue } from '@trellis/engine';
import { decideAppend, type EncodedEvent, encodeEvents, normalizeExpectedRevision } from './append-rules.js';
import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from './event-store.port.js';
import { checkReadAllOptions, checkReadStreamOptions } from './read-options.js';

/**
 * The event store on an EventStoreDB (20.6 and later) or KurrentDB server, through the official gRPC client
 * (@kurrent/kurrentdb-client). The server enforces expected revisions and idempotent appends; this adapter maps the
 * port onto it and back. How positions, ids and errors map, and where EventStoreDB differs from the other adapters:
 * docs/event-store.md, "EventStoreDB / KurrentDB".
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new Set<EventStoreDbSubscription>();
  private closed = false;

  private constructor(
    private readonly client: KurrentDBClient,
    /** The server's address, without credentials: what error messages name. */
    readonly server: string,
  ) {}

  /**
   * A store on the server of `connectionString`, e.g. `kurrentdb://127.0.0.1:2113?tls=false` (`esdb://` is read as
   * `kurrentdb://`). The client connects on first use: an unreachable server shows as `EventStoreDbUnavailableError`.
   */
  static async connect(connectionString: string): Promise<EventStoreDbEventStore> {
    const normalized = connectionString.replace(/^esdb(\+discover)?:\/\//i, 'kurrentdb$1://');
    return new EventStoreDbEventStore(KurrentDBClient.connectionString(normalized), serverOf(normalized));
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: { readonly expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.assertOpen();
    const encoded = encodeEvents(streamId, events);
    refuseSystemNames(streamId, encoded);
    const expected = normalizeExpectedRevision(options.expectedRevision);
    if (encoded.length === 0) {
      // An append of no events is a check only, which the server does not answer with a position: read the head.
      const decision = decideAppend(streamId, expected, await this.lastEvent(streamId), [], new Map());
      if (decision.kind === 'done') return decision.result;
    }
    let written;
    try {
      written = await this.client.appendToStream(streamId, encoded.map(toEventData), { streamState: toStreamState(expected) });
    } catch (error) {
      throw translateClientError(error, this.server, { streamId, expected });
    }
    const nextExpectedRevision = revisionFromLog(written.nextExpectedRevision);
    // An idempotent re-append may come back without a position: the original one is that of the event it matched.
    const position = positionFromLog(written.position) ?? (await this.eventAt(streamId, nextExpectedRevision)).position;
    return { nextExpectedRevision, position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { fromRevision, maxCount } = checkReadStreamOptions(options);
    if (maxCount === 0) return [];
    return this.read(streamId, { fromRevision: BigInt(fromRevision), ...(maxCount === undefined ? {} : { maxCount }) });
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { afterPosition, maxCount } = checkReadAllOptions(options);
    const events: RecordedEvent[] = [];
    let cursor = afterPosition;
    // Each read asks for one more event than needed: a read from a position may return the event at it.
    while (maxCount === undefined || events.length < maxCount) {
      const wanted = Math.min(READ_PAGE_SIZE, maxCount === undefined ? READ_PAGE_SIZE : maxCount - events.length) + 1;
      let advanced = false;
      try {
        for await (const resolved of this.client.readAll({ fromPosition: readPositionAfter(cursor), maxCount: wanted, filter: excludeSystemEvents() })) {
          const record = resolved.event;
          const position = positionFromLog(record?.position);
          if (record === undefined || position === undefined || position <= cursor) continue;
          cursor = position;
          advanced = true;
          if (isSystemRecord(record)) continue;
          events.push(toRecordedEvent(record));
          if (events.length === maxCount) break;
        }
      } catch (error) {
        throw translateClientError(error, this.server);
      }
      // A read that brings nothing after the cursor has reached the end of the log.
      if (!advanced) break;
    }
    return events;
  }

  subscribeToAll(handler: (event: RecordedEvent) => Promise<void> | void, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const { afterPosition } = checkReadAllOptions({ afterPosition: options.afterPosition });
    const subscription = new EventStoreDbSubscription(this.client, this.server, afterPosition, handler, options.onError, (closed) =>
      this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    this.assertOpen();
    return (await this.lastEvent(streamId))?.revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.client.dispose();
  }

  private async lastEvent(streamId: string): Promise<RecordedEvent | undefined> {
    return (await this.read(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))[0];
  }

  private async eventAt(streamId: string, revision: number): Promise<RecordedEvent> {
    const [event] = await this.read(streamId, { fromRevision: BigInt(revision), maxCount: 1 });
    if (event === undefined) throw new Error(`EventStoreDB reported an append to ${streamId} at revision ${revision}, which it cannot read back`);
    return event;
  }

  private read(streamId: string, options: ClientReadStreamOptions): Promise<RecordedEvent[]> {
    return readStreamEvents(this.client.readStream(streamId, options), this.server);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The event store is closed');
  }
}

/** The store's server cannot be reached (refused, unreachable, or no answer within the client's deadline). */
export class EventStoreDbUnavailableError extends Error {
  constructor(
    readonly server: string,
    cause: unknown,
  ) {
    super(`EventStoreDB at ${server} cannot be reached: ${describeCause(cause)}`, { cause });
    this.name = 'EventStoreDbUnavailableError';
  }
}

/** The client's Rust core reports some failures with nothing but the error's class name as the message. */
function describeCause(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  if (message === '') return 'no connection';
  return /^\w*Error$/.test(message) ? `no connection (${message})` : message;
}

/** How many events one read of `$all` asks for, so that no single answer grows without bound. */
const READ_PAGE_SIZE = 1_000;

/**
 * Delivers `$all` from the server's catch-up subscription (stored events, then live ones), one handler call at a time:
 * the next event is pulled from the client's stream only once the handler's promise settled.
 */
class EventStoreDbSubscription implements Subscription {
  private closed = false;
  private readonly source: AllStreamSubscription;
  private readonly running: Promise<void>;

  constructor(
    client: KurrentDBClient,
    private readonly server: string,
    afterPosition: number,
    private readonly handler: (event: RecordedEvent) => Promise<void> | void,
    onError: ((error: unknown) => void) | undefined,
    private readonly onClosed: (subscription: EventStoreDbSubscription) => void,
  ) {
    this.source = client.subscribeToAll({ fromPosition: readPositionAfter(afterPosition), filter: excludeSystemEvents() });
    // The client emits errors on the stream; once delivery ended nobody else listens, and an unheard 'error' kills the process.
    this.source.on('error', () => undefined);
    this.running = this.deliver(afterPosition).catch((error: unknown) => {
      if (this.closed) return;
      this.stop();
      (onError ?? reportSubscriptionError)(translateClientError(error, this.server));
    });
  }

  private async deliver(afterPosition: number): Promise<void> {
    let cursor = afterPosition;
    for await (const resolved of this.source) {
      if (this.closed) return;
      const record = resolved.event;
      const position = positionFromLog(record?.position);
      // Subscriptions start after the position given; the check also keeps a resent event from being delivered twice.
      if (record === undefined || position === undefined || position <= cursor || isSystemRecord(record)) continue;
      await this.handler(toRecordedEvent(record));
      cursor = position;
    }
    if (!this.closed) throw new Error(`EventStoreDB at ${this.server} ended the subscription to $all`);
  }

  private stop(): Promise<void> {
    this.closed = true;
    this.onClosed(this);
    // Cancelling the call ends the server's side; destroying the stream ends the loop waiting on it.
    return this.source
      .unsubscribe()
      .catch(() => undefined)
      .finally(() => this.source.destroy());
  }

  async close(): Promise<void> {
    if (!this.closed) await this.stop();
    await this.running;
  }
}

function reportSubscriptionError(error: unknown): void {
  console.error('Event store subscription stopped: its handler or EventStoreDB failed', error);
}

// ---------------------------------------------------------------------------------------------------------------
// Mappings between the port and EventStoreDB, pure and exported for the unit tests.

/** `'any'` → ANY, `'no_stream'` (or -1) → NO_STREAM, a revision → that revision as a bigint. */
export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  const normalized = normalizeExpectedRevision(expected);
  if (normalized === 'any') return ANY;
  if (normalized === 'no_stream') return NO_STREAM;
  return BigInt(normalized);
}

/**
 * The port's position of an event: the commit position of its `$all` position. Each event that is not part of an
 * explicit (legacy TCP) transaction has its own commit position, equal to its prepare position, and `$all` is ordered
 * by it. Undefined when the server reported none.
 */
export function positionFromLog(position: Position | undefined): number | undefined {
  // EventStoreDB writes -1 for an unset position, which the client reads as an unsigned 64-bit number.
  if (position === undefined || position.commit < 0n || position.commit >= 2n ** 63n) return undefined;
  if (position.commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`EventStoreDB's log position ${position.commit} is beyond what a JavaScript number holds exactly`);
  }
  return Number(position.commit);
}

/** Where to read `$all` from to get the events after the port's position: the start, or the event's {commit, prepare}. */
export function readPositionAfter(afterPosition: number): ReadPosition {
  if (afterPosition === 0) return START;
  const logPosition = BigInt(afterPosition);
  return { commit: logPosition, prepare: logPosition };
}

export function revisionFromLog(revision: bigint): number {
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`EventStoreDB reported revision ${revision}`);
  return Number(revision);
}

/**
 * EventStoreDB's answer to a failed call in the port's terms: a wrong expected version becomes
 * `WrongExpectedRevisionError` with the stream's actual revision (undefined for no stream, as for a deleted one), an
 * unreachable server `EventStoreDbUnavailableError`. Anything else is returned as it is.
 */
export function translateClientError(error: unknown, server: string, append?: { readonly streamId: string; readonly expected: ExpectedRevision }): unknown {
  if (append !== undefined && error instanceof WrongExpectedVersionError) {
    const actual = typeof error.actualState === 'bigint' && error.actualState >= 0n ? revisionFromLog(error.actualState) : undefined;
    return new WrongExpectedRevisionError(append.streamId, append.expected, actual);
  }
  if (error instanceof UnavailableError || error instanceof DeadlineExceededError || isUnreachableGrpcError(error)) {
    return new EventStoreDbUnavailableError(server, error);
  }
  return error;
}

/** gRPC's UNAVAILABLE (14) and DEADLINE_EXCEEDED (4): some calls of the client reject with the bare gRPC error. */
function isUnreachableGrpcError(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return code === 14 || code === 4;
}

/** EventStoreDB's own events (statistics, projections' links, stream metadata) are not the application's. */
export function isSystemRecord(record: { readonly streamId: string; readonly type: string }): boolean {
  return record.streamId.startsWith('$') || record.type.startsWith('$');
}

function refuseSystemNames(streamId: string, events: readonly EncodedEvent[]): void {
  if (streamId.startsWith('$')) throw new TypeError(`Stream ids starting with $ are EventStoreDB's system streams: ${streamId}`);
  for (const event of events) {
    if (event.type.startsWith('$')) throw new TypeError(`Event types starting with $ are EventStoreDB's system events: ${event.type}`);
  }
}

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The namespace of the name-based ids of events whose own id is not a UUID. */
const TRELLIS_EVENT_ID_NAMESPACE = '8f98e1cb-d221-4718-9094-65ab1f20aed0';

/**
 * EventStoreDB's id of an event, which must be a UUID: the port's id when it is one in canonical form (lowercase, as
 * the server gives it back), otherwise a name-based UUID (version 5) derived from it, the same for every append of
 * the id, so that the server recognises a retry.
 */
export function eventUuid(id: string): string {
  return CANONICAL_UUID.test(id) ? id : uuidV5(TRELLIS_EVENT_ID_NAMESPACE, id);
}

/** RFC 9562 version 5: SHA-1 of the namespace's 16 bytes and the name's UTF-8 bytes, with version and variant set. */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The metadata key where Trellis keeps what EventStoreDB has no place for: an id that is not a UUID, metadata that is not an object. */
export const METADATA_ENVELOPE_KEY = 'trellis';

type JsonObject = { [key: string]: JsonValue };

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * The metadata EventStoreDB stores for an event. Object metadata is stored as it is (so that `$correlationId` and the
 * like keep their meaning to the server), with `trellis: { id }` added when the id is not a UUID; any other metadata
 * goes inside the envelope: `trellis: { id?, metadata }`. Nothing for null metadata and a UUID id.
 */
export function toStoredMetadata(id: string, metadata: JsonValue | null): JsonObject | undefined {
  const originalId: JsonObject = eventUuid(id) === id ? {} : { id };
  if (isJsonObject(metadata) && !Object.hasOwn(metadata, METADATA_ENVELOPE_KEY)) {
    return Object.keys(originalId).length === 0 ? metadata : { ...metadata, [METADATA_ENVELOPE_KEY]: originalId };
  }
  if (metadata === null && Object.keys(originalId).length === 0) return undefined;
  return { [METADATA_ENVELOPE_KEY]: { ...originalId, metadata } };
}

/** The port's id and metadata of a stored event: the reverse of `eventUuid` and `toStoredMetadata`. */
export function fromStoredMetadata(storedId: string, stored: unknown): { id: string; metadata: JsonValue | null } {
  if (stored === undefined || stored === null) return { id: storedId, metadata: null };
  const envelope = isJsonObject(stored) ? stored[METADATA_ENVELOPE_KEY] : undefined;
  if (!isJsonObject(stored) || !isJsonObject(envelope)) return { id: storedId, metadata: toJsonValue(stored) };
  const id = typeof envelope['id'] === 'string' ? envelope['id'] : storedId;
  if (Object.hasOwn(envelope, 'metadata')) return { id, metadata: envelope['metadata'] ?? null };
  const { [METADATA_ENVELOPE_KEY]: _envelope, ...metadata } = stored;
  return { id, metadata };
}

/** What the client sends for an event: JSON content, EventStoreDB's id, the metadata with its envelope. */
export function toEventData(event: EncodedEvent): EventData {
  return {
    id: eventUuid(event.id),
    contentType: 'application/json',
    type: event.type,
    // The client writes JSON.stringify(data): any JSON value goes, though its type names only objects, arrays and strings.
    // Parsed from the text encoded at the call, so that nothing the caller changes afterwards reaches the server.
    data: JSON.parse(event.dataJson) as JSONType,
    metadata: toStoredMetadata(event.id, event.metadataJson === null ? null : (JSON.parse(event.metadataJson) as JsonValue)),
  };
}

/** The fields of the client's recorded event that the port's event is made of. */
export interface StoredRecord {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly revision: bigint;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly created: Date;
  readonly position?: Position;
}

/** The events of a stream read by the client; none for a stream that does not exist (`StreamNotFoundError`). */
export async function readStreamEvents(read: AsyncIterable<{ readonly event?: StoredRecord }>, server: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  try {
    for await (const resolved of read) {
      if (resolved.event !== undefined) events.push(toRecordedEvent(resolved.event));
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw translateClientError(error, server);
  }
  return events;
}

export function toRecordedEvent(record: StoredRecord): RecordedEvent {
  const position = positionFromLog(record.position);
  if (position === undefined) {
    throw new Error(`EventStoreDB gave no $all position for event ${record.id} of stream ${record.streamId}: stream reads carry it from EventStoreDB 22.6 on`);
  }
  const { id, metadata } = fromStoredMetadata(record.id, record.metadata);
  return {
    id,
    type: record.type,
    data: toJsonValue(record.data),
    metadata,
    streamId: record.streamId,
    revision: revisionFromLog(record.revision),
    position,
    recordedAt: record.created.toISOString(),
  };
}

/** The client parses JSON content; binary content (written by other clients) is given as base64 text. */
function toJsonValue(value: unknown): JsonValue {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : (value as JsonValue);
}

/** `kurrentdb://user:secret@host:2113,other:2113?tls=false` → `host:2113,other:2113`: no credentials in messages. */
function serverOf(connectionString: string): string {
  return /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]*)/i.exec(connectionString)?.[1] ?? 'the configured address';
}
