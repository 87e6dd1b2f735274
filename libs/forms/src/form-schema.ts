/**
 * The form-js schema (Camunda Forms, the `.form` files the Camunda Modeler saves), as far as the engine reads it: the
 * components that hold a value, their keys and their validation. Everything else (layout, labels, rendering) is the
 * task list's business and stays as written.
 */
export interface FormOption {
  readonly label?: string;
  readonly value: unknown;
}

/** `validate` of a form field, as the form-js editor writes it. */
export interface FormValidation {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  /** A JavaScript regular expression, matched as form-js does: anywhere in the value unless it has `^`/`$`. */
  readonly pattern?: string;
  /** `email`, `phone`, or `custom` (the pattern) / absent. */
  readonly validationType?: string;
}

export interface FormComponent {
  readonly type: string;
  readonly id?: string;
  readonly key?: string;
  /** Groups and dynamic lists: where their fields' values live (`address` → `address.street`). */
  readonly path?: string;
  readonly label?: string;
  readonly validate?: FormValidation;
  /** Static options of radio, select, checklist and taglist (dynamic ones come from `valuesKey`/`valuesExpression`). */
  readonly values?: readonly FormOption[];
  readonly valuesKey?: string;
  readonly valuesExpression?: string;
  /** `hide`: a FEEL expression (`=amount < 100`); a field it hides is not validated, as in form-js. */
  readonly conditional?: { readonly hide?: string };
  readonly disabled?: boolean;
  readonly readonly?: boolean | string;
  /** Number fields: at most this many decimal digits (0: an integer). */
  readonly decimalDigits?: number;
  /** Number fields that submit their value as a string (form-js `serializeToString`). */
  readonly serializeToString?: boolean;
  /** Datetime fields: `date`, `time` or `datetime`. */
  readonly subtype?: string;
  readonly components?: readonly FormComponent[];
  readonly [property: string]: unknown;
}

export interface FormSchema {
  readonly id?: string;
  readonly components: readonly FormComponent[];
  readonly [property: string]: unknown;
}

/** Something wrong with a form, at a JSON path (`$.components[2].validate.pattern`). */
export interface FormSchemaProblem {
  readonly code: 'NOT_WELL_FORMED' | 'INVALID_FORM' | 'MISSING_ATTRIBUTE' | 'DUPLICATE_KEY';
  readonly field: string;
  readonly message: string;
}

export type FormSchemaResult = { readonly ok: true; readonly schema: FormSchema } | { readonly ok: false; readonly problems: readonly FormSchemaProblem[] };

/** Components that hold a value under their `key`, and what type that value has. */
export const FIELD_TYPES = ['textfield', 'textarea', 'number', 'checkbox', 'checklist', 'radio', 'select', 'taglist', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Components whose `components` hold fields: a group (optionally under a `path`) and a dynamic list (a list at `path`). */
export const CONTAINER_TYPES = ['group', 'dynamiclist'] as const;

const VALIDATION_TYPES = ['email', 'phone', 'custom', ''];

export const isFieldType = (type: string): type is FieldType => (FIELD_TYPES as readonly string[]).includes(type);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a form's JSON text: its problems, or the schema. */
export function parseFormSchema(text: string): FormSchemaResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, problems: [{ code: 'NOT_WELL_FORMED', field: '$', message: `not JSON: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const problems = checkFormSchema(json);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, schema: json as FormSchema };
}

/**
 * What makes a form unusable for validation, found at deployment rather than when a task completes: no components, a
 * component without a type, a key that is not a name, two fields with the same key (form-js refuses to import such a
 * form), a validation rule of the wrong type, a pattern that is no regular expression, options without values.
 */
export function checkFormSchema(json: unknown): FormSchemaProblem[] {
  if (!isObject(json)) return [{ code: 'INVALID_FORM', field: '$', message: 'a form is a JSON object with components' }];
  const problems: FormSchemaProblem[] = [];
  const keys = new Map<string, string>();
  checkComponents(json['components'], '$.components', '', problems, keys, true);
  return problems;
}

function checkComponents(
  components: unknown,
  at: string,
  prefix: string,
  problems: FormSchemaProblem[],
  keys: Map<string, string>,
  required: boolean,
): void {
  if (components === undefined) {
    if (required) problems.push({ code: 'MISSING_ATTRIBUTE', field: at, message: 'the form has no components array' });
    return;
  }
  if (!Array.isArray(components)) {
    problems.push({ code: 'INVALID_FORM', field: at, message: 'components must be an array' });
    return;
  }
  components.forEach((component: unknown, index) => {
    const here = `${at}[${index}]`;
    if (!isObject(component)) {
      problems.push({ code: 'INVALID_FORM', field: here, message: 'a component must be an object' });
      return;
    }
    const type = component['type'];
    if (typeof type !== 'string' || type.trim() === '') {
      problems.push({ code: 'INVALID_FORM', field: `${here}.type`, message: 'a component needs a type (textfield, number, select, group...)' });
      return;
    }
    const key = component['key'];
    if (isFieldType(type)) {
      // A field without a key holds no variable (form-js leaves it out of the submitted data): no key to check.
      if (key !== undefined && !isPath(key)) problems.push({ code: 'INVALID_FORM', field: `${here}.key`, message: `the key ${JSON.stringify(key)} is not a variable name (or a dotted path of names)` });
      else if (key !== undefined) {
        const full = prefix + key;
        const first = keys.get(full);
        if (first !== undefined) problems.push({ code: 'DUPLICATE_KEY', field: `${here}.key`, message: `the key '${full}' is also the key of ${first}` });
        else keys.set(full, here);
      }
      checkValidation(component, type, here, problems);
      checkOptions(component, here, problems);
    }
    let nested = prefix;
    const path = component['path'];
    if (path !== undefined && path !== '' && (type === 'group' || type === 'dynamiclist')) {
      if (!isPath(path)) problems.push({ code: 'INVALID_FORM', field: `${here}.path`, message: `the path ${JSON.stringify(path)} is not a variable name (or a dotted path of names)` });
      // A dynamic list's fields are keyed within each item of the list.
      nested = type === 'dynamiclist' ? '' : `${prefix}${String(path)}.`;
    }
    if (type === 'dynamiclist') {
      checkComponents(component['components'], `${here}.components`, nested, problems, new Map(), false);
      if (path === undefined || path === '') problems.push({ code: 'MISSING_ATTRIBUTE', field: `${here}.path`, message: 'a dynamic list needs the path of its list variable' });
    } else checkComponents(component['components'], `${here}.components`, nested, problems, keys, false);
  });
}

const isPath = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/.test(value);

function checkValidation(component: Record<string, unknown>, type: string, here: string, problems: FormSchemaProblem[]): void {
  const validate = component['validate'];
  if (validate === undefined) return;
  if (!isObject(validate)) {
    problems.push({ code: 'INVALID_FORM', field: `${here}.validate`, message: 'validate must be an object' });
    return;
  }
  const at = (rule: string) => `${here}.validate.${rule}`;
  if (validate['required'] !== undefined && typeof validate['required'] !== 'boolean') {
    problems.push({ code: 'INVALID_FORM', field: at('required'), message: 'required must be true or false' });
  }
  for (const rule of ['min', 'max']) {
    const value = validate[rule];
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isFinite(value))) {
      problems.push({ code: 'INVALID_FORM', field: at(rule), message: `${rule} must be a number` });
    }
  }
  for (const rule of ['minLength', 'maxLength']) {
    const value = validate[rule];
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
      problems.push({ code: 'INVALID_FORM', field: at(rule), message: `${rule} must be a whole number, 0 or more` });
    }
  }
  const pattern = validate['pattern'];
  if (pattern !== undefined && pattern !== '') {
    if (typeof pattern !== 'string') problems.push({ code: 'INVALID_FORM', field: at('pattern'), message: 'pattern must be a string' });
    else {
      try {
        new RegExp(pattern);
      } catch (error) {
        problems.push({ code: 'INVALID_FORM', field: at('pattern'), message: `not a regular expression: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
  }
  const validationType = validate['validationType'];
  if (validationType !== undefined && (typeof validationType !== 'string' || !VALIDATION_TYPES.includes(validationType))) {
    problems.push({ code: 'INVALID_FORM', field: at('validationType'), message: `validationType is email, phone or custom, not ${JSON.stringify(validationType)}` });
  }
  if (type === 'number' && typeof validate['min'] === 'number' && typeof validate['max'] === 'number' && validate['min'] > validate['max']) {
    problems.push({ code: 'INVALID_FORM', field: at('min'), message: `min ${validate['min']} is above max ${validate['max']}: no value is valid` });
  }
}

function checkOptions(component: Record<string, unknown>, here: string, problems: FormSchemaProblem[]): void {
  const values = component['values'];
  if (values === undefined) return;
  if (!Array.isArray(values)) {
    problems.push({ code: 'INVALID_FORM', field: `${here}.values`, message: 'values must be an array of { label, value }' });
    return;
  }
  values.forEach((option: unknown, index) => {
    if (!isObject(option) || !('value' in option)) problems.push({ code: 'INVALID_FORM', field: `${here}.values[${index}]`, message: 'an option is an object with a value' });
  });
}
