import { describe, expect, it } from '@jest/globals';
import { type FormComponent, type FormSchema, formFields, formValues, parseFormSchema, validateFormSubmission } from './index.js';

const form = (...components: FormComponent[]): FormSchema => ({ id: 'test', components });
const violationsOf = (component: FormComponent, value: unknown) =>
  validateFormSubmission(form(component), value === undefined ? {} : { [String(component.key)]: value });

describe('validateFormSubmission', () => {
  describe('required', () => {
    const name: FormComponent = { type: 'textfield', key: 'name', validate: { required: true } };

    it.each([['missing', undefined], ['null', null], ['the empty string', '']])('refuses a required field that is %s', (_, value) => {
      expect(violationsOf(name, value)).toEqual([{ field: 'name', rule: 'required', message: 'is required' }]);
    });

    it('accepts a required field with a value, and takes blanks as a value as form-js does', () => {
      expect(violationsOf(name, 'Ada')).toEqual([]);
      expect(violationsOf(name, ' ')).toEqual([]);
    });

    it('refuses an unchecked required checkbox and an empty required checklist', () => {
      expect(violationsOf({ type: 'checkbox', key: 'agreed', validate: { required: true } }, false)).toMatchObject([{ field: 'agreed', rule: 'required' }]);
      expect(violationsOf({ type: 'checklist', key: 'tags', validate: { required: true } }, [])).toMatchObject([{ field: 'tags', rule: 'required' }]);
    });

    it('accepts a required number of 0', () => {
      expect(violationsOf({ type: 'number', key: 'count', validate: { required: true } }, 0)).toEqual([]);
    });

    it('leaves optional empty fields alone, whatever their other rules', () => {
      expect(violationsOf({ type: 'textfield', key: 'code', validate: { minLength: 3, pattern: '^[A-Z]+$' } }, '')).toEqual([]);
      expect(violationsOf({ type: 'number', key: 'count', validate: { min: 1 } }, undefined)).toEqual([]);
    });
  });

  describe('types', () => {
    it.each<[string, FormComponent, unknown]>([
      ['a textfield', { type: 'textfield', key: 'v' }, 42],
      ['a textarea', { type: 'textarea', key: 'v' }, { text: 'x' }],
      ['a number', { type: 'number', key: 'v' }, '42'],
      ['a checkbox', { type: 'checkbox', key: 'v' }, 'yes'],
      ['a radio', { type: 'radio', key: 'v' }, ['a']],
      ['a select', { type: 'select', key: 'v' }, { value: 'a' }],
      ['a checklist', { type: 'checklist', key: 'v' }, 'a'],
      ['a taglist', { type: 'taglist', key: 'v' }, [{ tag: 'a' }]],
      ['a date', { type: 'datetime', key: 'v', subtype: 'date' }, '06.12.2026'],
      ['a date', { type: 'datetime', key: 'v', subtype: 'date' }, '2026-02-30'],
      ['a time', { type: 'datetime', key: 'v', subtype: 'time' }, '25:00'],
      ['a date-time', { type: 'datetime', key: 'v', subtype: 'datetime' }, '2026-12-06'],
    ])('refuses a value of the wrong type for %s', (_, component, value) => {
      expect(violationsOf(component, value)).toMatchObject([{ field: 'v', rule: 'type' }]);
    });

    it.each<[string, FormComponent, unknown]>([
      ['a textfield', { type: 'textfield', key: 'v' }, 'text'],
      ['a number', { type: 'number', key: 'v' }, 4.5],
      ['a number serialized to a string', { type: 'number', key: 'v', serializeToString: true }, '12.50'],
      ['a checkbox', { type: 'checkbox', key: 'v' }, true],
      ['a checklist', { type: 'checklist', key: 'v' }, ['a', 'b']],
      ['a date', { type: 'datetime', key: 'v', subtype: 'date' }, '2024-02-29'],
      ['a time', { type: 'datetime', key: 'v', subtype: 'time' }, '14:30+01:00'],
      ['a date-time', { type: 'datetime', key: 'v', subtype: 'datetime' }, '2026-12-06T14:30Z'],
    ])('accepts a value of the right type for %s', (_, component, value) => {
      expect(violationsOf(component, value)).toEqual([]);
    });
  });

  describe('numbers', () => {
    const amount: FormComponent = { type: 'number', key: 'amount', validate: { min: 0, max: 100 } };

    it('refuses values below min and above max, bounds included as valid', () => {
      expect(violationsOf(amount, -1)).toEqual([{ field: 'amount', rule: 'min', message: 'must be at least 0' }]);
      expect(violationsOf(amount, 100.5)).toEqual([{ field: 'amount', rule: 'max', message: 'must be at most 100' }]);
      expect(violationsOf(amount, 0)).toEqual([]);
      expect(violationsOf(amount, 100)).toEqual([]);
    });

    it('checks min on 0 too', () => {
      expect(violationsOf({ type: 'number', key: 'n', validate: { min: 1 } }, 0)).toMatchObject([{ rule: 'min' }]);
    });

    it('checks the decimal digits', () => {
      expect(violationsOf({ type: 'number', key: 'n', decimalDigits: 0 }, 1.5)).toEqual([{ field: 'n', rule: 'decimalDigits', message: 'must be a whole number' }]);
      expect(violationsOf({ type: 'number', key: 'n', decimalDigits: 2 }, 1.555)).toMatchObject([{ rule: 'decimalDigits' }]);
      expect(violationsOf({ type: 'number', key: 'n', decimalDigits: 2 }, 1.55)).toEqual([]);
    });
  });

  describe('texts', () => {
    it('counts the trimmed length for minLength and maxLength', () => {
      const code: FormComponent = { type: 'textfield', key: 'code', validate: { minLength: 3, maxLength: 5 } };
      expect(violationsOf(code, ' ab ')).toEqual([{ field: 'code', rule: 'minLength', message: 'must be at least 3 characters long' }]);
      expect(violationsOf(code, 'abcdef')).toEqual([{ field: 'code', rule: 'maxLength', message: 'must be at most 5 characters long' }]);
      expect(violationsOf(code, '  abcde  ')).toEqual([]);
    });

    it('matches a pattern anywhere in the value, as form-js does, unless it is anchored', () => {
      expect(violationsOf({ type: 'textfield', key: 'ref', validate: { pattern: '[0-9]{3}' } }, 'ref-123-x')).toEqual([]);
      expect(violationsOf({ type: 'textfield', key: 'ref', validate: { pattern: '^[0-9]{3}$' } }, 'ref-123-x')).toEqual([
        { field: 'ref', rule: 'pattern', message: 'must match the pattern ^[0-9]{3}$' },
      ]);
    });

    it('checks emails and international phone numbers', () => {
      const email: FormComponent = { type: 'textfield', key: 'email', validate: { validationType: 'email' } };
      expect(violationsOf(email, 'ada@example.org')).toEqual([]);
      expect(violationsOf(email, 'ada@')).toEqual([{ field: 'email', rule: 'email', message: 'must be an email address' }]);
      const phone: FormComponent = { type: 'textfield', key: 'phone', validate: { validationType: 'phone' } };
      expect(violationsOf(phone, '+4930664040900')).toEqual([]);
      expect(violationsOf(phone, '030 6640409')).toMatchObject([{ field: 'phone', rule: 'phone' }]);
    });

    it('lists every rule a value breaks', () => {
      const violations = violationsOf({ type: 'textfield', key: 'code', validate: { maxLength: 2, pattern: '^[a-z]+$' } }, 'ABC');
      expect(violations.map((violation) => violation.rule)).toEqual(['maxLength', 'pattern']);
    });
  });

  describe('options', () => {
    const values = [{ label: 'Low', value: 'low' }, { label: 'High', value: 'high' }];

    it('refuses a choice that is not among the static options', () => {
      expect(violationsOf({ type: 'select', key: 'level', values }, 'medium')).toEqual([
        { field: 'level', rule: 'options', message: '"medium" is not one of the options "low", "high"' },
      ]);
      expect(violationsOf({ type: 'checklist', key: 'levels', values }, ['low', 'top'])).toMatchObject([{ field: 'levels', rule: 'options' }]);
      expect(violationsOf({ type: 'radio', key: 'level', values }, 'high')).toEqual([]);
    });

    it('accepts any choice when the options come from a variable', () => {
      expect(violationsOf({ type: 'select', key: 'level', valuesKey: 'levels' }, 'medium')).toEqual([]);
    });
  });

  describe('structure', () => {
    it('validates every field of the form together, each under its own key', () => {
      const schema = form(
        { type: 'text', text: '# Approve' },
        { type: 'textfield', key: 'name', validate: { required: true } },
        { type: 'number', key: 'amount', validate: { max: 10 } },
      );
      expect(validateFormSubmission(schema, { amount: 11 })).toEqual([
        { field: 'name', rule: 'required', message: 'is required' },
        { field: 'amount', rule: 'max', message: 'must be at most 10' },
      ]);
    });

    it('finds the fields of a group under its path, and dotted keys in nested objects', () => {
      const schema = form({ type: 'group', path: 'address', components: [{ type: 'textfield', key: 'city', validate: { required: true } }] }, { type: 'textfield', key: 'contact.email', validate: { validationType: 'email' } });
      expect(validateFormSubmission(schema, { address: { street: 'Main St' }, contact: { email: 'nope' } })).toEqual([
        { field: 'address.city', rule: 'required', message: 'is required' },
        { field: 'contact.email', rule: 'email', message: 'must be an email address' },
      ]);
      expect(validateFormSubmission(schema, { address: { city: 'Berlin' } })).toEqual([]);
    });

    it('validates each item of a dynamic list, naming the item', () => {
      const schema = form({ type: 'dynamiclist', path: 'items', components: [{ type: 'number', key: 'quantity', validate: { required: true, min: 1 } }] });
      expect(validateFormSubmission(schema, { items: [{ quantity: 2 }, { quantity: 0 }, {}] })).toEqual([
        { field: 'items[1].quantity', rule: 'min', message: 'must be at least 1' },
        { field: 'items[2].quantity', rule: 'required', message: 'is required' },
      ]);
      expect(validateFormSubmission(schema, { items: 'none' })).toEqual([{ field: 'items', rule: 'type', message: 'must be a list' }]);
      // An item's value is the item's own, never a variable of the same name outside the list.
      expect(validateFormSubmission(schema, { quantity: 5, items: [{}] })).toEqual([{ field: 'items[0].quantity', rule: 'required', message: 'is required' }]);
    });

    it('hides fields of a list item by conditions on the item and on the form', () => {
      const schema = form({
        type: 'dynamiclist',
        path: 'items',
        components: [{ type: 'textfield', key: 'serial', validate: { required: true }, conditional: { hide: '=kind = "service" or bulk' } }],
      });
      expect(validateFormSubmission(schema, { bulk: false, items: [{ kind: 'service' }, { kind: 'device' }] })).toEqual([
        { field: 'items[1].serial', rule: 'required', message: 'is required' },
      ]);
      expect(validateFormSubmission(schema, { bulk: true, items: [{ kind: 'device' }] })).toEqual([]);
    });

    it('does not validate fields hidden by their condition, nor disabled or read-only ones', () => {
      const schema = form(
        { type: 'checkbox', key: 'express' },
        { type: 'textfield', key: 'courier', validate: { required: true }, conditional: { hide: '=express = false' } },
        { type: 'textfield', key: 'id', disabled: true, validate: { required: true } },
        { type: 'textfield', key: 'ref', readonly: true, validate: { required: true } },
      );
      expect(validateFormSubmission(schema, { express: false })).toEqual([]);
      expect(validateFormSubmission(schema, { express: true })).toEqual([{ field: 'courier', rule: 'required', message: 'is required' }]);
    });
  });
});

describe('formFields and formValues', () => {
  const schema = form(
    { type: 'textfield', key: 'name' },
    { type: 'group', path: 'address', components: [{ type: 'textfield', key: 'city' }] },
    { type: 'dynamiclist', path: 'items', components: [{ type: 'number', key: 'quantity' }] },
    { type: 'button', key: 'submit' },
  );

  it('lists the fields with their paths', () => {
    expect(formFields(schema).map((field) => field.path.join('.'))).toEqual(['name', 'address.city']);
  });

  it('picks the current values of the form out of the variables, nested as the form nests them', () => {
    expect(formValues(schema, { name: 'Ada', address: { city: 'Berlin', zip: '10115' }, items: [{ quantity: 1 }], unrelated: true })).toEqual({
      name: 'Ada',
      address: { city: 'Berlin' },
      items: [{ quantity: 1 }],
    });
  });
});

describe('parseFormSchema', () => {
  const problemsOf = (text: string) => {
    const result = parseFormSchema(text);
    return result.ok ? [] : result.problems;
  };

  it('reads a valid form', () => {
    const result = parseFormSchema(JSON.stringify(form({ type: 'textfield', key: 'name', validate: { required: true, pattern: '^\\w+$' } })));
    expect(result).toMatchObject({ ok: true, schema: { id: 'test' } });
  });

  it('refuses text that is not JSON, and a form without components', () => {
    expect(problemsOf('{ "id": ')).toMatchObject([{ code: 'NOT_WELL_FORMED', field: '$' }]);
    expect(problemsOf('{ "id": "f" }')).toEqual([{ code: 'MISSING_ATTRIBUTE', field: '$.components', message: 'the form has no components array' }]);
  });

  it('names the component and rule of each problem', () => {
    const problems = problemsOf(
      JSON.stringify(
        form(
          { type: 'textfield', key: 'a', validate: { pattern: '([a-z' } },
          { type: 'number', key: 'b', validate: { min: '1' as unknown as number, minLength: -1 } },
          { type: 'textfield', key: 'a' },
          { type: 'select', key: 'c', values: [{ label: 'x' }] as unknown as [] },
          { type: 'textfield', key: 'd', validate: { validationType: 'fax' } },
        ),
      ),
    );
    expect(problems.map((problem) => [problem.code, problem.field])).toEqual([
      ['INVALID_FORM', '$.components[0].validate.pattern'],
      ['INVALID_FORM', '$.components[1].validate.min'],
      ['INVALID_FORM', '$.components[1].validate.minLength'],
      ['DUPLICATE_KEY', '$.components[2].key'],
      ['INVALID_FORM', '$.components[3].values[0]'],
      ['INVALID_FORM', '$.components[4].validate.validationType'],
    ]);
  });
});
