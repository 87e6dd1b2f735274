import { Decimal } from 'decimal.js';
import {
  addMonths,
  dateTimeFromLocalSeconds,
  epochDay,
  formatDate,
  formatDateTime,
  formatDaysTime,
  formatTime,
  formatYearsMonths,
  instantOf,
  localSecondsOf,
  offsetOf,
  secondOfDay,
  timeFromSecondOfDay,
  timeValue,
  zoneOffsetAt,
} from './temporal.js';
import {
  DaysTimeDuration,
  FeelContext,
  FeelDate,
  FeelDateTime,
  FeelFunction,
  FeelNumber,
  FeelRange,
  FeelTime,
  FeelType,
  FeelValue,
  YearsMonthsDuration,
  isList,
  isNumber,
  typeNameOf,
} from './values.js';

/** Why an operation gave null; the interpreter turns it into a warning. */
export class FeelFailure {
  constructor(
    readonly code: 'INVALID_TYPE' | 'DIVISION_BY_ZERO' | 'NOT_A_NUMBER' | 'INVALID_ARGUMENT',
    readonly message: string,
  ) {}
}

export type Outcome = FeelValue | FeelFailure;

const mismatch = (operation: string, a: FeelValue, b: FeelValue): FeelFailure =>
  new FeelFailure('INVALID_TYPE', `Cannot ${operation} ${typeNameOf(a)} and ${typeNameOf(b)}`);

const MAX_DECIMAL = new FeelNumber('1e6145');

/** Keeps a number within decimal128's range; beyond it the result is null, as a Java BigDecimal(DECIMAL128) overflows. */
export function checkNumber(value: Decimal): Outcome {
  if (!value.isFinite() || value.abs().gte(MAX_DECIMAL)) return new FeelFailure('NOT_A_NUMBER', 'The result is not a finite number');
  return value;
}

const dateToDateTime = (date: FeelDate): FeelDateTime => new FeelDateTime(date, new FeelTime(0, 0, 0, 0, 0, null));

/** FEEL `=`: null only equals null; values of different types are not comparable (null). */
export function feelEquals(a: FeelValue, b: FeelValue): boolean | null {
  if (a === null || b === null) return a === b;
  if (isNumber(a) && isNumber(b)) return a.eq(b);
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b;
  if (a instanceof FeelDate && b instanceof FeelDate) return epochDay(a) === epochDay(b);
  if ((a instanceof FeelDateTime && b instanceof FeelDateTime) || (a instanceof FeelTime && b instanceof FeelTime)) {
    // A local value and one with an offset or zone are not comparable.
    const order = compareTemporal(a, b);
    return order === null ? null : order === 0;
  }
  if (a instanceof YearsMonthsDuration && b instanceof YearsMonthsDuration) return a.months === b.months;
  if (a instanceof DaysTimeDuration && b instanceof DaysTimeDuration) return a.seconds.eq(b.seconds);
  if (isList(a) && isList(b)) {
    if (a.length !== b.length) return false;
    let result: boolean | null = true;
    for (let i = 0; i < a.length; i++) {
      const same = feelEquals(a[i], b[i]);
      if (same === false) return false;
      if (same === null) result = null;
    }
    return result;
  }
  if (a instanceof FeelContext && b instanceof FeelContext) {
    if (a.entries.size !== b.entries.size) return false;
    for (const [key, value] of a.entries) {
      if (!b.entries.has(key)) return false;
      const same = feelEquals(value, b.entries.get(key) ?? null);
      if (same !== true) return same;
    }
    return true;
  }
  if (a instanceof FeelRange && b instanceof FeelRange) {
    return (
      a.startIncluded === b.startIncluded &&
      a.endIncluded === b.endIncluded &&
      a.startUnbounded === b.startUnbounded &&
      a.endUnbounded === b.endUnbounded &&
      feelEquals(a.start, b.start) === true &&
      feelEquals(a.end, b.end) === true
    );
  }
  if (a instanceof FeelFunction && b instanceof FeelFunction) return a === b;
  // A singleton list and its item are not equal in FEEL 1.5; values of other types never are.
  return null;
}

function compareTemporal(a: FeelDateTime | FeelTime, b: FeelDateTime | FeelTime): number | null {
  if (a instanceof FeelDateTime && b instanceof FeelDateTime) {
    const aLocal = offsetOf(a) === null;
    const bLocal = offsetOf(b) === null;
    if (aLocal !== bLocal) return null;
    return instantOf(a).comparedTo(instantOf(b));
  }
  if (a instanceof FeelTime && b instanceof FeelTime) {
    const aLocal = a.offset === null && a.zone === null;
    const bLocal = b.offset === null && b.zone === null;
    if (aLocal !== bLocal) return null;
    return timeValue(a).comparedTo(timeValue(b));
  }
  return null;
}

/** Orders two values of the same ordered type; null when they are not comparable. */
export function feelCompare(a: FeelValue, b: FeelValue): number | null {
  if (a === null || b === null) return null;
  if (isNumber(a) && isNumber(b)) return a.comparedTo(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof FeelDate && b instanceof FeelDate) return Math.sign(epochDay(a) - epochDay(b));
  if (a instanceof FeelDate && b instanceof FeelDateTime) return compareTemporal(dateToDateTime(a), b);
  if (a instanceof FeelDateTime && b instanceof FeelDate) return compareTemporal(a, dateToDateTime(b));
  if ((a instanceof FeelDateTime && b instanceof FeelDateTime) || (a instanceof FeelTime && b instanceof FeelTime)) return compareTemporal(a, b);
  if (a instanceof YearsMonthsDuration && b instanceof YearsMonthsDuration) return Math.sign(a.months - b.months);
  if (a instanceof DaysTimeDuration && b instanceof DaysTimeDuration) return a.seconds.comparedTo(b.seconds);
  return null;
}

function addDaysTime(value: FeelDateTime, seconds: Decimal): FeelDateTime {
  if (value.time.zone !== null) {
    // In a zone, durations move the instant; the local fields follow the zone's offset at the new instant.
    const instant = instantOf(value).plus(seconds);
    const offset = zoneOffsetAt(value.time.zone, instant.floor().toNumber());
    return dateTimeFromLocalSeconds(instant.plus(offset), null, value.time.zone);
  }
  return dateTimeFromLocalSeconds(localSecondsOf(value).plus(seconds), value.time.offset, value.time.zone);
}

function addMonthsToDateTime(value: FeelDateTime, months: number): FeelDateTime | null {
  const date = addMonths(value.date, months);
  return date ? new FeelDateTime(date, value.time) : null;
}

export function add(a: FeelValue, b: FeelValue): Outcome {
  if (a === null || b === null) return null;
  if (isNumber(a) && isNumber(b)) return checkNumber(a.plus(b));
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (a instanceof YearsMonthsDuration && b instanceof YearsMonthsDuration) return new YearsMonthsDuration(a.months + b.months);
  if (a instanceof DaysTimeDuration && b instanceof DaysTimeDuration) return new DaysTimeDuration(a.seconds.plus(b.seconds));
  if ((a instanceof YearsMonthsDuration || a instanceof DaysTimeDuration) && !(b instanceof YearsMonthsDuration || b instanceof DaysTimeDuration)) return add(b, a);
  if (a instanceof FeelDateTime) {
    if (b instanceof YearsMonthsDuration) return addMonthsToDateTime(a, b.months);
    if (b instanceof DaysTimeDuration) return addDaysTime(a, b.seconds);
  }
  if (a instanceof FeelDate) {
    if (b instanceof YearsMonthsDuration) return addMonths(a, b.months);
    if (b instanceof DaysTimeDuration) {
      const moved = dateTimeFromLocalSeconds(new FeelNumber(epochDay(a)).times(86400).plus(b.seconds), null, null);
      return moved.date;
    }
  }
  if (a instanceof FeelTime && b instanceof DaysTimeDuration) return timeFromSecondOfDay(secondOfDay(a).plus(b.seconds), a.offset, a.zone);
  return mismatch('add', a, b);
}

const negateDuration = (d: YearsMonthsDuration | DaysTimeDuration): YearsMonthsDuration | DaysTimeDuration =>
  d instanceof YearsMonthsDuration ? new YearsMonthsDuration(-d.months || 0) : new DaysTimeDuration(d.seconds.negated());

export function subtract(a: FeelValue, b: FeelValue): Outcome {
  if (a === null || b === null) return null;
  if (isNumber(a) && isNumber(b)) return checkNumber(a.minus(b));
  if (a instanceof FeelDateTime || a instanceof FeelDate) {
    if (b instanceof FeelDateTime || b instanceof FeelDate) {
      const left = a instanceof FeelDate ? dateToDateTime(a) : a;
      const right = b instanceof FeelDate ? dateToDateTime(b) : b;
      // A date counts as its midnight UTC, so it cannot be subtracted from a local date and time either.
      if ((offsetOf(left) === null) !== (offsetOf(right) === null)) {
        return new FeelFailure('INVALID_TYPE', 'Cannot subtract a date and time with a time zone and one without');
      }
      if (a instanceof FeelDate && b instanceof FeelDate) return new DaysTimeDuration(new FeelNumber(epochDay(a) - epochDay(b)).times(86400));
      return new DaysTimeDuration(instantOf(left).minus(instantOf(right)));
    }
    if (b instanceof YearsMonthsDuration || b instanceof DaysTimeDuration) return add(a, negateDuration(b));
  }
  if (a instanceof FeelTime) {
    if (b instanceof FeelTime) {
      if ((a.offset === null && a.zone === null) !== (b.offset === null && b.zone === null)) return mismatch('subtract', a, b);
      return new DaysTimeDuration(timeValue(a).minus(timeValue(b)));
    }
    if (b instanceof DaysTimeDuration) return add(a, negateDuration(b));
  }
  if (a instanceof YearsMonthsDuration && b instanceof YearsMonthsDuration) return new YearsMonthsDuration(a.months - b.months);
  if (a instanceof DaysTimeDuration && b instanceof DaysTimeDuration) return new DaysTimeDuration(a.seconds.minus(b.seconds));
  return mismatch('subtract', a, b);
}

export function multiply(a: FeelValue, b: FeelValue): Outcome {
  if (a === null || b === null) return null;
  if (isNumber(a) && isNumber(b)) return checkNumber(a.times(b));
  if (isNumber(a) && (b instanceof YearsMonthsDuration || b instanceof DaysTimeDuration)) return multiply(b, a);
  if (a instanceof YearsMonthsDuration && isNumber(b)) return new YearsMonthsDuration(a.months * b.toNumber() >= 0 ? Math.floor(a.months * b.toNumber()) : Math.ceil(a.months * b.toNumber()));
  if (a instanceof DaysTimeDuration && isNumber(b)) return new DaysTimeDuration(a.seconds.times(b));
  return mismatch('multiply', a, b);
}

export function divide(a: FeelValue, b: FeelValue): Outcome {
  if (a === null || b === null) return null;
  if (isNumber(b) && b.isZero() && (isNumber(a) || a instanceof YearsMonthsDuration || a instanceof DaysTimeDuration)) {
    return new FeelFailure('DIVISION_BY_ZERO', 'Division by zero');
  }
  if (isNumber(a) && isNumber(b)) return checkNumber(a.dividedBy(b));
  if (a instanceof YearsMonthsDuration && isNumber(b)) {
    const months = new FeelNumber(a.months).dividedBy(b).toNumber();
    return new YearsMonthsDuration(months >= 0 ? Math.floor(months) : Math.ceil(months));
  }
  if (a instanceof DaysTimeDuration && isNumber(b)) return new DaysTimeDuration(a.seconds.dividedBy(b));
  if (a instanceof YearsMonthsDuration && b instanceof YearsMonthsDuration) {
    return b.months === 0 ? new FeelFailure('DIVISION_BY_ZERO', 'Division by zero') : new FeelNumber(a.months).dividedBy(b.months);
  }
  if (a instanceof DaysTimeDuration && b instanceof DaysTimeDuration) {
    return b.seconds.isZero() ? new FeelFailure('DIVISION_BY_ZERO', 'Division by zero') : a.seconds.dividedBy(b.seconds);
  }
  return mismatch('divide', a, b);
}

export function power(a: FeelValue, b: FeelValue): Outcome {
  if (a === null || b === null) return null;
  if (isNumber(a) && isNumber(b)) {
    if (a.isZero() && b.isNegative()) return new FeelFailure('DIVISION_BY_ZERO', 'Zero raised to a negative power');
    return checkNumber(a.pow(b));
  }
  return mismatch('exponentiate', a, b);
}

export function negate(a: FeelValue): Outcome {
  if (a === null) return null;
  if (isNumber(a)) return a.negated();
  if (a instanceof YearsMonthsDuration || a instanceof DaysTimeDuration) return negateDuration(a);
  return new FeelFailure('INVALID_TYPE', `Cannot negate ${typeNameOf(a)}`);
}

/** A number as FEEL writes it: plain digits, no exponent, no trailing zeros. */
export const formatNumber = (value: Decimal): string => (value.isZero() ? '0' : value.toFixed());

/** The text `string(value)` gives. */
export function feelToString(value: FeelValue, nested = false): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return nested ? JSON.stringify(value) : value;
  if (typeof value === 'boolean') return String(value);
  if (isNumber(value)) return formatNumber(value);
  if (value instanceof FeelDate) return formatDate(value);
  if (value instanceof FeelTime) return formatTime(value);
  if (value instanceof FeelDateTime) return formatDateTime(value);
  if (value instanceof YearsMonthsDuration) return formatYearsMonths(value);
  if (value instanceof DaysTimeDuration) return formatDaysTime(value);
  if (isList(value)) return `[${value.map((item) => feelToString(item, true)).join(', ')}]`;
  if (value instanceof FeelContext) {
    return `{${[...value.entries].map(([key, item]) => `${key}: ${feelToString(item, true)}`).join(', ')}}`;
  }
  if (value instanceof FeelRange) {
    const start = value.startUnbounded ? '' : feelToString(value.start, true);
    const end = value.endUnbounded ? '' : feelToString(value.end, true);
    return `${value.startIncluded ? '[' : '('}${start}..${end}${value.endIncluded ? ']' : ')'}`;
  }
  return `function(${value.parameters.join(', ')})`;
}

/** Whether a value is in a range (null when the value cannot be compared with the bounds). */
export function rangeIncludes(range: FeelRange, value: FeelValue): boolean | null {
  if (value === null) return null;
  // `=x` is the range [x..x]: it tests equality, also for values that have no order (booleans, lists).
  if (range.startIncluded && range.endIncluded && range.start !== null && range.start === range.end) return feelEquals(value, range.start);
  if (!range.startUnbounded) {
    const c = feelCompare(value, range.start);
    if (c === null) return null;
    if (c < 0 || (c === 0 && !range.startIncluded)) return false;
  }
  if (!range.endUnbounded) {
    const c = feelCompare(value, range.end);
    if (c === null) return null;
    if (c > 0 || (c === 0 && !range.endIncluded)) return false;
  }
  return true;
}

export const namedType = (name: string): FeelType => ({ kind: 'named', name });

/** `instance of`: whether a value conforms to a type. */
export function conformsTo(value: FeelValue, type: FeelType): boolean {
  switch (type.kind) {
    case 'named': {
      const name = type.name;
      if (name === 'Any') return value !== null;
      if (name === 'Null') return value === null;
      if (value === null) return false;
      if (name === 'date and time' && value instanceof FeelDateTime) return true;
      return typeNameOf(value) === name;
    }
    case 'list':
      return isList(value) && value.every((item) => item === null || conformsTo(item, type.item));
    case 'range':
      return (
        value instanceof FeelRange &&
        (value.startUnbounded || value.start === null || conformsTo(value.start, type.item)) &&
        (value.endUnbounded || value.end === null || conformsTo(value.end, type.item))
      );
    case 'context':
      return (
        value instanceof FeelContext &&
        type.entries.every((entry) => {
          const item = value.entries.get(entry.name);
          return item !== undefined && (item === null || conformsTo(item, entry.type));
        })
      );
    case 'function':
      if (!(value instanceof FeelFunction)) return false;
      // A function without declared types (a built-in with its several signatures) cannot be checked further.
      if (value.parameterTypes.length === 0) return true;
      return (
        value.parameterTypes.length === type.parameters.length &&
        type.parameters.every((p, i) => isSubtype(p, value.parameterTypes[i])) &&
        (value.resultType === null || isSubtype(value.resultType, type.result))
      );
  }
}

/** Whether every value of `a` is a value of `b` (types of function parameters are contravariant). */
export function isSubtype(a: FeelType, b: FeelType | null): boolean {
  if (b === null) return true;
  if (b.kind === 'named' && b.name === 'Any') return true;
  if (a.kind === 'named' && a.name === 'Null') return true;
  if (a.kind !== b.kind) return false;
  if (a.kind === 'named' && b.kind === 'named') return a.name === b.name;
  if ((a.kind === 'list' || a.kind === 'range') && (b.kind === 'list' || b.kind === 'range')) return isSubtype(a.item, b.item);
  if (a.kind === 'context' && b.kind === 'context') return b.entries.every((e) => a.entries.some((x) => x.name === e.name && isSubtype(x.type, e.type)));
  if (a.kind === 'function' && b.kind === 'function') {
    return a.parameters.length === b.parameters.length && b.parameters.every((p, i) => isSubtype(p, a.parameters[i])) && isSubtype(a.result, b.result);
  }
  return false;
}

/**
 * Coerces a value to a declared type, as DMN does for parameters and typed variables: a singleton list becomes its
 * item, an item becomes a singleton list; otherwise a value of another type becomes null.
 */
export function coerce(value: FeelValue, type: FeelType | null): { value: FeelValue; ok: boolean } {
  if (type === null || value === null) return { value, ok: true };
  if (conformsTo(value, type)) return { value, ok: true };
  if (type.kind === 'list' && conformsTo(value, type.item)) return { value: [value], ok: true };
  if (isList(value) && value.length === 1 && conformsTo(value[0], type)) return { value: value[0], ok: true };
  if (type.kind === 'named' && type.name === 'date and time' && value instanceof FeelDate) return { value: dateToDateTime(value), ok: true };
  return { value: null, ok: false };
}
