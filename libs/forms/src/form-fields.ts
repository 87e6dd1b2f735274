import { evaluateExpression, toFeelValue, type FeelValue } from '@trellis/feel';

import { type FieldType, type FormComponent, type FormSchema, isFieldType } from './form-schema.js';

export type FormVariables = Readonly<Record<string, unknown>>;

/** A component holding a value, with the path of that value in the form's data. */
export interface FormField {
  readonly type: FieldType;
  /** The value's path from the form's data: the group paths, then the key's segments. */
  readonly path: readonly string[];
  readonly component: FormComponent;
}

/** A dynamic list: its items are objects holding the values of its components. */
export interface FormList {
  readonly path: readonly string[];
  readonly component: FormComponent;
  readonly components: readonly FormComponent[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export const splitPath = (path: string | undefined): string[] => (path === undefined || path === '' ? [] : path.split('.'));

/** The value at a path of the data (undefined when a step is missing). */
export function valueAt(data: unknown, path: readonly string[]): unknown {
  let value = data;
  for (const step of path) {
    if (!isObject(value)) return undefined;
    value = value[step];
  }
  return value;
}

/**
 * Walks components (descending into groups, under their path) and hands each field and each dynamic list to a
 * visitor; `hidden` tells which components their `conditional.hide` hides (their fields too).
 */
export function visitComponents(
  components: readonly FormComponent[],
  prefix: readonly string[],
  visitor: { field(field: FormField): void; list(list: FormList): void },
  hidden: (component: FormComponent) => boolean = () => false,
): void {
  for (const component of components) {
    if (hidden(component)) continue;
    if (isFieldType(component.type) && typeof component.key === 'string') {
      visitor.field({ type: component.type, path: [...prefix, ...splitPath(component.key)], component });
    } else if (component.type === 'dynamiclist' && typeof component.path === 'string' && component.path !== '') {
      visitor.list({ path: [...prefix, ...splitPath(component.path)], component, components: component.components ?? [] });
    } else if (Array.isArray(component.components)) {
      visitComponents(component.components, component.type === 'group' ? [...prefix, ...splitPath(component.path)] : prefix, visitor, hidden);
    }
  }
}

/** Every field of the form, groups flattened; fields of dynamic lists are not listed (their list is a value). */
export function formFields(schema: FormSchema): FormField[] {
  const fields: FormField[] = [];
  visitComponents(schema.components, [], { field: (field) => fields.push(field), list: () => undefined });
  return fields;
}

/**
 * The current values of the form's fields (and dynamic lists) among the variables, nested as the form's paths nest
 * them: what a task list fills the form with. Fields without a value are left out.
 */
export function formValues(schema: FormSchema, variables: FormVariables): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const put = (path: readonly string[]) => {
    const value = valueAt(variables, path);
    if (value === undefined || path.length === 0) return;
    let target = values;
    for (const step of path.slice(0, -1)) {
      if (!isObject(target[step])) target[step] = {};
      target = target[step] as Record<string, unknown>;
    }
    target[path[path.length - 1]] = value;
  };
  visitComponents(schema.components, [], { field: (field) => put(field.path), list: (list) => put(list.path) });
  return values;
}

/**
 * Whether `conditional.hide` hides a component for this data: only a FEEL `true` hides it, as in form-js (an
 * expression that fails or gives anything else leaves the component shown, so it is validated).
 */
export function hiddenBy(data: FormVariables): (component: FormComponent) => boolean {
  let context: Map<string, FeelValue> | undefined;
  return (component) => {
    const hide = component.conditional?.hide;
    if (typeof hide !== 'string' || hide.trim() === '') return false;
    const text = hide.trim().startsWith('=') ? hide.trim().slice(1) : hide;
    context ??= new Map(Object.entries(data).map(([name, value]) => [name, toFeelValue(value)]));
    return evaluateExpression(text, context).value === true;
  };
}
