import { evaluateExpression, evaluateUnaryTests } from '../feel.js';
import { toFeelValue } from '../conversion.js';
import { feelToString } from '../semantics.js';
import { FeelDateTime, FeelValue } from '../values.js';
import { parseDateTime } from '../temporal.js';

const contextOf = (variables: Record<string, unknown>): Map<string, FeelValue> =>
  new Map(Object.entries(variables).map(([key, value]) => [key, toFeelValue(value)]));

/** The value of an expression as FEEL writes it (`string(...)`), or null. */
export function feel(text: string, variables: Record<string, unknown> = {}, now?: string): string | null {
  const { value } = evaluateExpression(text, contextOf(variables), now ? { now: parseDateTime(now) as FeelDateTime } : {});
  return value === null ? null : feelToString(value, true);
}

/** The result of unary tests on an input. */
export function test(text: string, input: unknown, variables: Record<string, unknown> = {}): FeelValue {
  return evaluateUnaryTests(text, toFeelValue(input), contextOf(variables)).value;
}

/** The warnings of an evaluation, as `CODE: message`. */
export function warningsOf(text: string, variables: Record<string, unknown> = {}): string[] {
  return evaluateExpression(text, contextOf(variables)).warnings.map((w) => `${w.code}: ${w.message}`);
}
