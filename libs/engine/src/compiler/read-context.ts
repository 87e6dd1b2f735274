import type { Expression } from '../model/expression.js';
import { compileExpression, type ExpressionFieldKind } from './expression-fields.js';
import type { ElementExtensions } from './extension-elements.js';
import type { ModelErrorCollector } from './model-error-collector.js';
import type { ModdleElement } from './moddle-element.js';
import type { DialectValue } from './dialects/merge-dialects.js';

/** One BPMN element being compiled: what every reader of its attributes and extensions needs. */
export interface ReadContext {
  readonly element: ModdleElement;
  readonly elementId: string;
  readonly errors: ModelErrorCollector;
  readonly extensions: ElementExtensions;
}

/** Compiles the text of one attribute into a dialect value, or `undefined` when absent, blank or invalid. */
export function expressionValue(
  context: ReadContext,
  text: string | undefined,
  field: string,
  kind: ExpressionFieldKind,
): DialectValue<Expression> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = compileExpression(text, { elementId: context.elementId, field, kind }, context.errors);
  return value === undefined ? undefined : { value, text, field };
}

export function textValue(text: string | undefined, field: string): DialectValue<string> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return { value: text.trim(), text, field };
}
