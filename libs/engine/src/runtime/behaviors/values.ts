import type { Expression } from '../../model/expression.js';
import type { JsonValue } from '../../model/json.js';
import { err, ok, type Result } from '../../result.js';
import type { DecisionRun } from '../decision-run.js';
import type { Problem } from '../element-lifecycle.js';
import { describeValue, sourceText } from '../variables.js';

/** Evaluates an expression that must give a value of one kind; anything else is an EXPRESSION_ERROR naming `what`. */
export function evaluateAs<T>(
  run: DecisionRun,
  expression: Expression,
  scopeInstanceId: string,
  what: string,
  expected: string,
  convert: (value: JsonValue) => T | undefined,
): Result<T, Problem> {
  const evaluated = run.evaluate(expression, scopeInstanceId, 'EXPRESSION_ERROR');
  if (!evaluated.ok) return evaluated;
  const converted = convert(evaluated.value);
  if (converted !== undefined) return ok(converted);
  return err({
    incidentType: 'EXPRESSION_ERROR',
    message: `Expected ${what} '${sourceText(expression)}' to be ${expected}, but it was ${describeValue(evaluated.value)}`,
  });
}

/** A whole number of at least zero; a static model attribute arrives as text ("3"). */
export function asCount(value: JsonValue): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 ? number : undefined;
}

export function asNumber(value: JsonValue): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

export function asNonEmptyString(value: JsonValue): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Absent (null) or a string. */
export function asOptionalString(value: JsonValue): string | null | undefined {
  if (value === null) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  return undefined;
}

/** A list of ids: a list, or a comma-separated string ("a, b"), or null for none. */
export function asIdList(value: JsonValue): readonly string[] | undefined {
  if (value === null) return [];
  if (typeof value === 'string') return value.split(',').map((id) => id.trim()).filter((id) => id !== '');
  if (Array.isArray(value) && value.every((id) => typeof id === 'string' || typeof id === 'number')) {
    return value.map((id) => String(id).trim()).filter((id) => id !== '');
  }
  return undefined;
}
