import { describe, expect, it } from '@jest/globals';
import { feel } from './testing/feel-test-helpers.js';

describe('FEEL three-valued logic', () => {
  it('follows the truth tables of and / or with null and non-booleans', () => {
    expect(feel('true and null')).toBeNull();
    expect(feel('false and null')).toBe('false');
    expect(feel('true or null')).toBe('true');
    expect(feel('false or null')).toBeNull();
    expect(feel('false and "x"')).toBe('false');
    expect(feel('true or 5')).toBe('true');
    expect(feel('true and 5')).toBeNull();
  });

  it('negates with not(), null staying null', () => {
    expect(feel('not(true)')).toBe('false');
    expect(feel('not(null)')).toBeNull();
  });

  it('takes the else branch when the condition is not true', () => {
    expect(feel('if null then 1 else 2')).toBe('2');
    expect(feel('if "yes" then 1 else 2')).toBe('2');
    expect(feel('if 1 < 2 then "a" else "b"')).toBe('"a"');
  });

  it('compares null only as equal to null', () => {
    expect(feel('null = null')).toBe('true');
    expect(feel('1 = null')).toBe('false');
    expect(feel('1 = "1"')).toBeNull();
    expect(feel('null < 1')).toBeNull();
  });

  it('gives some/every null when no item decides', () => {
    expect(feel('some x in [null, false] satisfies x')).toBeNull();
    expect(feel('every x in [true, null] satisfies x')).toBeNull();
    expect(feel('some x in [1, 2] satisfies if x = 2 then true else "no"')).toBeNull();
  });
});
