import { describe, expect, it } from '@jest/globals';
import { feel, test } from './testing/feel-test-helpers.js';

describe('FEEL ranges and unary tests', () => {
  it('tests an input against comparisons, intervals, values and lists of them', () => {
    expect(test('< 10', 5)).toBe(true);
    expect(test('[1..5)', 5)).toBe(false);
    expect(test(']1..5]', 5)).toBe(true);
    expect(test('"a", "b"', 'b')).toBe(true);
    expect(test('-', 'anything')).toBe(true);
    expect(test('not(1, 2)', 3)).toBe(true);
    expect(test('not(1, 2)', 2)).toBe(false);
  });

  it('tests with ? and with expressions that use variables', () => {
    expect(test('? > limit', 12, { limit: 10 })).toBe(true);
    expect(test('[limit..limit * 2]', 15, { limit: 10 })).toBe(true);
    expect(test('date("2024-01-01")', '2024-01-01')).toBeNull();
  });

  it('answers null when the input is not comparable with the test', () => {
    expect(test('< 10', 'ten')).toBeNull();
  });

  it('evaluates in and between in expressions', () => {
    expect(feel('5 in [1..10]')).toBe('true');
    expect(feel('5 in (< 3, > 4)')).toBe('true');
    expect(feel('"b" in ["a", "b"]')).toBe('true');
    expect(feel('5 between 1 and 10')).toBe('true');
    expect(feel('5 between "a" and 10')).toBeNull();
  });

  it('makes ranges as values with their properties', () => {
    expect(feel('[1..10]')).toBe('[1..10]');
    expect(feel('(1..10].start included')).toBe('false');
    expect(feel('(< 5).end')).toBe('5');
  });

  it('reads a range from its text with range()', () => {
    expect(feel('range("[1..10)")')).toBe('[1..10)');
    expect(feel('range(">= 5") = (>= 5)')).toBe('true');
    expect(feel('5 in range("[1..10]")')).toBe('true');
    expect(feel('range("[a..b]")')).toBeNull();
    expect(feel('range("1..")')).toBeNull();
  });

  it('has the range functions of the spec', () => {
    expect(feel('before(1, 10)')).toBe('true');
    expect(feel('before([1..5], [5..10])')).toBe('false');
    expect(feel('before([1..5), [5..10])')).toBe('true');
    expect(feel('after([5..10], 1)')).toBe('true');
    expect(feel('meets([1..5], [5..10])')).toBe('true');
    expect(feel('met by([5..10], [1..5])')).toBe('true');
    expect(feel('overlaps([1..5], [3..8])')).toBe('true');
    expect(feel('overlaps before([1..5], [3..8])')).toBe('true');
    expect(feel('overlaps after([3..8], [1..5])')).toBe('true');
    expect(feel('finishes(5, [1..5])')).toBe('true');
    expect(feel('finished by([1..5], 5)')).toBe('true');
    expect(feel('includes([1..10], 5)')).toBe('true');
    expect(feel('during(5, [1..10])')).toBe('true');
    expect(feel('starts(1, [1..5])')).toBe('true');
    expect(feel('started by([1..5], [1..3])')).toBe('true');
    expect(feel('coincides([1..5], [1..5])')).toBe('true');
  });
});
