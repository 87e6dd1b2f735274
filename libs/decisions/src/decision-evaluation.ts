import type { JsonObject, JsonValue } from '@trellis/contracts';
import { ProblemError, ProblemType } from '@trellis/platform';

import type { DecisionRuleResults } from './decision-result-mapping.js';

/** A rule of a decision table that matched, for audit. */
export interface MatchedRule {
  /** The `dmn:rule/@id`, when the model gives one. */
  readonly ruleId?: string;
  /** 1-based, in the order of the table (as Camunda and the DMN spec count rules). */
  readonly ruleIndex: number;
  /** The rule's output entries, by output name (a single unnamed output: the decision id). */
  readonly outputs: JsonObject;
}

/** The value of a decision table's input expression. */
export interface EvaluatedInput {
  readonly inputId: string;
  readonly inputName: string;
  readonly value: JsonValue;
}

/** One decision evaluated to answer a request: the one asked for and each decision it requires, once each. */
export interface EvaluatedDecision {
  readonly decisionId: string;
  readonly decisionName?: string;
  /** The kind of its logic, as DMN names the boxed expression: `decisionTable`, `literalExpression`, `context`... */
  readonly decisionType?: string;
  /** The decision's value as plain JSON (dates and durations as ISO 8601 text). */
  readonly output: JsonValue;
  /** Decision tables only: each input expression's value. */
  readonly evaluatedInputs?: readonly EvaluatedInput[];
  /** Decision tables only: the rules that matched, in table order. */
  readonly matchedRules: readonly MatchedRule[];
}

/** The answer of an evaluation: what the API shows and what a business rule task's result is made of. */
export interface DecisionEvaluationView {
  /** `<decisionId>:<version>` of the definition that was evaluated. */
  readonly decisionDefinitionId: string;
  readonly decisionId: string;
  readonly decisionName?: string;
  readonly version: number;
  /** The decision's value as plain JSON: what a Camunda 8 business rule task stores in its result variable. */
  readonly output: JsonValue;
  /** Camunda 7's view of the result: one entry map per matched rule (what `mapDecisionResult` works on). */
  readonly ruleResults: DecisionRuleResults;
  /** The decision's matched rules (decision tables). */
  readonly matchedRules: readonly MatchedRule[];
  /** The decision asked for and every decision it required, in evaluation order (required ones first). */
  readonly evaluatedDecisions: readonly EvaluatedDecision[];
  /** What FEEL or the decision logic warned of (a null from a type mismatch says why here). */
  readonly warnings: readonly string[];
  /** When it was evaluated (the service clock), ISO 8601. */
  readonly evaluatedAt: string;
}

export const DECISION_EVALUATION_FAILED = 'urn:trellis:problem:decision-evaluation-failed';

/** A deployed decision that could not be evaluated: names the decision and says why. */
export class DecisionEvaluationFailedError extends ProblemError {
  constructor(
    readonly decisionDefinitionId: string,
    readonly decisionId: string,
    readonly reason: string,
  ) {
    super({
      type: DECISION_EVALUATION_FAILED,
      title: 'Decision evaluation failed',
      status: 422,
      detail: `decision '${decisionId}' (${decisionDefinitionId}) could not be evaluated: ${reason}`,
      details: { decisionDefinitionId, decisionId, reason },
    });
  }
}

/** No deployed definition matches the decision id (and version or tag) asked for. */
export class DecisionNotDeployedError extends ProblemError {
  constructor(
    readonly decisionId: string,
    selector: { readonly version?: number; readonly versionTag?: string } = {},
  ) {
    const which = selector.version !== undefined ? ` in version ${selector.version}` : selector.versionTag !== undefined ? ` with version tag '${selector.versionTag}'` : '';
    super({
      type: ProblemType.notFound,
      title: 'Decision not deployed',
      status: 404,
      detail: `decision '${decisionId}' is not deployed${which}`,
      details: {
        decisionId,
        ...(selector.version === undefined ? {} : { version: String(selector.version) }),
        ...(selector.versionTag === undefined ? {} : { versionTag: selector.versionTag }),
      },
    });
  }
}
