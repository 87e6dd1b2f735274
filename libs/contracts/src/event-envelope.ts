/**
 * The envelope the relay publishes for each event appended to the event store: the event as recorded, plus where it
 * sits (stream, revision, global position), so consumers can order, dedupe and checkpoint without the store.
 */
import { HEADERS, JSON_CONTENT_TYPE, type WireMessage } from './headers.js';
import type { JsonValue } from './json.js';
import { processInstanceIdOfStream } from './topics.js';
import { type Problem, type Schema, type Validated, checkObject, parseJsonValue, pickFields, rules } from './validation.js';

export interface EventEnvelope {
  /** The event's id in the event store, unique across the store: consumers dedupe by it. */
  readonly eventId: string;
  /** Past-tense event type (`ProcessInstanceCreated`, `DeploymentCreated`...). */
  readonly type: string;
  /** Version of the schema of `data` for this type (1 when the producer recorded none). */
  readonly schemaVersion: number;
  readonly streamId: string;
  /** 0-based position of the event in its stream. */
  readonly revision: number;
  /** Position in the store-wide log (starts at 1). */
  readonly position: number;
  /** For events of a process-instance stream (`process-instance-<id>`): the instance's id, also the message key. */
  readonly processInstanceId?: string;
  /** When the store recorded the event (ISO 8601). */
  readonly recordedAt: string;
  readonly data: JsonValue;
  readonly metadata: JsonValue | null;
}

const eventEnvelopeSchema: Schema = {
  eventId: { rule: rules.nonEmptyString },
  type: { rule: rules.nonEmptyString },
  schemaVersion: { rule: rules.positiveInteger },
  streamId: { rule: rules.nonEmptyString },
  revision: { rule: rules.nonNegativeInteger },
  position: { rule: rules.positiveInteger },
  processInstanceId: { rule: rules.nonEmptyString, optional: true },
  recordedAt: { rule: rules.isoTimestamp },
  data: { rule: rules.json },
  metadata: { rule: rules.json, optional: true },
};

/** Checks a parsed value against the envelope's schema (version 1). */
export function validateEventEnvelope(value: unknown): Validated<EventEnvelope> {
  const problems: Problem[] = checkObject(value, eventEnvelopeSchema);
  if (problems.length === 0) {
    const { streamId, processInstanceId } = value as { streamId: string; processInstanceId?: string };
    const fromStream = processInstanceIdOfStream(streamId);
    if (fromStream !== undefined && processInstanceId !== fromStream) {
      problems.push({ path: 'processInstanceId', message: `must be '${fromStream}', the id in streamId '${streamId}'` });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const envelope = pickFields<EventEnvelope>(value, eventEnvelopeSchema);
  return { ok: true, value: { ...envelope, metadata: envelope.metadata ?? null } };
}

/** Parses a received message value (JSON text or UTF-8 bytes) and validates it. */
export function decodeEventEnvelope(value: string | Uint8Array | null): Validated<EventEnvelope> {
  const parsed = parseJsonValue(value);
  return parsed.ok ? validateEventEnvelope(parsed.value) : parsed;
}

/** The shape of an event as the event store records it (`RecordedEvent` of @trellis/event-store). */
export interface RecordedEventLike {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly recordedAt: string;
  readonly data: JsonValue;
  readonly metadata: JsonValue | null;
}

/** The envelope of a recorded event. The schema version is read from `metadata.schemaVersion` (1 if absent). */
export function eventEnvelopeOf(recorded: RecordedEventLike): EventEnvelope {
  const metadata = recorded.metadata;
  const recordedVersion =
    typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) ? (metadata as { schemaVersion?: unknown }).schemaVersion : undefined;
  const schemaVersion = typeof recordedVersion === 'number' && Number.isSafeInteger(recordedVersion) && recordedVersion >= 1 ? recordedVersion : 1;
  const processInstanceId = processInstanceIdOfStream(recorded.streamId);
  return {
    eventId: recorded.id,
    type: recorded.type,
    schemaVersion,
    streamId: recorded.streamId,
    revision: recorded.revision,
    position: recorded.position,
    ...(processInstanceId === undefined ? {} : { processInstanceId }),
    recordedAt: recorded.recordedAt,
    data: recorded.data,
    metadata,
  };
}

/** The message for an envelope: keyed by process-instance id (by stream id for other streams), with its headers. */
export function eventMessageOf(envelope: EventEnvelope): WireMessage {
  return {
    key: envelope.processInstanceId ?? envelope.streamId,
    value: JSON.stringify(envelope),
    headers: {
      [HEADERS.eventId]: envelope.eventId,
      [HEADERS.type]: envelope.type,
      [HEADERS.schemaVersion]: String(envelope.schemaVersion),
      [HEADERS.contentType]: JSON_CONTENT_TYPE,
    },
  };
}
