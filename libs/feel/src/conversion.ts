import { Decimal } from 'decimal.js';
import { feelToString } from './semantics.js';
import { FeelContext, FeelDate, FeelDateTime, FeelFunction, FeelNumber, FeelRange, FeelTime, FeelValue, YearsMonthsDuration, DaysTimeDuration, isList, isNumber } from './values.js';

/** A JSON-like JavaScript value (as the engine stores variables) as a FEEL value. ISO strings stay strings. */
export function toFeelValue(value: unknown): FeelValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? new FeelNumber(value) : null;
  if (typeof value === 'bigint') return new FeelNumber(value.toString());
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Decimal.isDecimal(value)) return new FeelNumber(value);
  if (
    value instanceof FeelDate ||
    value instanceof FeelTime ||
    value instanceof FeelDateTime ||
    value instanceof YearsMonthsDuration ||
    value instanceof DaysTimeDuration ||
    value instanceof FeelRange ||
    value instanceof FeelContext ||
    value instanceof FeelFunction
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map(toFeelValue);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return new FeelContext(new Map(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, toFeelValue(item)])));
  }
  return null;
}

/** A FEEL value as JSON-like JavaScript: numbers as JS numbers, temporal values and durations as ISO 8601 text, ranges and functions as null. */
export function fromFeelValue(value: FeelValue): unknown {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (isNumber(value)) return value.toNumber();
  if (isList(value)) return value.map(fromFeelValue);
  if (value instanceof FeelContext) return Object.fromEntries([...value.entries].map(([key, item]) => [key, fromFeelValue(item)]));
  if (value instanceof FeelRange || value instanceof FeelFunction) return null;
  return feelToString(value);
}
