import type { JsonObject, JsonValue } from '@trellis/contracts';
import type { DecisionResultMapping } from '@trellis/engine';

/**
 * Camunda 7's view of a decision result: one entry map per matched rule (output name → value) of a decision table, or
 * the single entry of a literal expression (its variable name, else the decision id → value). A collect with an
 * aggregation (sum, min, max, count) gives one entry map holding the aggregate.
 */
export type DecisionRuleResults = readonly Readonly<Record<string, JsonValue>>[];

export type MappedDecisionResult = { readonly ok: true; readonly value: JsonValue } | { readonly ok: false; readonly message: string };

/**
 * `camunda:mapDecisionResult`, as Camunda 7 maps a decision result into the result variable:
 * - `singleEntry`: at most one matched rule with exactly one output: its value (null when no rule matched);
 * - `singleResult`: at most one matched rule: its entry map (null when none matched);
 * - `collectEntries`: every matched rule has exactly one output: the list of their values;
 * - `resultList` (the default): the list of entry maps.
 * A result that does not fit the mapping is a failure that says why, as Camunda 7's `DecisionException`s do.
 */
export function mapDecisionResult(mapping: DecisionResultMapping, results: DecisionRuleResults, decisionId: string): MappedDecisionResult {
  const entryCounts = (): string => results.map((result) => Object.keys(result).length).join(', ');
  switch (mapping) {
    case 'singleEntry': {
      if (results.length > 1) return { ok: false, message: `decision '${decisionId}' matched ${results.length} rules, but mapDecisionResult singleEntry takes at most one` };
      const [result] = results;
      if (result === undefined) return { ok: true, value: null };
      const values = Object.values(result);
      if (values.length !== 1) {
        return { ok: false, message: `decision '${decisionId}' gave ${values.length} outputs, but mapDecisionResult singleEntry takes exactly one` };
      }
      return { ok: true, value: values[0] ?? null };
    }
    case 'singleResult': {
      if (results.length > 1) return { ok: false, message: `decision '${decisionId}' matched ${results.length} rules, but mapDecisionResult singleResult takes at most one` };
      return { ok: true, value: results[0] === undefined ? null : { ...results[0] } };
    }
    case 'collectEntries': {
      if (results.some((result) => Object.keys(result).length !== 1)) {
        return {
          ok: false,
          message: `decision '${decisionId}' gave rule results of ${entryCounts()} outputs, but mapDecisionResult collectEntries takes exactly one output per rule`,
        };
      }
      return { ok: true, value: results.map((result) => Object.values(result)[0] ?? null) };
    }
    case 'resultList':
      return { ok: true, value: results.map((result) => ({ ...result }) as JsonObject) };
  }
}
