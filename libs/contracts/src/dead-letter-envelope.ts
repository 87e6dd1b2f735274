/**
 * What goes to the dead-letter topic when a consumer cannot handle a message: the original message, untouched and
 * findable (topic, partition, offset), and why. An operator can fix the cause and republish `value` to `originalTopic`.
 */
import { HEADERS, JSON_CONTENT_TYPE, type WireMessage } from './headers.js';
import { type Problem, type Rule, type Schema, type Validated, checkObject, parseJsonValue, pickFields, rules } from './validation.js';

export const DEAD_LETTER_REASONS = [
  /** The message broke its schema (or was not JSON): `problems` names each field. Retrying cannot help. */
  'invalid-message',
  /** The handler refused it with an error marked non-retriable (a command for an unknown instance...). */
  'rejected',
  /** The handler kept failing with a retriable error until the retry policy gave up. */
  'retries-exhausted',
] as const;

export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export interface DeadLetterEnvelope {
  readonly reason: DeadLetterReason;
  /** The error's message, or the problems in one line for an invalid message. */
  readonly error: string;
  /** For `invalid-message`: each broken field. */
  readonly problems?: readonly Problem[];
  /** How many times the handler was called (0 for an invalid message). */
  readonly attempts: number;
  readonly originalTopic: string;
  readonly partition: number;
  /** The original message's offset in its partition (decimal text: Kafka offsets are 64-bit). */
  readonly offset: string;
  readonly key: string | null;
  /** The original value: as text when it was UTF-8, else base64 (`valueEncoding`). Null for a tombstone. */
  readonly value: string | null;
  readonly valueEncoding: 'utf8' | 'base64';
  readonly headers: Readonly<Record<string, string>>;
  /** The consumer group that gave up on it. */
  readonly consumerGroup: string;
  /** When it was dead-lettered (ISO 8601). */
  readonly failedAt: string;
}

const problemsRule: Rule = (value) => {
  if (!Array.isArray(value)) return 'must be an array of { path, message }';
  const broken = value.findIndex(
    (item) =>
      typeof item !== 'object' || item === null || typeof (item as Problem).path !== 'string' || typeof (item as Problem).message !== 'string',
  );
  return broken === -1 ? undefined : `[${broken}] must be { path: string, message: string }`;
};

const deadLetterSchema: Schema = {
  reason: { rule: rules.oneOf(DEAD_LETTER_REASONS) },
  error: { rule: rules.string },
  problems: { rule: problemsRule, optional: true },
  attempts: { rule: rules.nonNegativeInteger },
  originalTopic: { rule: rules.nonEmptyString },
  partition: { rule: rules.nonNegativeInteger },
  offset: { rule: rules.offset },
  key: { rule: rules.nullable(rules.string) },
  value: { rule: rules.nullable(rules.string) },
  valueEncoding: { rule: rules.oneOf(['utf8', 'base64']) },
  headers: { rule: rules.stringRecord },
  consumerGroup: { rule: rules.nonEmptyString },
  failedAt: { rule: rules.isoTimestamp },
};

export function validateDeadLetterEnvelope(value: unknown): Validated<DeadLetterEnvelope> {
  const problems = checkObject(value, deadLetterSchema);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: pickFields<DeadLetterEnvelope>(value, deadLetterSchema) };
}

export function decodeDeadLetterEnvelope(value: string | Uint8Array | null): Validated<DeadLetterEnvelope> {
  const parsed = parseJsonValue(value);
  return parsed.ok ? validateDeadLetterEnvelope(parsed.value) : parsed;
}

/** The dead letter's message: under the original key (so dead letters of one key stay in order), with its headers. */
export function deadLetterMessageOf(envelope: DeadLetterEnvelope): WireMessage {
  return {
    key: envelope.key,
    value: JSON.stringify(envelope),
    headers: {
      ...envelope.headers,
      [HEADERS.deadLetterReason]: envelope.reason,
      [HEADERS.originalTopic]: envelope.originalTopic,
      [HEADERS.contentType]: JSON_CONTENT_TYPE,
    },
  };
}
