import {
  DaysTimeDuration,
  FeelContext,
  FeelDate,
  FeelDateTime,
  FeelFunction,
  FeelRange,
  FeelTime,
  YearsMonthsDuration,
  feelToString,
  isList,
  isNumber,
  parseExpression as parseFeelExpression,
  parseTemporalLiteral,
  toFeelValue,
  type FeelExpression,
  type FeelValue,
  type FeelWarning,
} from '@trellis/feel';
import type { JsonValue } from '../model/json.js';
import { err, ok, type Result } from '../result.js';
import type { EvaluationContext, ExpressionFailure } from './expression-evaluator.js';

/** A FEEL result with the warnings FEEL attached to it (why a value turned out null, mostly). */
export interface FeelOutcome {
  readonly value: JsonValue;
  readonly warnings: readonly string[];
}

/** Checks FEEL syntax; the error says where the expression stops making sense. */
export function checkFeelSyntax(source: string): Result<void, string> {
  // Compiling now also fills the cache, so the first evaluation does not parse.
  const compiled = compile(source);
  return compiled.ok ? ok(undefined) : err(`Invalid FEEL expression '=${source}': ${compiled.error}`);
}

/**
 * Expressions compiled once per source text (@trellis/feel compiles the syntax tree into closures), at deployment when
 * the model is checked, and again only after a restart or when the bound below was reached.
 */
const compiledBySource = new Map<string, Result<FeelExpression, string>>();
/** Expressions come from deployed models, so the set is small; the bound only guards against generated sources. */
const MAX_COMPILED = 10_000;

function compile(source: string): Result<FeelExpression, string> {
  const cached = compiledBySource.get(source);
  if (cached !== undefined) return cached;
  const parsed = parseFeelExpression(source);
  // `Unexpected '*'` becomes `unexpected '*' at position 8`: the engine counts positions from 0 after the `=`.
  const compiled: Result<FeelExpression, string> = parsed.ok
    ? ok(parsed.value)
    : err(`${parsed.error.message.charAt(0).toLowerCase()}${parsed.error.message.slice(1)} at position ${parsed.error.position}`);
  if (compiledBySource.size >= MAX_COMPILED) compiledBySource.clear();
  compiledBySource.set(source, compiled);
  return compiled;
}

/** `now()` and `today()` answer with the decision's time; consecutive evaluations of one step share it. */
let lastNow: { readonly text: string; readonly value: FeelDateTime | undefined } = { text: '', value: undefined };

function feelNow(text: string): FeelDateTime | undefined {
  if (lastNow.text !== text) {
    const parsed = parseTemporalLiteral(text);
    lastNow = { text, value: parsed instanceof FeelDateTime ? parsed : undefined };
  }
  return lastNow.value;
}

/** A variable lookup that failed (the store, not FEEL): it must become a failure, not a null FEEL would carry on with. */
class LookupFailure {
  constructor(readonly cause: unknown) {}
}

export function evaluateFeel(source: string, context: EvaluationContext): Result<FeelOutcome, ExpressionFailure> {
  const expression = `=${source}`;
  const compiled = compile(source);
  if (!compiled.ok) return err({ message: `Failed to evaluate FEEL expression '${expression}': ${compiled.error}`, expression });
  const feel = compiled.value;
  let failure: LookupFailure | undefined;
  const variables = (name: string): FeelValue | undefined => {
    // Process variables hold JSON, never functions: a name the expression only calls (`count(items)`) is the built-in
    // even when a variable has that name.
    if (!feel.names.variables.has(name)) return undefined;
    try {
      const value = context.variables(name);
      return value === undefined ? undefined : toFeelValue(value);
    } catch (error) {
      failure = new LookupFailure(error);
      throw error;
    }
  };
  const now = feelNow(context.now);
  const { value, warnings } = feel.evaluate(variables, now === undefined ? {} : { now });
  if (failure !== undefined) {
    return err({ message: `Failed to evaluate FEEL expression '${expression}': ${describe(failure.cause)}`, expression });
  }
  const json = toJson(value);
  if (!json.ok) {
    return err({ message: `Expression '${expression}' returned ${json.error}, which cannot be stored as a variable`, expression });
  }
  // A path over a list warns once per item (`items.k`): an incident message needs each reason once.
  return ok({ value: json.value, warnings: [...new Set(warnings.map(formatWarning))] });
}

/** `[NO_VARIABLE_FOUND] No variable found with name 'amount' (at position 0)`, the position counted after the `=`. */
function formatWarning(warning: FeelWarning): string {
  return `[${warning.code}] ${warning.message}${warning.position === undefined ? '' : ` (at position ${warning.position})`}`;
}

/**
 * FEEL values as variables can hold them. Numbers are decimals in FEEL and JavaScript numbers in JSON: a result becomes
 * the nearest JavaScript number (exact up to 15 significant digits and for integers up to 2^53), and one beyond its
 * range (`10 ** 400`) becomes null. Temporal values become their ISO 8601 text.
 */
function toJson(value: FeelValue): Result<JsonValue, string> {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return ok(value);
  if (isNumber(value)) {
    const number = value.toNumber();
    return ok(Number.isFinite(number) ? number : null);
  }
  if (
    value instanceof FeelDate ||
    value instanceof FeelTime ||
    value instanceof FeelDateTime ||
    value instanceof YearsMonthsDuration ||
    value instanceof DaysTimeDuration
  ) {
    return ok(feelToString(value));
  }
  if (value instanceof FeelFunction) return err('a function');
  if (value instanceof FeelRange) return err('a range');
  if (isList(value)) {
    const list: JsonValue[] = [];
    for (const item of value) {
      const converted = toJson(item);
      if (!converted.ok) return converted;
      list.push(converted.value);
    }
    return ok(list);
  }
  if (value instanceof FeelContext) {
    const object: { [key: string]: JsonValue } = {};
    for (const [key, entry] of value.entries) {
      const converted = toJson(entry);
      if (!converted.ok) return converted;
      // defineProperty, not assignment: a FEEL context may have an entry named `__proto__`.
      Object.defineProperty(object, key, { value: converted.value, enumerable: true, writable: true, configurable: true });
    }
    return ok(object);
  }
  return err('a value JSON cannot hold');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
