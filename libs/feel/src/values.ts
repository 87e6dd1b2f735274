import { Decimal } from 'decimal.js';

/**
 * FEEL numbers are decimals with 34 significant digits (IEEE 754 decimal128), rounded half-even: `0.1 + 0.2 = 0.3`
 * holds, which JavaScript floats cannot give. A private clone keeps the global Decimal configuration untouched.
 */
export const FeelNumber = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type FeelNumber = Decimal;

/** A calendar date (proleptic Gregorian; years may be negative or beyond 9999, as FEEL allows). */
export class FeelDate {
  constructor(
    readonly year: number,
    readonly month: number,
    readonly day: number,
  ) {}
}

/** A time of day, local or with an offset (seconds east of UTC) or an IANA zone. */
export class FeelTime {
  constructor(
    readonly hour: number,
    readonly minute: number,
    readonly second: number,
    /** Fraction of the second in nanoseconds. */
    readonly nanosecond: number,
    /** Offset from UTC in seconds, or null for a local time (or a time whose offset comes from its zone). */
    readonly offset: number | null,
    readonly zone: string | null,
  ) {}
}

/** A date and a time of day; the time carries the offset or zone. */
export class FeelDateTime {
  constructor(
    readonly date: FeelDate,
    readonly time: FeelTime,
  ) {}
}

/** A years and months duration, kept as a signed count of months. */
export class YearsMonthsDuration {
  constructor(readonly months: number) {}
}

/** A days and time duration, kept as signed seconds (with the fraction as a decimal). */
export class DaysTimeDuration {
  constructor(readonly seconds: Decimal) {}
}

/** A range; a missing bound (null) is unbounded, as in `> 3`. */
export class FeelRange {
  constructor(
    readonly start: FeelValue,
    readonly end: FeelValue,
    readonly startIncluded: boolean,
    readonly endIncluded: boolean,
    /** Whether each bound was written; `< 3` has an unbounded start that is not `null` as a value of `start`. */
    readonly startUnbounded = false,
    readonly endUnbounded = false,
  ) {}
}

/** A FEEL context: an ordered map of names to values. */
export class FeelContext {
  constructor(readonly entries: ReadonlyMap<string, FeelValue>) {}

  static of(record: Record<string, FeelValue>): FeelContext {
    return new FeelContext(new Map(Object.entries(record)));
  }

  get(name: string): FeelValue | undefined {
    return this.entries.get(name);
  }
}

/** Named or positional arguments of an invocation. */
export type FeelArguments = { readonly positional: readonly FeelValue[] } | { readonly named: ReadonlyMap<string, FeelValue> };

/** A callable value: a built-in, a function definition, or one given by the caller. */
export class FeelFunction {
  constructor(
    /** Parameter names, for named invocation; a variadic built-in ends with `...`. */
    readonly parameters: readonly string[],
    readonly invoke: (args: FeelArguments, session: FeelSession) => FeelValue,
    readonly name = 'anonymous',
    readonly parameterTypes: readonly (FeelType | null)[] = [],
    readonly resultType: FeelType | null = null,
  ) {}
}

export type FeelTemporal = FeelDate | FeelTime | FeelDateTime;

export type FeelValue =
  | null
  | boolean
  | string
  | Decimal
  | FeelDate
  | FeelTime
  | FeelDateTime
  | YearsMonthsDuration
  | DaysTimeDuration
  | FeelRange
  | FeelContext
  | FeelFunction
  | readonly FeelValue[];

/** A FEEL type, as written after `instance of` or in a function's signature. */
export type FeelType =
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'list'; readonly item: FeelType }
  | { readonly kind: 'range'; readonly item: FeelType }
  | { readonly kind: 'context'; readonly entries: readonly { readonly name: string; readonly type: FeelType }[] }
  | { readonly kind: 'function'; readonly parameters: readonly FeelType[]; readonly result: FeelType };

/** Why a result is null: FEEL never throws, it gives null and says why. */
export interface FeelWarning {
  readonly code:
    | 'SYNTAX_ERROR'
    | 'NO_VARIABLE_FOUND'
    | 'NO_FUNCTION_FOUND'
    | 'INVALID_TYPE'
    | 'INVALID_ARGUMENT'
    | 'INVALID_PARAMETERS'
    | 'DIVISION_BY_ZERO'
    | 'NOT_A_NUMBER'
    | 'NO_CONTEXT_ENTRY_FOUND'
    | 'FUNCTION_INVOCATION_FAILURE';
  readonly message: string;
  /** Offset of the sub-expression in the text, from 0. */
  readonly position?: number;
}

/** What one evaluation carries along: the clock it was given and the warnings it collects. */
export interface FeelSession {
  readonly now: FeelDateTime | null;
  readonly warnings: FeelWarning[];
  warn(warning: FeelWarning): null;
}

export const isNumber = (value: FeelValue): value is Decimal => Decimal.isDecimal(value);
export const isList = (value: FeelValue): value is readonly FeelValue[] => Array.isArray(value);
export const isDuration = (value: FeelValue): value is YearsMonthsDuration | DaysTimeDuration =>
  value instanceof YearsMonthsDuration || value instanceof DaysTimeDuration;

/** The FEEL name of a value's type, as `instance of` and messages use it. */
export function typeNameOf(value: FeelValue): string {
  if (value === null) return 'Null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (isNumber(value)) return 'number';
  if (value instanceof FeelDate) return 'date';
  if (value instanceof FeelTime) return 'time';
  if (value instanceof FeelDateTime) return 'date and time';
  if (value instanceof YearsMonthsDuration) return 'years and months duration';
  if (value instanceof DaysTimeDuration) return 'days and time duration';
  if (value instanceof FeelRange) return 'range';
  if (value instanceof FeelContext) return 'context';
  if (value instanceof FeelFunction) return 'function';
  return 'list';
}
