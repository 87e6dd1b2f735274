import { describe, expect, it } from '@jest/globals';
import { fromFeelValue, toFeelValue } from './conversion.js';
import { parseExpression, parseUnaryTests } from './feel.js';
import { warningsOf } from './testing/feel-test-helpers.js';
import { FeelNumber } from './values.js';

describe('FEEL failures: null with a warning that says why, never an exception', () => {
  it('warns about unknown variables, type mismatches and division by zero', () => {
    expect(warningsOf('amount > 10')).toEqual(["NO_VARIABLE_FOUND: No variable found with name 'amount'"]);
    expect(warningsOf('1 + "a"')).toEqual(['INVALID_TYPE: Cannot add number and string']);
    expect(warningsOf('1 / 0')).toEqual(['DIVISION_BY_ZERO: Division by zero']);
    expect(warningsOf('{a: 1}.b')).toEqual(["NO_CONTEXT_ENTRY_FOUND: No context entry found with key 'b'"]);
    expect(warningsOf('upper case(5)')).toEqual(["INVALID_ARGUMENT: upper case: 'string' must be a string, got number"]);
  });

  it('warns nothing for a good expression', () => {
    expect(warningsOf('a + 1', { a: 1 })).toEqual([]);
  });

  it('reports syntax errors with line and column', () => {
    const parsed = parseExpression('1 +\n * 2');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatchObject({ line: 2, column: 2 });
    const tests = parseUnaryTests('[1..');
    expect(tests.ok).toBe(false);
    expect(warningsOf('1 +')).toEqual(['SYNTAX_ERROR: Unexpected end of expression at line 1, column 4']);
  });

  it('parses once and evaluates many times', () => {
    const parsed = parseExpression('order total * 2', { names: ['order total'] });
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(String(parsed.value.evaluate(new Map([['order total', new FeelNumber(2)]])).value)).toBe('4');
    expect(String(parsed.value.evaluate(new Map([['order total', new FeelNumber(5)]])).value)).toBe('10');
  });

  it('reads variables on demand through a function, as the engine reads a scope', () => {
    const parsed = parseExpression('amount > 100 and missing = null');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const asked: string[] = [];
    const read = (name: string) => {
      asked.push(name);
      return name === 'amount' ? toFeelValue(150) : undefined;
    };
    const result = parsed.value.evaluate(read);
    expect(result.value).toBe(true);
    expect(asked).toEqual(['amount', 'missing']);
    expect(result.warnings.map((w) => w.code)).toEqual(['NO_VARIABLE_FOUND']);
  });

  it('tells which names an expression reads as values and which it calls', () => {
    const parsed = parseExpression('count(items) + order  total + sum(for x in prices return x * rate) + {a: 1}.a');
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect([...parsed.value.names.variables].sort()).toEqual(['items', 'order total', 'prices', 'rate', 'x']);
    expect([...parsed.value.names.functions].sort()).toEqual(['count', 'sum']);
    const both = parseExpression('now = now()');
    expect(both.ok && [both.value.names.variables, both.value.names.functions]).toEqual([new Set(['now']), new Set(['now'])]);
  });

  it('converts values to and from JavaScript for the engine', () => {
    const value = toFeelValue({ amount: 1.5, tags: ['a'], due: '2024-05-01', missing: undefined });
    expect(fromFeelValue(value)).toEqual({ amount: 1.5, tags: ['a'], due: '2024-05-01', missing: null });
    const parsed = parseExpression('date("2024-05-01") + duration("P1D")');
    expect(parsed.ok && fromFeelValue(parsed.value.evaluate().value)).toBe('2024-05-02');
  });
});
