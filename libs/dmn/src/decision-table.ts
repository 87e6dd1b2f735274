import { FeelContext, FeelNumber, FeelValue, feelEquals, fromFeelValue } from '@trellis/feel';
import type { DmnModel } from './dmn-model.js';
import type { EvaluatedTableInput, MatchedRule } from './dmn-types.js';
import type { EvaluationRun } from './evaluation-run.js';
import { evaluateText, parsedExpression, testCell } from './feel-cells.js';
import { XmlElement, attr, child, childrenNamed, textOf } from './xml-reader.js';

export const HIT_POLICIES = new Set(['UNIQUE', 'FIRST', 'PRIORITY', 'ANY', 'COLLECT', 'RULE ORDER', 'OUTPUT ORDER']);
export const AGGREGATIONS = new Set(['SUM', 'COUNT', 'MIN', 'MAX']);

/**
 * A decision table (DMN 1.5 8): every rule is tested, the hit policy picks or collects the matched rules' outputs;
 * one output gives its value, several a context of them. The matched rules are recorded for audit. A failed hit
 * policy (two rules of a UNIQUE table, differing outputs of an ANY table) or an input outside its allowed values is
 * null with a warning.
 */
export function evaluateDecisionTable(_model: DmnModel, table: XmlElement, scope: ReadonlyMap<string, FeelValue>, run: EvaluationRun, resultName: string): FeelValue {
  const tableId = attr(table, 'id');
  const hitPolicy = attr(table, 'hitPolicy') ?? 'UNIQUE';
  const aggregation = attr(table, 'aggregation');
  const inputElements = childrenNamed(table, 'input');
  const inputs = inputElements.map((input) => evaluateText(textOf(child(input, 'inputExpression')) ?? 'null', scope, run, attr(input, 'id') ?? tableId));
  const outputs = childrenNamed(table, 'output');
  const outputNames = outputs.map((o) => attr(o, 'name') ?? '');
  const rules = childrenNamed(table, 'rule');
  const matched: { index: number; rule: XmlElement; values: FeelValue[] }[] = [];
  rules.forEach((rule, index) => {
    const entries = childrenNamed(rule, 'inputEntry');
    const hit = entries.every((entry, i) => testCell(textOf(entry) ?? '-', inputs[i], scope, run, attr(entry, 'id') ?? attr(rule, 'id')));
    if (hit) {
      const values = childrenNamed(rule, 'outputEntry').map((entry) => evaluateText(textOf(entry) ?? 'null', scope, run, attr(entry, 'id') ?? attr(rule, 'id')));
      matched.push({ index, rule, values });
    }
  });
  const evaluatedInputs = inputElements.map((input, i): EvaluatedTableInput => {
    const inputId = attr(input, 'id');
    const label = attr(input, 'label');
    return { ...(inputId ? { inputId } : {}), ...(label ? { label } : {}), expression: textOf(child(input, 'inputExpression')) ?? '', value: fromFeelValue(inputs[i] ?? null) };
  });
  const record = (chosen: typeof matched): void =>
    run.recordTable({
      ...(tableId ? { tableId } : {}),
      hitPolicy,
      ...(aggregation ? { aggregation } : {}),
      evaluatedInputs,
      matchedRules: chosen.map(({ index, rule, values }): MatchedRule => {
        const ruleId = attr(rule, 'id');
        const keys = outputs.length === 1 && !outputNames[0] ? [resultName] : outputNames;
        return { ...(ruleId ? { ruleId } : {}), ruleIndex: index, outputs: Object.fromEntries(keys.map((k, i) => [k, fromFeelValue(values[i] ?? null)])) };
      }),
    });
  // An input outside its allowed values is an error of the table.
  for (let i = 0; i < inputs.length; i++) {
    const allowed = textOf(child(inputElements[i], 'inputValues'));
    if (allowed && inputs[i] !== null && !testCell(allowed, inputs[i], scope, run)) {
      record([]);
      return run.warn('NOT_ALLOWED_VALUE', `input ${i + 1} of the decision table is not among its input values (${allowed})`, attr(inputElements[i], 'id') ?? tableId);
    }
  }
  const row = (values: FeelValue[]): FeelValue => (outputs.length === 1 ? values[0] : new FeelContext(new Map(outputNames.map((n, i) => [n, values[i]]))));
  if (matched.length === 0) {
    record([]);
    const defaults = outputs.map((o) => {
      const text = textOf(child(o, 'defaultOutputEntry'));
      return text ? evaluateText(text, scope, run, attr(o, 'id') ?? tableId) : null;
    });
    if (defaults.every((d) => d === null)) return hitPolicy === 'COLLECT' && !aggregation ? [] : null;
    return row(defaults);
  }
  switch (hitPolicy) {
    case 'UNIQUE':
      record(matched);
      return matched.length === 1 ? row(matched[0].values) : run.warn('HIT_POLICY_VIOLATED', `${matched.length} rules of a UNIQUE table matched`, tableId);
    case 'FIRST':
      record(matched.slice(0, 1));
      return row(matched[0].values);
    case 'ANY': {
      record(matched);
      const first = row(matched[0].values);
      return matched.every((m) => feelEquals(row(m.values), first) === true)
        ? first
        : run.warn('HIT_POLICY_VIOLATED', 'rules of an ANY table matched with different outputs', tableId);
    }
    case 'RULE ORDER':
      record(matched);
      return matched.map((m) => row(m.values));
    case 'PRIORITY':
    case 'OUTPUT ORDER': {
      const priorities = outputs.map((o) => {
        const text = textOf(child(o, 'outputValues'));
        const parsed = text ? parsedExpression(`[${text}]`) : null;
        return parsed && parsed.ok ? (parsed.value.evaluate().value as FeelValue[]) : [];
      });
      const rank = (values: FeelValue[]): number[] =>
        values.map((v, i) => {
          const index = (priorities[i] ?? []).findIndex((p) => feelEquals(p, v) === true);
          return index < 0 ? Number.MAX_SAFE_INTEGER : index;
        });
      const sorted = [...matched].sort((a, b) => {
        const ra = rank(a.values);
        const rb = rank(b.values);
        for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
        return a.index - b.index;
      });
      if (hitPolicy === 'PRIORITY') {
        record(sorted.slice(0, 1));
        return row(sorted[0].values);
      }
      record(sorted);
      return sorted.map((m) => row(m.values));
    }
    case 'COLLECT': {
      record(matched);
      const values = matched.map((m) => row(m.values));
      if (!aggregation) return values;
      if (aggregation === 'COUNT') return new FeelNumber(values.length);
      const fn = { SUM: 'sum', MIN: 'min', MAX: 'max' }[aggregation];
      if (!fn) return run.warn('UNKNOWN_AGGREGATION', `aggregation ${aggregation}`, tableId);
      const parsed = parsedExpression(`${fn}(values)`, new Map([['values', null]]));
      if (!parsed.ok) return null;
      const result = parsed.value.evaluate(new Map([['values', values]]));
      run.feelWarnings(result.warnings, tableId);
      return result.value;
    }
    default:
      return run.warn('UNKNOWN_HIT_POLICY', `hit policy ${hitPolicy}`, tableId);
  }
}
