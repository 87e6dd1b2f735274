import { describe, expect, it } from '@jest/globals';
import { fromFeelValue } from './conversion.js';
import { evaluateExpression, evaluateUnaryTests } from './feel.js';
import { FeelFunction, FeelNumber, FeelSession, FeelValue } from './values.js';

describe('FEEL variables given in a map', () => {
  it('finds names written with other white space than the text uses (`order  total` for `order total`)', () => {
    const variables = new Map<string, FeelValue>([['order  total', new FeelNumber(10)], [' discount\t', new FeelNumber(3)]]);
    expect(fromFeelValue(evaluateExpression('order total - discount', variables).value)).toBe(7);
    // The caller's map is read, never changed.
    expect([...variables.keys()]).toEqual(['order  total', ' discount\t']);
  });

  it('reads names already in normal form from the same map for every evaluation', () => {
    const variables = new Map<string, FeelValue>([['credit score', new FeelNumber(640)]]);
    expect(evaluateUnaryTests('[600..700]', new FeelNumber(650), variables).value).toBe(true);
    expect(evaluateUnaryTests('> credit score', new FeelNumber(650), variables).value).toBe(true);
    variables.set('credit score', new FeelNumber(660));
    expect(evaluateUnaryTests('> credit score', new FeelNumber(650), variables).value).toBe(false);
  });

  it('gives a function defined by the text the variables as they were, whatever the caller changes afterwards', () => {
    const variables = new Map<string, FeelValue>([['rate', new FeelNumber(2)]]);
    const defined = evaluateExpression('function(x) x * rate', variables).value;
    variables.set('rate', new FeelNumber(3));
    expect(defined).toBeInstanceOf(FeelFunction);
    const session: FeelSession = { now: null, warnings: [], warn: () => null };
    const result = (defined as FeelFunction).invoke({ positional: [new FeelNumber(5)] }, session);
    expect(fromFeelValue(result)).toBe(10);
  });
});
