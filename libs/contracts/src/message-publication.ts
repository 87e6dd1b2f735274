/**
 * Messages other services publish for process instances to catch (`TOPICS.messages`): the Kafka form of
 * `POST /api/messages`. The key is the correlation key, so the messages of one key stay in order in one partition.
 * The runtime correlates each to the waiting subscriptions with its name and key (buffering it while its time to live
 * lasts); one that matches nothing and has no time to live goes to the dead-letter topic with the reason.
 */
import { HEADERS, JSON_CONTENT_TYPE, type WireMessage } from './headers.js';
import type { JsonObject } from './json.js';
import { type Rule, type Schema, type Validated, checkObject, parseJsonValue, pickFields, rules } from './validation.js';

export interface MessagePublication {
  /** The message name a subscription waits for. */
  readonly name: string;
  /** Which subscription of that name: the value its correlation key expression gave. Also the Kafka key. */
  readonly correlationKey: string;
  readonly variables?: JsonObject;
  /** How long it waits for a subscription: milliseconds, or an ISO 8601 duration (`PT10M`). Default: 0. */
  readonly timeToLive?: number | string;
  /** Makes publishing idempotent: a second message with this id, name and key is ignored while the first is buffered. */
  readonly messageId?: string;
}

const jsonObject: Rule = (value) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? rules.json(value) : 'must be a JSON object');
const timeToLive: Rule = (value) =>
  (typeof value === 'number' && Number.isInteger(value) && value >= 0) || (typeof value === 'string' && /^P/.test(value.trim()))
    ? undefined
    : 'must be a whole number of milliseconds (at least 0) or an ISO 8601 duration such as PT10M';

const schema: Schema = {
  name: { rule: rules.nonEmptyString },
  correlationKey: { rule: rules.string },
  variables: { rule: jsonObject, optional: true },
  timeToLive: { rule: timeToLive, optional: true },
  messageId: { rule: rules.nonEmptyString, optional: true },
};

/** Checks a parsed value against the schema (version 1): every broken field at once. */
export function validateMessagePublication(value: unknown): Validated<MessagePublication> {
  const problems = checkObject(value, schema);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: pickFields<MessagePublication>(value, schema) };
}

/** Parses a received message value (JSON text or UTF-8 bytes) and validates it. */
export function decodeMessagePublication(value: string | Uint8Array | null): Validated<MessagePublication> {
  const parsed = parseJsonValue(value);
  return parsed.ok ? validateMessagePublication(parsed.value) : parsed;
}

/** The Kafka message for a publication: keyed by its correlation key. */
export function messagePublicationMessageOf(message: MessagePublication): WireMessage {
  return {
    key: message.correlationKey,
    value: JSON.stringify(message),
    headers: { [HEADERS.type]: 'MessagePublication', [HEADERS.contentType]: JSON_CONTENT_TYPE },
  };
}
