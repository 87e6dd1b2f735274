/**
 * `DecisionEvaluated` (`TOPICS.decisionEvaluations`): one evaluation of a deployed decision, for audit, published by
 * the dmn-service for every evaluation (its REST APIs or a business rule task's decision job), successful or failed.
 * The key is the process instance's id when a task asked for it (the evaluations of one instance stay in order), else
 * the decision id. The id of a task's evaluation is derived from its job (and the re-offer), so a redelivered
 * process-instance event that is evaluated again publishes the same id: consumers keep the first.
 */
import { HEADERS, JSON_CONTENT_TYPE, type WireMessage } from './headers.js';
import type { JsonObject, JsonValue } from './json.js';
import { type Rule, type Schema, type Validated, checkObject, parseJsonValue, pickFields, rules } from './validation.js';

/** A rule of a decision table that matched: its `dmn:rule/@id` when the model gives one, counted from 1, its outputs. */
export interface DecisionEvaluatedRule {
  readonly ruleId?: string;
  readonly ruleIndex: number;
  readonly outputs: JsonObject;
}

export interface DecisionEvaluated {
  readonly id: string;
  readonly decisionId: string;
  /** `<decisionId>:<version>` of the definition evaluated. */
  readonly decisionDefinitionId: string;
  readonly version: number;
  /** Set when a business rule task asked for the evaluation (its decision job). */
  readonly processInstanceId?: string;
  readonly elementInstanceId?: string;
  readonly jobId?: string;
  /** The variables the decision was evaluated with. */
  readonly inputs: JsonObject;
  /** The decision's value as JSON; null when it failed. */
  readonly output: JsonValue;
  /** The rules that matched, per decision table evaluated (required decisions included), in evaluation order. */
  readonly matchedRules: readonly { readonly decisionId: string; readonly matchedRules: readonly DecisionEvaluatedRule[] }[];
  /** The ids of every decision evaluated, required ones first. */
  readonly evaluatedDecisions: readonly string[];
  readonly failed: boolean;
  /** Why it failed. */
  readonly failureReason?: string;
  /** The dmn-service clock's time of the evaluation, ISO 8601. */
  readonly evaluatedAt: string;
}

const jsonObject: Rule = (value) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? rules.json(value) : 'must be a JSON object');
const boolean: Rule = (value) => (typeof value === 'boolean' ? undefined : 'must be true or false');
const stringArray: Rule = (value) =>
  Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0) ? undefined : 'must be an array of decision ids';
const matchedRulesRule: Rule = (value) => {
  if (!Array.isArray(value)) return 'must be an array of { decisionId, matchedRules }';
  const broken = value.findIndex((table: unknown) => {
    if (typeof table !== 'object' || table === null) return true;
    const { decisionId, matchedRules } = table as { decisionId?: unknown; matchedRules?: unknown };
    if (typeof decisionId !== 'string' || decisionId === '' || !Array.isArray(matchedRules)) return true;
    return matchedRules.some((rule: unknown) => {
      if (typeof rule !== 'object' || rule === null) return true;
      const { ruleId, ruleIndex, outputs } = rule as { ruleId?: unknown; ruleIndex?: unknown; outputs?: unknown };
      return (ruleId !== undefined && typeof ruleId !== 'string') || rules.positiveInteger(ruleIndex) !== undefined || jsonObject(outputs) !== undefined;
    });
  });
  return broken === -1 ? undefined : `[${broken}] must be { decisionId, matchedRules: [{ ruleId?, ruleIndex (from 1), outputs }] }`;
};

const schema: Schema = {
  id: { rule: rules.nonEmptyString },
  decisionId: { rule: rules.nonEmptyString },
  decisionDefinitionId: { rule: rules.nonEmptyString },
  version: { rule: rules.positiveInteger },
  processInstanceId: { rule: rules.nonEmptyString, optional: true },
  elementInstanceId: { rule: rules.nonEmptyString, optional: true },
  jobId: { rule: rules.nonEmptyString, optional: true },
  inputs: { rule: jsonObject },
  output: { rule: rules.json },
  matchedRules: { rule: matchedRulesRule },
  evaluatedDecisions: { rule: stringArray },
  failed: { rule: boolean },
  failureReason: { rule: rules.string, optional: true },
  evaluatedAt: { rule: rules.isoTimestamp },
};

/** Checks a parsed value against the schema (version 1): every broken field at once. */
export function validateDecisionEvaluated(value: unknown): Validated<DecisionEvaluated> {
  const problems = checkObject(value, schema);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: pickFields<DecisionEvaluated>(value, schema) };
}

/** Parses a received message value (JSON text or UTF-8 bytes) and validates it. */
export function decodeDecisionEvaluated(value: string | Uint8Array | null): Validated<DecisionEvaluated> {
  const parsed = parseJsonValue(value);
  return parsed.ok ? validateDecisionEvaluated(parsed.value) : parsed;
}

/** The Kafka message of an evaluation: keyed by its process instance, else by its decision id. */
export function decisionEvaluatedMessageOf(evaluation: DecisionEvaluated): WireMessage {
  return {
    key: evaluation.processInstanceId ?? evaluation.decisionId,
    value: JSON.stringify(evaluation),
    headers: { [HEADERS.type]: 'DecisionEvaluated', [HEADERS.contentType]: JSON_CONTENT_TYPE },
  };
}
