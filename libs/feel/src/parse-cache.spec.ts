import { describe, expect, it } from '@jest/globals';
import { fromFeelValue, toFeelValue } from './conversion.js';
import { parseExpression, parseUnaryTests } from './feel.js';
import { FeelContext, FeelNumber, FeelRange, FeelValue } from './values.js';

const scope = (values: Record<string, unknown>): Map<string, FeelValue> => new Map(Object.entries(values).map(([k, v]) => [k, toFeelValue(v)]));

describe('FEEL parses are cached by text and by the names in scope', () => {
  it('reads the same text by the names known at each parse, not by an earlier parse of it', () => {
    // `order total - discount`: one name with spaces and a hyphen, or a subtraction, depending on what is in scope.
    const withName = scope({ 'order total - discount': 7, 'order total': 10, discount: 3 });
    const withoutName = scope({ 'order total': 10, discount: 2 });
    const text = 'order total - discount';
    const first = parseExpression(text, { context: withName });
    const second = parseExpression(text, { context: withoutName });
    expect(first.ok && fromFeelValue(first.value.evaluate(withName).value)).toBe(7);
    expect(second.ok && fromFeelValue(second.value.evaluate(withoutName).value)).toBe(8);
    // And again in the first order: the second parse did not replace the first one's reading.
    const third = parseExpression(text, { context: withName });
    expect(third.ok && fromFeelValue(third.value.evaluate(withName).value)).toBe(7);
  });

  it('knows the entry names of context variables at each parse (`customer.first name`)', () => {
    const text = 'customer.first name';
    const named = new Map<string, FeelValue>([['customer', new FeelContext(new Map([['first name', 'Ada']]))]]);
    const other = new Map<string, FeelValue>([['customer', new FeelContext(new Map([['first', 'Bob']]))]]);
    const a = parseExpression(text, { context: named });
    expect(a.ok && a.value.evaluate(named).value).toBe('Ada');
    const b = parseExpression(text, { context: other });
    // Without the entry `first name` the parser reads `customer.first` then a stray `name`: not the cached reading.
    expect(b.ok && b.value.evaluate(other).value).not.toBe('Ada');
  });

  it('gives unary tests and expressions of the same text apart, and syntax errors each time', () => {
    const tests = parseUnaryTests('[1..5]');
    expect(tests.ok && tests.value.test(new FeelNumber(3)).value).toBe(true);
    const expression = parseExpression('[1..5]');
    // As an expression the same text is a range, not a test of an input.
    expect(expression.ok && expression.value.evaluate().value).toBeInstanceOf(FeelRange);
    const again = parseUnaryTests('[1..5]');
    expect(again.ok && again.value.test(new FeelNumber(7)).value).toBe(false);
    for (let i = 0; i < 2; i++) {
      const broken = parseExpression('1 +');
      expect(!broken.ok && broken.error.message).toBe('Unexpected end of expression');
    }
  });
});
