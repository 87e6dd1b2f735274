import type { JsonValue } from '../model/json.js';
import { err, ok, type Result } from '../result.js';

/**
 * The subset of JUEL (Unified EL 2.2, as Camunda 7 evaluates it) that Trellis understands: see docs/expressions.md.
 * Positions in nodes and messages are offsets into the whole expression text, `${` included.
 */
export type JuelNode =
  | { readonly kind: 'literal'; readonly value: JsonValue }
  | { readonly kind: 'identifier'; readonly name: string; readonly position: number }
  | { readonly kind: 'property'; readonly target: JuelNode; readonly key: JuelNode; readonly position: number }
  | {
      readonly kind: 'call';
      readonly target: JuelNode;
      readonly method: string;
      readonly args: readonly JuelNode[];
      readonly position: number;
    }
  | { readonly kind: 'unary'; readonly operator: '-' | '!' | 'empty'; readonly operand: JuelNode; readonly position: number }
  | {
      readonly kind: 'binary';
      readonly operator: BinaryOperator;
      readonly left: JuelNode;
      readonly right: JuelNode;
      readonly position: number;
    }
  | { readonly kind: 'conditional'; readonly test: JuelNode; readonly then: JuelNode; readonly otherwise: JuelNode };

export type BinaryOperator = '==' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | '%' | '&&' | '||';

/** Literal text and `${...}` parts in order; a template of exactly one expression yields that expression's value. */
export interface JuelTemplate {
  readonly parts: readonly (string | JuelNode)[];
}

type Token =
  | { readonly type: 'number'; readonly value: number; readonly position: number }
  | { readonly type: 'string'; readonly value: string; readonly position: number }
  | { readonly type: 'identifier'; readonly value: string; readonly position: number }
  | { readonly type: 'operator'; readonly value: string; readonly position: number }
  | { readonly type: 'end'; readonly value: '}'; readonly position: number };

class JuelSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

const KEYWORD_OPERATORS: Readonly<Record<string, string>> = {
  eq: '==',
  ne: '!=',
  lt: '<',
  gt: '>',
  le: '<=',
  ge: '>=',
  and: '&&',
  or: '||',
  not: '!',
  div: '/',
  mod: '%',
};

const SYMBOLS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '+', '-', '*', '/', '%', '!', '?', ':', '.', '[', ']', '(', ')', ','];

export function parseJuel(text: string): Result<JuelTemplate, string> {
  try {
    return ok(parseTemplate(text));
  } catch (error) {
    if (error instanceof JuelSyntaxError) return err(`Invalid JUEL expression '${text}': ${error.message} at position ${error.position}`);
    throw error;
  }
}

function parseTemplate(text: string): JuelTemplate {
  const parts: (string | JuelNode)[] = [];
  let literal = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    // `\${` writes a literal `${`, as in JUEL.
    if (char === '\\' && (text[index + 1] === '$' || text[index + 1] === '#') && text[index + 2] === '{') {
      literal += text.slice(index + 1, index + 3);
      index += 3;
      continue;
    }
    if ((char === '$' || char === '#') && text[index + 1] === '{') {
      if (literal !== '') parts.push(literal);
      literal = '';
      const tokens = tokenize(text, index + 2);
      const parser = new Parser(tokens);
      const node = parser.parseWhole();
      parts.push(node);
      index = tokens[tokens.length - 1].position + 1;
      continue;
    }
    literal += char;
    index += 1;
  }
  if (literal !== '') parts.push(literal);
  return { parts };
}

/** Tokens from `start` up to and including the `}` that closes the expression. */
function tokenize(text: string, start: number): Token[] {
  const tokens: Token[] = [];
  let index = start;
  for (;;) {
    while (index < text.length && /\s/.test(text[index])) index += 1;
    if (index >= text.length) throw new JuelSyntaxError(`unclosed '${text.slice(start - 2, start)}' opened`, start - 2);
    const char = text[index];
    if (char === '}') {
      tokens.push({ type: 'end', value: '}', position: index });
      return tokens;
    }
    if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(text[index + 1] ?? ''))) {
      const match = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(text.slice(index));
      const literal = match === null ? char : match[0];
      tokens.push({ type: 'number', value: Number(literal), position: index });
      index += literal.length;
      if (/[A-Za-z_$]/.test(text[index] ?? '')) throw new JuelSyntaxError(`unexpected '${text[index]}' after number`, index);
      continue;
    }
    if (char === "'" || char === '"') {
      let value = '';
      let cursor = index + 1;
      for (;;) {
        if (cursor >= text.length) throw new JuelSyntaxError('unterminated string literal', index);
        const current = text[cursor];
        if (current === char) break;
        if (current === '\\' && (text[cursor + 1] === char || text[cursor + 1] === '\\')) {
          value += text[cursor + 1];
          cursor += 2;
          continue;
        }
        value += current;
        cursor += 1;
      }
      tokens.push({ type: 'string', value, position: index });
      index = cursor + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(char)) {
      const name = /^[A-Za-z_$][\w$]*/.exec(text.slice(index))?.[0] ?? char;
      if (name === 'instanceof') throw new JuelSyntaxError("'instanceof' is not supported", index);
      const operator = KEYWORD_OPERATORS[name];
      tokens.push(operator === undefined ? { type: 'identifier', value: name, position: index } : { type: 'operator', value: operator, position: index });
      index += name.length;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => text.startsWith(candidate, index));
    if (symbol === undefined) {
      const hint = char === '=' ? " (assignment is not supported; compare with '==')" : '';
      throw new JuelSyntaxError(`unexpected '${char}'${hint}`, index);
    }
    tokens.push({ type: 'operator', value: symbol, position: index });
    index += symbol.length;
  }
}

/** Binding power of infix operators: higher binds tighter (EL precedence). */
const INFIX_POWER: Readonly<Record<string, number>> = {
  '?': 1,
  '||': 2,
  '&&': 3,
  '==': 4,
  '!=': 4,
  '<': 5,
  '>': 5,
  '<=': 5,
  '>=': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
  '.': 9,
  '[': 9,
};
const UNARY_POWER = 8;

class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseWhole(): JuelNode {
    if (this.peek().type === 'end') throw new JuelSyntaxError('empty expression', this.peek().position);
    const node = this.parse(0);
    const next = this.peek();
    if (next.type !== 'end') throw new JuelSyntaxError(`unexpected ${describeToken(next)}`, next.position);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private expect(operator: string): void {
    const token = this.next();
    if (token.type !== 'operator' || token.value !== operator) {
      throw new JuelSyntaxError(`expected '${operator}' but found ${describeToken(token)}`, token.position);
    }
  }

  private parse(minPower: number): JuelNode {
    let left = this.parsePrefix();
    for (;;) {
      const token = this.peek();
      if (token.type !== 'operator') return left;
      const power = INFIX_POWER[token.value];
      if (power === undefined || power <= minPower) return left;
      this.next();
      left = this.parseInfix(left, token, power);
    }
  }

  private parsePrefix(): JuelNode {
    const token = this.next();
    switch (token.type) {
      case 'number':
        return { kind: 'literal', value: token.value };
      case 'string':
        return { kind: 'literal', value: token.value };
      case 'identifier':
        return this.parseIdentifier(token.value, token.position);
      case 'operator':
        if (token.value === '(') {
          const inner = this.parse(0);
          this.expect(')');
          return inner;
        }
        if (token.value === '-' || token.value === '!') {
          return { kind: 'unary', operator: token.value, operand: this.parse(UNARY_POWER), position: token.position };
        }
        throw new JuelSyntaxError(`unexpected '${token.value}'`, token.position);
      case 'end':
        throw new JuelSyntaxError('unexpected end of expression', token.position);
    }
  }

  private parseIdentifier(name: string, position: number): JuelNode {
    switch (name) {
      case 'true':
        return { kind: 'literal', value: true };
      case 'false':
        return { kind: 'literal', value: false };
      case 'null':
        return { kind: 'literal', value: null };
      case 'empty':
        return { kind: 'unary', operator: 'empty', operand: this.parse(UNARY_POWER), position };
    }
    const next = this.peek();
    if (next.type === 'operator' && next.value === '(') {
      throw new JuelSyntaxError(`function call '${name}()' is not supported`, position);
    }
    if (next.type === 'operator' && next.value === ':' && this.tokens[this.index + 1]?.type === 'identifier') {
      throw new JuelSyntaxError(`EL function '${name}:...' is not supported`, position);
    }
    return { kind: 'identifier', name, position };
  }

  private parseInfix(left: JuelNode, token: Token, power: number): JuelNode {
    switch (token.value) {
      case '?': {
        const then = this.parse(0);
        this.expect(':');
        // Right-associative: `a ? b : c ? d : e` reads as `a ? b : (c ? d : e)`.
        const otherwise = this.parse(power - 1);
        return { kind: 'conditional', test: left, then, otherwise };
      }
      case '.': {
        const name = this.next();
        if (name.type !== 'identifier') {
          throw new JuelSyntaxError(`expected a property name after '.' but found ${describeToken(name)}`, name.position);
        }
        const open = this.peek();
        if (open.type === 'operator' && open.value === '(') {
          this.next();
          return { kind: 'call', target: left, method: name.value, args: this.parseArguments(), position: name.position };
        }
        return { kind: 'property', target: left, key: { kind: 'literal', value: name.value }, position: name.position };
      }
      case '[': {
        const key = this.parse(0);
        this.expect(']');
        return { kind: 'property', target: left, key, position: token.position };
      }
      default:
        return {
          kind: 'binary',
          operator: token.value as BinaryOperator,
          left,
          right: this.parse(power),
          position: token.position,
        };
    }
  }

  private parseArguments(): JuelNode[] {
    const args: JuelNode[] = [];
    const first = this.peek();
    if (first.type === 'operator' && first.value === ')') {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.parse(0));
      const separator = this.next();
      if (separator.type === 'operator' && separator.value === ')') return args;
      if (separator.type !== 'operator' || separator.value !== ',') {
        throw new JuelSyntaxError(`expected ',' or ')' but found ${describeToken(separator)}`, separator.position);
      }
    }
  }
}

function describeToken(token: Token): string {
  switch (token.type) {
    case 'end':
      return "'}'";
    case 'string':
      return `string '${token.value}'`;
    default:
      return `'${token.value}'`;
  }
}
