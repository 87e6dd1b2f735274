import { describe, expect, it } from '@jest/globals';

import { callerOf, parseVariableConditions } from './task-caller.js';

describe('callerOf', () => {
  it('takes the user and groups from the headers, over the body', () => {
    expect(callerOf({ user: 'ada', groups: 'sales, support,,' }, { userId: 'mallory', groups: ['admins'] })).toEqual({ userId: 'ada', groups: ['sales', 'support'] });
  });

  it('falls back to the body, and to nobody in no group', () => {
    expect(callerOf({}, { userId: 'bob', groups: ['sales'] })).toEqual({ userId: 'bob', groups: ['sales'] });
    expect(callerOf({ user: ' ' })).toEqual({ groups: [] });
  });
});

describe('parseVariableConditions', () => {
  it('reads name:op:value, the value as JSON when it is JSON, else as a text', () => {
    expect(parseVariableConditions('processVariables', ['amount:gt:100', 'approved:eq:true', 'code:eq:"42"', 'customer:like:Ada%', 'url:eq:http://x:1'])).toEqual([
      { name: 'amount', operator: 'gt', value: 100 },
      { name: 'approved', operator: 'eq', value: true },
      { name: 'code', operator: 'eq', value: '42' },
      { name: 'customer', operator: 'like', value: 'Ada%' },
      { name: 'url', operator: 'eq', value: 'http://x:1' },
    ]);
    expect(parseVariableConditions('taskVariables', undefined)).toBeUndefined();
  });

  it('refuses a condition without a known operator with a 400 naming the field', () => {
    for (const text of ['amount', 'amount:gt', 'amount:between:1', ':eq:1']) {
      expect(() => parseVariableConditions('taskVariables', [text])).toThrow(
        expect.objectContaining({ problem: expect.objectContaining({ status: 400, errors: [expect.objectContaining({ field: 'taskVariables' })] }) }),
      );
    }
  });
});
