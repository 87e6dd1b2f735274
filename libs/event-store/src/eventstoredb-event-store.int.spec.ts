/**
 * The EventStoreDB adapter. With EVENTSTORE_URL (or TRELLIS_EVENTSTORE_URL) set, e.g. `esdb://127.0.0.1:2113?tls=false`,
 * the contract suite runs against that server. Without it, which is the case on the machines this project is built on
 * (no EventStoreDB or KurrentDB server can be obtained there), the suite is reported as not run, and what can be checked
 * without a server still is: the mappings between the port and the client, through the client's own decoding and error
 * classes, and the real client failing fast against a closed port.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  ANY,
  DeadlineExceededError,
  KurrentDBClient,
  NO_STREAM,
  type Position,
  START,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import { convertGrpcEvent } from '@kurrent/kurrentdb-client/dist/utils/convertGrpcEvent.js';
import { convertRustEvent } from '@kurrent/kurrentdb-client/dist/utils/convertRustEvent.js';
import { Empty, StreamIdentifier, UUID, WrongExpectedVersion } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/shared_pb.js';
import { ReadResp } from '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1/streams_pb.js';
import type { JsonValue } from '@trellis/engine';
import { encodeEvents } from './append-rules.js';
import { type RecordedEvent, WrongExpectedRevisionError } from './event-store.port.js';
import {
  eventUuid,
  EventStoreDbEventStore,
  EventStoreDbUnavailableError,
  isSystemRecord,
  METADATA_ENVELOPE_KEY,
  positionFromLog,
  readPositionAfter,
  readStreamEvents,
  type StoredRecord,
  toEventData,
  toRecordedEvent,
  toStreamState,
  translateClientError,
  uuidV5,
} from './eventstoredb-event-store.js';
import { eventStoreContract, newEvents } from './testing.js';

const serverUrl = process.env.EVENTSTORE_URL ?? process.env.TRELLIS_EVENTSTORE_URL;

/** A store on the configured server; fails, saying what to do, when nothing answers there. */
async function connectToServer(url: string): Promise<EventStoreDbEventStore> {
  const store = await EventStoreDbEventStore.connect(url);
  try {
    await store.streamRevision('trellis-connection-check');
  } catch (error) {
    await store.close();
    if (!(error instanceof EventStoreDbUnavailableError)) throw error;
    throw new Error(
      `${error.message}. EVENTSTORE_URL is ${url}: start EventStoreDB 23.10+ or KurrentDB there (docs/event-store.md, "EventStoreDB / KurrentDB"), or unset it`,
      { cause: error },
    );
  }
  return store;
}

if (serverUrl === undefined) {
  describe('eventstoredb: event store contract', () => {
    it('EventStoreDB contract suite not run: EVENTSTORE_URL unset', () => {
      console.warn(
        'EventStoreDB contract suite not run: EVENTSTORE_URL unset. Set EVENTSTORE_URL=esdb://127.0.0.1:2113?tls=false with a server there to run it (docs/event-store.md).',
      );
      // What is not run here must at least be documented: how to run it, and what was verified without it.
      const docs = readFileSync(new URL('../../../docs/event-store.md', import.meta.url), 'utf8');
      const at = docs.indexOf('## EventStoreDB / KurrentDB');
      expect(at).toBeGreaterThanOrEqual(0);
      const section = docs.slice(at);
      expect(section).toContain('EVENTSTORE_URL=');
      expect(section).toContain('What was verified');
      expect(section).toContain('What was not verified');
    });
  });
} else {
  eventStoreContract('eventstoredb', () => connectToServer(serverUrl), undefined, { contiguousPositions: false, uniqueEventIds: false });

  describe('EventStoreDbEventStore on a server', () => {
    let store: EventStoreDbEventStore;
    let client: KurrentDBClient;

    beforeAll(async () => {
      store = await connectToServer(serverUrl);
      client = KurrentDBClient.connectionString(serverUrl.replace(/^esdb(\+discover)?:\/\//i, 'kurrentdb$1://'));
    }, 60_000);

    afterAll(async () => {
      await store.close();
      await client.dispose();
    });

    it('stores UUID ids as they are and other ids as name-based UUIDs, with the original id in the metadata', async () => {
      const streamId = `ids-${newEvents(1)[0]?.id}`;
      const [uuidEvent] = newEvents(1);
      await store.appendToStream(
        streamId,
        [uuidEvent as { id: string; type: string; data: JsonValue }, { id: 'order-1/placed', type: 'OrderPlaced', data: { n: 1 }, metadata: { by: 'alice' } }],
        { expectedRevision: 'no_stream' },
      );

      const seenByOthers: { id: string; metadata: unknown }[] = [];
      for await (const resolved of client.readStream(streamId)) {
        seenByOthers.push({ id: resolved.event?.id as string, metadata: resolved.event?.metadata });
      }

      expect(seenByOthers).toEqual([
        { id: uuidEvent?.id, metadata: undefined },
        { id: eventUuid('order-1/placed'), metadata: { by: 'alice', [METADATA_ENVELOPE_KEY]: { id: 'order-1/placed' } } },
      ]);
      expect((await store.readStream(streamId)).map((event) => event.id)).toEqual([uuidEvent?.id, 'order-1/placed']);
    });
  });
}

describe('EventStoreDB adapter: mappings between the port and the client (no server needed)', () => {
  it('maps expected revisions to stream states: any, no stream (or -1), a revision as a bigint', () => {
    expect(toStreamState('any')).toBe(ANY);
    expect(toStreamState('no_stream')).toBe(NO_STREAM);
    expect(toStreamState(-1)).toBe(NO_STREAM);
    expect(toStreamState(0)).toBe(0n);
    expect(toStreamState(41)).toBe(41n);
    expect(() => toStreamState(-2)).toThrow(RangeError);
    expect(() => toStreamState(1.5)).toThrow(RangeError);
  });

  it("maps a $all position to its commit position and back to the {commit, prepare} to read after", () => {
    expect(positionFromLog({ commit: 4_096n, prepare: 4_096n })).toBe(4_096);
    expect(readPositionAfter(4_096)).toEqual({ commit: 4_096n, prepare: 4_096n });
    expect(readPositionAfter(0)).toBe(START);
    // No position, and -1 as the server writes an unset one: unknown, so that the adapter looks the position up.
    expect(positionFromLog(undefined)).toBeUndefined();
    expect(positionFromLog({ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n })).toBeUndefined();
    expect(() => positionFromLog({ commit: 2n ** 53n, prepare: 2n ** 53n })).toThrow(RangeError);
  });

  it('keeps canonical UUID ids and derives name-based UUIDs (RFC 9562 version 5) from any other id', () => {
    // The RFC's own example: "www.example.com" in the DNS namespace.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
    expect(eventUuid('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe('0f8fad5b-d9cb-469f-a165-70867728950e');
    const derived = eventUuid('order-1-e1');
    expect(derived).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventUuid('order-1-e1')).toBe(derived);
    expect(eventUuid('order-1-e2')).not.toBe(derived);
    // The server gives UUIDs back in lowercase: an uppercase one is kept in the metadata like any other non-canonical id.
    expect(eventUuid('0F8FAD5B-D9CB-469F-A165-70867728950E')).not.toBe('0F8FAD5B-D9CB-469F-A165-70867728950E');
  });

  it('sends object metadata as it is, so that EventStoreDB reads $correlationId, and adds the envelope only when needed', () => {
    const [plain, named, scalar] = encodeEvents('s', [
      { id: '0f8fad5b-d9cb-469f-a165-70867728950e', type: 'T', data: null, metadata: { $correlationId: 'c-1' } },
      { id: 'order-1-e1', type: 'T', data: null, metadata: { $correlationId: 'c-1' } },
      { id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', type: 'T', data: null, metadata: 42 },
    ]).map(toEventData);

    expect(plain).toEqual({ id: '0f8fad5b-d9cb-469f-a165-70867728950e', contentType: 'application/json', type: 'T', data: null, metadata: { $correlationId: 'c-1' } });
    expect(named?.metadata).toEqual({ $correlationId: 'c-1', [METADATA_ENVELOPE_KEY]: { id: 'order-1-e1' } });
    expect(scalar?.metadata).toEqual({ [METADATA_ENVELOPE_KEY]: { metadata: 42 } });
  });

  const created = new Date('2025-03-14T09:26:53.589Z');
  const cases: { readonly name: string; readonly id: string; readonly data: JsonValue; readonly metadata?: JsonValue }[] = [
    { name: 'a UUID id without metadata', id: '0f8fad5b-d9cb-469f-a165-70867728950e', data: { amount: 120, lines: [{ sku: 'a', qty: 2 }] } },
    { name: 'an id that is not a UUID, with object metadata', id: 'order-1-e1', data: 'by boat', metadata: { by: 'alice', $correlationId: 'c-1' } },
    { name: 'an id that is not a UUID, without metadata', id: `it's an "id"\twith ✓`, data: null },
    { name: 'empty object metadata', id: 'e-3', data: {}, metadata: {} },
    { name: 'metadata that is not an object', id: '7c9e6679-7425-40de-944b-e07fc1f90ae7', data: [1, [2, { x: null }]], metadata: [false, 0] },
    { name: 'scalar metadata and data', id: 'e-4', data: 0, metadata: 'note' },
    { name: 'metadata that uses the envelope key itself', id: 'e-5', data: true, metadata: { [METADATA_ENVELOPE_KEY]: { id: 'not mine' }, other: 1 } },
    { name: 'unicode and escapes', id: 'e-6', data: { note: `fragile "glass" 'x' \\ \n\t ünïcødé 🚀`, big: 1e21, neg: -1.5 }, metadata: null },
  ];

  /**
   * What the client writes (its append serialises `JSON.stringify(data)`, and `JSON.stringify(metadata)` when there is
   * metadata), as the server gives it back to reads: through the Rust bridge (readStream, readAll) and gRPC (subscribeToAll).
   */
  function storedAndReadBack(event: { id: string; type: string; data: JsonValue; metadata?: JsonValue }, position: Position): StoredRecord[] {
    const [sent] = encodeEvents('order-7', [event]).map(toEventData);
    if (sent === undefined) throw new Error('nothing encoded');
    const data = Buffer.from(JSON.stringify(sent.data), 'utf8');
    const metadata = sent.metadata === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(sent.metadata), 'utf8');

    const fromBridge = convertRustEvent({
      event: { streamId: 'order-7', id: sent.id, type: sent.type, isJson: true, revision: 7n, created: created.getTime(), data, metadata, position },
    }).event;

    const recorded = new ReadResp.ReadEvent.RecordedEvent()
      .setId(new UUID().setString(sent.id))
      .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from('order-7', 'utf8')))
      .setStreamRevision('7')
      .setCommitPosition(position.commit.toString())
      .setPreparePosition(position.prepare.toString())
      .setData(data)
      .setCustomMetadata(metadata);
    recorded.getMetadataMap().set('type', sent.type).set('content-type', sent.contentType).set('created', String(BigInt(created.getTime()) * 10_000n));
    const wire = new ReadResp().setEvent(new ReadResp.ReadEvent().setEvent(recorded).setNoPosition(new Empty())).serializeBinary();
    const fromGrpc = convertGrpcEvent(ReadResp.deserializeBinary(wire).getEvent() as ReadResp.ReadEvent).event;

    return [fromBridge as StoredRecord, fromGrpc as StoredRecord];
  }

  for (const { name, id, data, metadata } of cases) {
    it(`reads back ${name} as appended, through the client's own decoding of reads and subscriptions`, () => {
      const event = { id, type: 'ThingHappened', data, ...(metadata === undefined ? {} : { metadata }) };
      const expected: RecordedEvent = {
        id,
        type: 'ThingHappened',
        data,
        metadata: metadata ?? null,
        streamId: 'order-7',
        revision: 7,
        position: 123_456,
        recordedAt: '2025-03-14T09:26:53.589Z',
      };

      for (const record of storedAndReadBack(event, { commit: 123_456n, prepare: 123_456n })) {
        expect(toRecordedEvent(record)).toEqual(expected);
      }
    });
  }

  it('refuses to make up a position when the server reports none for an event (stream reads before EventStoreDB 22.6)', () => {
    const [record] = storedAndReadBack({ id: 'e-1', type: 'T', data: null }, { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n });

    expect(() => toRecordedEvent(record as StoredRecord)).toThrow(/no \$all position.*22\.6/);
  });

  it("tells EventStoreDB's own events apart: $-prefixed streams and types", () => {
    expect(isSystemRecord({ streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' })).toBe(true);
    expect(isSystemRecord({ streamId: '$ce-order', type: '$>' })).toBe(true);
    expect(isSystemRecord({ streamId: 'order-1', type: '$metadata' })).toBe(true);
    expect(isSystemRecord({ streamId: 'order-1', type: 'OrderPlaced' })).toBe(false);
  });

  describe("translates the client's errors", () => {
    /** The error the client raises from the server's WrongExpectedVersion details, as its batch append does. */
    function wrongExpectedVersion(current: bigint | 'no_stream', expected: bigint | 'no_stream'): WrongExpectedVersionError {
      const details = new WrongExpectedVersion();
      if (current === 'no_stream') details.setCurrentNoStream(new Empty());
      else details.setCurrentStreamRevision(current.toString());
      if (expected === 'no_stream') details.setExpectedNoStream(new Empty());
      else details.setExpectedStreamPosition(expected.toString());
      return WrongExpectedVersionError.fromWrongExpectedVersion(details, 'order-1');
    }

    it('a wrong expected version becomes WrongExpectedRevisionError with the actual revision', () => {
      const behind = translateClientError(wrongExpectedVersion(2n, 0n), 'host:2113', { streamId: 'order-1', expected: 0 });
      const created = translateClientError(wrongExpectedVersion(1n, 'no_stream'), 'host:2113', { streamId: 'order-1', expected: 'no_stream' });
      const missing = translateClientError(wrongExpectedVersion('no_stream', 0n), 'host:2113', { streamId: 'order-1', expected: 0 });

      expect(behind).toBeInstanceOf(WrongExpectedRevisionError);
      expect(behind).toMatchObject({ streamId: 'order-1', expected: 0, actual: 2 });
      expect(created).toMatchObject({ expected: 'no_stream', actual: 1 });
      expect(missing).toMatchObject({ expected: 0, actual: undefined });
      expect((missing as Error).message).toBe('Wrong expected revision on stream order-1: expected 0, actual no stream');
    });

    it('an unreachable server becomes EventStoreDbUnavailableError naming the server and keeping the cause', () => {
      const bareGrpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
      const causes = [new UnavailableError(undefined, 'unavailable'), new DeadlineExceededError(undefined, 'deadline exceeded'), bareGrpc];

      for (const cause of causes) {
        const error = translateClientError(cause, '10.0.0.7:2113');
        expect(error).toBeInstanceOf(EventStoreDbUnavailableError);
        expect((error as Error).message).toBe(`EventStoreDB at 10.0.0.7:2113 cannot be reached: ${cause.message}`);
        expect((error as Error).cause).toBe(cause);
      }
      // The Rust core's errors carry only their class name.
      const fromRustCore = translateClientError(new UnavailableError(undefined, 'UnavailableError'), '10.0.0.7:2113');
      expect((fromRustCore as Error).message).toBe('EventStoreDB at 10.0.0.7:2113 cannot be reached: no connection (UnavailableError)');
    });

    it('a stream that does not exist reads as empty; other failures of a read are translated', async () => {
      // The client's reads are async iterators that throw what the server answered, once iterated.
      async function* answering(error: Error): AsyncGenerator<{ event?: StoredRecord }> {
        yield* [];
        throw error;
      }

      expect(await readStreamEvents(answering(new StreamNotFoundError(undefined, 'order-1')), 'host:2113')).toEqual([]);
      await expect(readStreamEvents(answering(new UnavailableError(undefined, 'unavailable')), 'host:2113')).rejects.toThrow(EventStoreDbUnavailableError);
      await expect(readStreamEvents(answering(new AccessDeniedError()), 'host:2113')).rejects.toThrow(AccessDeniedError);
    });

    it('leaves every other error as the client raised it', () => {
      const denied = new AccessDeniedError();
      const notFound = new StreamNotFoundError(undefined, 'order-1');
      const conflictOutsideAnAppend = wrongExpectedVersion(2n, 0n);

      expect(translateClientError(denied, 'host:2113')).toBe(denied);
      expect(translateClientError(notFound, 'host:2113')).toBe(notFound);
      expect(translateClientError(conflictOutsideAnAppend, 'host:2113')).toBe(conflictOutsideAnAppend);
    });
  });
});

describe('EventStoreDB adapter: the real client against a closed port', () => {
  let store: EventStoreDbEventStore;
  let server: string;

  beforeAll(async () => {
    // A port that was just free on the loopback interface: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    server = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    store = await EventStoreDbEventStore.connect(`esdb://admin:changeit@${server}?tls=false`);
  });

  afterAll(async () => {
    await store.close();
  });

  async function failureOf(call: Promise<unknown>): Promise<Error> {
    try {
      await call;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the call to fail');
  }

  it('fails an append with EventStoreDbUnavailableError naming the server, without its credentials, instead of hanging', async () => {
    const error = await failureOf(store.appendToStream('order-1', newEvents(1), { expectedRevision: 'no_stream' }));

    expect(error).toBeInstanceOf(EventStoreDbUnavailableError);
    expect(error.message).toMatch(new RegExp(`^EventStoreDB at ${server} cannot be reached: .+`));
    expect(error.message).not.toContain('changeit');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('fails reads the same way', async () => {
    expect(await failureOf(store.readStream('order-1'))).toBeInstanceOf(EventStoreDbUnavailableError);
    expect(await failureOf(store.readAll({ maxCount: 10 }))).toBeInstanceOf(EventStoreDbUnavailableError);
    expect(await failureOf(store.streamRevision('order-1'))).toBeInstanceOf(EventStoreDbUnavailableError);
  });

  it('reports the failure to a subscription and stops it', async () => {
    const delivered: RecordedEvent[] = [];
    const reported = await new Promise<unknown>((resolve) => {
      store.subscribeToAll((event) => void delivered.push(event), { onError: resolve });
    });

    expect(reported).toBeInstanceOf(EventStoreDbUnavailableError);
    expect(delivered).toEqual([]);
  });

  it("refuses EventStoreDB's system names before calling the server", async () => {
    await expect(store.appendToStream('$settings', newEvents(1), { expectedRevision: 'any' })).rejects.toThrow(TypeError);
    await expect(store.appendToStream('order-1', newEvents(1, 0, '$metadata'), { expectedRevision: 'any' })).rejects.toThrow(TypeError);
  });
});
