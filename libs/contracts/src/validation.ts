/**
 * Validation of received messages. A consumer validates every message on receipt, before acting on it; a message that
 * breaks its schema is not an exception but a list of problems, one per field, that a dead letter can carry.
 */
import type { JsonValue } from './json.js';

/** One broken rule. `path` names the field (`eventId`, `problems[0].path`), `(message)` the message as a whole. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly Problem[] };

export const ROOT_PATH = '(message)';

/** Returns what is wrong with a value, or undefined when the rule holds. */
export type Rule = (value: unknown) => string | undefined;

export interface FieldSpec {
  readonly rule: Rule;
  /** The field may be absent (or undefined). Present, it must satisfy the rule. */
  readonly optional?: boolean;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function isJsonValue(value: unknown, depth: number): boolean {
  if (depth > 200) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return false;
    return Object.values(value as Record<string, unknown>).every((item) => isJsonValue(item, depth + 1));
  }
  return false;
}

export const rules = {
  nonEmptyString: ((value) => (typeof value === 'string' && value.length > 0 ? undefined : 'must be a non-empty string')) as Rule,
  string: ((value) => (typeof value === 'string' ? undefined : 'must be a string')) as Rule,
  nonNegativeInteger: ((value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? undefined : 'must be an integer, 0 or more') as Rule,
  positiveInteger: ((value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? undefined : 'must be an integer, 1 or more') as Rule,
  /** Kafka offsets are 64-bit: carried as decimal text. */
  offset: ((value) => (typeof value === 'string' && /^(0|[1-9]\d*)$/.test(value) ? undefined : 'must be a decimal integer as text, 0 or more')) as Rule,
  isoTimestamp: ((value) =>
    typeof value === 'string' && ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))
      ? undefined
      : 'must be an ISO 8601 timestamp with a time zone, e.g. 2024-05-01T12:00:00.000Z') as Rule,
  json: ((value) => (isJsonValue(value, 0) ? undefined : 'must be a JSON value')) as Rule,
  stringRecord: ((value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string')
      ? undefined
      : 'must be an object of strings') as Rule,
  oneOf:
    (values: readonly string[]): Rule =>
    (value) =>
      typeof value === 'string' && values.includes(value) ? undefined : `must be one of ${values.map((v) => `'${v}'`).join(', ')}`,
  nullable:
    (rule: Rule): Rule =>
    (value) =>
      value === null ? undefined : rule(value),
};

export type Schema = Readonly<Record<string, FieldSpec>>;

/**
 * Checks an object against a schema: one problem per broken field, all of them at once. Fields the schema does not
 * name are ignored, so that a producer may add fields to a version without breaking older consumers.
 */
export function checkObject(value: unknown, schema: Schema, prefix = ''): Problem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: prefix === '' ? ROOT_PATH : prefix, message: 'must be a JSON object' }];
  }
  const record = value as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const [field, spec] of Object.entries(schema)) {
    const path = prefix === '' ? field : `${prefix}.${field}`;
    const fieldValue = Object.hasOwn(record, field) ? record[field] : undefined;
    if (fieldValue === undefined) {
      if (!spec.optional) problems.push({ path, message: 'is required' });
      continue;
    }
    const broken = spec.rule(fieldValue);
    if (broken !== undefined) problems.push({ path, message: broken });
  }
  return problems;
}

/** The schema's fields of a checked object, and only those (an unknown field never reaches a handler). */
export function pickFields<T>(value: unknown, schema: Schema): T {
  const record = value as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const field of Object.keys(schema)) {
    if (Object.hasOwn(record, field) && record[field] !== undefined) picked[field] = record[field];
  }
  return picked as T;
}

/** Message values arrive as bytes or text; JSON text that is not JSON is one problem on the whole message. */
export function parseJsonValue(value: string | Uint8Array | null): Validated<JsonValue> {
  if (value === null) return { ok: false, problems: [{ path: ROOT_PATH, message: 'has no value (a tombstone)' }] };
  let text: string;
  try {
    text = typeof value === 'string' ? value : new TextDecoder('utf-8', { fatal: true }).decode(value);
  } catch {
    return { ok: false, problems: [{ path: ROOT_PATH, message: 'is not UTF-8 text' }] };
  }
  try {
    return { ok: true, value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { ok: false, problems: [{ path: ROOT_PATH, message: `is not JSON: ${error instanceof Error ? error.message : String(error)}` }] };
  }
}

/** One line for logs and dead letters: `eventId: is required; revision: must be an integer, 0 or more`. */
export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
}
