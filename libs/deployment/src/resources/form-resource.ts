import type { ProblemFieldError } from '@trellis/platform';

import { jsonErrorOffset } from './json-error-offset.js';
import { positionAt } from './source-text.js';

/** What a deployment keeps of a valid form: its id, which user tasks reference (`zeebe:formDefinition formId`). */
export interface FormResource {
  readonly id: string;
}

export type FormProblem = Omit<ProblemFieldError, 'resource'>;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a form (the JSON schema of form-js, as the Camunda Modeler saves `.form` files) and checks what a deployment
 * relies on: JSON, an object with a non-empty string `id`, and a `components` array whose components (and the
 * components nested in groups and lists) are objects with a `type`. Each problem names its JSON path (`$.components[2].type`).
 * Rendering a form is the task list's business: the other properties are kept as written.
 */
export function readFormResource(text: string): { ok: true; value: FormResource } | { ok: false; problems: FormProblem[] } {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ code: 'NOT_WELL_FORMED', field: '$', message: `not JSON: ${message}`, ...positionAt(text, jsonErrorOffset(text)) }] };
  }
  if (!isObject(schema)) {
    return { ok: false, problems: [{ code: 'INVALID_FORM', field: '$', message: 'a form is a JSON object with an id and components' }] };
  }
  const problems: FormProblem[] = [];
  const id = schema['id'];
  if (id === undefined) problems.push({ code: 'MISSING_ATTRIBUTE', field: '$.id', message: 'the form has no id: user tasks reference a form by its id' });
  else if (typeof id !== 'string' || id.trim() === '') problems.push({ code: 'INVALID_FORM', field: '$.id', message: 'the form id must be a non-empty string' });
  else if (id.includes(':')) problems.push({ code: 'INVALID_FORM', field: '$.id', message: `the form id '${id}' must not contain ':' (definitions are named <formId>:<version>)` });
  checkComponents(schema['components'], '$.components', problems, true);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { id: (id as string).trim() } };
}

function checkComponents(components: unknown, path: string, problems: FormProblem[], required: boolean): void {
  if (components === undefined) {
    if (required) problems.push({ code: 'MISSING_ATTRIBUTE', field: path, message: 'the form has no components array' });
    return;
  }
  if (!Array.isArray(components)) {
    problems.push({ code: 'INVALID_FORM', field: path, message: 'components must be an array' });
    return;
  }
  components.forEach((component, index) => {
    const at = `${path}[${index}]`;
    if (!isObject(component)) {
      problems.push({ code: 'INVALID_FORM', field: at, message: 'a component must be an object' });
      return;
    }
    const type = component['type'];
    if (typeof type !== 'string' || type.trim() === '') {
      problems.push({ code: 'INVALID_FORM', field: `${at}.type`, message: 'a component needs a type (textfield, number, select, group...)' });
    }
    // Groups and dynamic lists hold components of their own.
    checkComponents(component['components'], `${at}.components`, problems, false);
  });
}
