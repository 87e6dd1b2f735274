import type { SyntaxNode } from '@lezer/common';
import { builtinFunction } from './builtins.js';
import {
  FeelFailure,
  Outcome,
  add,
  coerce,
  conformsTo,
  divide,
  feelCompare,
  feelEquals,
  multiply,
  namedType,
  negate,
  power,
  rangeIncludes,
  subtract,
} from './semantics.js';
import { civilFromDays, epochDay } from './temporal.js';
import { dateTimeProperty, parseTemporalLiteral } from './temporal-values.js';
import {
  FeelArguments,
  FeelContext,
  FeelDate,
  FeelFunction,
  FeelNumber,
  FeelRange,
  FeelSession,
  FeelType,
  FeelValue,
  isList,
  isNumber,
  typeNameOf,
} from './values.js';

/** Names are compared with their white space collapsed: `a  b` and `a b` are the same name. */
export const normalizeName = (name: string): string => name.trim().replace(/\s+/g, ' ');

/** Variables of an evaluation: a map, or a function that reads them on demand (undefined: no such variable). */
export type FeelVariables = ReadonlyMap<string, FeelValue> | ((name: string) => FeelValue | undefined);

/** Variables visible to an expression: a chain of frames, innermost first. */
export class Scope {
  constructor(
    private readonly frame: FeelVariables,
    private readonly parent: Scope | null = null,
  ) {}

  lookup(name: string): FeelValue | undefined {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    for (let scope: Scope | null = this; scope; scope = scope.parent) {
      const frame = scope.frame;
      if (typeof frame === 'function') {
        const value = frame(name);
        if (value !== undefined) return value;
      } else if (frame.has(name)) return frame.get(name);
    }
    return undefined;
  }

  with(frame: ReadonlyMap<string, FeelValue>): Scope {
    return new Scope(frame, this);
  }
}

export type Evaluator = (scope: Scope, session: FeelSession) => FeelValue;
/** A unary test: whether the input value (bound to `?`) passes. */
export type Tester = (input: FeelValue, scope: Scope, session: FeelSession) => FeelValue;

const IGNORED = new Set(['LineComment', 'BlockComment', '(', ')', '[', ']', '{', '}', ',', '.', '..']);

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const result: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    if (!IGNORED.has(child.name)) result.push(child);
  }
  return result;
}

const KEYWORDS = new Set(['and', 'or', 'if', 'then', 'else', 'for', 'in', 'return', 'some', 'every', 'satisfies', 'between', 'instance', 'of', 'function', 'not', 'external']);
const operands = (node: SyntaxNode): SyntaxNode[] => childrenOf(node).filter((c) => !KEYWORDS.has(c.name));

const outcome = (session: FeelSession, result: Outcome, position: number): FeelValue => {
  if (result instanceof FeelFailure) return session.warn({ code: result.code, message: result.message, position });
  return result;
};

function unescapeString(literal: string): string {
  const body = literal.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{6}|.)/g, (_all, escape: string) => {
    if (escape.startsWith('u') || escape.startsWith('U')) return String.fromCodePoint(parseInt(escape.slice(1), 16));
    switch (escape) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case "'":
      case '"':
      case '\\':
        return escape;
      default:
        return '\\' + escape;
    }
  });
}

/** Compiles a parsed FEEL expression (from lezer-feel) into a closure: compile once, evaluate many times. */
export class Compiler {
  constructor(private readonly text: string) {}

  private source(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  private name(node: SyntaxNode): string {
    return normalizeName(this.source(node).replace(/`/g, ''));
  }

  expression(node: SyntaxNode): Evaluator {
    const kids = childrenOf(node);
    const at = node.from;
    switch (node.name) {
      case 'Expression':
      case 'Expressions':
      case 'FunctionBody':
      case 'ParenthesizedExpression':
      case 'PositiveUnaryTest':
        return this.expression(kids[0]);
      case 'NumericLiteral': {
        const value = new FeelNumber(this.source(node).replace(/\s+/g, ''));
        return () => value;
      }
      case 'StringLiteral': {
        const value = unescapeString(this.source(node));
        return () => value;
      }
      case 'BooleanLiteral': {
        const value = this.source(node) === 'true';
        return () => value;
      }
      case 'null':
        return () => null;
      case 'VariableName':
      case 'QualifiedName':
      case 'Name': {
        const name = this.name(node);
        return (scope, session) => {
          const value = scope.lookup(name);
          if (value !== undefined) return value;
          const builtin = builtinFunction(name);
          if (builtin) return builtin;
          return session.warn({ code: 'NO_VARIABLE_FOUND', message: `No variable found with name '${name}'`, position: at });
        };
      }
      case '?':
        return (scope) => scope.lookup('?') ?? null;
      case 'DateTimeLiteral':
        return this.temporal(node);
      case 'ArithmeticExpression':
        return this.arithmetic(node, kids);
      case 'Comparison':
        return this.comparison(node, kids);
      case 'Disjunction':
      case 'Conjunction':
        return this.logic(node.name === 'Disjunction', kids);
      case 'IfExpression': {
        const [condition, then, otherwise] = operands(node).map((c) => this.expression(c));
        return (scope, session) => (condition(scope, session) === true ? then(scope, session) : otherwise(scope, session));
      }
      case 'List': {
        const items = kids.map((c) => this.expression(c));
        return (scope, session) => items.map((item) => item(scope, session));
      }
      case 'Context':
        return this.context(kids);
      case 'PathExpression':
        return this.path(node, kids);
      case 'FilterExpression':
        return this.filter(kids);
      case 'FunctionInvocation':
        return this.invocation(node, kids);
      case 'FunctionDefinition':
        return this.functionDefinition(node);
      case 'ForExpression':
        return this.forExpression(node);
      case 'QuantifiedExpression':
        return this.quantified(node);
      case 'InstanceOfExpression': {
        const [subject, typeNode] = operands(node);
        const value = this.expression(subject);
        const type = this.type(typeNode);
        return (scope, session) => conformsTo(value(scope, session), type);
      }
      case 'SimplePositiveUnaryTest':
        return this.rangeLiteral(kids);
      case 'Interval':
        return this.interval(kids);
      default:
        throw new Error(`Unsupported FEEL construct ${node.name} at position ${node.from}`);
    }
  }

  private temporal(node: SyntaxNode): Evaluator {
    const kids = childrenOf(node);
    if (kids[0].name === 'AtLiteral') {
      const literal = unescapeString(this.source(childrenOf(kids[0])[0]));
      const value = parseTemporalLiteral(literal);
      return (_scope, session) =>
        value ?? session.warn({ code: 'INVALID_ARGUMENT', message: `'${literal}' is not a date, time, date and time or duration`, position: node.from });
    }
    const name = normalizeName(this.source(kids[0]));
    const args = this.arguments(kids[1]);
    return (scope, session) => this.call(builtinFunction(name), name, args(scope, session), session, node.from);
  }

  private arithmetic(node: SyntaxNode, kids: SyntaxNode[]): Evaluator {
    if (kids.length === 2) {
      const operand = this.expression(kids[1]);
      return (scope, session) => outcome(session, negate(operand(scope, session)), node.from);
    }
    const [leftNode, opNode, rightNode] = kids;
    const left = this.expression(leftNode);
    const right = this.expression(rightNode);
    const op = this.source(opNode);
    const operation = op === '+' ? add : op === '-' ? subtract : op === '*' ? multiply : op === '/' ? divide : power;
    return (scope, session) => outcome(session, operation(left(scope, session), right(scope, session)), node.from);
  }

  private logic(isOr: boolean, kids: SyntaxNode[]): Evaluator {
    const [left, right] = kids.filter((k) => k.name !== 'and' && k.name !== 'or').map((k) => this.expression(k));
    return (scope, session) => {
      const a = left(scope, session);
      const b = right(scope, session);
      // Three-valued logic: true or anything is true, false and anything is false; otherwise null.
      if (isOr) {
        if (a === true || b === true) return true;
        return a === false && b === false ? false : null;
      }
      if (a === false || b === false) return false;
      return a === true && b === true ? true : null;
    };
  }

  private comparison(node: SyntaxNode, kids: SyntaxNode[]): Evaluator {
    const at = node.from;
    if (kids[1].name === 'between') {
      const [value, low, high] = operands(node).map((k) => this.expression(k));
      return (scope, session) => {
        const v = value(scope, session);
        const lo = feelCompare(v, low(scope, session));
        const hi = feelCompare(v, high(scope, session));
        if (lo === null || hi === null) return session.warn({ code: 'INVALID_TYPE', message: 'between needs values of one ordered type', position: at });
        return lo >= 0 && hi <= 0;
      };
    }
    if (kids[1].name === 'in') {
      const value = this.expression(kids[0]);
      const test = this.unaryTests(kids[2]);
      return (scope, session) => test(value(scope, session), scope, session);
    }
    const left = this.expression(kids[0]);
    const right = this.expression(kids[2]);
    const op = this.source(kids[1]);
    return (scope, session) => {
      const a = left(scope, session);
      const b = right(scope, session);
      if (op === '=' || op === '!=') {
        const same = feelEquals(a, b);
        if (same === null) return session.warn({ code: 'INVALID_TYPE', message: `Cannot compare ${typeNameOf(a)} and ${typeNameOf(b)}`, position: at });
        return op === '=' ? same : !same;
      }
      const order = feelCompare(a, b);
      if (order === null) {
        if (a === null || b === null) return null;
        return session.warn({ code: 'INVALID_TYPE', message: `Cannot compare ${typeNameOf(a)} and ${typeNameOf(b)}`, position: at });
      }
      return op === '<' ? order < 0 : op === '<=' ? order <= 0 : op === '>' ? order > 0 : order >= 0;
    };
  }

  private context(entries: SyntaxNode[]): Evaluator {
    const compiled = entries.map((entry) => {
      const [keyNode, valueNode] = childrenOf(entry);
      const keyChild = childrenOf(keyNode)[0];
      const key = keyChild.name === 'StringLiteral' ? unescapeString(this.source(keyChild)) : this.name(keyNode);
      return { key, value: this.expression(valueNode), at: entry.from };
    });
    return (scope, session) => {
      const map = new Map<string, FeelValue>();
      // Each entry sees the entries before it.
      const inner = scope.with(map);
      for (const entry of compiled) {
        if (map.has(entry.key)) return session.warn({ code: 'INVALID_ARGUMENT', message: `Duplicate context entry '${entry.key}'`, position: entry.at });
        map.set(entry.key, entry.value(inner, session));
      }
      return new FeelContext(map);
    };
  }

  private path(node: SyntaxNode, kids: SyntaxNode[]): Evaluator {
    const base = this.expression(kids[0]);
    const name = this.name(kids[1]);
    const at = kids[1].from;
    // DMN allows names with dots (a BKM parameter `Person.Name`): a variable of the whole dotted name wins over the path.
    const dotted = /^[^\s"(){}[\]]+(\s*\.\s*[^\s"(){}[\].]+)+$/.test(this.source(node)) ? this.source(node).replace(/\s*\.\s*/g, '.') : null;
    const select = (value: FeelValue, session: FeelSession): FeelValue => {
      if (value === null) return null;
      if (value instanceof FeelContext) {
        const entry = value.get(name);
        return entry === undefined ? session.warn({ code: 'NO_CONTEXT_ENTRY_FOUND', message: `No context entry found with key '${name}'`, position: at }) : entry;
      }
      if (isList(value)) return value.map((item) => select(item, session));
      const property = dateTimeProperty(value, name);
      if (property !== undefined) return property;
      return session.warn({ code: 'NO_CONTEXT_ENTRY_FOUND', message: `A ${typeNameOf(value)} has no property '${name}'`, position: at });
    };
    return (scope, session) => {
      const whole = dotted === null ? undefined : scope.lookup(dotted);
      return whole !== undefined ? whole : select(base(scope, session), session);
    };
  }

  private filter(kids: SyntaxNode[]): Evaluator {
    const base = this.expression(kids[0]);
    const condition = this.expression(kids[1]);
    const at = kids[1].from;
    return (scope, session) => {
      const value = base(scope, session);
      if (value === null) return null;
      const list = isList(value) ? value : [value];
      const result: FeelValue[] = [];
      for (let i = 0; i < list.length; i++) {
        const item = list[i];
        // The entries of a context item are names in the filter, and win over `item` ({item: 2} filters by its entry).
        const frame = new Map<string, FeelValue>([['item', item]]);
        if (item instanceof FeelContext) for (const [key, entry] of item.entries) frame.set(key, entry);
        const test = condition(scope.with(frame), session);
        if (isNumber(test)) {
          // A number selects by position, 1-based, negative from the end.
          if (!test.isInteger()) return null;
          const index = test.toNumber();
          const picked = index > 0 ? list[index - 1] : index < 0 ? list[list.length + index] : undefined;
          return picked === undefined ? null : picked;
        }
        if (test === true) result.push(item);
        else if (test !== false && test !== null) return session.warn({ code: 'INVALID_TYPE', message: `A filter gives ${typeNameOf(test)}, not a boolean or a number`, position: at });
      }
      return result;
    };
  }

  private arguments(node: SyntaxNode): (scope: Scope, session: FeelSession) => FeelArguments {
    const kids = childrenOf(node);
    if (node.name === 'NamedParameters') {
      const named = kids.map((param) => {
        const [nameNode, valueNode] = childrenOf(param);
        return { name: this.name(nameNode), value: this.expression(valueNode) };
      });
      return (scope, session) => ({ named: new Map(named.map((p) => [p.name, p.value(scope, session)])) });
    }
    const positional = kids.map((k) => this.expression(k));
    return (scope, session) => ({ positional: positional.map((p) => p(scope, session)) });
  }

  private call(fn: FeelValue | undefined, name: string, args: FeelArguments, session: FeelSession, at: number): FeelValue {
    if (!(fn instanceof FeelFunction)) {
      return session.warn({ code: 'NO_FUNCTION_FOUND', message: `No function found with name '${name}'`, position: at });
    }
    return fn.invoke(args, session);
  }

  private invocation(node: SyntaxNode, kids: SyntaxNode[]): Evaluator {
    const calleeNode = kids[0];
    const args = kids[1] ? this.arguments(kids[1]) : () => ({ positional: [] });
    const named = calleeNode.name === 'VariableName' || calleeNode.name === 'SpecialFunctionName';
    const name = named ? this.name(calleeNode) : this.source(calleeNode);
    const callee: Evaluator =
      named ? (scope) => scope.lookup(name) ?? builtinFunction(name) ?? null : this.expression(calleeNode);
    return (scope, session) => this.call(callee(scope, session), name, args(scope, session), session, node.from);
  }

  private functionDefinition(node: SyntaxNode): Evaluator {
    const kids = childrenOf(node);
    const params = childrenOf(kids.find((k) => k.name === 'FormalParameters') ?? node).filter((k) => k.name === 'FormalParameter');
    const names = params.map((p) => this.name(childrenOf(p)[0]));
    const types = params.map((p) => {
      const typeNode = childrenOf(p)[1];
      return typeNode ? this.type(typeNode) : null;
    });
    const external = kids.some((k) => k.name === 'external');
    const bodyNode = kids.find((k) => k.name === 'FunctionBody');
    const body = bodyNode && !external ? this.expression(bodyNode) : null;
    return (scope) => {
      const invoke = (args: FeelArguments, session: FeelSession): FeelValue => {
        if (!body) return session.warn({ code: 'FUNCTION_INVOCATION_FAILURE', message: 'External functions are not supported', position: node.from });
        const frame = new Map<string, FeelValue>();
        if ('positional' in args) {
          if (args.positional.length !== names.length) {
            return session.warn({ code: 'INVALID_PARAMETERS', message: `The function takes ${names.length} parameters, got ${args.positional.length}`, position: node.from });
          }
          names.forEach((n, i) => frame.set(n, args.positional[i]));
        } else {
          for (const key of args.named.keys()) {
            if (!names.includes(key)) return session.warn({ code: 'INVALID_PARAMETERS', message: `The function has no parameter '${key}'`, position: node.from });
          }
          names.forEach((n) => frame.set(n, args.named.get(n) ?? null));
        }
        for (let i = 0; i < names.length; i++) {
          const coerced = coerce(frame.get(names[i]) ?? null, types[i]);
          if (!coerced.ok) {
            return session.warn({ code: 'INVALID_TYPE', message: `Parameter '${names[i]}' does not conform to its type`, position: node.from });
          }
          frame.set(names[i], coerced.value);
        }
        return body(scope.with(frame), session);
      };
      return new FeelFunction(names, invoke, 'anonymous', types, null);
    };
  }

  private iterations(node: SyntaxNode): { name: string; domain: Evaluator | { from: Evaluator; to: Evaluator } }[] {
    const inExpressions = childrenOf(node).find((k) => k.name === 'InExpressions');
    return childrenOf(inExpressions ?? node)
      .filter((k) => k.name === 'InExpression')
      .map((k) => {
        const [nameNode, contextNode] = operands(k);
        const parts = childrenOf(contextNode);
        const name = this.name(nameNode);
        if (parts.length === 2) return { name, domain: { from: this.expression(parts[0]), to: this.expression(parts[1]) } };
        return { name, domain: this.expression(parts[0]) };
      });
  }

  private domainOf(
    domain: Evaluator | { from: Evaluator; to: Evaluator },
    scope: Scope,
    session: FeelSession,
    at: number,
  ): readonly FeelValue[] | null {
    if (typeof domain === 'function') {
      const value = domain(scope, session);
      if (value === null) return null;
      if (value instanceof FeelRange) return session.warn({ code: 'INVALID_TYPE', message: 'Cannot iterate over a range', position: at });
      return isList(value) ? value : [value];
    }
    const from = domain.from(scope, session);
    const to = domain.to(scope, session);
    if (from instanceof FeelDate && to instanceof FeelDate) {
      // Dates iterate day by day, upwards or downwards.
      const first = epochDay(from);
      const last = epochDay(to);
      const step = first <= last ? 1 : -1;
      const days: FeelValue[] = [];
      for (let d = first; step > 0 ? d <= last : d >= last; d += step) days.push(civilFromDays(d));
      return days;
    }
    if (!isNumber(from) || !isNumber(to) || !from.isInteger() || !to.isInteger()) {
      return session.warn({ code: 'INVALID_TYPE', message: 'An iteration range needs integer bounds', position: at });
    }
    const result: FeelValue[] = [];
    const step = from.lte(to) ? 1 : -1;
    for (let i = from; step > 0 ? i.lte(to) : i.gte(to); i = i.plus(step)) result.push(i);
    return result;
  }

  private forExpression(node: SyntaxNode): Evaluator {
    const iterations = this.iterations(node);
    const body = this.expression(operands(node).at(-1) as SyntaxNode);
    return (scope, session) => {
      const results: FeelValue[] = [];
      const loop = (level: number, current: Scope): boolean => {
        if (level === iterations.length) {
          results.push(body(current.with(new Map([['partial', [...results]]])), session));
          return true;
        }
        const items = this.domainOf(iterations[level].domain, current, session, node.from);
        if (items === null) return false;
        for (const item of items) if (!loop(level + 1, current.with(new Map([[iterations[level].name, item]])))) return false;
        return true;
      };
      return loop(0, scope) ? results : null;
    };
  }

  private quantified(node: SyntaxNode): Evaluator {
    const every = childrenOf(node)[0].name === 'every';
    const iterations = this.iterations(node);
    const condition = this.expression(operands(node).at(-1) as SyntaxNode);
    return (scope, session) => {
      const results: FeelValue[] = [];
      const loop = (level: number, current: Scope): boolean => {
        if (level === iterations.length) {
          results.push(condition(current, session));
          return true;
        }
        const items = this.domainOf(iterations[level].domain, current, session, node.from);
        if (items === null) return false;
        for (const item of items) if (!loop(level + 1, current.with(new Map([[iterations[level].name, item]])))) return false;
        return true;
      };
      if (!loop(0, scope)) return null;
      const odd = results.find((r) => r !== null && typeof r !== 'boolean');
      if (odd !== undefined) return session.warn({ code: 'INVALID_TYPE', message: `A condition gives ${typeNameOf(odd)}, not a boolean`, position: node.from });
      if (every) return results.some((r) => r === false) ? false : results.every((r) => r === true) ? true : null;
      return results.some((r) => r === true) ? true : results.every((r) => r === false) ? false : null;
    };
  }

  type(node: SyntaxNode): FeelType {
    const inner = node.name === 'Type' ? childrenOf(node)[0] : node;
    const parts = childrenOf(inner);
    switch (inner.name) {
      case 'ListType':
        return { kind: 'list', item: this.type(parts.find((p) => p.name === 'Type') as SyntaxNode) };
      case 'ContextType': {
        const entries = childrenOf(parts.find((p) => p.name === 'ContextEntryTypes') ?? inner).filter((p) => p.name === 'ContextEntryType');
        return {
          kind: 'context',
          entries: entries.map((entry) => {
            const [nameNode, typeNode] = childrenOf(entry);
            return { name: this.name(nameNode), type: this.type(typeNode) };
          }),
        };
      }
      case 'FunctionType': {
        const argumentTypes = childrenOf(parts.find((p) => p.name === 'ArgumentTypes') ?? inner)
          .filter((p) => p.name === 'ArgumentType')
          .map((p) => this.type(childrenOf(p)[0]));
        return { kind: 'function', parameters: argumentTypes, result: this.type(parts.filter((p) => p.name === 'Type').at(-1) as SyntaxNode) };
      }
      default: {
        const name = this.name(inner);
        return namedType(name === 'date time' ? 'date and time' : name);
      }
    }
  }

  private interval(kids: SyntaxNode[]): Evaluator {
    const open = this.source(kids[0].parent as SyntaxNode).trim()[0];
    const close = this.source(kids[0].parent as SyntaxNode).trim().at(-1);
    const [startNode, endNode] = kids;
    const start = this.expression(startNode);
    const end = this.expression(endNode);
    return (scope, session) => {
      const s = start(scope, session);
      const e = end(scope, session);
      if (s !== null && e !== null && feelCompare(s, e) === null) {
        return session.warn({ code: 'INVALID_TYPE', message: `A range needs bounds of one ordered type, got ${typeNameOf(s)} and ${typeNameOf(e)}`, position: startNode.from });
      }
      // A written `null` bound is not unbounded: comparisons with it give null.
      return new FeelRange(s, e, open === '[', close === ']');
    };
  }

  /** `< 3`, `>= x`, `= 5`, or an interval, as a value (a range) when written as an expression. */
  private rangeLiteral(kids: SyntaxNode[]): Evaluator {
    if (kids[0].name === 'Interval') return this.interval(childrenOf(kids[0]));
    const op = this.source(kids[0]);
    const endpoint = this.expression(kids[1]);
    return (scope, session) => {
      const v = endpoint(scope, session);
      switch (op) {
        case '<':
          return new FeelRange(null, v, false, false, true, false);
        case '<=':
          return new FeelRange(null, v, false, true, true, false);
        case '>':
          return new FeelRange(v, null, false, false, false, true);
        case '>=':
          return new FeelRange(v, null, true, false, false, true);
        case '=':
          return new FeelRange(v, v, true, true);
        default:
          return session.warn({ code: 'INVALID_TYPE', message: `'${op}' does not make a range`, position: kids[0].from });
      }
    };
  }

  /** Unary tests: the tests of a decision table cell or the right side of `in`. */
  unaryTests(node: SyntaxNode): Tester {
    const kids = childrenOf(node);
    switch (node.name) {
      case 'UnaryTests':
        if (kids[0]?.name === 'not') {
          const inner = this.unaryTests(kids[1]);
          return (input, scope, session) => {
            const result = inner(input, scope, session);
            return typeof result === 'boolean' ? !result : null;
          };
        }
        return this.unaryTests(kids[0]);
      case 'Wildcard':
        return () => true;
      case 'PositiveUnaryTests': {
        const tests = kids.map((k) => this.unaryTests(k));
        return (input, scope, session) => {
          let result: FeelValue = false;
          for (const test of tests) {
            const outcome = test(input, scope, session);
            if (outcome === true) return true;
            if (outcome !== false) result = null;
          }
          return result;
        };
      }
      case 'PositiveUnaryTest':
        return this.unaryTests(kids[0]);
      case 'SimplePositiveUnaryTest': {
        if (kids[0].name === 'Interval') {
          const range = this.interval(childrenOf(kids[0]));
          return (input, scope, session) => rangeIncludes(range(scope, session) as FeelRange, input);
        }
        const op = this.source(kids[0]);
        const endpoint = this.expression(kids[1]);
        return (input, scope, session) => {
          const v = endpoint(scope.with(new Map([['?', input]])), session);
          if (op === '=' || op === '!=') {
            const same = feelEquals(input, v);
            return same === null ? null : op === '=' ? same : !same;
          }
          const order = feelCompare(input, v);
          if (order === null) return null;
          return op === '<' ? order < 0 : op === '<=' ? order <= 0 : op === '>' ? order > 0 : order >= 0;
        };
      }
      default: {
        // Any other expression: true when it gives true for `?`, or when the input equals its value, is in its list or range.
        const expression = this.expression(node);
        return (input, scope, session) => matchesValue(input, expression(scope.with(new Map([['?', input]])), session));
      }
    }
  }
}

export function matchesValue(input: FeelValue, value: FeelValue): FeelValue {
  if (typeof value === 'boolean' && typeof input !== 'boolean') return value;
  if (value instanceof FeelRange) return rangeIncludes(value, input);
  if (isList(value)) {
    // Membership: items of other types are simply not the input.
    for (const item of value) if ((item instanceof FeelRange ? rangeIncludes(item, input) : feelEquals(input, item)) === true) return true;
    return isList(input) ? feelEquals(input, value) === true : false;
  }
  return feelEquals(input, value);
}
