import { type FormField, type FormVariables, hiddenBy, valueAt, visitComponents } from './form-fields.js';
import type { FormComponent, FormSchema } from './form-schema.js';

/** The rule a value broke: form-js's rules, plus `type` and `options` (what the form itself cannot submit). */
export type FormRule = 'required' | 'type' | 'min' | 'max' | 'minLength' | 'maxLength' | 'pattern' | 'email' | 'phone' | 'options' | 'decimalDigits';

export interface FormViolation {
  /** The value's path: the field's key under its groups' paths, an index into a dynamic list (`items[1].quantity`). */
  readonly field: string;
  readonly rule: FormRule;
  readonly message: string;
}

/*
 * The email and phone shapes form-js checks. Email: the WHATWG HTML "valid e-mail address" (what <input type=email>
 * accepts). Phone: an international number, `+` or `00`, a country code and digits, without spaces
 * (form-js's example: +4930664040900).
 */
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const PHONE = /^(?:\+|00)[1-9]\d{5,22}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value: unknown) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/**
 * Validates the data a form submits (for a task: its variables with the submitted ones over them) against the form's
 * fields, with form-js's semantics: `required` fails on a missing value, null, '', an empty list and an unchecked
 * checkbox; every other rule applies to a present value only (`min`/`max` also to 0); `minLength`/`maxLength`
 * count the trimmed text; `pattern` is a JavaScript regular expression matched anywhere in the value (write `^…$`
 * to match it whole). Beyond form-js, which trusts its own widgets, a value must have its field's type (text, number,
 * boolean, list, ISO date/time) and be one of the field's static options. Fields hidden by `conditional.hide`, and
 * disabled or read-only fields, are not validated, as form-js does not validate them.
 */
export function validateFormSubmission(schema: FormSchema, variables: FormVariables): FormViolation[] {
  const violations: FormViolation[] = [];
  validateComponents(schema.components, variables, variables, '', violations);
  return violations;
}

/** `values` holds the components' values (an item's, in a dynamic list); `scope` is what their conditions read. */
function validateComponents(
  components: readonly FormComponent[],
  values: FormVariables,
  scope: FormVariables,
  prefix: string,
  violations: FormViolation[],
): void {
  visitComponents(
    components,
    [],
    {
      field: (field) => {
        if (field.component.disabled === true || field.component.readonly === true) return;
        violations.push(...validateField(field, valueAt(values, field.path), prefix + field.path.join('.')));
      },
      list: ({ path, components: itemComponents }) => {
        const name = prefix + path.join('.');
        const items = valueAt(values, path);
        if (items === undefined || items === null) return;
        if (!Array.isArray(items)) {
          violations.push({ field: name, rule: 'type', message: 'must be a list' });
          return;
        }
        items.forEach((item, index) => {
          if (!isObject(item)) violations.push({ field: `${name}[${index}]`, rule: 'type', message: 'must be an object' });
          // An item's fields take their values from the item only; their conditions see the item's values over the form's.
          else validateComponents(itemComponents, item, { ...scope, ...item }, `${name}[${index}].`, violations);
        });
      },
    },
    hiddenBy(scope),
  );
}

function validateField(field: FormField, value: unknown, name: string): FormViolation[] {
  const { type, component } = field;
  const validate = isObject(component.validate) ? component.validate : {};
  const violation = (rule: FormRule, message: string): FormViolation => ({ field: name, rule, message });
  const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0) || (type === 'checkbox' && value === false);
  if (empty) return validate.required === true ? [violation('required', 'is required')] : [];

  const typeProblem = typeViolation(component, value);
  if (typeProblem !== undefined) return [violation('type', typeProblem)];

  const violations: FormViolation[] = [];
  const options = Array.isArray(component.values) && component.valuesKey === undefined && component.valuesExpression === undefined ? component.values : undefined;
  if (options !== undefined && (type === 'radio' || type === 'select' || type === 'checklist' || type === 'taglist')) {
    const allowed = options.map((option) => option.value);
    for (const chosen of Array.isArray(value) ? value : [value]) {
      if (!allowed.some((option) => option === chosen)) {
        violations.push(violation('options', `${JSON.stringify(chosen)} is not one of the options ${allowed.map((option) => JSON.stringify(option)).join(', ')}`));
      }
    }
  }
  if (type === 'number') {
    const number = Number(value);
    if (typeof validate.min === 'number' && number < validate.min) violations.push(violation('min', `must be at least ${validate.min}`));
    if (typeof validate.max === 'number' && number > validate.max) violations.push(violation('max', `must be at most ${validate.max}`));
    const digits = component.decimalDigits;
    if (typeof digits === 'number' && digits >= 0 && decimalsOf(value) > digits) {
      violations.push(violation('decimalDigits', digits === 0 ? 'must be a whole number' : `must have at most ${digits} decimal digit${digits > 1 ? 's' : ''}`));
    }
  }
  if (typeof value === 'string') {
    const length = value.trim().length;
    if (typeof validate.minLength === 'number' && length < validate.minLength) violations.push(violation('minLength', `must be at least ${validate.minLength} characters long`));
    if (typeof validate.maxLength === 'number' && length > validate.maxLength) violations.push(violation('maxLength', `must be at most ${validate.maxLength} characters long`));
    const pattern = compiled(validate.pattern);
    if (pattern !== undefined && !pattern.test(value)) {
      violations.push(violation('pattern', `must match the pattern ${validate.pattern}`));
    }
    if (validate.validationType === 'email' && !EMAIL.test(value)) violations.push(violation('email', 'must be an email address'));
    if (validate.validationType === 'phone' && !PHONE.test(value)) violations.push(violation('phone', 'must be an international phone number (e.g. +4930664040900)'));
  }
  return violations;
}

/** What is wrong with the value's type for the field, if anything. */
function typeViolation(component: FormComponent, value: unknown): string | undefined {
  switch (component.type) {
    case 'textfield':
    case 'textarea':
      return typeof value === 'string' ? undefined : 'must be a text';
    case 'number':
      if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'must be a finite number';
      // form-js submits a number field as a string when `serializeToString` is set (to keep big decimals exact).
      if (typeof value === 'string' && component.serializeToString === true) return /^-?\d+(\.\d+)?$/.test(value.trim()) ? undefined : 'must be a number';
      return 'must be a number';
    case 'checkbox':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'radio':
    case 'select':
      return isScalar(value) ? undefined : 'must be a text, number or boolean';
    case 'checklist':
    case 'taglist':
      return Array.isArray(value) && value.every(isScalar) ? undefined : 'must be a list of texts, numbers or booleans';
    case 'datetime':
      return datetimeViolation(component.subtype ?? 'date', value);
    default:
      return undefined;
  }
}

/** form-js writes a date as `2026-12-06`, a time as `14:30` (with `Z` or an offset), a date-time as their ISO join. */
function datetimeViolation(subtype: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be an ISO 8601 text';
  const [date, time, extra] = value.split('T');
  const dateOk = (text: string | undefined) => {
    const match = text === undefined ? null : DATE.exec(text);
    if (match === null) return false;
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    return daysInMonth !== undefined && day >= 1 && day <= daysInMonth;
  };
  const timeOk = (text: string | undefined) => text !== undefined && TIME.test(text);
  switch (subtype) {
    case 'time':
      return timeOk(value) ? undefined : 'must be a time (HH:mm, optionally with Z or an offset)';
    case 'datetime':
      return extra === undefined && dateOk(date) && timeOk(time) ? undefined : 'must be a date and time (YYYY-MM-DDTHH:mm, optionally with Z or an offset)';
    default:
      return time === undefined && dateOk(date) ? undefined : 'must be a date (YYYY-MM-DD)';
  }
}

function decimalsOf(value: unknown): number {
  const text = typeof value === 'number' ? value.toString() : String(value).trim();
  if (/e-/i.test(text)) return Number(text.split(/e-/i)[1]) + (text.split(/e/i)[0].split('.')[1]?.length ?? 0);
  return text.split('.')[1]?.length ?? 0;
}

const patterns = new Map<string, RegExp | undefined>();

/** A pattern once compiled; undefined for none or one that is no regular expression (the deployment refuses those). */
function compiled(pattern: unknown): RegExp | undefined {
  if (typeof pattern !== 'string' || pattern === '') return undefined;
  if (!patterns.has(pattern)) {
    try {
      patterns.set(pattern, new RegExp(pattern));
    } catch {
      patterns.set(pattern, undefined);
    }
  }
  return patterns.get(pattern);
}
