import type { JsonObject, JsonValue } from '@trellis/engine';

import { parseCamundaDate } from './camunda-dates.js';
import { invalidRequest } from './camunda-rest.error.js';

/** A Camunda 7 variable as its REST API carries it: `{ "value": 42, "type": "Integer" }`. */
export interface TypedValue {
  readonly value: JsonValue;
  readonly type: string;
  readonly valueInfo: Readonly<Record<string, JsonValue>>;
}

const INT_RANGE = { Integer: 2 ** 31, Short: 2 ** 15 } as const;
const JAVA_TYPES: Readonly<Record<string, string>> = {
  Integer: 'java.lang.Integer',
  Long: 'java.lang.Long',
  Short: 'java.lang.Short',
  Double: 'java.lang.Double',
  Boolean: 'java.lang.Boolean',
  String: 'java.lang.String',
  Date: 'java.util.Date',
};
/** The type names Camunda spells with a capital, by their lower-case form: Camunda reads them case-insensitively. */
const TYPE_NAMES = new Map(['String', 'Boolean', 'Integer', 'Long', 'Short', 'Double', 'Json', 'Object', 'Null', 'Date'].map((name) => [name.toLowerCase(), name]));

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function cannotConvert(value: unknown, type: string): Error {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return invalidRequest(`Cannot convert value '${shown}' of type '${type}' to java type ${JAVA_TYPES[type] ?? type}`);
}

function number(value: unknown, type: string): number {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed)) throw cannotConvert(value, type);
  if (type === 'Double') return parsed;
  if (!Number.isInteger(parsed)) throw cannotConvert(value, type);
  const range = type === 'Integer' || type === 'Short' ? INT_RANGE[type] : undefined;
  if (range !== undefined ? parsed < -range || parsed >= range : !Number.isSafeInteger(parsed)) throw cannotConvert(value, type);
  return parsed;
}

function serializedJson(value: unknown, type: string): JsonValue {
  if (typeof value !== 'string') throw cannotConvert(value, type);
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    throw invalidRequest(`Cannot deserialize value of variable type '${type}': it is not JSON: ${value.length > 80 ? `${value.slice(0, 80)}…` : value}`);
  }
}

/**
 * The JSON value a typed Camunda variable stands for. Trellis variables are JSON values, so numbers of every width
 * become numbers (their range checked), `Json` and `Object` (serialized as `application/json`) their parsed value, and a
 * `Date` its UTC ISO 8601 text. Without a type, the JSON value is taken as it is (as Camunda does for untyped values).
 */
export function valueOfTyped(name: string, typed: unknown): JsonValue {
  if (!isObject(typed)) throw invalidRequest(`Variable '${name}' must be an object with 'value' and 'type', not ${JSON.stringify(typed)}`);
  const value = typed['value'] as JsonValue | undefined;
  const rawType = typed['type'];
  if (rawType === undefined || rawType === null) return value ?? null;
  if (typeof rawType !== 'string') throw invalidRequest(`Variable '${name}' has a type that is not a string: ${JSON.stringify(rawType)}`);
  const type = TYPE_NAMES.get(rawType.toLowerCase());
  if (type === undefined) throw invalidRequest(`Unsupported value type '${rawType}' of variable '${name}'`);
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'Null':
      return null;
    case 'String':
      if (typeof value !== 'string') throw cannotConvert(value, type);
      return value;
    case 'Boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw cannotConvert(value, type);
    case 'Integer':
    case 'Long':
    case 'Short':
    case 'Double':
      return number(value, type);
    case 'Json':
      return serializedJson(value, type);
    case 'Object': {
      const valueInfo = isObject(typed['valueInfo']) ? typed['valueInfo'] : {};
      const format = valueInfo['serializationDataFormat'];
      if (format !== undefined && format !== 'application/json') {
        throw invalidRequest(`Variable '${name}': only objects serialized as application/json are supported, not ${String(format)}`);
      }
      return serializedJson(value, type);
    }
    case 'Date': {
      const iso = typeof value === 'string' ? parseCamundaDate(value) : undefined;
      if (iso === undefined) throw cannotConvert(value, type);
      return iso;
    }
  }
  throw invalidRequest(`Unsupported value type '${rawType}' of variable '${name}'`);
}

/** The variables of a Camunda request (`{ "amount": { "value": 5, "type": "Integer" } }`) as Trellis variables. */
export function variablesOfTyped(typed: unknown, field = 'variables'): JsonObject {
  if (typed === undefined || typed === null) return {};
  if (!isObject(typed)) throw invalidRequest(`${field} must be a JSON object of variables, not ${JSON.stringify(typed)}`);
  const variables: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(typed)) variables[name] = valueOfTyped(name, value);
  return variables;
}

/**
 * A Trellis variable as Camunda types it: text `String`, true/false `Boolean`, whole numbers `Integer` (or `Long` past
 * 32 bits), other numbers `Double`, null `Null`, objects and arrays `Json` (serialized, as Camunda Spin's JSON values).
 */
export function typedValueOf(value: JsonValue): TypedValue {
  if (value === null) return { type: 'Null', value: null, valueInfo: {} };
  switch (typeof value) {
    case 'string':
      return { type: 'String', value, valueInfo: {} };
    case 'boolean':
      return { type: 'Boolean', value, valueInfo: {} };
    case 'number':
      if (!Number.isInteger(value)) return { type: 'Double', value, valueInfo: {} };
      return { type: value >= -INT_RANGE.Integer && value < INT_RANGE.Integer ? 'Integer' : 'Long', value, valueInfo: {} };
    default:
      return { type: 'Json', value: JSON.stringify(value), valueInfo: {} };
  }
}

/** Every variable typed, by name. */
export function typedValuesOf(variables: JsonObject): Record<string, TypedValue> {
  const typed: Record<string, TypedValue> = {};
  for (const [name, value] of Object.entries(variables)) typed[name] = typedValueOf(value);
  return typed;
}
