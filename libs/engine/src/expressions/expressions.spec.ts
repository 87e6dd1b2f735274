import { describe, expect, it } from '@jest/globals';
import type { JsonValue } from '../model/json.js';
import type { EvaluationContext } from './expression-evaluator.js';
import { evaluateExpression, evaluateExpressionWithWarnings, parseExpression } from './expressions.js';

const NOW = '2024-05-01T10:15:30Z';

function contextOf(variables: Record<string, JsonValue>, now = NOW): EvaluationContext {
  return { variables: (name) => (Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined), now };
}

function run(text: string, variables: Record<string, JsonValue> = {}, now = NOW) {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(`parse failed: ${parsed.error}`);
  return evaluateExpression(parsed.value, contextOf(variables, now));
}

function value(text: string, variables: Record<string, JsonValue> = {}, now = NOW): JsonValue {
  const result = run(text, variables, now);
  if (!result.ok) throw new Error(`evaluation failed: ${result.error.message}`);
  return result.value;
}

function failure(text: string, variables: Record<string, JsonValue> = {}): string {
  const result = run(text, variables);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.error.message;
}

function parseError(text: string): string {
  const parsed = parseExpression(text);
  if (parsed.ok) throw new Error(`expected a parse error, got ${JSON.stringify(parsed.value)}`);
  return parsed.error;
}

describe('parseExpression', () => {
  it('reads a leading = as FEEL and stores the source without it', () => {
    expect(parseExpression(' =amount > 100 ')).toEqual({ ok: true, value: { language: 'feel', source: 'amount > 100' } });
  });

  it('reads ${...} and #{...} as JUEL', () => {
    expect(parseExpression('${amount > 100}')).toEqual({ ok: true, value: { language: 'juel', source: '${amount > 100}' } });
    expect(parseExpression('#{approved}')).toEqual({ ok: true, value: { language: 'juel', source: '#{approved}' } });
    expect(parseExpression('Hello ${name}!')).toEqual({ ok: true, value: { language: 'juel', source: 'Hello ${name}!' } });
  });

  it('keeps any other text as a literal', () => {
    expect(parseExpression('approve-order')).toEqual({ ok: true, value: { language: 'static', source: 'approve-order' } });
    expect(parseExpression('costs $5 {net}')).toEqual({ ok: true, value: { language: 'static', source: 'costs $5 {net}' } });
  });

  it('refuses an empty FEEL expression', () => {
    expect(parseError('=')).toContain('empty');
  });

  it('refuses a FEEL syntax error and says where', () => {
    expect(parseError('=1 +')).toBe("Invalid FEEL expression '=1 +': unexpected end of expression at position 3");
    expect(parseError('=amount +* 3')).toBe("Invalid FEEL expression '=amount +* 3': unexpected '*' at position 8");
    expect(parseError('="abc')).toBe("Invalid FEEL expression '=\"abc': unexpected '\"' at position 0");
    expect(parseError('=[1, 2')).toContain('position');
  });

  it('refuses a JUEL syntax error and says where', () => {
    expect(parseError('${amount >}')).toBe("Invalid JUEL expression '${amount >}': unexpected end of expression at position 10");
    expect(parseError('${amount')).toContain("unclosed '${'");
  });
});

describe('static expressions', () => {
  it('evaluate to their own text', () => {
    expect(value('approve-order')).toBe('approve-order');
  });
});

describe('FEEL', () => {
  it('does arithmetic with FEEL precedence', () => {
    expect(value('=1 + 2 * 3')).toBe(7);
    expect(value('=(1 + 2) * 3')).toBe(9);
    expect(value('=2 ** 10')).toBe(1024);
    expect(value('=10 / 4')).toBe(2.5);
    expect(value('=price * quantity', { price: 2.5, quantity: 4 })).toBe(10);
  });

  it('computes with decimals, so money adds up, and stores the nearest JavaScript number', () => {
    expect(value('=0.1 + 0.2 = 0.3')).toBe(true);
    expect(value('=price * quantity', { price: 0.1, quantity: 3 })).toBe(0.3);
    expect(value('=sum(amounts)', { amounts: [0.1, 0.2, 0.3] })).toBe(0.6);
    expect(value('=1 / 3')).toBe(0.3333333333333333);
    expect(value('=9007199254740993 - 9007199254740992')).toBe(1);
    expect(value('=10 ** 400')).toBeNull();
  });

  it('uses three-valued logic with null', () => {
    expect(value('=missing or true')).toBe(true);
    expect(value('=missing and false')).toBe(false);
    expect(value('=missing and true')).toBeNull();
    expect(value('=if missing then "yes" else "no"')).toBe('no');
  });

  it('compares numbers, strings and booleans', () => {
    expect(value('=amount > 100', { amount: 150 })).toBe(true);
    expect(value('=amount > 100', { amount: 50 })).toBe(false);
    expect(value('=amount >= 100 and amount <= 200', { amount: 100 })).toBe(true);
    expect(value('=status = "open"', { status: 'open' })).toBe(true);
    expect(value('=status != "open"', { status: 'open' })).toBe(false);
    expect(value('=approved or rejected', { approved: false, rejected: true })).toBe(true);
    expect(value('=not(approved)', { approved: false })).toBe(true);
    expect(value('=amount between 10 and 20', { amount: 15 })).toBe(true);
    expect(value('=status in ("open", "new")', { status: 'new' })).toBe(true);
  });

  it('evaluates the same expression against changing variables', () => {
    const parsed = parseExpression('=amount > 100');
    if (!parsed.ok) throw new Error(parsed.error);
    const results = [50, 150, 100, 101].map((amount) => evaluateExpression(parsed.value, contextOf({ amount })));
    expect(results).toEqual([false, true, false, true].map((result) => ({ ok: true, value: result })));
  });

  it('reads nested values of object and list variables', () => {
    const order = { customer: { name: 'Ada' }, items: [{ price: 3 }, { price: 4 }] };
    expect(value('=order.customer.name', { order })).toBe('Ada');
    expect(value('=order.items[1].price', { order })).toBe(3);
    expect(value('=sum(order.items.price)', { order })).toBe(7);
    expect(value('=order.items[price > 3]', { order })).toEqual([{ price: 4 }]);
  });

  it('builds contexts and lists as objects and arrays', () => {
    expect(value('={total: a + b, items: [a, b], nested: {ok: true, none: null}}', { a: 1, b: 2 })).toEqual({
      total: 3,
      items: [1, 2],
      nested: { ok: true, none: null },
    });
    expect(value('=for x in [1, 2, 3] return x * 2')).toEqual([2, 4, 6]);
    expect(value('=some x in [1, 5] satisfies x > 4')).toBe(true);
    expect(value('={a: 1, b: a + 1}.b')).toBe(2);
  });

  it('lets an iteration variable shadow a process variable of the same name', () => {
    expect(value('=for x in [1, 2] return x + 1', { x: 100 })).toEqual([2, 3]);
  });

  it('calls built-in string and list functions', () => {
    expect(value('=upper case(name)', { name: 'ada' })).toBe('ADA');
    expect(value('=string length("hello")')).toBe(5);
    expect(value('=contains(name, "d")', { name: 'ada' })).toBe(true);
    expect(value('=starts with("trellis", "tre")')).toBe(true);
    expect(value('=substring("trellis", 2, 3)')).toBe('rel');
    expect(value('="Hello " + name', { name: 'Ada' })).toBe('Hello Ada');
    expect(value('=string join(["a", "b"], ",")')).toBe('a,b');
    expect(value('=count(items)', { items: [1, 2, 3] })).toBe(3);
    expect(value('=list contains(items, 2)', { items: [1, 2, 3] })).toBe(true);
  });

  it('uses a built-in function even when a variable has its name', () => {
    expect(value('=count(items)', { items: [1, 2], count: 7 })).toBe(2);
  });

  it('turns dates, times and durations into ISO 8601 text', () => {
    expect(value('=date("2024-02-28") + duration("P1D")')).toBe('2024-02-29');
    expect(value('=date and time("2024-01-01T10:00:00Z")')).toBe('2024-01-01T10:00:00Z');
    expect(value('=time("10:30:00")')).toBe('10:30:00');
    expect(value('=duration("P1DT2H")')).toBe('P1DT2H');
    expect(value('=date("2024-03-01") - date("2024-02-01")')).toBe('P29D');
    expect(value('={due: date("2024-01-01")}')).toEqual({ due: '2024-01-01' });
  });

  it('answers now() and today() with the context time, never the wall clock', () => {
    expect(value('=now()')).toBe('2024-05-01T10:15:30Z');
    expect(value('=today()')).toBe('2024-05-01');
    expect(value('=now()', {}, '1999-12-31T23:59:59Z')).toBe('1999-12-31T23:59:59Z');
    expect(value('=today() + duration("P1D")', {}, '1999-12-31T23:59:59Z')).toBe('2000-01-01');
    expect(value('=now() + duration("PT1H")')).toBe('2024-05-01T11:15:30Z');
    expect(value('=date(due) < today()', { due: '2024-04-30' })).toBe(true);
  });

  it('reads a variable named now as that variable', () => {
    expect(value('=now', { now: 'soon' })).toBe('soon');
    expect(value('=now()', { now: 'soon' })).toBe('2024-05-01T10:15:30Z');
  });

  it('gives null for a missing variable, as Zeebe does', () => {
    expect(value('=missing')).toBeNull();
    expect(value('=missing > 100')).toBeNull();
    expect(value('=order.missing', { order: {} })).toBeNull();
  });

  it('tells why a value is null through its warnings', () => {
    const parsed = parseExpression('=amount > 100');
    if (!parsed.ok) throw new Error(parsed.error);
    const result = evaluateExpressionWithWarnings(parsed.value, contextOf({}));
    expect(result).toEqual({ ok: true, value: { value: null, warnings: ["[NO_VARIABLE_FOUND] No variable found with name 'amount' (at position 0)"] } });
    const clean = evaluateExpressionWithWarnings(parsed.value, contextOf({ amount: 5 }));
    expect(clean).toEqual({ ok: true, value: { value: false, warnings: [] } });
  });

  it('places warnings at their position in the original expression', () => {
    const parsed = parseExpression('=1 + missing');
    if (!parsed.ok) throw new Error(parsed.error);
    const result = evaluateExpressionWithWarnings(parsed.value, contextOf({}));
    expect(result.ok && result.value.warnings[0]).toContain('(at position 4)');
  });

  it('says each reason once, even when it applies to every item of a list', () => {
    const parsed = parseExpression('=items.k');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(evaluateExpressionWithWarnings(parsed.value, contextOf({ items: [1, 2, 3] }))).toEqual({
      ok: true,
      value: { value: [null, null, null], warnings: ["[NO_CONTEXT_ENTRY_FOUND] A number has no property 'k' (at position 6)"] },
    });
  });

  it('gives null for a function called with the wrong types', () => {
    expect(value('=upper case(5)')).toBeNull();
    expect(value('=unknownFunction(1)')).toBeNull();
  });

  it('reads variables whose names contain spaces', () => {
    expect(value('=order total * 2', { 'order total': 21 })).toBe(42);
  });

  it('refuses to store a function or a range', () => {
    expect(failure('=function(a) a + 1')).toContain('a function');
    expect(failure('=[1..10]')).toContain('a range');
    expect(failure('={f: function(a) a}')).toContain('cannot be stored as a variable');
  });

  it('names the expression in a failure', () => {
    const result = run('=function(a) a + 1');
    expect(result).toEqual({ ok: false, error: { message: expect.stringContaining("'=function(a) a + 1'"), expression: '=function(a) a + 1' } });
  });

  it('returns a failure, never throws, when a variable lookup throws', () => {
    const parsed = parseExpression('=amount > 1');
    if (!parsed.ok) throw new Error(parsed.error);
    const broken: EvaluationContext = {
      variables: () => {
        throw new Error('store unavailable');
      },
      now: NOW,
    };
    expect(evaluateExpression(parsed.value, broken)).toEqual({
      ok: false,
      error: { message: expect.stringContaining('store unavailable'), expression: '=amount > 1' },
    });
  });

  it('gives null with a warning, never throws, for an expression that parses but makes no sense', () => {
    // `> 3` alone is a range (a unary test): comparing a number with it has no answer.
    const parsed = parseExpression('=amount > > 3');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(evaluateExpressionWithWarnings(parsed.value, contextOf({ amount: 5 }))).toEqual({
      ok: true,
      value: { value: null, warnings: ['[INVALID_TYPE] Cannot compare number and range (at position 0)'] },
    });
  });

  it('ignores a trailing comment', () => {
    expect(value('=amount + 1 // add one', { amount: 1 })).toBe(2);
  });
});
