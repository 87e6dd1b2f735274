import type { Expression } from '../model/expression.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import type { VariableLookup } from '../expressions/expression-evaluator.js';
import type { Draft } from './appliers/draft.js';
import type { ProcessInstanceState } from './process-instance-state.js';

/**
 * Variables visible from a scope: its own, then those of each enclosing scope up to the process instance
 * (inner shadows outer). `overlay` holds values that win over every scope (e.g. mappings evaluated so far).
 */
export function lookupFrom(state: Draft, scopeInstanceId: string, overlay?: JsonObject): VariableLookup {
  return (name) => {
    if (overlay !== undefined && Object.hasOwn(overlay, name)) return overlay[name];
    let scopeId = scopeInstanceId;
    for (;;) {
      const variables = state.variables[scopeId];
      if (variables !== undefined && Object.hasOwn(variables, name)) return variables[name];
      const instance = state.elementInstances[scopeId];
      if (instance === undefined) return undefined;
      scopeId = instance.flowScopeInstanceId;
    }
  };
}

/**
 * Every variable visible from a scope, as one object: its own scope wins over the enclosing ones (what a job's worker,
 * a task form or a called process sees).
 */
export function visibleVariables(
  state: Pick<ProcessInstanceState, 'processInstanceId' | 'elementInstances' | 'variables'>,
  scopeInstanceId: string,
): JsonObject {
  const scopes: string[] = [];
  const seen = new Set<string>();
  for (let scopeId: string | undefined = scopeInstanceId; scopeId !== undefined && !seen.has(scopeId); ) {
    seen.add(scopeId);
    scopes.push(scopeId);
    scopeId = state.elementInstances[scopeId]?.flowScopeInstanceId;
  }
  if (!seen.has(state.processInstanceId)) scopes.push(state.processInstanceId);
  const visible: JsonObject = {};
  for (const scope of scopes.reverse()) Object.assign(visible, state.variables[scope]);
  return visible;
}

/**
 * Where each variable goes when set without `local`: the nearest scope, from `fromScopeId` outwards, that already
 * holds it, else the process instance. Returns the variables grouped by target scope.
 */
export function propagationTargets(state: Draft, fromScopeId: string, variables: JsonObject): Map<string, JsonObject> {
  const targets = new Map<string, JsonObject>();
  for (const [name, value] of Object.entries(variables)) {
    const scopeId = nearestScopeHolding(state, fromScopeId, name);
    let group = targets.get(scopeId);
    if (group === undefined) targets.set(scopeId, (group = {}));
    group[name] = value;
  }
  return targets;
}

function nearestScopeHolding(state: Draft, fromScopeId: string, name: string): string {
  let scopeId = fromScopeId;
  for (;;) {
    const variables = state.variables[scopeId];
    if (variables !== undefined && Object.hasOwn(variables, name)) return scopeId;
    const instance = state.elementInstances[scopeId];
    if (instance === undefined) return state.processInstanceId;
    scopeId = instance.flowScopeInstanceId;
  }
}

/**
 * Writes a mapping result into `target` under a name or, as in Camunda 8, a dotted path (`order.total`): the path is
 * merged into the object the first name already holds (in `target`, else as seen through `existing`).
 */
export function assignTo(target: JsonObject, path: string, value: JsonValue, existing: VariableLookup): void {
  const names = path.split('.').map((name) => name.trim());
  const [first, ...rest] = names;
  if (rest.length === 0) {
    target[first] = value;
    return;
  }
  const current = Object.hasOwn(target, first) ? target[first] : existing(first);
  target[first] = mergePath(current, rest, value);
}

function mergePath(current: JsonValue | undefined, path: readonly string[], value: JsonValue): JsonValue {
  if (path.length === 0) return value;
  const object: JsonObject = isObject(current) ? { ...current } : {};
  const [name, ...rest] = path;
  object[name] = mergePath(object[name], rest, value);
  return object;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of an expression as the user wrote it, for incident messages. */
export function sourceText(expression: Expression): string {
  return expression.language === 'feel' ? `=${expression.source}` : expression.source;
}

/** A short rendering of a value for incident messages. */
export function describeValue(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a context';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  return `${typeof value === 'number' ? 'the number' : 'the boolean'} ${String(value)}`;
}
