import { FeelContext, FeelDateTime, FeelFunction, FeelValue, coerce, fromFeelValue, parseTemporalLiteral, toFeelValue } from '@trellis/feel';
import { evaluateBoxed, functionDefinition } from './boxed-expressions.js';
import { DmnModel, hrefTarget, logicOf } from './dmn-model.js';
import type { DecisionEvaluationResult, DmnEvaluationOptions } from './dmn-types.js';
import { EvaluationRun } from './evaluation-run.js';
import { readInput, typeOf, typed } from './item-definitions.js';
import { XmlElement, attr, child, childrenNamed } from './xml-reader.js';

// The decision requirements graph: a decision's information requirements (decisions, input data) and knowledge
// requirements (BKMs, decision services) are evaluated first and put in its scope by name; each decision is
// evaluated once per evaluation. Elements of imported models are context entries of their import's name
// (`myimport.Say Hello(...)`).

type Scope = Map<string, FeelValue>;

/** The variables of an evaluation as FEEL values, by name (`namespace#name` for input data of imported models). */
function variablesOf(variables: Record<string, unknown> | FeelContext | ReadonlyMap<string, FeelValue>): Map<string, FeelValue> {
  if (variables instanceof FeelContext) return new Map(variables.entries);
  if (variables instanceof Map) return new Map(variables);
  // A caller in JavaScript may pass anything: what is not an object gives no variables (inputs then warn as missing).
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) return new Map();
  return new Map(Object.entries(variables as Record<string, unknown>).map(([k, v]) => [k, toFeelValue(v)]));
}

function nowOf(options: DmnEvaluationOptions | undefined): FeelDateTime | null {
  const now = options?.now;
  if (now === undefined) return null;
  if (typeof now !== 'string') return now;
  const parsed = parseTemporalLiteral(now);
  return parsed instanceof FeelDateTime ? parsed : null;
}

/**
 * The value of an input data: text read as the declared temporal type (JSON has no dates), then checked against the
 * declared type and its allowed values; a value that does not conform is null with a warning.
 */
function inputValue(model: DmnModel, name: string, given: FeelValue, run: EvaluationRun): FeelValue {
  const typeRef = model.inputType(name);
  return typed(model, readInput(model, given, typeRef), typeRef, run, `input ${name}`);
}

/** A decision's value, its required decisions evaluated first (once per run). */
export function decisionValue(model: DmnModel, decision: XmlElement, run: EvaluationRun): FeelValue {
  const name = attr(decision, 'name') ?? '';
  const key = `${model.namespace}#${name}`;
  if (run.cache.has(key)) return run.cache.get(key) ?? null;
  const decisionId = attr(decision, 'id') ?? name;
  run.enterDecision(decisionId);
  let value: FeelValue = null;
  try {
    const scope: Scope = new Map();
    if (run.variablesInScope) for (const [name, given] of run.inputs) if (!name.includes('#')) scope.set(name, given);
    for (const input of model.inputData.keys()) {
      const given = run.input(model.namespace, input);
      if (given !== undefined) scope.set(input, inputValue(model, input, given, run));
    }
    addRequirements(model, decision, scope, run);
    value = typed(model, evaluateBoxed(model, logicOf(decision), scope, run, name), attr(child(decision, 'variable'), 'typeRef'), run, `decision ${name}`);
  } catch (error) {
    // A runaway recursion, for instance: the decision is null and says why.
    run.warn('EVALUATION_FAILURE', error instanceof Error ? error.message : String(error));
  }
  const decisionTables = run.leaveDecision();
  run.cache.set(key, value);
  run.evaluated.push({ decisionId, decisionName: name, value, output: fromFeelValue(value), decisionTables });
  return value;
}

/** Puts the values of an element's requirements in its scope. */
export function addRequirements(model: DmnModel, element: XmlElement, scope: Scope, run: EvaluationRun): void {
  for (const requirement of [...childrenNamed(element, 'informationRequirement'), ...childrenNamed(element, 'knowledgeRequirement')]) {
    const reference = requirement.children.find((c) => attr(c, 'href') !== undefined);
    if (!reference) continue;
    const { namespace, id } = hrefTarget(attr(reference, 'href') ?? '');
    if (namespace && namespace !== model.namespace) {
      const imported = model.imports.get(namespace);
      if (!imported) {
        run.warn('UNKNOWN_REFERENCE', `${namespace} is not imported`);
        continue;
      }
      const entries: Scope = new Map();
      addRequirement(imported.model, imported.model.byId.get(id), entries, run, id);
      const existing = scope.get(imported.prefix);
      scope.set(imported.prefix, new FeelContext(new Map([...(existing instanceof FeelContext ? existing.entries : []), ...entries])));
      continue;
    }
    addRequirement(model, model.byId.get(id), scope, run, id);
  }
}

function addRequirement(model: DmnModel, target: XmlElement | undefined, scope: Scope, run: EvaluationRun, id: string): void {
  if (!target) {
    run.warn('UNKNOWN_REFERENCE', `no element ${id}`);
    return;
  }
  const name = attr(target, 'name') ?? '';
  if (target.name === 'decision') scope.set(name, decisionValue(model, target, run));
  else if (target.name === 'businessKnowledgeModel') scope.set(name, knowledgeModel(model, target, run));
  else if (target.name === 'inputData') {
    if (!scope.has(name)) {
      const given = run.input(model.namespace, name);
      if (given === undefined) run.warn('MISSING_INPUT', `input ${name} was not given`, attr(target, 'id'));
      scope.set(name, inputValue(model, name, given ?? null, run));
    }
  } else if (target.name === 'decisionService') scope.set(name, decisionServiceFunction(model, target, run));
  else run.warn('UNKNOWN_REFERENCE', `a requirement of ${target.name} ${id}`);
}

/** A business knowledge model as a function; it may call itself (its name is in its own scope). */
function knowledgeModel(model: DmnModel, bkm: XmlElement, run: EvaluationRun): FeelValue {
  const scope: Scope = new Map();
  addRequirements(model, bkm, scope, run);
  const logic = child(bkm, 'encapsulatedLogic');
  if (!logic) return run.warn('MISSING_LOGIC', `business knowledge model ${attr(bkm, 'name')} has no logic`, attr(bkm, 'id'));
  const fn = functionDefinition(model, logic, scope, run, attr(bkm, 'name') ?? '');
  scope.set(attr(bkm, 'name') ?? '', fn);
  return fn;
}

const referencedNames = (model: DmnModel, service: XmlElement, kind: string): string[] =>
  childrenNamed(service, kind).map((reference) => attr(model.byId.get(hrefTarget(attr(reference, 'href') ?? '').id), 'name') ?? '');

/**
 * A decision service as a function: its parameters are its input decisions, then its input data; it evaluates its
 * output decisions (one gives its value, several a context of them).
 */
export function decisionServiceFunction(model: DmnModel, service: XmlElement, run: EvaluationRun): FeelFunction {
  const inputDecisions = referencedNames(model, service, 'inputDecision');
  const inputData = referencedNames(model, service, 'inputData');
  const outputs = referencedNames(model, service, 'outputDecision');
  const parameters = [...inputDecisions, ...inputData];
  return new FeelFunction(parameters, (args, session) => {
    if ('named' in args && [...args.named.keys()].some((key) => !parameters.includes(key))) {
      return session.warn({ code: 'INVALID_PARAMETERS', message: 'unknown parameter' });
    }
    const valueOf = (name: string, i: number): FeelValue => ('positional' in args ? (args.positional[i] ?? null) : (args.named.get(name) ?? null));
    // Input data are coerced to their declared types: a value that does not conform is null.
    const inputs = new Map(
      inputData.map((name, i) => [name, typed(model, readInput(model, valueOf(name, inputDecisions.length + i), model.inputType(name)), model.inputType(name), run, `input ${name}`)]),
    );
    const nested = run.nested(inputs, model.namespace);
    inputDecisions.forEach((name, i) =>
      nested.cache.set(`${model.namespace}#${name}`, typed(model, valueOf(name, i), attr(child(model.decisions.get(name), 'variable'), 'typeRef'), run, `decision ${name}`)),
    );
    const results = outputs.map((name) => {
      const decision = model.decisions.get(name);
      return decision ? decisionValue(model, decision, nested) : run.warn('UNKNOWN_REFERENCE', `no decision ${name}`);
    });
    return outputs.length === 1 ? results[0] : new FeelContext(new Map(outputs.map((name, i) => [name, results[i]])));
  });
}

function resultOf(run: EvaluationRun, decisionId: string, decisionName: string, value: FeelValue): DecisionEvaluationResult {
  const own = run.evaluated.filter((d) => d.decisionId === decisionId);
  return {
    decisionId,
    decisionName,
    value,
    output: fromFeelValue(value),
    evaluatedDecisions: run.evaluated,
    matchedRules: own.flatMap((d) => d.decisionTables.flatMap((t) => t.matchedRules)),
    warnings: run.warnings,
  };
}

/**
 * Evaluates a decision (by id, else by name) with its required decisions. Never throws: an unknown decision, bad
 * input or a failing expression gives null with warnings.
 */
export function evaluateDecision(
  model: DmnModel,
  decisionIdOrName: string,
  variables: Record<string, unknown> | FeelContext | ReadonlyMap<string, FeelValue>,
  options?: DmnEvaluationOptions,
): DecisionEvaluationResult {
  const run = new EvaluationRun(variablesOf(variables), model.namespace, nowOf(options));
  run.variablesInScope = options?.variablesInScope === true;
  const decision = model.decision(decisionIdOrName);
  if (!decision) {
    run.warn('UNKNOWN_DECISION', `no decision ${decisionIdOrName} in ${model.name || model.namespace}`);
    return resultOf(run, decisionIdOrName, decisionIdOrName, null);
  }
  const value = decisionValue(model, decision, run);
  return resultOf(run, attr(decision, 'id') ?? attr(decision, 'name') ?? '', attr(decision, 'name') ?? '', value);
}

/**
 * Invokes a decision service (by id, else by name) with the variables as its inputs (input decisions and input
 * data, by name). Several output decisions give a context of them.
 */
export function evaluateDecisionService(
  model: DmnModel,
  serviceIdOrName: string,
  variables: Record<string, unknown> | FeelContext | ReadonlyMap<string, FeelValue>,
  options?: DmnEvaluationOptions,
): DecisionEvaluationResult {
  const inputs = variablesOf(variables);
  const run = new EvaluationRun(inputs, model.namespace, nowOf(options));
  const service = model.service(serviceIdOrName);
  if (!service) {
    run.warn('UNKNOWN_DECISION', `no decision service ${serviceIdOrName} in ${model.name || model.namespace}`);
    return resultOf(run, serviceIdOrName, serviceIdOrName, null);
  }
  const serviceId = attr(service, 'id') ?? attr(service, 'name') ?? '';
  run.enterDecision(serviceId);
  let value: FeelValue = null;
  try {
    const fn = decisionServiceFunction(model, service, run);
    value = fn.invoke({ named: new Map([...inputs].filter(([key]) => fn.parameters.includes(key))) }, run.session());
    const typeRef = attr(child(service, 'variable'), 'typeRef');
    const type = typeRef ? typeOf(model, typeRef) : null;
    if (type?.kind === 'function') value = coerce(value, type.result).value;
  } catch (error) {
    run.warn('EVALUATION_FAILURE', error instanceof Error ? error.message : String(error));
  }
  run.leaveDecision();
  return resultOf(run, serviceId, attr(service, 'name') ?? serviceId, value);
}
