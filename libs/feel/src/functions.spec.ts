import { describe, expect, it } from '@jest/globals';
import { builtinNames } from './builtins.js';
import { feel } from './testing/feel-test-helpers.js';

describe('FEEL functions', () => {
  it('defines and calls user functions, by position and by name', () => {
    expect(feel('{f: function(a, b) a - b, r: f(5, 3)}.r')).toBe('2');
    expect(feel('{f: function(a, b) a - b, r: f(b: 5, a: 3)}.r')).toBe('-2');
    expect(feel('(function(x) x * 2)(21)')).toBe('42');
  });

  it('calls built-ins by name, with optional parameters left out', () => {
    expect(feel('substring(string: "foobar", start position: 3)')).toBe('"obar"');
    expect(feel('abs(n: -1)')).toBe('1');
  });

  it('closes over the scope where a function is defined, and recurses through a context', () => {
    expect(feel('{k: 10, add: function(x) x + k, r: add(1)}.r')).toBe('11');
    expect(feel('{fac: function(n) if n <= 1 then 1 else n * fac(n - 1), r: fac(5)}.r')).toBe('120');
  });

  it('checks typed parameters and gives null when an argument does not conform', () => {
    expect(feel('{f: function(a: number) a + 1, r: f(1)}.r')).toBe('2');
    expect(feel('{f: function(a: number) a + 1, r: f("1")}.r')).toBeNull();
  });

  it('gives null for a wrong number of arguments or an unknown function', () => {
    expect(feel('abs()')).toBeNull();
    expect(feel('abs(1, 2)')).toBeNull();
    expect(feel('no such function(1)')).toBeNull();
  });

  it('tells the types of values with instance of', () => {
    expect(feel('1 instance of number')).toBe('true');
    expect(feel('"a" instance of number')).toBe('false');
    expect(feel('[1, 2] instance of list<number>')).toBe('true');
    expect(feel('{a: 1} instance of context<a: number>')).toBe('true');
    expect(feel('date("2024-01-01") instance of date')).toBe('true');
    expect(feel('duration("P1Y") instance of years and months duration')).toBe('true');
    expect(feel('(function(a: number) a) instance of function<number>->Any')).toBe('true');
    expect(feel('null instance of Any')).toBe('false');
  });

  it('knows every built-in function of DMN 1.5', () => {
    const required = [
      'date', 'date and time', 'time', 'number', 'string', 'duration', 'years and months duration', 'not', 'substring',
      'string length', 'upper case', 'lower case', 'substring before', 'substring after', 'replace', 'contains',
      'starts with', 'ends with', 'matches', 'split', 'string join', 'list contains', 'count', 'min', 'max', 'sum', 'mean',
      'all', 'any', 'sublist', 'append', 'concatenate', 'insert before', 'remove', 'reverse', 'index of', 'union',
      'distinct values', 'flatten', 'product', 'median', 'stddev', 'mode', 'sort', 'decimal', 'floor', 'ceiling',
      'round up', 'round down', 'round half up', 'round half down', 'abs', 'modulo', 'sqrt', 'log', 'exp', 'odd', 'even',
      'is', 'before', 'after', 'meets', 'met by', 'overlaps', 'overlaps before', 'overlaps after', 'finishes',
      'finished by', 'includes', 'during', 'starts', 'started by', 'coincides', 'day of year', 'day of week',
      'month of year', 'week of year', 'get value', 'get entries', 'context', 'context put', 'context merge', 'now', 'today', 'range',
    ];
    expect(required.filter((name) => !builtinNames().includes(name))).toEqual([]);
  });
});
