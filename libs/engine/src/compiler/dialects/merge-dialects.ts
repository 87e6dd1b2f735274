import type { FormBinding } from '../../model/executable-model.js';
import type { Expression } from '../../model/expression.js';
import type { ModelErrorCollector } from '../model-error-collector.js';

/** A value read from one dialect, with the text it was written as and where. */
export interface DialectValue<T> {
  readonly value: T;
  readonly text: string;
  /** The attribute it was read from, e.g. `zeebe:assignmentDefinition/@assignee`, `camunda:assignee`. */
  readonly field: string;
}

/** What either dialect says about a user task, before the two are merged. */
export interface DialectUserTask {
  readonly assignee?: DialectValue<Expression>;
  readonly candidateUsers?: DialectValue<Expression>;
  readonly candidateGroups?: DialectValue<Expression>;
  readonly dueDate?: DialectValue<Expression>;
  readonly followUpDate?: DialectValue<Expression>;
  readonly priority?: DialectValue<Expression>;
  readonly formKey?: DialectValue<string>;
  readonly formId?: DialectValue<string>;
  readonly formBinding?: DialectValue<FormBinding>;
}

/**
 * Compares what was written, not how: `=items`, `${items}` and `items` name the same variable in the two dialects'
 * notations (FEEL, JUEL, a plain name), and `a, b` is the list `a,b`.
 */
const normalise = (text: string): string =>
  text
    .trim()
    .replace(/^=\s*/, '')
    .replace(/^[$#]\{\s*([\s\S]*?)\s*\}$/, '$1')
    .split(',')
    .map((part) => part.trim())
    .join(',');

/**
 * A model may say the same thing in both dialects, so that Camunda 7 and Camunda 8 read it alike: then either
 * value is the one. When the dialects disagree the engine cannot know which was meant, so that is an error
 * rather than a silent preference.
 */
export function mergeDialects<T>(
  zeebe: DialectValue<T> | undefined,
  camunda: DialectValue<T> | undefined,
  elementId: string,
  errors: ModelErrorCollector,
): T | undefined {
  if (zeebe !== undefined && camunda !== undefined && normalise(zeebe.text) !== normalise(camunda.text)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message:
        `'${elementId}' says '${zeebe.text}' in ${zeebe.field} and '${camunda.text}' in ${camunda.field}: ` +
        'when both dialects are written they must agree',
      elementId,
      field: zeebe.field,
    });
  }
  return (zeebe ?? camunda)?.value;
}
