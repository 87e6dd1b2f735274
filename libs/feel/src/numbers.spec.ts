import { describe, expect, it } from '@jest/globals';
import { feel } from './testing/feel-test-helpers.js';

describe('FEEL numbers are decimals with 34 significant digits', () => {
  it('adds 0.1 and 0.2 to exactly 0.3, unlike JavaScript floats', () => {
    expect(feel('0.1 + 0.2 = 0.3')).toBe('true');
    expect(feel('0.1 + 0.2')).toBe('0.3');
  });

  it('divides to 34 significant digits, rounding half even', () => {
    expect(feel('1 / 3')).toBe('0.3333333333333333333333333333333333');
    expect(feel('2 / 3')).toBe('0.6666666666666666666666666666666667');
  });

  it('keeps integers beyond 2^53 exact', () => {
    expect(feel('9007199254740993 + 1')).toBe('9007199254740994');
    expect(feel('12345678901234567890 * 10')).toBe('123456789012345678900');
  });

  it('computes powers, negation and precedence as the grammar says', () => {
    expect(feel('2 ** 10')).toBe('1024');
    expect(feel('1 + 2 * 3')).toBe('7');
    expect(feel('-(1 - 3)')).toBe('2');
    expect(feel('10 - 2 - 3')).toBe('5');
  });

  it('rounds with the built-ins of the spec', () => {
    expect(feel('decimal(1/3, 2)')).toBe('0.33');
    expect(feel('decimal(2.5, 0)')).toBe('2');
    expect(feel('floor(-1.5)')).toBe('-2');
    expect(feel('ceiling(1.2)')).toBe('2');
    expect(feel('round half up(2.5, 0)')).toBe('3');
    expect(feel('round half down(2.5, 0)')).toBe('2');
    expect(feel('round up(-1.1, 0)')).toBe('-2');
    expect(feel('round down(-1.9, 0)')).toBe('-1');
    expect(feel('modulo(-12, 5)')).toBe('3');
    expect(feel('abs(-4.5)')).toBe('4.5');
    expect(feel('sqrt(16)')).toBe('4');
    expect(feel('odd(5)')).toBe('true');
    expect(feel('even(5)')).toBe('false');
  });

  it('gives null, not an exception, for division by zero and impossible roots', () => {
    expect(feel('1 / 0')).toBeNull();
    expect(feel('sqrt(-1)')).toBeNull();
    expect(feel('log(0)')).toBeNull();
  });

  it('converts strings to numbers with separators', () => {
    expect(feel('number("1 000,5", " ", ",")')).toBe('1000.5');
    expect(feel('number("12.5")')).toBe('12.5');
    expect(feel('number("twelve")')).toBeNull();
  });

  it('turns JavaScript numbers given as variables into decimals', () => {
    expect(feel('price * quantity', { price: 0.1, quantity: 3 })).toBe('0.3');
  });
});
