import type { Expression } from '../model/expression.js';
import { asFeel, compileExpression } from './expression-fields.js';
import { feelLanguage } from './validate-flows.js';
import { elementProperty, expressionBody, textProperty, type ModdleElement } from './moddle-element.js';
import type { ReadContext } from './read-context.js';

/**
 * The condition of a conditional event (`bpmn:condition`), read as a sequence flow's: `=...` FEEL, `${...}` JUEL, or
 * FEEL without `=` when its `language` says so. Camunda 7's `camunda:variableName` and `camunda:variableEvents` would
 * narrow which variable changes are looked at; they are refused, not ignored, since they change when it triggers.
 */
export function readConditionalEvent(context: ReadContext, definition: ModdleElement): Expression | undefined {
  const where = { elementId: context.elementId, field: 'condition' };
  for (const attribute of ['camunda:variableName', 'camunda:variableEvents']) {
    if (textProperty(definition, attribute) !== undefined) {
      context.errors.add({ code: 'NOT_SUPPORTED', message: `not supported yet: ${attribute} on conditional event '${context.elementId}'`, ...where, field: attribute });
    }
  }
  const condition = elementProperty(definition, 'condition');
  const body = expressionBody(condition)?.trim() ?? '';
  if (condition === undefined || body === '') {
    context.errors.add({ code: 'MISSING_ATTRIBUTE', message: `conditional event '${context.elementId}' has no condition: it would never occur`, ...where });
    return undefined;
  }
  const language = condition === undefined ? undefined : textProperty(condition, 'language');
  const text = language !== undefined && feelLanguage.test(language) ? asFeel(body) : body;
  return compileExpression(text, { ...where, kind: 'condition' }, context.errors);
}
