import type { Expression } from '../model/expression.js';
import type { JsonValue } from '../model/json.js';
import { err, ok, type Result } from '../result.js';
import type { EvaluationContext, ExpressionFailure } from './expression-evaluator.js';
import { checkFeelSyntax, evaluateFeel } from './feel.evaluator.js';
import { checkJuelSyntax, evaluateJuel } from './juel.evaluator.js';

/**
 * Reads an expression as written in a model attribute: `=...` is FEEL (Camunda 8), text holding `${` or `#{` is
 * JUEL (Camunda 7), anything else is a literal. Syntax is checked here so that a broken model fails at deployment.
 */
export function parseExpression(text: string): Result<Expression, string> {
  const trimmed = text.trim();
  if (trimmed.startsWith('=')) {
    const source = trimmed.slice(1);
    if (source.trim() === '') return err(`Invalid FEEL expression '${trimmed}': the expression is empty`);
    const checked = checkFeelSyntax(source);
    return checked.ok ? ok({ language: 'feel', source }) : checked;
  }
  if (trimmed.includes('${') || trimmed.includes('#{')) {
    const checked = checkJuelSyntax(trimmed);
    return checked.ok ? ok({ language: 'juel', source: trimmed }) : checked;
  }
  return ok({ language: 'static', source: text });
}

/**
 * Evaluates an expression against the variables in scope. Never throws: a failure is returned and becomes an incident
 * on the element that evaluated the expression. A FEEL expression reading a missing variable gives null, as in Zeebe.
 */
export function evaluateExpression(expression: Expression, context: EvaluationContext): Result<JsonValue, ExpressionFailure> {
  const evaluated = evaluateExpressionWithWarnings(expression, context);
  return evaluated.ok ? ok(evaluated.value.value) : evaluated;
}

/** An evaluated value, with the FEEL warnings that explain a surprising null (for incident messages). */
export interface EvaluatedExpression {
  readonly value: JsonValue;
  readonly warnings: readonly string[];
}

const NO_WARNINGS: readonly string[] = [];

/**
 * Like `evaluateExpression`, with FEEL's warnings (`[NO_VARIABLE_FOUND] Variable 'x' not found (at position 0)`): a
 * caller that expected a boolean and got null can tell the user why, as Zeebe does in its incident messages.
 */
export function evaluateExpressionWithWarnings(
  expression: Expression,
  context: EvaluationContext,
): Result<EvaluatedExpression, ExpressionFailure> {
  try {
    switch (expression.language) {
      case 'static':
        return ok({ value: expression.source, warnings: NO_WARNINGS });
      case 'feel':
        return evaluateFeel(expression.source, context);
      case 'juel': {
        const evaluated = evaluateJuel(expression.source, context);
        return evaluated.ok ? ok({ value: evaluated.value, warnings: NO_WARNINGS }) : evaluated;
      }
      default:
        return err({ message: `Unknown expression language in '${String(expression.source)}'`, expression: String(expression.source) });
    }
  } catch (error) {
    // The evaluators catch their own failures; this guards against a variable lookup that throws.
    const reason = error instanceof Error ? error.message : String(error);
    return err({ message: `Failed to evaluate expression '${expression.source}': ${reason}`, expression: expression.source });
  }
}
