import { parseExpression } from '../expressions/expressions.js';
import type { Expression } from '../model/expression.js';
import type { ModelErrorCollector } from './model-error-collector.js';

/**
 * What a field accepts:
 * - `value`: FEEL, JUEL or a literal;
 * - `condition`: FEEL or JUEL only: a literal such as `amount > 100` is text, never true or false;
 * - `feel`: FEEL only (`zeebe:script`);
 * - `integer`: FEEL, JUEL, or a literal whole number (cardinality, retries, priority).
 */
export type ExpressionFieldKind = 'value' | 'condition' | 'feel' | 'integer';

export interface ExpressionField {
  readonly elementId: string;
  /** The attribute or element written in the model, e.g. `conditionExpression`, `zeebe:taskDefinition/@type`. */
  readonly field: string;
  readonly kind: ExpressionFieldKind;
}

/** Parses the expression of one model field; a problem becomes an INVALID_EXPRESSION error and `undefined`. */
export function compileExpression(text: string, where: ExpressionField, errors: ModelErrorCollector): Expression | undefined {
  const parsed = parseExpression(text);
  const fail = (message: string): undefined => {
    errors.add({ code: 'INVALID_EXPRESSION', message, elementId: where.elementId, field: where.field });
    return undefined;
  };
  if (!parsed.ok) return fail(`${where.field} of '${where.elementId}' does not parse: ${parsed.error}`);
  const expression = parsed.value;
  switch (where.kind) {
    case 'condition':
      if (expression.language === 'static') {
        return fail(
          `${where.field} of '${where.elementId}' is '${text.trim()}', which is not an expression: ` +
            'write FEEL as =expression (Camunda 8) or JUEL as ${expression} (Camunda 7)',
        );
      }
      break;
    case 'feel':
      if (expression.language !== 'feel') {
        return fail(`${where.field} of '${where.elementId}' must be a FEEL expression starting with '=': '${text.trim()}'`);
      }
      break;
    case 'integer':
      if (expression.language === 'static' && !/^\s*\d+\s*$/.test(expression.source)) {
        return fail(`${where.field} of '${where.elementId}' must be a whole number or an expression: '${text.trim()}'`);
      }
      if (expression.language === 'static') return { language: 'static', source: expression.source.trim() };
      break;
    case 'value':
      break;
  }
  return expression;
}

/** FEEL text written without its leading `=` (a `bpmn:script` or condition whose language says FEEL). */
export function asFeel(text: string): string {
  return text.trim().startsWith('=') ? text : `=${text}`;
}
