import type { FeelValue } from '@trellis/feel';
import { AGGREGATIONS, HIT_POLICIES } from './decision-table.js';
import { DmnModel, hrefTarget, logicOf } from './dmn-model.js';
import { parsedExpression, parsedUnaryTests } from './feel-cells.js';
import type { CompileDmnOptions, DmnProblem, DmnProblemCode } from './dmn-types.js';
import { XmlElement, attr, child, childrenNamed, readXml, textOf } from './xml-reader.js';

// Compiling reads a DMN 1.1 to 1.5 model (the versions differ in namespace, not in the local names this reader
// uses), resolves its imports and checks what can be checked before evaluation: references, hit policies, table
// shapes and the FEEL syntax of every expression and cell. Every problem is listed, not only the first.

export type CompileDmnResult = { readonly ok: true; readonly model: DmnModel } | { readonly ok: false; readonly problems: DmnProblem[] };

/** The namespaces of the DMN versions read (1.1 to 1.5): any other root namespace is not DMN. */
const DMN_NAMESPACES = [
  'http://www.omg.org/spec/DMN/20151101/dmn.xsd',
  'http://www.omg.org/spec/DMN/20180521/MODEL/',
  'https://www.omg.org/spec/DMN/20191111/MODEL/',
  'https://www.omg.org/spec/DMN/20211108/MODEL/',
  'https://www.omg.org/spec/DMN/20230324/MODEL/',
];

/** The names a model's FEEL may use, as a scope of unknown values. */
type Names = ReadonlyMap<string, FeelValue>;

interface Source {
  readonly root: XmlElement;
  readonly namespace: string;
}

class Checker {
  readonly problems: DmnProblem[] = [];
  constructor(private readonly namespace?: string) {}

  add(code: DmnProblemCode, message: string, element?: XmlElement, field?: string): void {
    const elementId = element ? attr(element, 'id') : undefined;
    this.problems.push({
      code,
      message,
      ...(elementId ? { elementId } : {}),
      ...(element ? { element: element.name, line: element.line } : {}),
      ...(field ? { field } : {}),
      ...(this.namespace ? { namespace: this.namespace } : {}),
    });
  }
}

function read(xml: string, checker: Checker): XmlElement | undefined {
  const result = readXml(xml);
  if (!result.ok) {
    for (const p of result.problems) checker.problems.push({ code: 'XML_NOT_WELL_FORMED', message: p.message, line: p.line });
    return undefined;
  }
  if (result.root.name !== 'definitions') {
    checker.add('NOT_DMN', `the root element is <${result.root.name}>, not <definitions>`, result.root);
    return undefined;
  }
  const namespaces = Object.entries(result.root.attributes).filter(([k]) => k === 'xmlns' || k.startsWith('xmlns:')).map(([, v]) => v);
  if (!namespaces.some((n) => DMN_NAMESPACES.includes(n))) checker.add('NOT_DMN', 'the model declares no DMN namespace (1.1 to 1.5)', result.root);
  return result.root;
}

/** Every name a FEEL text of the model may use: the parser must know multi-word names to read them. */
function namesOf(root: XmlElement, into: Set<string>): Set<string> {
  const visit = (e: XmlElement): void => {
    const name = attr(e, 'name');
    if (name && e.name !== 'definitions') into.add(name);
    for (const a of ['iteratorVariable', 'label']) if (attr(e, a)) into.add(attr(e, a) as string);
    e.children.forEach(visit);
  };
  visit(root);
  return into;
}

function checkFeel(checker: Checker, element: XmlElement, text: string | undefined, names: Names, kind: 'expression' | 'unaryTests'): void {
  if (text === undefined || !text.trim()) return;
  // The parse is cached: evaluating the same text over values that are not contexts reuses it.
  const parsed = kind === 'expression' ? parsedExpression(text, names) : parsedUnaryTests(text, names);
  if (!parsed.ok) checker.add('FEEL_SYNTAX_ERROR', `${parsed.error.message} in "${text.trim()}"`, element, 'text');
}

function checkModel(model: DmnModel, root: XmlElement, checker: Checker, names: Names): void {
  // Ids are unique within a model.
  const seen = new Map<string, XmlElement>();
  const visitIds = (e: XmlElement): void => {
    const id = attr(e, 'id');
    if (id) {
      if (seen.has(id)) checker.add('DUPLICATE_ID', `id ${id} is used twice (also on line ${seen.get(id)?.line})`, e, 'id');
      else seen.set(id, e);
    }
    e.children.forEach(visitIds);
  };
  visitIds(root);

  const checkHref = (owner: XmlElement, reference: XmlElement, kinds: string[]): void => {
    const href = attr(reference, 'href') ?? '';
    const { namespace, id } = hrefTarget(href);
    const target = namespace && namespace !== model.namespace ? model.imports.get(namespace)?.model.byId.get(id) : model.byId.get(id);
    if (!target) checker.add('UNKNOWN_REFERENCE', `${reference.name} ${href} of ${owner.name} ${attr(owner, 'name') ?? ''} points at no element`, owner, reference.name);
    else if (!kinds.includes(target.name)) checker.add('UNKNOWN_REFERENCE', `${reference.name} ${href} points at a ${target.name}, not a ${kinds.join(' or ')}`, owner, reference.name);
  };

  for (const e of root.children) {
    for (const r of childrenNamed(e, 'informationRequirement')) {
      for (const ref of r.children) {
        if (ref.name === 'requiredDecision') checkHref(e, ref, ['decision']);
        else if (ref.name === 'requiredInput') checkHref(e, ref, ['inputData']);
      }
    }
    for (const r of childrenNamed(e, 'knowledgeRequirement')) {
      for (const ref of r.children) if (ref.name === 'requiredKnowledge') checkHref(e, ref, ['businessKnowledgeModel', 'decisionService']);
    }
    if (e.name === 'decisionService') {
      for (const kind of ['outputDecision', 'encapsulatedDecision', 'inputDecision']) for (const ref of childrenNamed(e, kind)) checkHref(e, ref, ['decision']);
      for (const ref of childrenNamed(e, 'inputData')) checkHref(e, ref, ['inputData']);
    }
    if (e.name === 'decision' && !logicOf(e)) {
      const unknown = e.children.find((c) => !['description', 'extensionElements', 'question', 'allowedAnswers', 'variable', 'informationRequirement', 'knowledgeRequirement', 'authorityRequirement', 'supportedObjective', 'impactedPerformanceIndicator', 'decisionMaker', 'decisionOwner', 'usingProcess', 'usingTask'].includes(c.name));
      if (unknown) checker.add('UNSUPPORTED', `decision logic <${unknown.name}> is not supported`, e);
    }
    if (e.name === 'businessKnowledgeModel') {
      const logic = child(e, 'encapsulatedLogic');
      const kind = attr(logic, 'kind');
      if (logic && kind && kind !== 'FEEL' && kind !== 'Java' && kind !== 'PMML') checker.add('UNSUPPORTED', `function kind ${kind}`, logic, 'kind');
    }
    if (e.name === 'itemDefinition') checkItem(e, checker, names);
  }
  checkCycles(model, checker);
  checkExpressions(root, checker, names);
}

/** Decisions (and BKMs) that require themselves, directly or through others, cannot be evaluated. */
function checkCycles(model: DmnModel, checker: Checker): void {
  const state = new Map<XmlElement, 'visiting' | 'done'>();
  const requiredOf = (e: XmlElement): XmlElement[] =>
    [...childrenNamed(e, 'informationRequirement'), ...childrenNamed(e, 'knowledgeRequirement')]
      .flatMap((r) => r.children.filter((c) => c.name === 'requiredDecision' || c.name === 'requiredKnowledge'))
      .map((ref) => hrefTarget(attr(ref, 'href') ?? ''))
      .filter(({ namespace }) => !namespace || namespace === model.namespace)
      .map(({ id }) => model.byId.get(id))
      .filter((t): t is XmlElement => t !== undefined && t.name === 'decision');
  const visit = (e: XmlElement, path: XmlElement[]): void => {
    if (state.get(e) === 'done') return;
    if (state.get(e) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(e)), e].map((d) => attr(d, 'name') ?? attr(d, 'id'));
      checker.add('REQUIREMENT_CYCLE', `the decisions require each other in a cycle: ${cycle.join(' -> ')}`, e, 'informationRequirement');
      return;
    }
    state.set(e, 'visiting');
    for (const required of requiredOf(e)) visit(required, [...path, e]);
    state.set(e, 'done');
  };
  for (const decision of model.decisions.values()) visit(decision, []);
}

function checkItem(item: XmlElement, checker: Checker, names: Names): void {
  for (const part of ['allowedValues', 'typeConstraint']) {
    const constraint = child(item, part);
    if (constraint) checkFeel(checker, constraint, textOf(constraint), names, 'unaryTests');
  }
  childrenNamed(item, 'itemComponent').forEach((c) => checkItem(c, checker, names));
}

function checkExpressions(e: XmlElement, checker: Checker, names: Names): void {
  if (e.name === 'decisionTable') checkTable(e, checker, names);
  else if (e.name === 'literalExpression') {
    if (!attr(e, 'expressionLanguage') || attr(e, 'expressionLanguage')?.toLowerCase().includes('feel')) checkFeel(checker, e, textOf(e), names, 'expression');
  }
  if (e.name !== 'decisionTable') for (const c of e.children) checkExpressions(c, checker, names);
}

function checkTable(table: XmlElement, checker: Checker, names: Names): void {
  const hitPolicy = attr(table, 'hitPolicy') ?? 'UNIQUE';
  if (!HIT_POLICIES.has(hitPolicy)) checker.add('UNKNOWN_HIT_POLICY', `hit policy ${hitPolicy} is not one of ${[...HIT_POLICIES].join(', ')}`, table, 'hitPolicy');
  const aggregation = attr(table, 'aggregation');
  if (aggregation && !AGGREGATIONS.has(aggregation)) checker.add('UNKNOWN_AGGREGATION', `aggregation ${aggregation} is not one of SUM, COUNT, MIN, MAX`, table, 'aggregation');
  if (aggregation && hitPolicy !== 'COLLECT') checker.add('UNKNOWN_AGGREGATION', `an aggregation needs the COLLECT hit policy, not ${hitPolicy}`, table, 'aggregation');
  const inputs = childrenNamed(table, 'input');
  const outputs = childrenNamed(table, 'output');
  if (outputs.length === 0) checker.add('TABLE_SHAPE', 'the decision table has no output', table);
  for (const input of inputs) {
    const expression = child(input, 'inputExpression');
    if (!expression) checker.add('TABLE_SHAPE', 'an input without an inputExpression', input);
    else checkFeel(checker, expression, textOf(expression), names, 'expression');
    const values = child(input, 'inputValues');
    if (values) checkFeel(checker, values, textOf(values), names, 'unaryTests');
  }
  for (const output of outputs) {
    const values = child(output, 'outputValues');
    if (values) checkFeel(checker, values, textOf(values), names, 'unaryTests');
    const defaultEntry = child(output, 'defaultOutputEntry');
    if (defaultEntry) checkFeel(checker, defaultEntry, textOf(defaultEntry), names, 'expression');
  }
  if (outputs.length > 1 && outputs.some((o) => !attr(o, 'name'))) checker.add('TABLE_SHAPE', 'the outputs of a table with several outputs must be named', table);
  for (const rule of childrenNamed(table, 'rule')) {
    const inputEntries = childrenNamed(rule, 'inputEntry');
    const outputEntries = childrenNamed(rule, 'outputEntry');
    if (inputEntries.length !== inputs.length) checker.add('TABLE_SHAPE', `the rule has ${inputEntries.length} input entries for ${inputs.length} inputs`, rule);
    if (outputEntries.length !== outputs.length) checker.add('TABLE_SHAPE', `the rule has ${outputEntries.length} output entries for ${outputs.length} outputs`, rule);
    for (const entry of inputEntries) checkFeel(checker, entry, textOf(entry), names, 'unaryTests');
    for (const entry of outputEntries) checkFeel(checker, entry, textOf(entry), names, 'expression');
  }
}

const isDmnImport = (i: XmlElement): boolean => {
  const type = attr(i, 'importType') ?? '';
  return type === '' || /DMN/i.test(type);
};

/**
 * Compiles a DMN model (DMN 1.1 to 1.5) with the models it imports. Gives the model, or every problem found with
 * the element id, field and line at fault.
 */
export function compileDmn(xml: string, options: CompileDmnOptions = {}): CompileDmnResult {
  const checker = new Checker();
  const root = read(xml, checker);
  if (!root) return { ok: false, problems: checker.problems };
  const sources = new Map<string, { root?: XmlElement; problems?: DmnProblem[] }>();
  const problems: DmnProblem[] = [];
  const compiled = new Map<string, DmnModel>();
  for (const source of options.imports ?? []) {
    if ('model' in source) {
      compiled.set(source.model.namespace, source.model);
      continue;
    }
    const importChecker = new Checker(source.namespace);
    const importRoot = read(source.xml, importChecker);
    const namespace = source.namespace ?? attr(importRoot, 'namespace') ?? '';
    if (importRoot) sources.set(namespace, { root: importRoot });
    // A broken import matters only when the model imports it; then it is listed with its own problems.
    else sources.set(namespace, { problems: importChecker.problems });
  }
  const compileOne = ({ root: definitions, namespace }: Source, ownChecker: Checker): DmnModel => {
    const model = new DmnModel(definitions);
    compiled.set(namespace, model);
    for (const i of childrenNamed(definitions, 'import').filter(isDmnImport)) {
      const importNamespace = attr(i, 'namespace') ?? '';
      const existing = compiled.get(importNamespace);
      const source = sources.get(importNamespace);
      if (existing) model.imports.set(importNamespace, { prefix: attr(i, 'name') ?? '', model: existing });
      else if (source?.problems) problems.push(...source.problems);
      else if (!source?.root) ownChecker.add('IMPORT_NOT_FOUND', `the imported model ${importNamespace} was not given`, i, 'namespace');
      else {
        const importChecker = new Checker(importNamespace);
        const imported = compileOne({ root: source.root, namespace: importNamespace }, importChecker);
        problems.push(...importChecker.problems);
        model.imports.set(importNamespace, { prefix: attr(i, 'name') ?? '', model: imported });
      }
    }
    const names = namesOf(definitions, new Set());
    for (const { prefix, model: imported } of model.imports.values()) {
      names.add(prefix);
      namesOf(imported.definitions, names);
    }
    checkModel(model, definitions, ownChecker, new Map([...names].map((name) => [name, null])));
    return model;
  };
  const model = compileOne({ root, namespace: attr(root, 'namespace') ?? '' }, checker);
  problems.unshift(...checker.problems);
  return problems.length ? { ok: false, problems } : { ok: true, model };
}
