import { describe, expect, it } from '@jest/globals';

import { readFormResource } from './form-resource.js';

/** A form as the Camunda Modeler saves it. */
export const form = (id: string, label = 'Amount'): string =>
  JSON.stringify(
    {
      components: [
        { label, type: 'number', id: 'Field_amount', key: 'amount' },
        { type: 'group', id: 'Group_1', components: [{ type: 'textfield', id: 'Field_note', key: 'note' }] },
      ],
      type: 'default',
      id,
      schemaVersion: 16,
      exporter: { name: 'Camunda Modeler', version: '5.30.0' },
    },
    null,
    2,
  );

function problemsOf(text: string) {
  const result = readFormResource(text);
  if (result.ok) throw new Error('expected the form to be refused, but it was accepted');
  return result.problems;
}

describe('form resources', () => {
  it('reads the id of a form-js form', () => {
    expect(readFormResource(form('invoice-approval'))).toEqual({ ok: true, value: { id: 'invoice-approval' } });
  });

  it('refuses text that is not JSON, with the line and column of the error', () => {
    const found = problemsOf('{\n  "id": "f",\n  "components": [,]\n}');
    expect(found).toEqual([expect.objectContaining({ code: 'NOT_WELL_FORMED', field: '$', line: 3, column: 18 })]);
    expect(found[0]?.message).toMatch(/^not JSON: /);
    expect(problemsOf('{"id": "f", "components": [')).toEqual([expect.objectContaining({ line: 1, column: 28 })]);
    expect(problemsOf('{"id": "f\\x"}')).toEqual([expect.objectContaining({ line: 1, column: 11 })]);
    expect(problemsOf('{"id": "f"} trailing')).toEqual([expect.objectContaining({ line: 1, column: 13 })]);
    expect(problemsOf('{"id": tru}')).toEqual([expect.objectContaining({ line: 1, column: 11 })]);
  });

  it('refuses JSON that is not an object', () => {
    expect(problemsOf('[1, 2]')).toEqual([expect.objectContaining({ code: 'INVALID_FORM', field: '$' })]);
  });

  it('names the JSON path of every problem: id, components, a component without a type, nested ones too', () => {
    expect(problemsOf('{"components": []}')).toEqual([expect.objectContaining({ code: 'MISSING_ATTRIBUTE', field: '$.id' })]);
    expect(problemsOf('{"id": "f"}')).toEqual([expect.objectContaining({ code: 'MISSING_ATTRIBUTE', field: '$.components' })]);
    expect(
      problemsOf(JSON.stringify({ id: 7, components: [{ type: 'number' }, 'text', { key: 'x' }, { type: 'group', components: [{ type: '' }] }] })).map(
        (problem) => problem.field,
      ),
    ).toEqual(['$.id', '$.components[1]', '$.components[2].type', '$.components[3].components[0].type']);
    expect(problemsOf('{"id": "f", "components": {}}')).toEqual([expect.objectContaining({ code: 'INVALID_FORM', field: '$.components' })]);
  });

  it('refuses a form id that cannot name a definition', () => {
    expect(problemsOf('{"id": "f:1", "components": []}')).toEqual([expect.objectContaining({ code: 'INVALID_FORM', field: '$.id' })]);
  });

  it('refuses a form whose validation could not run: a pattern that is no regular expression, a key used twice', () => {
    const text = JSON.stringify({
      id: 'f',
      components: [
        { type: 'textfield', key: 'code', validate: { pattern: '[a-z' } },
        { type: 'group', components: [{ type: 'number', key: 'code', validate: { max: 'ten' } }] },
      ],
    });
    expect(problemsOf(text).map((problem) => [problem.code, problem.field])).toEqual([
      ['INVALID_FORM', '$.components[0].validate.pattern'],
      ['DUPLICATE_KEY', '$.components[1].components[0].key'],
      ['INVALID_FORM', '$.components[1].components[0].validate.max'],
    ]);
  });
});
