import type { JsonObject, JsonValue } from '@trellis/contracts';
import {
  compileDmn,
  type DecisionEvaluationResult,
  type DmnModel,
  type DmnProblem,
  type EvaluatedDecision as DmnEvaluatedDecision,
  type MatchedRule as DmnMatchedRule,
  decisionsOf,
  evaluateDecision,
} from '@trellis/dmn';

import type { EvaluatedDecision, MatchedRule } from './decision-evaluation.js';
import type { DecisionRuleResults } from './decision-result-mapping.js';

/**
 * The service's seam with `@trellis/dmn` (the pure DMN engine): compiling a deployed resource, and turning an
 * evaluation into what the API and the decision jobs give out (plain JSON, Camunda 7's rule results, 1-based rules).
 */
export interface CompiledDmn {
  readonly model: DmnModel;
  /** The logic of each decision by id (`decisionTable`, `literalExpression`...). */
  readonly logicOf: ReadonlyMap<string, string | undefined>;
}

/** A DMN problem as one line: where (element, field, line) and why. */
export function dmnProblemText(problem: DmnProblem): string {
  const where = [problem.elementId === undefined ? undefined : `'${problem.elementId}'`, problem.field, problem.line === undefined ? undefined : `line ${problem.line}`]
    .filter((part) => part !== undefined)
    .join(', ');
  return where === '' ? problem.message : `${problem.message} (${where})`;
}

/** Compiles a deployed DMN resource, with the models it may import (the other DMN resources of its deployment). */
export function compileDmnResource(
  xml: string,
  imports: readonly string[] = [],
): { readonly ok: true; readonly model: CompiledDmn } | { readonly ok: false; readonly problems: readonly string[] } {
  const compiled = compileDmn(xml, { imports: imports.map((text) => ({ xml: text })) });
  if (!compiled.ok) return { ok: false, problems: compiled.problems.map(dmnProblemText) };
  const logicOf = new Map(decisionsOf(compiled.model).map((decision) => [decision.id, decision.logic] as const));
  return { ok: true, model: { model: compiled.model, logicOf } };
}

export interface EvaluationParts {
  readonly output: JsonValue;
  readonly ruleResults: DecisionRuleResults;
  readonly matchedRules: readonly MatchedRule[];
  readonly evaluatedDecisions: readonly EvaluatedDecision[];
  readonly warnings: readonly string[];
}

export type CompiledEvaluation =
  | { readonly ok: true; readonly value: EvaluationParts }
  | { readonly ok: false; readonly reason: string; readonly failedDecisionId?: string };

/**
 * Evaluates a decision of a compiled model at `now` (FEEL's `now()` and `today()`). The engine never throws on bad
 * input: a decision whose value comes out null with warnings failed (a hit policy violated, a FEEL error, input of
 * the wrong type), and the warnings say why; null without a warning (no rule matched) is a result.
 */
export function evaluateCompiledDecision(compiled: CompiledDmn, decisionId: string, variables: JsonObject, now: Date): CompiledEvaluation {
  let result: DecisionEvaluationResult;
  try {
    // Camunda's models refer to process variables without declaring input data: every variable is in scope.
    result = evaluateDecision(compiled.model, decisionId, variables, { now: now.toISOString(), variablesInScope: true });
  } catch (error) {
    // The engine's contract is not to throw; should it, the caller still gets a failure that says why.
    return { ok: false, reason: error instanceof Error ? error.message : String(error), failedDecisionId: decisionId };
  }
  const warnings = result.warnings.map((warning) => (warning.decisionId === undefined ? warning.message : `${warning.decisionId}: ${warning.message}`));
  if (result.value === null && result.warnings.length > 0) {
    return { ok: false, reason: warnings.join('; '), failedDecisionId: result.warnings.find((warning) => warning.decisionId !== undefined)?.decisionId ?? decisionId };
  }
  const evaluatedDecisions = result.evaluatedDecisions.map((decision) => evaluatedDecisionOf(decision, compiled.logicOf.get(decision.decisionId)));
  const asked = result.evaluatedDecisions.at(-1);
  return {
    ok: true,
    value: {
      output: jsonOf(result.output),
      ruleResults: ruleResultsOf(result, asked, compiled.logicOf.get(decisionId)),
      matchedRules: result.matchedRules.map(matchedRuleOf),
      evaluatedDecisions,
      warnings,
    },
  };
}

function evaluatedDecisionOf(decision: DmnEvaluatedDecision, logic: string | undefined): EvaluatedDecision {
  return {
    decisionId: decision.decisionId,
    ...(decision.decisionName === '' ? {} : { decisionName: decision.decisionName }),
    ...(logic === undefined ? {} : { decisionType: logic }),
    output: jsonOf(decision.output),
    ...(decision.decisionTables.length === 0
      ? {}
      : {
          // Camunda names an input by its label, else its expression.
          evaluatedInputs: decision.decisionTables.flatMap((table) =>
            table.evaluatedInputs.map((input) => ({ inputId: input.inputId ?? '', inputName: input.label ?? input.expression, value: jsonOf(input.value) })),
          ),
        }),
    matchedRules: decision.decisionTables.flatMap((table) => table.matchedRules.map(matchedRuleOf)),
  };
}

/** Rules counted from 1, as Camunda and the DMN spec count them. */
function matchedRuleOf(rule: DmnMatchedRule): MatchedRule {
  return { ...(rule.ruleId === undefined ? {} : { ruleId: rule.ruleId }), ruleIndex: rule.ruleIndex + 1, outputs: jsonOf(rule.outputs) as JsonObject };
}

/** Hit policies whose result is a list of rule results (collect without aggregation, rule order, output order). */
const MULTIPLE_HITS = /^(C|COLLECT|R|RULE ORDER|O|OUTPUT ORDER)$/i;

/**
 * Camunda 7's rule results: a decision table gives one entry map per rule in its result (a collect with an aggregation:
 * one entry holding the aggregate); any other decision one entry, keyed by its name, holding its value.
 */
function ruleResultsOf(result: DecisionEvaluationResult, asked: DmnEvaluatedDecision | undefined, logic: string | undefined): DecisionRuleResults {
  const output = jsonOf(result.output);
  const name = result.decisionName === '' ? result.decisionId : result.decisionName;
  if (logic !== 'decisionTable') return [{ [name]: output }];
  if (output === null) return [];
  const table = asked?.decisionTables.at(-1);
  const outputNames = Object.keys(result.matchedRules[0]?.outputs ?? table?.matchedRules[0]?.outputs ?? {});
  const entryOf = (value: JsonValue): Record<string, JsonValue> => {
    if (outputNames.length > 1 && value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
    return { [outputNames[0] ?? name]: value };
  };
  const multiple = table !== undefined && MULTIPLE_HITS.test(table.hitPolicy.trim()) && table.aggregation === undefined;
  if (multiple && Array.isArray(output)) return output.map(entryOf);
  return [entryOf(output)];
}

/** The engine's plain JSON form, checked: anything that is not JSON (a function, a range) becomes its text. */
function jsonOf(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(jsonOf);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, jsonOf(entry)]));
  return String(value);
}
