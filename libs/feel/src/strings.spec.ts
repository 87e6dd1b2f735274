import { describe, expect, it } from '@jest/globals';
import { feel } from './testing/feel-test-helpers.js';

describe('FEEL strings', () => {
  it('concatenates and compares strings', () => {
    expect(feel('"foo" + "bar"')).toBe('"foobar"');
    expect(feel('"a" < "b"')).toBe('true');
  });

  it('reads escapes in string literals', () => {
    expect(feel('"a\\"b"')).toBe('"a\\"b"');
    expect(feel('string length("\\u0041\\n")')).toBe('2');
  });

  it('counts characters in code points, so an emoji is one character', () => {
    expect(feel('string length("🐎x")')).toBe('2');
    expect(feel('substring("🐎abc", 2, 2)')).toBe('"ab"');
  });

  it('has the string functions of the spec', () => {
    expect(feel('substring("foobar", 3)')).toBe('"obar"');
    expect(feel('substring("foobar", -2, 1)')).toBe('"a"');
    expect(feel('upper case("abc")')).toBe('"ABC"');
    expect(feel('lower case("ABC")')).toBe('"abc"');
    expect(feel('substring before("foobar", "bar")')).toBe('"foo"');
    expect(feel('substring after("foobar", "ob")')).toBe('"ar"');
    expect(feel('contains("foobar", "of")')).toBe('false');
    expect(feel('starts with("foobar", "fo")')).toBe('true');
    expect(feel('ends with("foobar", "r")')).toBe('true');
    expect(feel('split("John Doe", "\\s")')).toBe('["John", "Doe"]');
    expect(feel('string join(["a", null, "c"], ", ")')).toBe('"a, c"');
  });

  it('uses XPath regular expressions in matches and replace', () => {
    expect(feel('matches("foobar", "^fo*b")')).toBe('true');
    expect(feel('matches("FOO", "foo", "i")')).toBe('true');
    expect(feel('replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")')).toBe('"[1=ab][2=]cd"');
    expect(feel('replace("abc", "b", "[$0]")')).toBe('"a[b]c"');
    expect(feel('matches("a", "(")')).toBeNull();
  });

  it('writes any value as a string', () => {
    expect(feel('string(1.50)')).toBe('"1.5"');
    expect(feel('string(date("2024-05-01"))')).toBe('"2024-05-01"');
    expect(feel('string([1, "a"])')).toBe('"[1, \\"a\\"]"');
  });

  it('gives null for a string function called on another type', () => {
    expect(feel('upper case(5)')).toBeNull();
  });
});
