import type { SyntaxNode, Tree } from '@lezer/common';
import { parser, trackVariables } from 'lezer-feel';
import { Compiler, Evaluator, FeelVariables, Scope, Tester, normalizeName } from './interpreter.js';

export type { FeelVariables } from './interpreter.js';
import { defineRangeFunction } from './builtins.js';
import { FeelContext, FeelDateTime, FeelRange, FeelSession, FeelValue, FeelWarning } from './values.js';

/** Where a text is not FEEL: 1-based line and column, and the offset from 0. */
export interface FeelSyntaxError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly position: number;
}

export interface FeelEvaluation {
  readonly value: FeelValue;
  readonly warnings: readonly FeelWarning[];
}

export interface FeelEvaluationOptions {
  /** The time `now()` and `today()` give; without it they are null with a warning. A pure library reads no clock. */
  readonly now?: FeelDateTime;
}

export interface FeelParseOptions {
  /**
   * Names the text may use, beyond the built-ins: FEEL names can contain spaces and operators (`order total`,
   * `a-b`), so the parser must know them to read the text right.
   */
  readonly names?: Iterable<string>;
  /** Variables whose context values give the parser the names of their entries (`customer.first name`). */
  readonly context?: ReadonlyMap<string, FeelValue>;
}

export type FeelParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FeelSyntaxError };

/**
 * The names an expression uses, as written (white space collapsed). `variables` are read as values, `functions` are
 * invoked by name (`count(items)`): a caller that knows its variables are never functions can leave a called name to
 * the built-ins. Names the text binds itself (`for x in`, context entries, parameters) are included when it reads them.
 */
export interface FeelNames {
  readonly variables: ReadonlySet<string>;
  readonly functions: ReadonlySet<string>;
}

/** A compiled expression: parse once, evaluate many times. */
export interface FeelExpression {
  readonly text: string;
  readonly names: FeelNames;
  evaluate(context?: FeelVariables, options?: FeelEvaluationOptions): FeelEvaluation;
}

/** Compiled unary tests (a decision table cell): parse once, test many inputs. */
export interface FeelUnaryTests {
  readonly text: string;
  test(input: FeelValue, context?: FeelVariables, options?: FeelEvaluationOptions): FeelEvaluation;
}

/** The variables lezer-feel tracks to read multi-word names: a nested object of the names. */
function variableShape(options: FeelParseOptions): Record<string, unknown> {
  const shapeOf = (value: FeelValue, depth: number): unknown => {
    if (!(value instanceof FeelContext) || depth > 8) return 1;
    return Object.fromEntries([...value.entries].map(([key, item]) => [key, shapeOf(item, depth + 1)]));
  };
  const shape: Record<string, unknown> = {};
  for (const name of options.names ?? []) shape[name] = 1;
  for (const [name, value] of options.context ?? []) shape[name] = shapeOf(value, 0);
  return shape;
}

function locate(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function parse(text: string, top: 'Expression' | 'UnaryTests', options: FeelParseOptions): FeelParseResult<Tree> {
  const configured = parser.configure({ top, contextTracker: trackVariables(variableShape(options)) });
  const tree = configured.parse(text);
  let error: FeelSyntaxError | null = null;
  tree.iterate({
    enter: (node) => {
      if (error) return false;
      if (node.type.isError) {
        const position = node.from;
        const found = text.slice(node.from, Math.max(node.to, node.from + 1));
        const message = position >= text.length ? 'Unexpected end of expression' : `Unexpected '${found}'`;
        error = { message, position, ...locate(text, position) };
        return false;
      }
      return true;
    },
  });
  if (!text.trim()) error = { message: 'Empty expression', position: 0, line: 1, column: 1 };
  return error ? { ok: false, error } : { ok: true, value: tree };
}

/** A range from its text, for `range(from)`: an interval or a comparison whose endpoints are literals. */
function parseRange(text: string): FeelRange | null {
  const parsed = parseExpression(text.trim());
  if (!parsed.ok) return null;
  const { value, warnings } = parsed.value.evaluate();
  // Endpoints that are not literals (a name) come back with a warning about the unknown variable.
  if (!(value instanceof FeelRange) || warnings.length > 0) return null;
  const endpoints = [value.startUnbounded ? null : value.start, value.endUnbounded ? null : value.end].filter((v) => v !== null);
  if (endpoints.length === 0) return null;
  return value;
}

defineRangeFunction(parseRange);

class Session implements FeelSession {
  readonly warnings: FeelWarning[] = [];
  constructor(readonly now: FeelDateTime | null) {}
  warn(warning: FeelWarning): null {
    this.warnings.push(warning);
    return null;
  }
}

/** White space that `normalizeName` would change: at either end, doubled, or other than a plain space. */
const UNNORMALIZED_NAME = /^\s|\s$|\s\s|[^\S ]/;
const NO_VARIABLES: ReadonlyMap<string, FeelValue> = new Map();

/** Whether a text may define a function (`function(x) ...`): such a function keeps the scope it was defined in. */
const definesFunction = (text: string): boolean => text.includes('function');

function scopeOf(context: FeelVariables | undefined, keepsScope: boolean): Scope {
  // A function is asked with the name as written, white space collapsed (`order  total` asks for `order total`).
  if (typeof context === 'function') return new Scope(context);
  if (context === undefined) return new Scope(NO_VARIABLES);
  // Names already in normal form (nearly always) are read from the caller's map as it is: copying it for every
  // evaluation was a fifth of a decision table's time, each cell being one evaluation. The scope only reads it during
  // the evaluation; a function the text defines outlives it, so it gets a copy, which the caller's later changes
  // (a DMN context adding its next entries) do not reach.
  if (keepsScope) return new Scope(new Map([...context].map(([name, value]) => [normalizeName(name), value])));
  for (const key of context.keys()) {
    if (UNNORMALIZED_NAME.test(key)) return new Scope(new Map([...context].map(([name, value]) => [normalizeName(name), value])));
  }
  return new Scope(context);
}

function guard(run: () => FeelValue, session: Session): FeelEvaluation {
  try {
    return { value: run(), warnings: session.warnings };
  } catch (error) {
    // A stack overflow from runaway recursion, for instance: FEEL gives null and says why instead of throwing.
    session.warn({ code: 'FUNCTION_INVOCATION_FAILURE', message: error instanceof Error ? error.message : String(error) });
    return { value: null, warnings: session.warnings };
  }
}

function namesOf(tree: Tree, text: string): FeelNames {
  const variables = new Set<string>();
  const functions = new Set<string>();
  tree.iterate({
    enter: (node) => {
      if (node.name !== 'VariableName') return true;
      const name = normalizeName(text.slice(node.from, node.to).replace(/`/g, ''));
      const parent = node.node.parent;
      const called = parent !== null && parent.name === 'FunctionInvocation' && parent.firstChild?.from === node.from;
      (called ? functions : variables).add(name);
      return false;
    },
  });
  return { variables, functions };
}

/** Parses a FEEL expression; the result can be evaluated many times. */
export function parseExpression(text: string, options: FeelParseOptions = {}): FeelParseResult<FeelExpression> {
  const parsed = parse(text, 'Expression', options);
  if (!parsed.ok) return parsed;
  let evaluator: Evaluator;
  try {
    evaluator = new Compiler(text).expression(parsed.value.topNode as SyntaxNode);
  } catch (error) {
    return { ok: false, error: { message: (error as Error).message, position: 0, line: 1, column: 1 } };
  }
  const keepsScope = definesFunction(text);
  return {
    ok: true,
    value: {
      text,
      names: namesOf(parsed.value, text),
      evaluate: (context, options = {}) => {
        const session = new Session(options.now ?? null);
        return guard(() => evaluator(scopeOf(context, keepsScope), session), session);
      },
    },
  };
}

/** Parses FEEL unary tests (`< 10`, `[1..5]`, `"a", "b"`, `not(3)`, `-`, `? > x`). */
export function parseUnaryTests(text: string, options: FeelParseOptions = {}): FeelParseResult<FeelUnaryTests> {
  const parsed = parse(text, 'UnaryTests', options);
  if (!parsed.ok) return parsed;
  let tester: Tester;
  try {
    tester = new Compiler(text).unaryTests(parsed.value.topNode as SyntaxNode);
  } catch (error) {
    return { ok: false, error: { message: (error as Error).message, position: 0, line: 1, column: 1 } };
  }
  const keepsScope = definesFunction(text);
  return {
    ok: true,
    value: {
      text,
      test: (input, context, options = {}) => {
        const session = new Session(options.now ?? null);
        return guard(() => tester(input, scopeOf(context, keepsScope), session), session);
      },
    },
  };
}

const syntaxFailure = (error: FeelSyntaxError): FeelEvaluation => ({
  value: null,
  warnings: [{ code: 'SYNTAX_ERROR', message: `${error.message} at line ${error.line}, column ${error.column}`, position: error.position }],
});

/** Evaluates a FEEL expression in a context of variables. Never throws: a failure is null with warnings. */
export function evaluateExpression(text: string, context: ReadonlyMap<string, FeelValue> = new Map(), options: FeelEvaluationOptions = {}): FeelEvaluation {
  const parsed = parseExpression(text, { context });
  return parsed.ok ? parsed.value.evaluate(context, options) : syntaxFailure(parsed.error);
}

/** Evaluates unary tests against an input value: true, false, or null (with warnings). */
export function evaluateUnaryTests(
  text: string,
  input: FeelValue,
  context: ReadonlyMap<string, FeelValue> = new Map(),
  options: FeelEvaluationOptions = {},
): FeelEvaluation {
  const parsed = parseUnaryTests(text, { context });
  return parsed.ok ? parsed.value.test(input, context, options) : syntaxFailure(parsed.error);
}
