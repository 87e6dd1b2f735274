import { FeelValue, parseExpression, parseUnaryTests } from '@trellis/feel';
import type { EvaluationRun } from './evaluation-run.js';

// FEEL texts of a model are parsed where they are evaluated: FEEL names may hold spaces (`Applicant Age`), so the
// parser must know the names in scope, which are those of the evaluation (context entries, parameters, imports).

/** A FEEL expression evaluated in a scope; a syntax error or a failure is null with a warning. */
export function evaluateText(text: string, scope: ReadonlyMap<string, FeelValue>, run: EvaluationRun, elementId?: string): FeelValue {
  const parsed = parseExpression(text, { context: scope });
  if (!parsed.ok) return run.warn('SYNTAX_ERROR', `${parsed.error.message} in "${text}"`, elementId);
  const result = parsed.value.evaluate(scope, run.feelOptions);
  run.feelWarnings(result.warnings, elementId);
  return result.value;
}

/** Unary tests (a decision table input entry) against an input: whether they hold (null as false, with a warning). */
export function testCell(text: string, input: FeelValue, scope: ReadonlyMap<string, FeelValue>, run: EvaluationRun, elementId?: string): boolean {
  const parsed = parseUnaryTests(text, { context: scope });
  if (!parsed.ok) {
    run.warn('SYNTAX_ERROR', `${parsed.error.message} in "${text}"`, elementId);
    return false;
  }
  const result = parsed.value.test(input, scope, run.feelOptions);
  run.feelWarnings(result.warnings, elementId);
  return result.value === true;
}
