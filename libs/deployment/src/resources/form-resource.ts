import { checkFormSchema } from '@trellis/forms';
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
 * components nested in groups and lists) are objects with a `type`, whose keys are variable names used once, and
 * whose validation rules are well-formed (`@trellis/forms` `checkFormSchema`: a pattern compiles, min is a number...).
 * Each problem names its JSON path (`$.components[2].validate.pattern`). Rendering a form is the task list's business:
 * the other properties are kept as written.
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
  // The components and their validation rules: what validating a task's submission against the form relies on.
  problems.push(...checkFormSchema(schema));
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { id: (id as string).trim() } };
}
