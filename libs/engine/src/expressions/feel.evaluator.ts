import { dateAndTime, evaluate, isFunction, isRange, parseExpression as parseFeelTree } from 'feelin';
import type { JsonValue } from '../model/json.js';
import { err, ok, type Result } from '../result.js';
import type { EvaluationContext, ExpressionFailure } from './expression-evaluator.js';

/** Checks FEEL syntax; the error says where the expression stops making sense. */
export function checkFeelSyntax(source: string): Result<void, string> {
  try {
    const tree = parseFeelTree(source, {}, undefined);
    let problem: string | undefined;
    tree.iterate({
      enter(node) {
        if (problem !== undefined) return false;
        if (node.type.isError) {
          const near = source.slice(node.from, Math.max(node.to, node.from + 1));
          problem =
            node.from >= source.length
              ? `unexpected end of expression at position ${node.from}`
              : `unexpected '${near}' at position ${node.from}`;
          return false;
        }
        return undefined;
      },
    });
    if (problem !== undefined) return err(`Invalid FEEL expression '=${source}': ${problem}`);
    return ok(undefined);
  } catch (error) {
    return err(`Invalid FEEL expression '=${source}': ${describe(error)}`);
  }
}

/** Names the expression reads from its surroundings (top-level variable references). */
function referencedNames(source: string): string[] {
  const names = new Set<string>();
  const tree = parseFeelTree(source, {}, undefined);
  tree.iterate({
    enter(node) {
      if (node.name === 'VariableName') {
        names.add(source.slice(node.from, node.to).replace(/\s+/g, ' '));
        return false;
      }
      return undefined;
    },
  });
  return [...names];
}

export function evaluateFeel(source: string, context: EvaluationContext): Result<JsonValue, ExpressionFailure> {
  try {
    const feelContext: Record<string, unknown> = {};
    for (const name of referencedNames(source)) {
      const value = context.variables(name);
      if (value !== undefined) feelContext[name] = value;
    }
    if (feelContext['now'] === undefined) feelContext['now'] = () => dateAndTime(context.now);
    if (feelContext['today'] === undefined) feelContext['today'] = () => dateAndTime(context.now)?.toString().slice(0, 10);
    const { value } = evaluate(source, feelContext);
    return toJson(value, source);
  } catch (error) {
    return err({ message: `Failed to evaluate FEEL expression '=${source}': ${describe(error)}`, expression: `=${source}` });
  }
}

function toJson(value: unknown, source: string): Result<JsonValue, ExpressionFailure> {
  const fail = (what: string) =>
    err({ message: `Expression '=${source}' returned ${what}, which cannot be stored as a variable`, expression: `=${source}` });
  const convert = (v: unknown): JsonValue | string => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (isFunction(v) || typeof v === 'function') throw new Unstorable('a function');
    if (isRange(v)) throw new Unstorable('a range');
    if (Array.isArray(v)) return v.map(convert);
    if (typeof v === 'object') {
      const ctor = (v as object).constructor;
      if (ctor !== Object && ctor !== undefined && typeof (v as { toJSON?: unknown }).toJSON === 'function') return String(v);
      const out: { [key: string]: JsonValue } = {};
      for (const [k, entry] of Object.entries(v)) out[k] = convert(entry);
      return out;
    }
    throw new Unstorable(`a value of type ${typeof v}`);
  };
  try {
    return ok(convert(value));
  } catch (error) {
    if (error instanceof Unstorable) return fail(error.what);
    throw error;
  }
}

class Unstorable extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
