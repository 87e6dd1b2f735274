import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FeelContext,
  FeelDateTime,
  FeelFunction,
  FeelNumber,
  FeelType,
  FeelValue,
  feelEquals,
  feelToString,
  isList,
  isNumber,
  parseExpression,
  parseTemporalLiteral,
  parseUnaryTests,
} from './index.js';
import { coerce, namedType } from './semantics.js';

// The DMN TCK (compliance levels 2 and 3) probes the FEEL interpreter: literal expressions, boxed contexts, lists,
// relations, invocations, business knowledge models and decision tables are evaluated here by a small evaluator of
// decisions, and the results are compared with the expected ones as the official runners do (numbers within 1e-8,
// lists item by item, contexts as maps, errorResult as null), imports and decision services included.

/** The pass count reached; the suite must not fall below it. */
const PASSING_AT_LEAST = 2873;

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tckRoot = resolve(repositoryRoot, '../shared/conformance/dmn-tck');

// ---- a small XML reader (the TCK files are plain XML: elements, attributes, text, CDATA, comments) -----------------

interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const decodeEntities = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? all;
  });
const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#root', attributes: {}, children: [], text: '' };
  const stack = [root];
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<\/([^>\s]+)\s*>|<([^\s/>]+)((?:\s+[^\s=]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)/g;
  for (let match = token.exec(xml); match; match = token.exec(xml)) {
    const top = stack[stack.length - 1];
    if (match[1] !== undefined) top.text += match[1];
    else if (match[2] !== undefined) stack.pop();
    else if (match[3] !== undefined) {
      const attributes: Record<string, string> = {};
      for (const a of match[4].matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attributes[a[1]] = decodeEntities(a[2] ?? a[3]);
      const element: XmlElement = { name: localName(match[3]), attributes, children: [], text: '' };
      top.children.push(element);
      if (!match[5]) stack.push(element);
    } else if (match[6] !== undefined) top.text += decodeEntities(match[6]);
  }
  return root.children[0];
}

const child = (e: XmlElement | undefined, name: string): XmlElement | undefined => e?.children.find((c) => c.name === name);
const childrenNamed = (e: XmlElement | undefined, name: string): XmlElement[] => e?.children.filter((c) => c.name === name) ?? [];
const attr = (e: XmlElement, name: string): string | undefined => e.attributes[name] ?? Object.entries(e.attributes).find(([k]) => localName(k) === name)?.[1];

// ---- values of the test files --------------------------------------------------------------------------------------

function xmlValue(node: XmlElement): FeelValue {
  const value = child(node, 'value');
  const list = child(node, 'list');
  const components = childrenNamed(node, 'component');
  if (list) return childrenNamed(list, 'item').map(xmlValue);
  if (components.length) return new FeelContext(new Map(components.map((c) => [attr(c, 'name') ?? '', xmlValue(c)])));
  if (!value || attr(value, 'nil') === 'true') return null;
  const type = localName(attr(value, 'type') ?? 'string');
  const text = value.text;
  switch (type) {
    case 'decimal':
    case 'double':
    case 'int':
    case 'integer':
    case 'long':
      return new FeelNumber(text.trim());
    case 'boolean':
      return text.trim() === 'true';
    case 'date':
    case 'dateTime':
    case 'time':
    case 'duration':
      return parseTemporalLiteral(text.trim()) ?? text;
    default:
      return text;
  }
}

function same(actual: FeelValue, expected: FeelValue): boolean {
  if (expected === null) return actual === null;
  if (isNumber(expected)) return isNumber(actual) && actual.minus(expected).abs().lte(1e-8);
  if (isList(expected)) return isList(actual) && actual.length === expected.length && expected.every((e, i) => same(actual[i], e));
  if (expected instanceof FeelContext) {
    return (
      actual instanceof FeelContext &&
      [...expected.entries].every(([k, v]) => actual.entries.has(k) && same(actual.get(k) ?? null, v)) &&
      [...actual.entries.keys()].every((k) => expected.entries.has(k))
    );
  }
  if (typeof expected === 'string' || typeof expected === 'boolean') return actual === expected;
  return actual !== null && typeof actual === 'object' && !isList(actual) && feelToString(actual) === feelToString(expected) && feelEquals(actual, expected) === true;
}

// ---- a small evaluator of DMN decisions ----------------------------------------------------------------------------

class Unsupported extends Error {}

// The clock of the evaluation: a fixed instant, as a pure library takes time from its caller.
const NOW = parseTemporalLiteral('2026-12-05T12:00:00Z') as FeelDateTime;
const TYPE_ALIASES: Record<string, string> = { dateTime: 'date and time', yearMonthDuration: 'years and months duration', dayTimeDuration: 'days and time duration' };

const BUILT_IN_TYPES = new Set(['number', 'string', 'boolean', 'date', 'time', 'date and time', 'days and time duration', 'years and months duration', 'Any']);


class Model {
  private readonly decisions = new Map<string, XmlElement>();
  private readonly knowledgeModels = new Map<string, XmlElement>();
  private readonly inputTypes = new Map<string, string>();
  private readonly byId = new Map<string, XmlElement>();
  private readonly itemDefinitions = new Map<string, XmlElement>();
  private readonly services = new Map<string, XmlElement>();

  readonly namespace: string;
  /** Imported models by namespace, and the name (prefix) each is imported as. */
  private readonly imports = new Map<string, { prefix: string; model: Model | null }>();

  /** `models`: every model of the folder by namespace, for imports. */
  constructor(
    readonly definitions: XmlElement,
    private readonly models: ReadonlyMap<string, XmlElement> = new Map(),
    /** Whether this is the tested model, whose inputs the test gives by name alone. */
    private readonly tested = true,
  ) {
    this.namespace = attr(definitions, 'namespace') ?? '';
    for (const i of childrenNamed(definitions, 'import')) {
      if (!models.has(attr(i, 'namespace') ?? '')) throw new Unsupported(`import of ${attr(i, 'namespace')} not found`);
      this.imports.set(attr(i, 'namespace') ?? '', { prefix: attr(i, 'name') ?? '', model: null });
    }
    for (const e of definitions.children) {
      const name = attr(e, 'name') ?? '';
      if (attr(e, 'id')) this.byId.set(attr(e, 'id') as string, e);
      if (e.name === 'decision') this.decisions.set(name, e);
      if (e.name === 'businessKnowledgeModel') this.knowledgeModels.set(name, e);
      if (e.name === 'inputData') this.inputTypes.set(name, attr(child(e, 'variable') as XmlElement, 'typeRef') ?? '');
      if (e.name === 'itemDefinition') this.itemDefinitions.set(name, e);
      if (e.name === 'decisionService') this.services.set(name, e);
    }
  }

  private imported(namespace: string): { prefix: string; model: Model } {
    const entry = this.imports.get(namespace);
    if (!entry) throw new Unsupported(`reference to ${namespace}, which is not imported`);
    entry.model ??= new Model(this.models.get(namespace) as XmlElement, this.models, false);
    return { prefix: entry.prefix, model: entry.model };
  }

  /**
   * Inputs are keyed by name for the tested model and by `namespace#name` for the input data of imported models (as
   * test input nodes with a namespace give them); decisions are cached by `namespace#name`.
   */
  private input(name: string, inputs: ReadonlyMap<string, FeelValue>): FeelValue | undefined {
    return inputs.get(`${this.namespace}#${name}`) ?? (this.tested ? inputs.get(name) : undefined);
  }

  evaluateDecision(name: string, inputs: ReadonlyMap<string, FeelValue>, cache = new Map<string, FeelValue>()): FeelValue {
    const key = `${this.namespace}#${name}`;
    if (cache.has(key)) return cache.get(key) ?? null;
    const decision = this.decisions.get(name);
    if (!decision) throw new Unsupported(`no decision ${name}`);
    const scope = new Map<string, FeelValue>();
    for (const input of this.inputTypes.keys()) {
      const value = this.input(input, inputs);
      if (value !== undefined) scope.set(input, this.coerceInput(input, value));
    }
    this.addRequirements(decision, scope, inputs, cache);
    const value = this.typed(this.boxed(logicOf(decision), scope), attr(child(decision, 'variable') as XmlElement, 'typeRef'));
    cache.set(key, value);
    return value;
  }

  /**
   * A decision service as a function: its parameters are its input decisions, then its input data; it evaluates its
   * output decisions (one gives its value, several a context of them).
   */
  decisionService(service: XmlElement): FeelFunction {
    const names = (kind: string): string[] =>
      childrenNamed(service, kind).map((reference) => {
        const target = this.byId.get((attr(reference, 'href') ?? '').replace(/^#/, ''));
        if (!target) throw new Unsupported(`unknown ${attr(reference, 'href')}`);
        return attr(target, 'name') ?? '';
      });
    const inputDecisions = names('inputDecision');
    const inputData = names('inputData');
    const outputs = names('outputDecision');
    const parameters = [...inputDecisions, ...inputData];
    return new FeelFunction(parameters, (args, session) => {
      if ('named' in args && [...args.named.keys()].some((key) => !parameters.includes(key))) {
        return session.warn({ code: 'INVALID_PARAMETERS', message: 'unknown parameter' });
      }
      const valueOf = (name: string, i: number): FeelValue => ('positional' in args ? (args.positional[i] ?? null) : (args.named.get(name) ?? null));
      const cache = new Map<string, FeelValue>();
      inputDecisions.forEach((name, i) => cache.set(`${this.namespace}#${name}`, this.typed(valueOf(name, i), attr(child(this.decisions.get(name), 'variable') as XmlElement, 'typeRef'))));
      // Input data are coerced to their declared types: a value that does not conform is null.
      const inputs = new Map(inputData.map((name, i) => [name, this.typed(this.coerceInput(name, valueOf(name, inputDecisions.length + i)), this.inputTypes.get(name))]));
      const results = outputs.map((name) => this.evaluateDecision(name, inputs, cache));
      return outputs.length === 1 ? results[0] : new FeelContext(new Map(outputs.map((name, i) => [name, results[i]])));
    });
  }

  /** A direct invocation of a decision service, as a TCK test case of type decisionService asks. */
  invokeDecisionService(name: string, inputs: ReadonlyMap<string, FeelValue>): FeelValue {
    const service = this.services.get(name);
    if (!service) throw new Unsupported(`no decision service ${name}`);
    const fn = this.decisionService(service);
    const value = fn.invoke({ named: new Map([...inputs].filter(([key]) => fn.parameters.includes(key))) }, { now: NOW, warnings: [], warn: () => null });
    const typeRef = attr(child(service, 'variable') as XmlElement, 'typeRef');
    const type = typeRef ? this.typeOf(typeRef, 0) : null;
    return type?.kind === 'function' ? coerce(value, type.result).value : value;
  }

  private coerceInput(name: string, value: FeelValue): FeelValue {
    const type = this.inputTypes.get(name);
    if (typeof value === 'string' && type && ['date', 'time', 'dateTime', 'date and time', 'days and time duration', 'years and months duration'].includes(type)) {
      return parseTemporalLiteral(value) ?? value;
    }
    return value;
  }

  addRequirements(element: XmlElement, scope: Map<string, FeelValue>, inputs: ReadonlyMap<string, FeelValue>, cache: Map<string, FeelValue>): void {
    for (const requirement of [...childrenNamed(element, 'informationRequirement'), ...childrenNamed(element, 'knowledgeRequirement')]) {
      const reference = requirement.children[0];
      const href = attr(reference, 'href') ?? '';
      const namespace = href.slice(0, href.indexOf('#'));
      if (namespace && namespace !== this.namespace) {
        // An element of an imported model is a context entry of its import name: `myimport.Say Hello(...)`.
        const { prefix, model } = this.imported(namespace);
        const imported = new Map<string, FeelValue>();
        model.addRequirements({ name: 'requirements', attributes: {}, children: [{ ...requirement, children: [{ ...reference, attributes: { href: href.slice(href.indexOf('#')) } }] }], text: '' }, imported, inputs, cache);
        const existing = scope.get(prefix);
        scope.set(prefix, new FeelContext(new Map([...(existing instanceof FeelContext ? existing.entries : []), ...imported])));
        continue;
      }
      const target = this.byId.get(href.slice(href.indexOf('#') + 1));
      if (!target) throw new Unsupported(`unknown ${href}`);
      const name = attr(target, 'name') ?? '';
      if (target.name === 'decision') scope.set(name, this.evaluateDecision(name, inputs, cache));
      else if (target.name === 'businessKnowledgeModel') scope.set(name, this.knowledgeModel(target, inputs, cache));
      else if (target.name === 'inputData') {
        if (!scope.has(name)) scope.set(name, this.coerceInput(name, this.input(name, inputs) ?? null));
      } else if (target.name === 'decisionService') scope.set(name, this.decisionService(target));
      else throw new Unsupported(target.name);
    }
  }

  private knowledgeModel(bkm: XmlElement, inputs: ReadonlyMap<string, FeelValue>, cache: Map<string, FeelValue>): FeelValue {
    const scope = new Map<string, FeelValue>();
    this.addRequirements(bkm, scope, inputs, cache);
    const logic = child(bkm, 'encapsulatedLogic');
    if (!logic) throw new Unsupported('bkm without logic');
    const fn = this.functionDefinition(logic, scope);
    // The BKM may call itself (recursion): its name is in its own scope.
    scope.set(attr(bkm, 'name') ?? '', fn);
    return fn;
  }

  private functionDefinition(element: XmlElement, scope: Map<string, FeelValue>): FeelFunction {
    if (attr(element, 'kind') && attr(element, 'kind') !== 'FEEL') throw new Unsupported('external function');
    const params = childrenNamed(element, 'formalParameter').map((p) => ({ name: attr(p, 'name') ?? '', type: attr(p, 'typeRef') }));
    const body = logicOf(element);
    return new FeelFunction(
      params.map((p) => p.name),
      (args, session) => {
        if ('named' in args && [...args.named.keys()].some((key) => !params.some((p) => p.name === key))) {
          return session.warn({ code: 'INVALID_PARAMETERS', message: 'unknown parameter' });
        }
        const frame = new Map(scope);
        for (const [i, p] of params.entries()) {
          const value = 'positional' in args ? (args.positional[i] ?? null) : (args.named.get(p.name) ?? null);
          // An argument that does not conform to its parameter's type is an error of the invocation.
          const coerced = p.type ? coerce(value, this.typeOf(p.type, 0)) : { value, ok: true };
          if (!coerced.ok) return session.warn({ code: 'INVALID_TYPE', message: `parameter ${p.name} does not conform to ${p.type}` });
          frame.set(p.name, coerced.value);
        }
        try {
          return this.boxed(body, frame);
        } catch (error) {
          if (error instanceof Unsupported) throw error;
          return session.warn({ code: 'FUNCTION_INVOCATION_FAILURE', message: String(error) });
        }
      },
    );
  }

  /** A value coerced to a declared type (DMN 1.5 10.3.2.9): singleton lists and items convert, a mismatch is null. */
  private typed(value: FeelValue, typeRef: string | undefined): FeelValue {
    if (!typeRef) return value;
    return coerce(value, this.typeOf(typeRef, 0)).value;
  }

  /** A typeRef as a FEEL type: built-in names, item definitions (collections, components), unknown names as Any. */
  typeOf(typeRef: string, depth: number): FeelType {
    const name = typeRef.trim().replace(/^feel:/, '');
    const builtin = TYPE_ALIASES[name] ?? name;
    if (BUILT_IN_TYPES.has(builtin)) return namedType(builtin);
    for (const [namespace, { prefix }] of this.imports) {
      if (name.startsWith(`${prefix}.`)) return this.imported(namespace).model.typeOf(name.slice(prefix.length + 1), depth + 1);
    }
    const item = this.itemDefinitions.get(name);
    return item && depth < 10 ? this.itemType(item, depth + 1) : namedType('Any');
  }

  private itemType(item: XmlElement, depth: number): FeelType {
    const components = childrenNamed(item, 'itemComponent');
    const typeRef = child(item, 'typeRef')?.text;
    let type: FeelType = namedType('Any');
    const functionItem = child(item, 'functionItem');
    if (functionItem) {
      const output = attr(functionItem, 'outputTypeRef');
      const parameters = childrenNamed(functionItem, 'parameters').map((p) => (attr(p, 'typeRef') ? this.typeOf(attr(p, 'typeRef') as string, depth) : namedType('Any')));
      type = { kind: 'function', parameters, result: output ? this.typeOf(output, depth) : namedType('Any') };
    } else if (components.length) type = { kind: 'context', entries: components.map((c) => ({ name: attr(c, 'name') ?? '', type: this.itemType(c, depth + 1) })) };
    else if (typeRef) type = this.typeOf(typeRef, depth);
    return attr(item, 'isCollection') === 'true' ? { kind: 'list', item: type } : type;
  }

  private expression(text: string, scope: Map<string, FeelValue>): FeelValue {
    const parsed = parseExpression(text, { context: scope });
    if (!parsed.ok) return null;
    return parsed.value.evaluate(scope, { now: NOW }).value;
  }

  boxed(element: XmlElement, scope: Map<string, FeelValue>): FeelValue {
    return this.typed(this.untypedBoxed(element, scope), attr(element, 'typeRef'));
  }

  private untypedBoxed(element: XmlElement, scope: Map<string, FeelValue>): FeelValue {
    switch (element.name) {
      case 'literalExpression':
        return this.expression(child(element, 'text')?.text ?? 'null', scope);
      case 'context': {
        const inner = new Map(scope);
        const entries = new Map<string, FeelValue>();
        for (const entry of childrenNamed(element, 'contextEntry')) {
          const variable = child(entry, 'variable');
          const value = this.boxed(logicOf(entry), inner);
          if (!variable) return value;
          const typedValue = this.typed(value, attr(variable, 'typeRef'));
          entries.set(attr(variable, 'name') ?? '', typedValue);
          inner.set(attr(variable, 'name') ?? '', typedValue);
        }
        return new FeelContext(entries);
      }
      case 'list':
        return element.children.filter((c) => c.name !== 'description').map((c) => this.boxed(c, scope));
      case 'relation': {
        const columns = childrenNamed(element, 'column').map((c) => attr(c, 'name') ?? '');
        return childrenNamed(element, 'row').map(
          (row) => new FeelContext(new Map(row.children.filter((c) => c.name !== 'description').map((c, i) => [columns[i], this.boxed(c, scope)]))),
        );
      }
      case 'functionDefinition':
        return this.functionDefinition(element, scope);
      case 'invocation': {
        const callee = this.boxed(logicOf(element), scope);
        const named = new Map<string, FeelValue>();
        for (const binding of childrenNamed(element, 'binding')) {
          const parameter = attr(child(binding, 'parameter') as XmlElement, 'name') ?? '';
          const expression = binding.children.find((c) => c.name !== 'parameter');
          named.set(parameter, expression ? this.boxed(expression, scope) : null);
        }
        if (!(callee instanceof FeelFunction)) return null;
        const warnings: never[] = [];
        return callee.invoke({ named }, { now: NOW, warnings, warn: () => null });
      }
      case 'decisionTable':
        return this.decisionTable(element, scope);
      case 'conditional': {
        // A boxed conditional whose condition is not a boolean (nor null) is an error.
        const condition = this.part(element, 'if', scope);
        if (condition !== null && typeof condition !== 'boolean') return null;
        return condition === true ? this.part(element, 'then', scope) : this.part(element, 'else', scope);
      }
      case 'filter': {
        const list = this.part(element, 'in', scope);
        if (list === null) return null;
        const items = isList(list) ? list : [list];
        const matches = items.map((item) => {
          const frame = new Map(scope).set('item', item);
          if (item instanceof FeelContext) for (const [k, v] of item.entries) frame.set(k, v);
          return this.part(element, 'match', frame);
        });
        // A match that is not a boolean (nor null) is an error of the filter.
        if (matches.some((m) => m !== null && typeof m !== 'boolean')) return null;
        return items.filter((_item, i) => matches[i] === true);
      }
      case 'for':
      case 'some':
      case 'every': {
        const list = this.part(element, 'in', scope);
        if (list === null) return null;
        const variable = attr(element, 'iteratorVariable') ?? 'item';
        const bodyName = element.name === 'for' ? 'return' : 'satisfies';
        const results: FeelValue[] = (isList(list) ? list : [list]).map((item) => this.part(element, bodyName, new Map(scope).set(variable, item)));
        if (element.name === 'for') return results;
        if (results.some((r) => r !== null && typeof r !== 'boolean')) return null;
        if (element.name === 'some') return results.some((r) => r === true) ? true : results.every((r) => r === false) ? false : null;
        return results.some((r) => r === false) ? false : results.every((r) => r === true) ? true : null;
      }
      default:
        throw new Unsupported(element.name);
    }
  }

  /** The boxed expression inside a named part of a boxed conditional, filter or iteration (`<if>`, `<in>`, ...). */
  private part(element: XmlElement, name: string, scope: Map<string, FeelValue>): FeelValue {
    const part = child(element, name);
    if (!part) throw new Unsupported(`${element.name} without ${name}`);
    return this.boxed(logicOf(part), scope);
  }

  private decisionTable(table: XmlElement, scope: Map<string, FeelValue>): FeelValue {
    const hitPolicy = attr(table, 'hitPolicy') ?? 'UNIQUE';
    const aggregation = attr(table, 'aggregation');
    const inputs = childrenNamed(table, 'input').map((input) => this.expression(child(child(input, 'inputExpression'), 'text')?.text ?? 'null', scope));
    const inputValues = childrenNamed(table, 'input').map((input) => child(child(input, 'inputValues'), 'text')?.text);
    const outputs = childrenNamed(table, 'output');
    const outputNames = outputs.map((o) => attr(o, 'name') ?? '');
        const matched: FeelValue[][] = [];
    for (const rule of childrenNamed(table, 'rule')) {
      const entries = childrenNamed(rule, 'inputEntry');
      const hit = entries.every((entry, i) => {
        const parsed = parseUnaryTests(child(entry, 'text')?.text ?? '-', { context: scope });
        if (!parsed.ok) return false;
        return parsed.value.test(inputs[i], scope, { now: NOW }).value === true;
      });
      if (hit) matched.push(childrenNamed(rule, 'outputEntry').map((entry) => this.expression(child(entry, 'text')?.text ?? 'null', scope)));
    }
    // An input outside its allowed values is an error of the table.
    for (let i = 0; i < inputs.length; i++) {
      const allowed = inputValues[i];
      if (allowed) {
        const parsed = parseUnaryTests(allowed, { context: scope });
        if (parsed.ok && parsed.value.test(inputs[i], scope).value !== true) return null;
      }
    }
    // One output gives its value; several give a context of them.
    const row = (values: FeelValue[]): FeelValue => (outputs.length === 1 ? values[0] : new FeelContext(new Map(outputNames.map((n, i) => [n, values[i]]))));
    if (matched.length === 0) {
      const defaults = outputs.map((o) => {
        const text = child(child(o, 'defaultOutputEntry'), 'text')?.text;
        return text ? this.expression(text, scope) : null;
      });
      if (defaults.every((d) => d === null)) return hitPolicy === 'COLLECT' && !aggregation ? [] : null;
      return row(defaults);
    }
    switch (hitPolicy) {
      case 'UNIQUE':
        return matched.length === 1 ? row(matched[0]) : null;
      case 'FIRST':
        return row(matched[0]);
      case 'ANY': {
        const first = row(matched[0]);
        return matched.every((m) => feelEquals(row(m), first) === true) ? first : null;
      }
      case 'RULE ORDER':
        return matched.map(row);
      case 'PRIORITY':
      case 'OUTPUT ORDER': {
        const priorities = outputs.map((o) => {
          const text = child(child(o, 'outputValues'), 'text')?.text;
          const parsed = text ? parseExpression(`[${text}]`) : null;
          return parsed && parsed.ok ? (parsed.value.evaluate().value as FeelValue[]) : [];
        });
        const rank = (values: FeelValue[]): number[] =>
          values.map((v, i) => {
            const index = (priorities[i] ?? []).findIndex((p) => feelEquals(p, v) === true);
            return index < 0 ? Number.MAX_SAFE_INTEGER : index;
          });
        const sorted = [...matched].sort((a, b) => {
          const ra = rank(a);
          const rb = rank(b);
          for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
          return 0;
        });
        return hitPolicy === 'PRIORITY' ? row(sorted[0]) : sorted.map(row);
      }
      case 'COLLECT': {
        const values = matched.map(row);
        if (!aggregation) return values;
        const fn = { SUM: 'sum', COUNT: 'count', MIN: 'min', MAX: 'max' }[aggregation];
        if (aggregation === 'COUNT') return new FeelNumber(values.length);
        const parsed = parseExpression(`${fn}(values)`, { names: ['values'] });
        return parsed.ok ? parsed.value.evaluate(new Map([['values', values]])).value : null;
      }
      default:
        throw new Unsupported(hitPolicy);
    }
  }
}

const LOGIC = new Set(['literalExpression', 'context', 'list', 'relation', 'functionDefinition', 'invocation', 'decisionTable', 'conditional', 'filter', 'for', 'every', 'some']);

function logicOf(element: XmlElement): XmlElement {
  const logic = element.children.find((c) => LOGIC.has(c.name));
  if (!logic) throw new Unsupported(`no supported logic in ${element.name}`);
  return logic;
}

interface FolderResult {
  folder: string;
  passed: number;
  total: number;
  failures: string[];
  /** Test cases not probed, with the reason (a model with imports, a decision service, ...). */
  skipped: string[];
}

function runFolder(folder: string): FolderResult {
  const result: FolderResult = { folder, passed: 0, total: 0, failures: [], skipped: [] };
  const files = readdirSync(folder);
  for (const testFile of files.filter((f) => /-test-\d+\.xml$/.test(f))) {
    const testCases = parseXml(readFileSync(join(folder, testFile), 'utf8'));
    const modelName = child(testCases, 'modelName')?.text.trim() ?? '';
    let model: Model;
    try {
      const models = new Map(
        files.filter((f) => f.endsWith('.dmn')).map((f) => {
          const definitions = parseXml(readFileSync(join(folder, f), 'utf8'));
          return [attr(definitions, 'namespace') ?? '', definitions] as const;
        }),
      );
      model = new Model(parseXml(readFileSync(join(folder, modelName), 'utf8')), models);
    } catch (error) {
      if (error instanceof Unsupported) {
        result.skipped.push(`${testFile}: all test cases (${error.message})`);
        continue;
      }
      throw error;
    }
    for (const testCase of childrenNamed(testCases, 'testCase')) {
      const invocable = attr(testCase, 'invocableName');
      const kind = attr(testCase, 'type') ?? 'decision';
      if (kind !== 'decision' && kind !== 'decisionService') {
        result.skipped.push(`${testFile} ${attr(testCase, 'id')} (invokes a ${kind})`);
        continue;
      }
      const inputs = new Map(
        childrenNamed(testCase, 'inputNode').map((node) => [attr(node, 'namespace') ? `${attr(node, 'namespace')}#${attr(node, 'name')}` : (attr(node, 'name') ?? ''), xmlValue(node)]),
      );
      const outcomes: { passed: boolean; message: string }[] = [];
      try {
        for (const node of childrenNamed(testCase, 'resultNode')) {
          const name = attr(node, 'name') ?? '';
          const expected = attr(node, 'errorResult') === 'true' ? null : xmlValue(child(node, 'expected') as XmlElement);
          // A decision service invoked directly: the result node names its output decision.
          let actual: FeelValue;
          if (kind === 'decisionService') {
            const value = model.invokeDecisionService(invocable ?? '', inputs);
            actual = value instanceof FeelContext && value.entries.has(name) ? (value.get(name) ?? null) : value;
          } else actual = model.evaluateDecision(name, inputs);
          const passed = same(actual, expected);
          outcomes.push({ passed, message: `${testFile} ${attr(testCase, 'id')} ${name}: expected ${feelToString(expected)}, got ${feelToString(actual)}` });
        }
      } catch (error) {
        if (error instanceof Unsupported) {
          result.skipped.push(`${testFile} ${attr(testCase, 'id')} (${error.message})`);
          continue;
        }
        outcomes.push({ passed: false, message: `${testFile} ${attr(testCase, 'id')}: ${String(error)}` });
      }
      for (const outcome of outcomes) {
        result.total++;
        if (outcome.passed) result.passed++;
        else result.failures.push(outcome.message);
      }
    }
  }
  return result;
}

describe('FEEL against the DMN TCK (compliance levels 2 and 3)', () => {
  it('passes the probed test cases', () => {
    if (!existsSync(tckRoot)) {
      throw new Error(`The DMN TCK was not found at ${tckRoot}: clone the shared folder beside the repository (<dir>/main and <dir>/shared).`);
    }
    const results = ['compliance-level-2', 'compliance-level-3'].flatMap((level) =>
      readdirSync(join(tckRoot, level))
        .sort()
        .map((folder) => runFolder(join(tckRoot, level, folder))),
    );
    const passed = results.reduce((sum, r) => sum + r.passed, 0);
    const total = results.reduce((sum, r) => sum + r.total, 0);
    const lines = results.filter((r) => r.total > 0).map((r) => `${r.folder.slice(tckRoot.length + 1)}: ${r.passed}/${r.total}`);
    const failures = results.flatMap((r) => r.failures.map((f) => `${r.folder.split('/').at(-1)}: ${f}`));
    const skipped = results.flatMap((r) => r.skipped.map((s) => `${r.folder.split('/').at(-1)}: ${s}`));
    console.log(
      `DMN TCK FEEL: ${passed}/${total} probed results pass\n${lines.join('\n')}\n\nFailures:\n${failures.join('\n')}\n\nNot probed:\n${skipped.join('\n')}`,
    );
    expect(passed).toBeGreaterThanOrEqual(PASSING_AT_LEAST);
  });
});
