import { describe, expect, it } from '@jest/globals';

import { camundaDate, parseCamundaDate } from './camunda-dates.js';
import { CamundaRestException } from './camunda-rest.error.js';
import { typedValueOf, typedValuesOf, valueOfTyped, variablesOfTyped } from './typed-values.js';

function rejection(run: () => unknown): { status: number; type: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof CamundaRestException) return { status: error.problem.status, ...error.body };
    throw error;
  }
  throw new Error('expected a CamundaRestException');
}

describe('typed variables in', () => {
  it('reads every supported type, its name in any case', () => {
    expect(
      variablesOfTyped({
        customer: { value: 'ACME', type: 'String' },
        approved: { value: true, type: 'boolean' },
        approvedText: { value: 'false', type: 'Boolean' },
        count: { value: 42, type: 'INTEGER' },
        countText: { value: '7', type: 'Integer' },
        big: { value: 9_007_199_254_740_991, type: 'Long' },
        small: { value: -32_768, type: 'Short' },
        ratio: { value: 0.25, type: 'Double' },
        order: { value: '{"items":["bolt","nut"],"total":3}', type: 'Json' },
        address: { value: '{"city":"Berlin"}', type: 'Object', valueInfo: { objectTypeName: 'com.acme.Address', serializationDataFormat: 'application/json' } },
        nothing: { value: null, type: 'Null' },
        due: { value: '2026-01-02T12:00:00.000+0200', type: 'Date' },
        untyped: { value: { a: 1 } },
      }),
    ).toEqual({
      customer: 'ACME',
      approved: true,
      approvedText: false,
      count: 42,
      countText: 7,
      big: 9_007_199_254_740_991,
      small: -32_768,
      ratio: 0.25,
      order: { items: ['bolt', 'nut'], total: 3 },
      address: { city: 'Berlin' },
      nothing: null,
      due: '2026-01-02T10:00:00.000Z',
      untyped: { a: 1 },
    });
  });

  it('refuses a value its type cannot hold with Camunda\'s message, as a 400 InvalidRequestException', () => {
    expect(rejection(() => valueOfTyped('count', { value: 'many', type: 'Integer' }))).toEqual({
      status: 400,
      type: 'InvalidRequestException',
      message: "Cannot convert value 'many' of type 'Integer' to java type java.lang.Integer",
    });
    expect(rejection(() => valueOfTyped('count', { value: 2 ** 31, type: 'Integer' })).message).toContain('java.lang.Integer');
    expect(rejection(() => valueOfTyped('small', { value: 40_000, type: 'Short' })).message).toContain('java.lang.Short');
    expect(rejection(() => valueOfTyped('count', { value: 1.5, type: 'Long' })).message).toContain('java.lang.Long');
    expect(rejection(() => valueOfTyped('flag', { value: 'yes', type: 'Boolean' })).message).toContain('java.lang.Boolean');
    expect(rejection(() => valueOfTyped('due', { value: 'tomorrow', type: 'Date' })).message).toContain('java.util.Date');
    expect(rejection(() => valueOfTyped('order', { value: '{oops', type: 'Json' })).message).toContain("variable type 'Json': it is not JSON");
  });

  it('names an unsupported type or serialization format and the variable', () => {
    expect(rejection(() => variablesOfTyped({ file: { value: 'x', type: 'File' } })).message).toBe("Unsupported value type 'File' of variable 'file'");
    expect(rejection(() => valueOfTyped('bean', { value: 'rO0', type: 'Object', valueInfo: { serializationDataFormat: 'application/x-java-serialized-object' } })).message).toBe(
      "Variable 'bean': only objects serialized as application/json are supported, not application/x-java-serialized-object",
    );
    expect(rejection(() => variablesOfTyped(['a'])).message).toBe('variables must be a JSON object of variables, not ["a"]');
    expect(rejection(() => variablesOfTyped({ plain: 5 })).message).toBe("Variable 'plain' must be an object with 'value' and 'type', not 5");
  });
});

describe('typed variables out', () => {
  it('types each JSON value as Camunda would show it', () => {
    expect(typedValuesOf({ s: 'x', b: false, i: 3, l: 2 ** 40, d: 1.5, n: null, o: { a: [1] }, a: [1, 2] })).toEqual({
      s: { type: 'String', value: 'x', valueInfo: {} },
      b: { type: 'Boolean', value: false, valueInfo: {} },
      i: { type: 'Integer', value: 3, valueInfo: {} },
      l: { type: 'Long', value: 2 ** 40, valueInfo: {} },
      d: { type: 'Double', value: 1.5, valueInfo: {} },
      n: { type: 'Null', value: null, valueInfo: {} },
      o: { type: 'Json', value: '{"a":[1]}', valueInfo: {} },
      a: { type: 'Json', value: '[1,2]', valueInfo: {} },
    });
  });

  it('reads back what it wrote', () => {
    for (const value of ['x', true, 12, 2 ** 40, 0.5, null, { a: { b: [1, 'two'] } }]) {
      expect(valueOfTyped('v', typedValueOf(value))).toEqual(value);
    }
  });
});

describe('Camunda dates', () => {
  it('writes UTC instants in Camunda\'s format and reads its offsets', () => {
    expect(camundaDate('2026-03-04T05:06:07.089Z')).toBe('2026-03-04T05:06:07.089+0000');
    expect(camundaDate(undefined)).toBeNull();
    expect(parseCamundaDate('2026-03-04T07:06:07.089+0200')).toBe('2026-03-04T05:06:07.089Z');
    expect(parseCamundaDate('2026-03-04T07:06:07+02:00')).toBe('2026-03-04T05:06:07.000Z');
    expect(parseCamundaDate('2026-03-04T05:06:07')).toBe('2026-03-04T05:06:07.000Z');
    expect(parseCamundaDate('next week')).toBeUndefined();
  });
});
