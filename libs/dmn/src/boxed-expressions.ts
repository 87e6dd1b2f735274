import { FeelContext, FeelFunction, FeelValue, coerce, isList } from '@trellis/feel';
import { evaluateDecisionTable } from './decision-table.js';
import { DmnModel, logicOf } from './dmn-model.js';
import type { EvaluationRun } from './evaluation-run.js';
import { evaluateText } from './feel-cells.js';
import { typeOf, typed } from './item-definitions.js';
import { javaMethod } from './java-functions.js';
import { XmlElement, attr, child, childrenNamed, textOf } from './xml-reader.js';

// The boxed expressions of DMN 1.5 chapter 6 and 8: literal expression, context, list, relation, function
// definition, invocation, decision table, conditional, filter, iterators (for, some, every). Each gives a FEEL
// value; a failure is null with a warning in the run, never an exception.

type Scope = ReadonlyMap<string, FeelValue>;

/** A boxed expression's value, coerced to its `typeRef` when it has one. `resultName` names a single table output. */
export function evaluateBoxed(model: DmnModel, element: XmlElement | undefined, scope: Scope, run: EvaluationRun, resultName = ''): FeelValue {
  if (!element) return run.warn('MISSING_LOGIC', `no decision logic in ${resultName || 'the element'}`);
  return typed(model, untypedBoxed(model, element, scope, run, resultName), attr(element, 'typeRef'), run, element.name);
}

function untypedBoxed(model: DmnModel, element: XmlElement, scope: Scope, run: EvaluationRun, resultName: string): FeelValue {
  const id = attr(element, 'id');
  switch (element.name) {
    case 'literalExpression':
      return evaluateText(textOf(element) ?? 'null', scope, run, id);
    case 'context': {
      const inner = new Map(scope);
      const entries = new Map<string, FeelValue>();
      for (const entry of childrenNamed(element, 'contextEntry')) {
        const variable = child(entry, 'variable');
        const name = attr(variable, 'name') ?? '';
        const value = evaluateBoxed(model, logicOf(entry), inner, run, name);
        // An entry without a variable is the context's result.
        if (!variable) return value;
        const typedValue = typed(model, value, attr(variable, 'typeRef'), run, `context entry ${name}`);
        entries.set(name, typedValue);
        inner.set(name, typedValue);
      }
      return new FeelContext(entries);
    }
    case 'list':
      return element.children.filter((c) => c.name !== 'description').map((c) => evaluateBoxed(model, c, scope, run));
    case 'relation': {
      const columns = childrenNamed(element, 'column').map((c) => attr(c, 'name') ?? '');
      return childrenNamed(element, 'row').map(
        (row) => new FeelContext(new Map(row.children.filter((c) => c.name !== 'description').map((c, i) => [columns[i], evaluateBoxed(model, c, scope, run)]))),
      );
    }
    case 'functionDefinition':
      return functionDefinition(model, element, scope, run);
    case 'invocation': {
      const callee = evaluateBoxed(model, logicOf(element), scope, run);
      const named = new Map<string, FeelValue>();
      for (const binding of childrenNamed(element, 'binding')) {
        const parameter = attr(child(binding, 'parameter'), 'name') ?? '';
        const expression = binding.children.find((c) => c.name !== 'parameter');
        named.set(parameter, expression ? evaluateBoxed(model, expression, scope, run) : null);
      }
      if (!(callee instanceof FeelFunction)) return run.warn('NO_FUNCTION_FOUND', 'the invoked element is not a function', id);
      return callee.invoke({ named }, run.session());
    }
    case 'decisionTable':
      return evaluateDecisionTable(model, element, scope, run, resultName);
    case 'conditional': {
      // A boxed conditional whose condition is not a boolean (nor null) is an error.
      const condition = part(model, element, 'if', scope, run);
      if (condition !== null && typeof condition !== 'boolean') return run.warn('INVALID_TYPE', 'the condition is not a boolean', id);
      return condition === true ? part(model, element, 'then', scope, run) : part(model, element, 'else', scope, run);
    }
    case 'filter': {
      const list = part(model, element, 'in', scope, run);
      if (list === null) return null;
      const items = isList(list) ? list : [list];
      const matches = items.map((item) => {
        const frame = new Map(scope).set('item', item);
        if (item instanceof FeelContext) for (const [k, v] of item.entries) frame.set(k, v);
        return part(model, element, 'match', frame, run);
      });
      // A match that is not a boolean (nor null) is an error of the filter.
      if (matches.some((m) => m !== null && typeof m !== 'boolean')) return run.warn('INVALID_TYPE', 'a filter match is not a boolean', id);
      return items.filter((_item, i) => matches[i] === true);
    }
    case 'for':
    case 'some':
    case 'every': {
      const list = part(model, element, 'in', scope, run);
      if (list === null) return null;
      const variable = attr(element, 'iteratorVariable') ?? 'item';
      const bodyName = element.name === 'for' ? 'return' : 'satisfies';
      const results: FeelValue[] = (isList(list) ? list : [list]).map((item) => part(model, element, bodyName, new Map(scope).set(variable, item), run));
      if (element.name === 'for') return results;
      if (results.some((r) => r !== null && typeof r !== 'boolean')) return run.warn('INVALID_TYPE', `a ${element.name} condition is not a boolean`, id);
      if (element.name === 'some') return results.some((r) => r === true) ? true : results.every((r) => r === false) ? false : null;
      return results.some((r) => r === false) ? false : results.every((r) => r === true) ? true : null;
    }
    default:
      return run.warn('UNSUPPORTED', `boxed expression ${element.name}`, id);
  }
}

/** The boxed expression inside a named part of a conditional, filter or iterator (`<if>`, `<in>`, ...). */
function part(model: DmnModel, element: XmlElement, name: string, scope: Scope, run: EvaluationRun): FeelValue {
  const found = child(element, name);
  if (!found) return run.warn('MISSING_LOGIC', `${element.name} without <${name}>`, attr(element, 'id'));
  return evaluateBoxed(model, logicOf(found), scope, run);
}

/**
 * A function definition (of a BKM, a context entry...) as a FEEL function closing over its scope; `name` (the BKM's)
 * names a single unnamed output of its decision table in the audit. Arguments are
 * coerced to the parameters' types: one that does not conform makes the invocation null with a warning.
 */
export function functionDefinition(model: DmnModel, element: XmlElement, scope: Scope, run: EvaluationRun, name = ''): FeelFunction | null {
  const kind = attr(element, 'kind');
  const params = childrenNamed(element, 'formalParameter').map((p) => ({ name: attr(p, 'name') ?? '', type: attr(p, 'typeRef') }));
  const body = logicOf(element);
  if (kind === 'Java') return javaFunction(model, element, params, scope, run);
  if (kind && kind !== 'FEEL') return run.warn('UNSUPPORTED', `functions of kind ${kind} are not supported`, attr(element, 'id'));
  return new FeelFunction(
    params.map((p) => p.name),
    (args, session) => {
      if ('named' in args && [...args.named.keys()].some((key) => !params.some((p) => p.name === key))) {
        return session.warn({ code: 'INVALID_PARAMETERS', message: 'unknown parameter' });
      }
      const frame = new Map(scope);
      for (const [i, p] of params.entries()) {
        const value = 'positional' in args ? (args.positional[i] ?? null) : (args.named.get(p.name) ?? null);
        const coerced = p.type ? coerce(value, typeOf(model, p.type)) : { value, ok: true };
        if (!coerced.ok) return session.warn({ code: 'INVALID_TYPE', message: `parameter ${p.name} does not conform to ${p.type}` });
        frame.set(p.name, coerced.value);
      }
      return evaluateBoxed(model, body, frame, run, name);
    },
  );
}

/** A function of kind Java: its body's context names the class and method, mapped to a built-in implementation. */
function javaFunction(
  model: DmnModel,
  element: XmlElement,
  params: readonly { name: string; type: string | undefined }[],
  scope: Scope,
  run: EvaluationRun,
): FeelFunction | null {
  const body = evaluateBoxed(model, logicOf(element), scope, run);
  const className = body instanceof FeelContext ? body.get('class') : null;
  const signature = body instanceof FeelContext ? body.get('method signature') : null;
  const method = typeof className === 'string' && typeof signature === 'string' ? javaMethod(className, signature) : undefined;
  if (!method) return run.warn('UNSUPPORTED', `the Java method ${String(className)}.${String(signature)} is not available`, attr(element, 'id'));
  return new FeelFunction(
    params.map((p) => p.name),
    (args, session) => {
      const values = params.map((p, i) => ('positional' in args ? (args.positional[i] ?? null) : (args.named.get(p.name) ?? null)));
      const coerced = values.map((value, i) => (params[i].type ? coerce(value, typeOf(model, params[i].type as string)) : { value, ok: true }));
      if (coerced.some((c) => !c.ok)) return session.warn({ code: 'INVALID_TYPE', message: `an argument does not conform to ${String(signature)}` });
      return method(coerced.map((c) => c.value));
    },
  );
}
