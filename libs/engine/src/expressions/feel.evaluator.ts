import {
  dateAndTime,
  evaluate,
  FeelDate,
  FeelDateTime,
  FeelDuration,
  FeelFunction,
  FeelTime,
  isFunction,
  isRange,
  parseDate,
  parseExpression as parseFeelTree,
  type Warning,
} from 'feelin';
import type { JsonValue } from '../model/json.js';
import { err, ok, type Result } from '../result.js';
import type { EvaluationContext, ExpressionFailure } from './expression-evaluator.js';

/** A FEEL result with the warnings feelin attached to it (why a value turned out null, mostly). */
export interface FeelOutcome {
  readonly value: JsonValue;
  readonly warnings: readonly string[];
}

/** Checks FEEL syntax; the error says where the expression stops making sense. */
export function checkFeelSyntax(source: string): Result<void, string> {
  try {
    const problem = firstSyntaxProblem(source);
    if (problem !== undefined) return err(`Invalid FEEL expression '=${source}': ${problem}`);
    // Preparing now warms the cache for the first evaluation and surfaces problems feelin only finds while building.
    prepare(source);
    return ok(undefined);
  } catch (error) {
    return err(`Invalid FEEL expression '=${source}': ${describe(error)}`);
  }
}

function firstSyntaxProblem(source: string): string | undefined {
  let problem: string | undefined;
  parseFeelTree(source, {}, undefined).iterate({
    enter(node) {
      if (problem !== undefined) return false;
      if (!node.type.isError) return undefined;
      if (node.from >= source.length) {
        problem = `unexpected end of expression at position ${node.from}`;
      } else {
        const near = source.slice(node.from, Math.max(node.to, node.from + 1));
        problem = `unexpected '${near}' at position ${node.from}`;
      }
      return false;
    },
  });
  return problem;
}

/**
 * A FEEL expression prepared once per source text. feelin only exposes `evaluate(text, context)`, which re-parses on
 * every call (about 14k evaluations/s for `amount > 100`). A FEEL function value, however, keeps its parsed body: so
 * the expression is wrapped as `function(<the names it reads>)(<expression>)`, evaluated once, and its body is then
 * invoked with the variable values as arguments (about 40x faster). feelin reports warnings into the array it returned
 * from the defining `evaluate`, so that array is emptied before and read after each invocation.
 */
interface PreparedFeel {
  readonly referenced: ReferencedNames;
  readonly names: readonly string[];
  /** Absent when the expression reads names that cannot be function parameters (names with spaces). */
  readonly body?: (...args: unknown[]) => unknown;
  readonly warnings?: Warning[];
  readonly offset: number;
}

const preparedBySource = new Map<string, PreparedFeel>();
/** Expressions come from deployed models, so the set is small; the bound only guards against generated sources. */
const MAX_PREPARED = 10_000;

function prepare(source: string): PreparedFeel {
  const cached = preparedBySource.get(source);
  if (cached !== undefined) return cached;
  const prepared = prepareUncached(source);
  if (preparedBySource.size >= MAX_PREPARED) preparedBySource.clear();
  preparedBySource.set(source, prepared);
  return prepared;
}

const SIMPLE_NAME = /^[A-Za-z_$][\w$]*$/;

function prepareUncached(source: string): PreparedFeel {
  const referenced = referencedNames(source);
  const names = [...new Set([...referenced.variables, ...referenced.clocks])];
  if (!names.every((name) => SIMPLE_NAME.test(name))) return { referenced, names, offset: 0 };
  const prefix = `function(${names.join(', ')})(\n`;
  // The line break before `)` keeps a trailing `// comment` in the source from swallowing the parenthesis.
  const wrapper = `${prefix}${source}\n)`;
  if (firstSyntaxProblem(wrapper) !== undefined) return { referenced, names, offset: 0 };
  const defined = evaluate(wrapper, {});
  if (!(defined.value instanceof FeelFunction) || defined.warnings.length > 0) return { referenced, names, offset: 0 };
  return { referenced, names, body: defined.value.fn, warnings: defined.warnings, offset: prefix.length };
}

interface ReferencedNames {
  /** Names read as values: variables, unless the expression itself binds them (`for x in ...`, context entries). */
  readonly variables: ReadonlySet<string>;
  /** `now` / `today` called as functions: they answer with the decision's time. */
  readonly clocks: ReadonlySet<string>;
}

const CLOCKS = new Set(['now', 'today']);

/**
 * Names the expression reads from its surroundings. A called name (`count(items)`) is a built-in function, not a
 * variable: process variables hold JSON, never functions, so it is left for feelin to resolve.
 */
function referencedNames(source: string): ReferencedNames {
  const variables = new Set<string>();
  const clocks = new Set<string>();
  parseFeelTree(source, {}, undefined).iterate({
    enter(node) {
      if (node.name !== 'VariableName') return undefined;
      const name = source.slice(node.from, node.to).replace(/\s+/g, ' ');
      const parent = node.node.parent;
      const called = parent !== null && parent.name === 'FunctionInvocation' && parent.firstChild?.from === node.from;
      if (!called) variables.add(name);
      else if (CLOCKS.has(name)) clocks.add(name);
      return false;
    },
  });
  return { variables, clocks };
}

/**
 * FEEL `now()` and `today()` answer with the decision's time: replaying the same events must give the same result.
 */
function clockFunction(name: string, now: string): FeelFunction {
  if (name === 'now') return new FeelFunction(() => dateAndTime(now), []);
  return new FeelFunction(() => {
    const current = dateAndTime(now);
    return current === null ? null : parseDate(current.toString().slice(0, 10));
  }, []);
}

function valueOf(name: string, referenced: ReferencedNames, context: EvaluationContext): unknown {
  if (referenced.variables.has(name)) {
    const value = context.variables(name);
    if (value !== undefined || !referenced.clocks.has(name)) return value;
  }
  return clockFunction(name, context.now);
}

export function evaluateFeel(source: string, context: EvaluationContext): Result<FeelOutcome, ExpressionFailure> {
  const expression = `=${source}`;
  try {
    const prepared = prepare(source);
    let value: unknown;
    let warnings: readonly Warning[];
    let offset = 0;
    if (prepared.body !== undefined && prepared.warnings !== undefined) {
      const args = prepared.names.map((name) => valueOf(name, prepared.referenced, context));
      prepared.warnings.length = 0;
      value = prepared.body(...args);
      warnings = [...prepared.warnings];
      prepared.warnings.length = 0;
      offset = prepared.offset;
    } else {
      const feelContext: Record<string, unknown> = {};
      for (const name of prepared.names) {
        const entry = valueOf(name, prepared.referenced, context);
        if (entry !== undefined) feelContext[name] = entry;
      }
      ({ value, warnings } = evaluate(source, feelContext));
    }
    const json = toJson(value);
    if (!json.ok) {
      return err({ message: `Expression '${expression}' returned ${json.error}, which cannot be stored as a variable`, expression });
    }
    return ok({ value: json.value, warnings: warnings.map((warning) => formatWarning(warning, offset)) });
  } catch (error) {
    return err({ message: `Failed to evaluate FEEL expression '${expression}': ${describe(error)}`, expression });
  }
}

function formatWarning(warning: Warning, offset: number): string {
  return `[${warning.type}] ${warning.message} (at position ${Math.max(0, warning.position.from - offset)})`;
}

/** FEEL values as variables can hold them: temporal values become their ISO 8601 text. */
function toJson(value: unknown): Result<JsonValue, string> {
  if (value === null || value === undefined) return ok(null);
  if (typeof value === 'string' || typeof value === 'boolean') return ok(value);
  // feelin computes with JavaScript numbers; a division by zero already yields null, this guards the rest.
  if (typeof value === 'number') return ok(Number.isFinite(value) ? value : null);
  if (value instanceof FeelDate || value instanceof FeelTime || value instanceof FeelDateTime || value instanceof FeelDuration) {
    return ok(value.toString());
  }
  if (isFunction(value) || typeof value === 'function') return err('a function');
  if (isRange(value)) return err('a range');
  if (Array.isArray(value)) {
    const list: JsonValue[] = [];
    for (const item of value) {
      const converted = toJson(item);
      if (!converted.ok) return converted;
      list.push(converted.value);
    }
    return ok(list);
  }
  if (typeof value === 'object') {
    const object: { [key: string]: JsonValue } = {};
    for (const [key, entry] of Object.entries(value)) {
      const converted = toJson(entry);
      if (!converted.ok) return converted;
      // defineProperty, not assignment: a FEEL context may have an entry named `__proto__`.
      Object.defineProperty(object, key, { value: converted.value, enumerable: true, writable: true, configurable: true });
    }
    return ok(object);
  }
  return err(`a value of type ${typeof value}`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
