import type { JsonValue } from '../model/json.js';
import { err, ok, type Result } from '../result.js';
import type { EvaluationContext, ExpressionFailure } from './expression-evaluator.js';
import { parseJuel, type BinaryOperator, type JuelNode, type JuelTemplate } from './juel.parser.js';

/** Parsed templates per source text: deployed models evaluate the same few expressions again and again. */
const templatesBySource = new Map<string, Result<JuelTemplate, string>>();
const MAX_TEMPLATES = 10_000;

export function checkJuelSyntax(text: string): Result<void, string> {
  const parsed = templateOf(text);
  return parsed.ok ? ok(undefined) : parsed;
}

function templateOf(text: string): Result<JuelTemplate, string> {
  const cached = templatesBySource.get(text);
  if (cached !== undefined) return cached;
  const parsed = parseJuel(text);
  if (templatesBySource.size >= MAX_TEMPLATES) templatesBySource.clear();
  templatesBySource.set(text, parsed);
  return parsed;
}

/** An evaluation problem, raised inside the evaluator and turned into an `ExpressionFailure` at its edge. */
class JuelError extends Error {}

/** What `execution` resolves to when no variable of that name exists: Camunda 7 models often read variables through it. */
const EXECUTION = Symbol('execution');
type Value = JsonValue | typeof EXECUTION;

export function evaluateJuel(text: string, context: EvaluationContext): Result<JsonValue, ExpressionFailure> {
  const template = templateOf(text);
  if (!template.ok) return err({ message: template.error, expression: text });
  try {
    const { parts } = template.value;
    if (parts.length === 1 && typeof parts[0] !== 'string') return ok(storable(evaluateNode(parts[0], context)));
    let result = '';
    for (const part of parts) result += typeof part === 'string' ? part : toText(storable(evaluateNode(part, context)));
    return ok(result);
  } catch (error) {
    if (error instanceof JuelError) return err({ message: `${error.message} in expression '${text}'`, expression: text });
    const reason = error instanceof Error ? error.message : String(error);
    return err({ message: `Failed to evaluate JUEL expression '${text}': ${reason}`, expression: text });
  }
}

function storable(value: Value): JsonValue {
  if (value === EXECUTION) throw new JuelError("'execution' is not a value");
  if (typeof value === 'number' && !Number.isFinite(value)) throw new JuelError('Arithmetic result is not a finite number');
  return value;
}

function evaluateNode(node: JuelNode, context: EvaluationContext): Value {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'identifier': {
      const value = context.variables(node.name);
      if (value !== undefined) return value;
      if (node.name === 'execution') return EXECUTION;
      throw new JuelError(`Cannot resolve identifier '${node.name}'`);
    }
    case 'property':
      return readProperty(evaluateNode(node.target, context), evaluateNode(node.key, context));
    case 'call':
      return callMethod(
        evaluateNode(node.target, context),
        node.method,
        node.args.map((arg) => evaluateNode(arg, context)),
        context,
      );
    case 'unary': {
      const operand = evaluateNode(node.operand, context);
      switch (node.operator) {
        case '-':
          return -toNumber(operand);
        case '!':
          return !toBoolean(operand);
        case 'empty':
          return isEmpty(operand);
      }
      break;
    }
    case 'conditional':
      return toBoolean(evaluateNode(node.test, context)) ? evaluateNode(node.then, context) : evaluateNode(node.otherwise, context);
    case 'binary':
      switch (node.operator) {
        case '&&':
          return toBoolean(evaluateNode(node.left, context)) && toBoolean(evaluateNode(node.right, context));
        case '||':
          return toBoolean(evaluateNode(node.left, context)) || toBoolean(evaluateNode(node.right, context));
        default:
          return applyBinary(node.operator, evaluateNode(node.left, context), evaluateNode(node.right, context));
      }
  }
}

function readProperty(target: Value, key: Value): Value {
  // EL: a property of null is null (`a.b.c` with a null `b` gives null, not an error).
  if (target === null) return null;
  if (target === EXECUTION) throw new JuelError(`Property '${toText(plain(key))}' of 'execution' is not supported`);
  if (Array.isArray(target)) {
    if (typeof key !== 'number' && !(typeof key === 'string' && /^-?[0-9]+$/.test(key))) {
      throw new JuelError(`Cannot read property '${toText(plain(key))}' of a list: a list index must be a number`);
    }
    const index = Number(key);
    // EL's list resolver answers null out of range rather than failing.
    return Number.isInteger(index) && index >= 0 && index < target.length ? target[index] : null;
  }
  if (typeof target === 'object') {
    const name = toText(plain(key));
    return Object.prototype.hasOwnProperty.call(target, name) ? target[name] : null;
  }
  throw new JuelError(`Cannot read property '${toText(plain(key))}' of ${typeName(target)}`);
}

function callMethod(target: Value, method: string, args: readonly Value[], context: EvaluationContext): Value {
  const arity = (count: number): void => {
    if (args.length !== count) {
      throw new JuelError(`Method '${method}' expects ${count} argument${count === 1 ? '' : 's'} but got ${args.length}`);
    }
  };
  if (target === EXECUTION) {
    if (method !== 'getVariable') throw new JuelError(`Method '${method}' of 'execution' is not supported`);
    arity(1);
    return context.variables(toText(plain(args[0]))) ?? null;
  }
  if (target === null) throw new JuelError(`Cannot call method '${method}' on null`);
  if (typeof target === 'string') {
    switch (method) {
      case 'length':
        arity(0);
        return target.length;
      case 'isEmpty':
        arity(0);
        return target.length === 0;
      case 'toUpperCase':
        arity(0);
        return target.toUpperCase();
      case 'toLowerCase':
        arity(0);
        return target.toLowerCase();
      case 'trim':
        arity(0);
        return target.trim();
      case 'contains':
        arity(1);
        return target.includes(toText(plain(args[0])));
      case 'startsWith':
        arity(1);
        return target.startsWith(toText(plain(args[0])));
      case 'endsWith':
        arity(1);
        return target.endsWith(toText(plain(args[0])));
      case 'equals':
        arity(1);
        return target === args[0];
      case 'equalsIgnoreCase':
        arity(1);
        return typeof args[0] === 'string' && target.toLowerCase() === args[0].toLowerCase();
    }
  }
  if (Array.isArray(target)) {
    switch (method) {
      case 'size':
        arity(0);
        return target.length;
      case 'isEmpty':
        arity(0);
        return target.length === 0;
      case 'contains': {
        arity(1);
        const wanted = plain(args[0]);
        return target.some((item) => deepEqual(item, wanted));
      }
      case 'get':
        arity(1);
        return readProperty(target, toNumber(args[0]));
    }
  } else if (typeof target === 'object') {
    switch (method) {
      case 'size':
        arity(0);
        return Object.keys(target).length;
      case 'isEmpty':
        arity(0);
        return Object.keys(target).length === 0;
      case 'containsKey':
        arity(1);
        return Object.prototype.hasOwnProperty.call(target, toText(plain(args[0])));
      case 'get':
        arity(1);
        return readProperty(target, args[0]);
    }
  }
  if (method === 'equals') {
    arity(1);
    return deepEqual(target, plain(args[0]));
  }
  throw new JuelError(`Method '${method}' not found on ${typeName(target)}`);
}

function applyBinary(operator: Exclude<BinaryOperator, '&&' | '||'>, left: Value, right: Value): Value {
  switch (operator) {
    case '==':
      return equal(left, right);
    case '!=':
      return !equal(left, right);
    case '<':
    case '>':
    case '<=':
    case '>=':
      return compare(operator, left, right);
    case '+':
      return toNumber(left) + toNumber(right);
    case '-':
      return toNumber(left) - toNumber(right);
    case '*':
      return toNumber(left) * toNumber(right);
    case '/': {
      const divisor = toNumber(right);
      if (divisor === 0) throw new JuelError('Division by zero');
      return toNumber(left) / divisor;
    }
    case '%': {
      const divisor = toNumber(right);
      if (divisor === 0) throw new JuelError('Division by zero');
      return toNumber(left) % divisor;
    }
  }
}

/** EL equality: null equals only null; a number on either side compares numerically, a boolean as booleans, then text. */
function equal(leftValue: Value, rightValue: Value): boolean {
  const left = plain(leftValue);
  const right = plain(rightValue);
  if (left === right) return true;
  if (left === null || right === null) return false;
  if (typeof left === 'number' || typeof right === 'number') return toNumber(left) === toNumber(right);
  if (typeof left === 'boolean' || typeof right === 'boolean') return toBoolean(left) === toBoolean(right);
  if (typeof left === 'string' || typeof right === 'string') return toText(left) === toText(right);
  return deepEqual(left, right);
}

/** EL ordering: null is never ordered; a number on either side compares numerically, otherwise text compares. */
function compare(operator: '<' | '>' | '<=' | '>=', leftValue: Value, rightValue: Value): boolean {
  const left = plain(leftValue);
  const right = plain(rightValue);
  if (left === right && left !== null) return operator === '<=' || operator === '>=';
  if (left === null || right === null) return false;
  let order: number;
  if (typeof left === 'number' || typeof right === 'number') {
    order = toNumber(left) - toNumber(right);
  } else if (typeof left === 'boolean' && typeof right === 'boolean') {
    order = Number(left) - Number(right);
  } else if (typeof left === 'string' || typeof right === 'string') {
    const a = toText(left);
    const b = toText(right);
    order = a < b ? -1 : a > b ? 1 : 0;
  } else {
    throw new JuelError(`Cannot compare ${typeName(left)} with ${typeName(right)}`);
  }
  switch (operator) {
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '>=':
      return order >= 0;
  }
}

function isEmpty(value: Value): boolean {
  if (value === null) return true;
  if (typeof value === 'string') return value.length === 0;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

const NUMERIC_TEXT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** EL coercion to a number: null and '' are 0, numeric text is its number, anything else is an error. */
function toNumber(value: Value): number {
  if (typeof value === 'number') return value;
  if (value === null) return 0;
  if (typeof value === 'string') {
    if (value === '') return 0;
    if (NUMERIC_TEXT.test(value)) return Number(value);
    throw new JuelError(`Cannot coerce '${value}' to a number`);
  }
  throw new JuelError(`Cannot coerce ${typeName(value)} to a number`);
}

/** EL coercion to a boolean: null is false, text is true only when it reads 'true' (any case). */
function toBoolean(value: Value): boolean {
  if (typeof value === 'boolean') return value;
  if (value === null) return false;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  throw new JuelError(`Cannot coerce ${typeName(value)} to a boolean`);
}

/** EL coercion to text: null is the empty string; lists and objects render as JSON. */
function toText(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function plain(value: Value): JsonValue {
  if (value === EXECUTION) throw new JuelError("'execution' is not a value");
  return value;
}

function deepEqual(left: JsonValue, right: JsonValue): boolean {
  if (left === right) return true;
  if (Array.isArray(left) || Array.isArray(right)) {
    return Array.isArray(left) && Array.isArray(right) && left.length === right.length && left.every((item, i) => deepEqual(item, right[i]));
  }
  if (left === null || right === null || typeof left !== 'object' || typeof right !== 'object') return false;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && deepEqual(left[key], right[key]))
  );
}

function typeName(value: Value): string {
  if (value === EXECUTION) return "'execution'";
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}
