import type { Expression } from '../model/expression.js';
import type { JsonValue } from '../model/json.js';
import { err, ok, type Result } from '../result.js';
import type { EvaluationContext, ExpressionFailure } from './expression-evaluator.js';
import { checkFeelSyntax, evaluateFeel } from './feel.evaluator.js';

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
    if (!checked.ok) return checked;
    return ok({ language: 'feel', source });
  }
  if (trimmed.includes('${') || trimmed.includes('#{')) {
    return ok({ language: 'juel', source: trimmed });
  }
  return ok({ language: 'static', source: text });
}

export function evaluateExpression(expression: Expression, context: EvaluationContext): Result<JsonValue, ExpressionFailure> {
  switch (expression.language) {
    case 'static':
      return ok(expression.source);
    case 'feel':
      return evaluateFeel(expression.source, context);
    case 'juel': {
      const match = /^[$#]\{\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*\}$/.exec(expression.source);
      if (match === null) {
        return err({ message: `JUEL expression '${expression.source}' is not supported yet`, expression: expression.source });
      }
      const [head, ...path] = match[1].split('.');
      let value: JsonValue | undefined = context.variables(head);
      if (value === undefined) {
        return err({ message: `Cannot resolve identifier '${head}' in '${expression.source}'`, expression: expression.source });
      }
      for (const key of path) {
        value = value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] ?? null : null;
      }
      return ok(value ?? null);
    }
  }
}
