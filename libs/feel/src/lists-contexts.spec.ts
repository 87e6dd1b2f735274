import { describe, expect, it } from '@jest/globals';
import { feel } from './testing/feel-test-helpers.js';

describe('FEEL lists and contexts', () => {
  it('filters lists by condition and by position', () => {
    expect(feel('[1, 2, 3, 4][item > 2]')).toBe('[3, 4]');
    expect(feel('[1, 2, 3][1]')).toBe('1');
    expect(feel('[1, 2, 3][-1]')).toBe('3');
    expect(feel('[1, 2, 3][5]')).toBeNull();
    expect(feel('orders[amount > 10].id', { orders: [{ id: 'a', amount: 5 }, { id: 'b', amount: 20 }] })).toBe('["b"]');
  });

  it('reads context entries with paths, later entries seeing earlier ones', () => {
    expect(feel('{a: 1, b: a + 1}.b')).toBe('2');
    expect(feel('{"first name": "Ann"}.first name')).toBe('"Ann"');
    expect(feel('customer.address.city', { customer: { address: { city: 'Lyon' } } })).toBe('"Lyon"');
  });

  it('iterates with for, over lists and number ranges, with partial results', () => {
    expect(feel('for x in [1, 2], y in [10, 20] return x * y')).toBe('[10, 20, 20, 40]');
    expect(feel('for i in 3..1 return i')).toBe('[3, 2, 1]');
    expect(feel('for i in 0..4 return if i = 0 then 1 else i * partial[-1]')).toBe('[1, 1, 2, 6, 24]');
  });

  it('quantifies with some and every', () => {
    expect(feel('some x in [1, 5] satisfies x > 4')).toBe('true');
    expect(feel('every x in [1, 5] satisfies x > 4')).toBe('false');
  });

  it('has the list functions of the spec', () => {
    expect(feel('list contains([1, null], null)')).toBe('true');
    expect(feel('count([1, 2, 3])')).toBe('3');
    expect(feel('count(5)')).toBe('1');
    expect(feel('min([3, 1, 2])')).toBe('1');
    expect(feel('max(3, 1, 2)')).toBe('3');
    expect(feel('sum([0.1, 0.2])')).toBe('0.3');
    expect(feel('mean(1, 2, 3)')).toBe('2');
    expect(feel('median([3, 1, 4, 2])')).toBe('2.5');
    expect(feel('stddev(2, 4, 7, 5)')).toBe('2.081665999466132735282297706979931');
    expect(feel('mode([6, 3, 9, 6, 6])')).toBe('[6]');
    expect(feel('product(2, 3, 4)')).toBe('24');
    expect(feel('all([true, null])')).toBeNull();
    expect(feel('any([false, true])')).toBe('true');
    expect(feel('sublist([1, 2, 3], 2)')).toBe('[2, 3]');
    expect(feel('append([1], 2, 3)')).toBe('[1, 2, 3]');
    expect(feel('concatenate([1], [2, 3])')).toBe('[1, 2, 3]');
    expect(feel('insert before([1, 3], 2, 2)')).toBe('[1, 2, 3]');
    expect(feel('remove([1, 2, 3], 2)')).toBe('[1, 3]');
    expect(feel('reverse([1, 2, 3])')).toBe('[3, 2, 1]');
    expect(feel('index of([1, 2, 1], 1)')).toBe('[1, 3]');
    expect(feel('union([1, 2], [2, 3])')).toBe('[1, 2, 3]');
    expect(feel('distinct values([1, 2, 1])')).toBe('[1, 2]');
    expect(feel('flatten([1, [2, [3]]])')).toBe('[1, 2, 3]');
    expect(feel('sort([3, 1, 2])')).toBe('[1, 2, 3]');
    expect(feel('sort([3, 1, 2], function(a, b) a > b)')).toBe('[3, 2, 1]');
  });

  it('has the context functions of the spec', () => {
    expect(feel('get value({a: 1}, "a")')).toBe('1');
    expect(feel('get entries({a: 1})')).toBe('[{key: "a", value: 1}]');
    expect(feel('context put({a: 1, b: {c: 1}}, ["b", "c"], 2)')).toBe('{a: 1, b: {c: 2}}');
    expect(feel('context merge([{a: 1}, {a: 2, b: 3}])')).toBe('{a: 2, b: 3}');
    expect(feel('context([{key: "a", value: 1}])')).toBe('{a: 1}');
  });

  it('compares lists and contexts item by item', () => {
    expect(feel('[1, 2] = [1, 2]')).toBe('true');
    expect(feel('{a: 1} = {a: 1}')).toBe('true');
    expect(feel('{a: 1} = {a: 2}')).toBe('false');
  });
});
