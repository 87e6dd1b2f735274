import { FeelContext, FeelExpression, FeelParseResult, FeelUnaryTests, FeelValue, parseExpression, parseUnaryTests } from '@trellis/feel';
import type { EvaluationRun } from './evaluation-run.js';

// FEEL texts of a model are parsed where they are evaluated: FEEL names may hold spaces (`Applicant Age`), so the
// parser must know the names in scope, and the entry names of context values (`Applicant.monthly income`). A text
// can only use the names it contains, so the parser is told those alone, and a parse is reused for the same text
// with the same names and shapes: a decision table parses its cells once, not once per evaluation.

type Scope = ReadonlyMap<string, FeelValue>;

/** At most this many parses are kept; past it the cache starts again (the texts of a few models fit easily). */
const CACHE_LIMIT = 20_000;
const expressions = new Map<string, FeelParseResult<FeelExpression>>();
const unaryTests = new Map<string, FeelParseResult<FeelUnaryTests>>();

/** The shape of a value for the parser: the names of its context entries, nested. */
function shapeKey(value: FeelValue, depth: number): string {
  if (!(value instanceof FeelContext) || depth > 8) return '';
  return `{${[...value.entries].map(([k, v]) => `${JSON.stringify(k)}${shapeKey(v, depth + 1)}`).join(',')}}`;
}

/** A text with no character that can start a name outside its string literals: digits, operators, brackets, strings. */
const NAMELESS = /^(?:"(?:[^"\\]|\\.)*"|[-0-9.,+*/<>=!()[\]\s])*$/;
const NO_NAMES = new Map<string, FeelValue>();

/** The variables of a scope the text names, and a key of their names and shapes. */
function relevant(text: string, scope: Scope): { context: Map<string, FeelValue>; key: string } {
  // Most table cells (`[18..35]`, `>= 500`, `"north","south"`, `-`) name nothing: their key is the text alone, without
  // walking the scope for each cell of each evaluation (that walk was a fifth of a 50-rule table's time).
  if (NAMELESS.test(text)) return { context: NO_NAMES, key: `\u0000${text}` };
  const context = new Map<string, FeelValue>();
  const parts: string[] = [];
  for (const [name, value] of scope) {
    if (!text.includes(name)) continue;
    context.set(name, value);
    parts.push(`${JSON.stringify(name)}${shapeKey(value, 0)}`);
  }
  return { context, key: `${parts.join(',')}\u0000${text}` };
}

function cached<T>(cache: Map<string, FeelParseResult<T>>, key: string, parse: () => FeelParseResult<T>): FeelParseResult<T> {
  let parsed = cache.get(key);
  if (!parsed) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    parsed = parse();
    cache.set(key, parsed);
  }
  return parsed;
}

/** A FEEL expression parsed for a scope (cached). */
export function parsedExpression(text: string, scope: Scope = new Map()): FeelParseResult<FeelExpression> {
  const { context, key } = relevant(text, scope);
  return cached(expressions, key, () => parseExpression(text, { context }));
}

/** FEEL unary tests parsed for a scope (cached). */
export function parsedUnaryTests(text: string, scope: Scope = new Map()): FeelParseResult<FeelUnaryTests> {
  const { context, key } = relevant(text, scope);
  return cached(unaryTests, key, () => parseUnaryTests(text, { context }));
}

/** A FEEL expression evaluated in a scope; a syntax error or a failure is null with a warning. */
export function evaluateText(text: string, scope: Scope, run: EvaluationRun, elementId?: string): FeelValue {
  const parsed = parsedExpression(text, scope);
  if (!parsed.ok) return run.warn('SYNTAX_ERROR', `${parsed.error.message} in "${text}"`, elementId);
  const result = parsed.value.evaluate(scope, run.feelOptions);
  run.feelWarnings(result.warnings, elementId);
  return result.value;
}

/** Unary tests (a decision table input entry) against an input: whether they hold (null as false, with a warning). */
export function testCell(text: string, input: FeelValue, scope: Scope, run: EvaluationRun, elementId?: string): boolean {
  const parsed = parsedUnaryTests(text, scope);
  if (!parsed.ok) {
    run.warn('SYNTAX_ERROR', `${parsed.error.message} in "${text}"`, elementId);
    return false;
  }
  const result = parsed.value.test(input, scope, run.feelOptions);
  run.feelWarnings(result.warnings, elementId);
  return result.value === true;
}
