import { describe, expect, it } from '@jest/globals';
import type { JsonValue } from '../model/json.js';
import { evaluateExpression, parseExpression } from './expressions.js';

function run(text: string, variables: Record<string, JsonValue> = {}) {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(`parse failed: ${parsed.error}`);
  expect(parsed.value.language).toBe('juel');
  const lookup = (name: string) => (Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined);
  return evaluateExpression(parsed.value, { variables: lookup, now: '2024-05-01T10:00:00Z' });
}

function value(text: string, variables: Record<string, JsonValue> = {}): JsonValue {
  const result = run(text, variables);
  if (!result.ok) throw new Error(`evaluation failed: ${result.error.message}`);
  return result.value;
}

function failure(text: string, variables: Record<string, JsonValue> = {}): string {
  const result = run(text, variables);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  expect(result.error.expression).toBe(text.trim());
  return result.error.message;
}

function parseError(text: string): string {
  const parsed = parseExpression(text);
  if (parsed.ok) throw new Error(`expected a parse error, got ${JSON.stringify(parsed.value)}`);
  return parsed.error;
}

const order = { id: 'A-1', total: 250, customer: { name: 'Ada', tags: ['vip'] }, items: [{ sku: 'x' }, { sku: 'y' }] };

describe('JUEL values and property paths', () => {
  it('reads literals', () => {
    expect(value('${42}')).toBe(42);
    expect(value('${2.5}')).toBe(2.5);
    expect(value('${1e3}')).toBe(1000);
    expect(value("${'single'}")).toBe('single');
    expect(value('${"double"}')).toBe('double');
    expect(value("${'it\\'s'}")).toBe("it's");
    expect(value('${true}')).toBe(true);
    expect(value('${false}')).toBe(false);
    expect(value('${null}')).toBeNull();
  });

  it('reads a variable and returns its value unchanged when the expression is the whole text', () => {
    expect(value('${order}', { order })).toEqual(order);
    expect(value('#{approved}', { approved: true })).toBe(true);
    expect(value('  ${count}  ', { count: 3 })).toBe(3);
  });

  it('follows property paths through objects and lists', () => {
    expect(value('${order.customer.name}', { order })).toBe('Ada');
    expect(value("${order['customer']['name']}", { order })).toBe('Ada');
    expect(value('${order.items[1].sku}', { order })).toBe('y');
    expect(value("${order.customer.tags[0]}", { order })).toBe('vip');
    expect(value('${order.items[i].sku}', { order, i: 0 })).toBe('x');
    expect(value("${order.items['1'].sku}", { order })).toBe('y');
  });

  it('gives null for a missing property, an index out of range and a property of null', () => {
    expect(value('${order.missing}', { order })).toBeNull();
    expect(value('${order.items[5]}', { order })).toBeNull();
    expect(value('${order.missing.deeper}', { order })).toBeNull();
    expect(value('${nothing.name}', { nothing: null })).toBeNull();
  });

  it('resolves a variable holding null to null', () => {
    expect(value('${maybe}', { maybe: null })).toBeNull();
  });

  it('reads variables through execution.getVariable', () => {
    expect(value("${execution.getVariable('amount') > 10}", { amount: 20 })).toBe(true);
    expect(value("${execution.getVariable('missing')}")).toBeNull();
  });
});

describe('JUEL operators', () => {
  it('compares with symbols and with words', () => {
    const vars = { a: 5, b: 7 };
    expect([value('${a == 5}', vars), value('${a eq 5}', vars), value('${a == b}', vars)]).toEqual([true, true, false]);
    expect([value('${a != b}', vars), value('${a ne 5}', vars)]).toEqual([true, false]);
    expect([value('${a < b}', vars), value('${a lt b}', vars), value('${b < a}', vars)]).toEqual([true, true, false]);
    expect([value('${a > b}', vars), value('${b gt a}', vars)]).toEqual([false, true]);
    expect([value('${a <= 5}', vars), value('${a le 4}', vars)]).toEqual([true, false]);
    expect([value('${a >= 6}', vars), value('${b ge 7}', vars)]).toEqual([false, true]);
  });

  it('compares a number with numeric text numerically', () => {
    expect(value("${amount == '100'}", { amount: 100 })).toBe(true);
    expect(value("${amount == '1e2'}", { amount: 100 })).toBe(true);
    expect(value("${'10' > 9}")).toBe(true);
  });

  it('compares text lexically', () => {
    expect(value("${'apple' < 'banana'}")).toBe(true);
    expect(value("${status == 'open'}", { status: 'open' })).toBe(true);
    expect(value("${'10' < '9'}")).toBe(true);
  });

  it('treats null as equal only to null and never ordered', () => {
    expect(value('${x == null}', { x: null })).toBe(true);
    expect(value('${x != null}', { x: 0 })).toBe(true);
    expect(value('${x < 1}', { x: null })).toBe(false);
    expect(value('${x >= 1}', { x: null })).toBe(false);
  });

  it('compares booleans, and lists or objects by content', () => {
    expect(value('${false < true}')).toBe(true);
    expect(value("${flag == 'true'}", { flag: true })).toBe(true);
    expect(value('${a == b}', { a: [1, { c: 2 }], b: [1, { c: 2 }] })).toBe(true);
    expect(value('${a == b}', { a: { c: 1 }, b: { c: 2 } })).toBe(false);
  });

  it('does arithmetic with EL precedence', () => {
    expect(value('${1 + 2 * 3}')).toBe(7);
    expect(value('${(1 + 2) * 3}')).toBe(9);
    expect(value('${10 - 4 - 3}')).toBe(3);
    expect(value('${7 / 2}')).toBe(3.5);
    expect(value('${7 div 2}')).toBe(3.5);
    expect(value('${7 % 4}')).toBe(3);
    expect(value('${7 mod 4}')).toBe(3);
    expect(value('${-amount + 1}', { amount: 5 })).toBe(-4);
    expect(value('${- -2}')).toBe(2);
  });

  it('adds numerically only, coercing numeric text and null', () => {
    expect(value("${'2' + 3}")).toBe(5);
    expect(value('${x + 1}', { x: null })).toBe(1);
    expect(failure("${'a' + 'b'}")).toBe("Cannot coerce 'a' to a number in expression '${'a' + 'b'}'");
  });

  it('refuses to divide by zero', () => {
    expect(failure('${1 / 0}')).toContain('Division by zero');
    expect(failure('${1 mod 0}')).toContain('Division by zero');
  });

  it('combines conditions with symbols and with words', () => {
    const vars = { t: true, f: false };
    expect([value('${t && f}', vars), value('${t and t}', vars)]).toEqual([false, true]);
    expect([value('${f || t}', vars), value('${f or f}', vars)]).toEqual([true, false]);
    expect([value('${!t}', vars), value('${not f}', vars), value('${!(t && f)}', vars)]).toEqual([false, true, true]);
    expect(value('${a > 1 && a < 10 || a == 100}', { a: 100 })).toBe(true);
  });

  it('short-circuits, so the right side may reference a missing variable', () => {
    expect(value('${false && missing}')).toBe(false);
    expect(value('${true || missing}')).toBe(true);
    expect(value('${true ? 1 : missing}')).toBe(1);
  });

  it('coerces text and null to booleans as EL does', () => {
    expect(value("${'TRUE' && true}")).toBe(true);
    expect(value("${!'yes'}")).toBe(true);
    expect(value('${x || false}', { x: null })).toBe(false);
    expect(failure('${5 && true}')).toContain('Cannot coerce a number to a boolean');
  });

  it('tests emptiness of null, text, lists and objects', () => {
    const vars = { n: null, s: '', t: 'x', l: [], m: [1], o: {}, p: { a: 1 }, z: 0 };
    expect(['n', 's', 't', 'l', 'm', 'o', 'p', 'z'].map((name) => value(`\${empty ${name}}`, vars))).toEqual([
      true,
      true,
      false,
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(value('${not empty order.items}', { order })).toBe(true);
    expect(value('${empty order.missing}', { order })).toBe(true);
  });

  it('chooses with the conditional operator, right to left', () => {
    expect(value("${amount > 100 ? 'big' : 'small'}", { amount: 150 })).toBe('big');
    expect(value("${amount > 100 ? 'big' : amount > 10 ? 'medium' : 'small'}", { amount: 50 })).toBe('medium');
  });
});

describe('JUEL methods', () => {
  it('calls string methods', () => {
    const vars = { name: 'Trellis' };
    expect(value("${name.contains('ell')}", vars)).toBe(true);
    expect(value("${name.startsWith('Tre')}", vars)).toBe(true);
    expect(value("${name.endsWith('x')}", vars)).toBe(false);
    expect(value("${name.equals('Trellis')}", vars)).toBe(true);
    expect(value('${name.length()}', vars)).toBe(7);
    expect(value('${name.toUpperCase()}', vars)).toBe('TRELLIS');
    expect(value("${name.equalsIgnoreCase('trellis')}", vars)).toBe(true);
    expect(value("${'  x '.trim().isEmpty()}")).toBe(false);
  });

  it('calls list and object methods', () => {
    expect(value('${order.items.size()}', { order })).toBe(2);
    expect(value("${order.customer.tags.contains('vip')}", { order })).toBe(true);
    expect(value('${order.items.get(0).sku}', { order })).toBe('x');
    expect(value("${order.containsKey('total')}", { order })).toBe(true);
    expect(value('${order.customer.size()}', { order })).toBe(2);
  });

  it('refuses an unknown method, naming it', () => {
    expect(failure('${name.explode()}', { name: 'x' })).toBe("Method 'explode' not found on a string in expression '${name.explode()}'");
    expect(failure('${n.length()}', { n: 5 })).toBe("Method 'length' not found on a number in expression '${n.length()}'");
    expect(failure('${n.contains(1)}', { n: null })).toBe("Cannot call method 'contains' on null in expression '${n.contains(1)}'");
    expect(failure("${name.contains()}", { name: 'x' })).toContain("Method 'contains' expects 1 argument but got 0");
  });
});

describe('JUEL templates', () => {
  it('concatenates text and values', () => {
    expect(value('Hello ${name}!', { name: 'Ada' })).toBe('Hello Ada!');
    expect(value('${a}${b}', { a: 1, b: 2 })).toBe('12');
    expect(value('Order ${order.id} costs ${order.total} (${order.total > 100})', { order })).toBe('Order A-1 costs 250 (true)');
  });

  it('writes null as nothing and lists or objects as JSON', () => {
    expect(value('[${x}]', { x: null })).toBe('[]');
    expect(value('tags: ${order.customer.tags}', { order })).toBe('tags: ["vip"]');
  });

  it('keeps an escaped \\${ as literal text', () => {
    expect(value('costs \\${x} ${y}', { y: 1 })).toBe('costs ${x} 1');
  });
});

describe('JUEL errors', () => {
  it('refuses an unknown identifier as Camunda 7 does', () => {
    expect(failure('${amount > 100}')).toBe("Cannot resolve identifier 'amount' in expression '${amount > 100}'");
  });

  it('refuses a property of text or a number', () => {
    expect(failure('${name.first}', { name: 'Ada' })).toBe("Cannot read property 'first' of a string in expression '${name.first}'");
    expect(failure('${list.first}', { list: [1] })).toContain('a list index must be a number');
  });

  it('refuses comparing lists', () => {
    expect(failure('${a < b}', { a: [1], b: [2] })).toContain('Cannot compare a list with a list');
    expect(failure('${a > 1}', { a: { b: 1 } })).toContain('Cannot coerce an object to a number');
  });

  it('refuses unbalanced braces and bad tokens at parse time, saying where', () => {
    expect(parseError('${a')).toBe("Invalid JUEL expression '${a': unclosed '${' opened at position 0");
    expect(parseError('x ${a} ${b')).toBe("Invalid JUEL expression 'x ${a} ${b': unclosed '${' opened at position 7");
    expect(parseError('${}')).toContain('empty expression at position 2');
    expect(parseError('${a = 1}')).toContain("unexpected '=' (assignment is not supported; compare with '==') at position 4");
    expect(parseError('${a & b}')).toContain("unexpected '&' at position 4");
    expect(parseError('${a b}')).toContain("unexpected 'b' at position 4");
    expect(parseError("${'open}")).toContain('unterminated string literal at position 2');
    expect(parseError('${(a + 1}')).toContain("expected ')' but found '}'");
    expect(parseError('${a ? b}')).toContain("expected ':' but found '}'");
    expect(parseError('${a.}')).toContain("expected a property name after '.'");
    expect(parseError('${12abc}')).toContain("unexpected 'a' after number");
  });

  it('refuses what the subset leaves out, at parse time', () => {
    expect(parseError('${myBean.call(x)} ${fn:upper(a)}')).toContain("EL function 'fn:...' is not supported");
    expect(parseError('${doIt()}')).toContain("function call 'doIt()' is not supported");
    expect(parseError('${a instanceof b}')).toContain("'instanceof' is not supported");
  });
});
