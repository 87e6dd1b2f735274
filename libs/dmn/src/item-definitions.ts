import { FeelContext, FeelType, FeelValue, coerce, isList, namedType, parseTemporalLiteral } from '@trellis/feel';
import type { DmnModel } from './dmn-model.js';
import type { EvaluationRun } from './evaluation-run.js';
import { parsedUnaryTests } from './feel-cells.js';
import { XmlElement, attr, child, childrenNamed, textOf } from './xml-reader.js';

// Item definitions give the types of variables, parameters and results. A value is coerced to its declared type as
// DMN 1.5 10.3.2.9 says (a singleton list to its item, an item to a singleton list); a value that does not conform, or
// is outside the item definition's allowed values, is null with a warning.

const TYPE_ALIASES: Record<string, string> = {
  dateTime: 'date and time',
  yearMonthDuration: 'years and months duration',
  dayTimeDuration: 'days and time duration',
};

const BUILT_IN_TYPES = new Set(['number', 'string', 'boolean', 'date', 'time', 'date and time', 'days and time duration', 'years and months duration', 'Any']);

const TEMPORAL_TYPES = new Set(['date', 'time', 'date and time', 'days and time duration', 'years and months duration']);

/** A typeRef without its `feel:` prefix, with the XML Schema names DMN 1.1 used mapped to FEEL's. */
const builtinName = (typeRef: string): string => {
  const name = typeRef.trim().replace(/^feel:/, '');
  return TYPE_ALIASES[name] ?? name;
};

/** The item definition a typeRef names, in this model or an imported one (`prefix.Type`). */
export function itemDefinitionOf(model: DmnModel, typeRef: string): { model: DmnModel; item: XmlElement } | undefined {
  const name = typeRef.trim();
  const item = model.itemDefinitions.get(name);
  if (item) return { model, item };
  for (const { prefix, model: imported } of model.imports.values()) {
    if (name.startsWith(`${prefix}.`)) return itemDefinitionOf(imported, name.slice(prefix.length + 1));
  }
  return undefined;
}

/** A typeRef as a FEEL type: built-in names, item definitions (collections, components, functions); unknown names are Any. */
export function typeOf(model: DmnModel, typeRef: string, depth = 0): FeelType {
  const builtin = builtinName(typeRef);
  if (BUILT_IN_TYPES.has(builtin)) return namedType(builtin);
  const found = itemDefinitionOf(model, typeRef);
  return found && depth < 10 ? itemType(found.model, found.item, depth + 1) : namedType('Any');
}

function itemType(model: DmnModel, item: XmlElement, depth: number): FeelType {
  const components = childrenNamed(item, 'itemComponent');
  const typeRef = child(item, 'typeRef')?.text ?? attr(item, 'typeRef');
  let type: FeelType = namedType('Any');
  const functionItem = child(item, 'functionItem');
  if (functionItem) {
    const output = attr(functionItem, 'outputTypeRef');
    const parameters = childrenNamed(functionItem, 'parameters').map((p) => (attr(p, 'typeRef') ? typeOf(model, attr(p, 'typeRef') as string, depth) : namedType('Any')));
    type = { kind: 'function', parameters, result: output ? typeOf(model, output, depth) : namedType('Any') };
  } else if (components.length) {
    type = { kind: 'context', entries: components.map((c) => ({ name: attr(c, 'name') ?? '', type: itemType(model, c, depth + 1) })) };
  } else if (typeRef) type = typeOf(model, typeRef, depth);
  return attr(item, 'isCollection') === 'true' ? { kind: 'list', item: type } : type;
}

/** Whether a value is within the allowed values (or type constraint) of the item definition a typeRef names. */
function allowedValuesHold(model: DmnModel, value: FeelValue, typeRef: string, run: EvaluationRun, depth = 0): boolean {
  if (value === null || depth > 10 || BUILT_IN_TYPES.has(builtinName(typeRef))) return true;
  const found = itemDefinitionOf(model, typeRef);
  return found ? itemConstraintsHold(found.model, value, found.item, run, depth) : true;
}

/** An item definition's (or component's) constraints: its allowed values, those of its base type and of its components. */
function itemConstraintsHold(model: DmnModel, value: FeelValue, item: XmlElement, run: EvaluationRun, depth: number): boolean {
  if (value === null || depth > 10) return true;
  const values = attr(item, 'isCollection') === 'true' && isList(value) ? value : [value];
  const constraint = textOf(child(item, 'allowedValues')) ?? textOf(child(item, 'typeConstraint'));
  if (constraint) {
    const parsed = parsedUnaryTests(constraint);
    if (parsed.ok && values.some((v) => v !== null && parsed.value.test(v, new Map(), run.feelOptions).value !== true)) return false;
  }
  const base = child(item, 'typeRef')?.text ?? attr(item, 'typeRef');
  if (base && !values.every((v) => allowedValuesHold(model, v, base, run, depth + 1))) return false;
  const components = childrenNamed(item, 'itemComponent');
  if (components.length === 0) return true;
  return values.every(
    (v) => !(v instanceof FeelContext) || components.every((c) => itemConstraintsHold(model, v.get(attr(c, 'name') ?? '') ?? null, c, run, depth + 1)),
  );
}

/** A value given for a variable of a declared type: coerced to it; null with a warning when it does not conform. */
export function typed(model: DmnModel, value: FeelValue, typeRef: string | undefined, run: EvaluationRun, where: string): FeelValue {
  if (!typeRef || value === null) return value;
  const coerced = coerce(value, typeOf(model, typeRef));
  if (!coerced.ok) {
    run.warn('INVALID_TYPE', `${where}: the value does not conform to type ${typeRef}`);
    return null;
  }
  if (!allowedValuesHold(model, coerced.value, typeRef, run)) {
    run.warn('NOT_ALLOWED_VALUE', `${where}: the value is not among the allowed values of ${typeRef}`);
    return null;
  }
  return coerced.value;
}

/**
 * An input read by its declared type: JSON has no dates, so text where the type (or a component or item of it) is a
 * date, time or duration is read as one; what does not parse stays text, and the type check then rejects it.
 */
export function readInput(model: DmnModel, value: FeelValue, typeRef: string | undefined): FeelValue {
  return typeRef ? readByType(value, typeOf(model, typeRef), 0) : value;
}

function readByType(value: FeelValue, type: FeelType, depth: number): FeelValue {
  if (value === null || depth > 10) return value;
  if (type.kind === 'named') return typeof value === 'string' && TEMPORAL_TYPES.has(type.name) ? (parseTemporalLiteral(value) ?? value) : value;
  if (type.kind === 'list') return isList(value) ? value.map((item) => readByType(item, type.item, depth + 1)) : readByType(value, type.item, depth + 1);
  if (type.kind === 'context' && value instanceof FeelContext) {
    const entries = new Map(value.entries);
    for (const entry of type.entries) {
      const item = entries.get(entry.name);
      if (item !== undefined) entries.set(entry.name, readByType(item, entry.type, depth + 1));
    }
    return new FeelContext(entries);
  }
  return value;
}
