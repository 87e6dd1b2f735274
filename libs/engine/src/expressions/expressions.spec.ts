import { describe, expect, it } from '@jest/globals';
import type { JsonValue } from '../model/json.js';
import type { EvaluationContext } from './expression-evaluator.js';
import { evaluateExpression, parseExpression } from './expressions.js';

const NOW = '2024-05-01T10:15:30.000Z';

function contextOf(variables: Record<string, JsonValue>): EvaluationContext {
  return { variables: (name) => (Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined), now: NOW };
}

function run(text: string, variables: Record<string, JsonValue> = {}) {
  const parsed = parseExpression(text);
  if (!parsed.ok) throw new Error(`parse failed: ${parsed.error}`);
  return evaluateExpression(parsed.value, contextOf(variables));
}

function value(text: string, variables: Record<string, JsonValue> = {}): JsonValue {
  const result = run(text, variables);
  if (!result.ok) throw new Error(`evaluation failed: ${result.error.message}`);
  return result.value;
}

describe('parseExpression', () => {
  it('recognises FEEL by its leading =', () => {
    expect(parseExpression(' =amount > 100 ')).toEqual({ ok: true, value: { language: 'feel', source: 'amount > 100' } });
  });
  it('recognises JUEL by ${ or #{', () => {
    expect(parseExpression('${amount > 100}')).toEqual({ ok: true, value: { language: 'juel', source: '${amount > 100}' } });
  });
  it('keeps anything else as a literal', () => {
    expect(parseExpression('approve order')).toEqual({ ok: true, value: { language: 'static', source: 'approve order' } });
  });
  it('refuses a FEEL syntax error and says where', () => {
    const parsed = parseExpression('=1 +');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain('position');
  });
});

describe('FEEL', () => {
  it('compares a variable', () => {
    expect(value('=amount > 100', { amount: 150 })).toBe(true);
    expect(value('=amount > 100', { amount: 50 })).toBe(false);
  });
  it('returns now() and today() from the context time', () => {
    expect(value('=now()')).toBe('2024-05-01T10:15:30Z');
    expect(value('=today()')).toBe('2024-05-01');
  });
  it('gives null for a missing variable', () => {
    expect(value('=missing')).toBeNull();
  });
  it('refuses to store a function', () => {
    expect(run('=function(a) a').ok).toBe(false);
  });
});

describe('JUEL', () => {
  it('reads a property path', () => {
    expect(value('${order.total}', { order: { total: 3 } })).toBe(3);
  });
});
