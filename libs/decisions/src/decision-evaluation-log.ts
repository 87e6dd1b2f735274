import type { JsonObject, JsonValue } from '@trellis/contracts';

import type { MatchedRule } from './decision-evaluation.js';
import { pageOf } from './decision-catalog.js';

/** Where an evaluation came from when a business rule task asked for it (its decision job). */
export interface DecisionEvaluationOrigin {
  readonly processInstanceId: string;
  readonly elementInstanceId?: string;
  readonly jobId: string;
}

/** The matched rules of one decision table evaluated for a request. */
export interface DecisionEvaluationMatchedRules {
  readonly decisionId: string;
  readonly matchedRules: readonly MatchedRule[];
}

/**
 * `DecisionEvaluated`: one evaluation of a deployed decision, for audit. Written for every evaluation, by the REST APIs
 * or for a business rule task, whether it gave a value or failed.
 */
export interface DecisionEvaluatedRecord {
  readonly id: string;
  readonly decisionId: string;
  /** `<decisionId>:<version>` of the definition evaluated. */
  readonly decisionDefinitionId: string;
  readonly version: number;
  /** Set when a business rule task asked for the evaluation. */
  readonly processInstanceId?: string;
  readonly elementInstanceId?: string;
  readonly jobId?: string;
  /** The variables the decision was evaluated with. */
  readonly inputs: JsonObject;
  /** The decision's value (null when it failed). */
  readonly output: JsonValue;
  /** The rules that matched, per decision table evaluated (required decisions included). */
  readonly matchedRules: readonly DecisionEvaluationMatchedRules[];
  /** Every decision evaluated, in evaluation order (required ones first). */
  readonly evaluatedDecisions: readonly string[];
  readonly failed: boolean;
  /** Why it failed (the `decision-evaluation-failed` problem's reason). */
  readonly failureReason?: string;
  /** The service clock's time of the evaluation, ISO 8601. */
  readonly evaluatedAt: string;
}

/** Where evaluations are recorded. */
export interface DecisionEvaluationLog {
  record(evaluation: DecisionEvaluatedRecord): Promise<void>;
}

export const DECISION_EVALUATION_LOG = Symbol('trellis.DecisionEvaluationLog');

export interface DecisionEvaluationFilter {
  readonly decisionId?: string;
  readonly processInstanceId?: string;
  readonly failed?: boolean;
  /** Default 100, at most 1000. */
  readonly limit?: number;
  readonly offset?: number;
}

export interface DecisionEvaluationPage {
  readonly items: readonly DecisionEvaluatedRecord[];
  /** Matching evaluations in all pages. */
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

/** The evaluations the standalone server keeps in memory (the oldest go first beyond this). */
export const MEMORY_EVALUATIONS_KEPT = 10_000;

/**
 * The standalone server's decision evaluation history: in memory, as the rest of its in-process views, the latest
 * `MEMORY_EVALUATIONS_KEPT` evaluations, oldest first. The distributed deployment's history is the history-service's.
 */
export class MemoryDecisionEvaluationLog implements DecisionEvaluationLog {
  private readonly evaluations: DecisionEvaluatedRecord[] = [];

  constructor(private readonly kept: number = MEMORY_EVALUATIONS_KEPT) {}

  record(evaluation: DecisionEvaluatedRecord): Promise<void> {
    this.evaluations.push(evaluation);
    if (this.evaluations.length > this.kept) this.evaluations.splice(0, this.evaluations.length - this.kept);
    return Promise.resolve();
  }

  list(filter: DecisionEvaluationFilter): DecisionEvaluationPage {
    const { limit, offset } = pageOf(filter);
    const matching = this.evaluations.filter(
      (evaluation) =>
        (filter.decisionId === undefined || evaluation.decisionId === filter.decisionId) &&
        (filter.processInstanceId === undefined || evaluation.processInstanceId === filter.processInstanceId) &&
        (filter.failed === undefined || evaluation.failed === filter.failed),
    );
    return { items: matching.slice(offset, offset + limit), total: matching.length, limit, offset };
  }

  get(id: string): DecisionEvaluatedRecord | undefined {
    return this.evaluations.find((evaluation) => evaluation.id === id);
  }
}
