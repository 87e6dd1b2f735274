import { type DecisionEvaluated, decisionEvaluatedMessageOf } from '@trellis/contracts';
import type { MessageBus } from '@trellis/messaging';

import { pageOf } from './decision-catalog.js';

/** Where an evaluation came from when a business rule task asked for it (its decision job). */
export interface DecisionEvaluationOrigin {
  readonly processInstanceId: string;
  readonly elementInstanceId?: string;
  readonly jobId: string;
  /**
   * The record's id, where it must be the same when the evaluation is repeated (the dmn-service derives it from the
   * job, so a redelivered event publishes the same record); a new UUID where none is given.
   */
  readonly evaluationId?: string;
}

/** The matched rules of one decision table evaluated for a request. */
export type DecisionEvaluationMatchedRules = DecisionEvaluated['matchedRules'][number];

/**
 * `DecisionEvaluated`: one evaluation of a deployed decision, for audit (the contract of `TOPICS.decisionEvaluations`).
 * Written for every evaluation, by the REST APIs or for a business rule task, whether it gave a value or failed.
 */
export type DecisionEvaluatedRecord = DecisionEvaluated;

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

/**
 * The dmn-service's decision evaluation log: each record published to `TOPICS.decisionEvaluations` (a `DecisionEvaluated`,
 * keyed by its process instance, else its decision id) before the evaluation is answered, so none is answered
 * unrecorded. The topic is created on the first publication when missing (one partition: create it beforehand with
 * more to spread its consumers); a failed creation is tried again with the next evaluation.
 */
export class BusDecisionEvaluationLog implements DecisionEvaluationLog {
  private topicReady: Promise<void> | undefined;

  constructor(
    private readonly bus: MessageBus,
    private readonly topic: string,
  ) {}

  async record(evaluation: DecisionEvaluatedRecord): Promise<void> {
    this.topicReady ??= this.bus.ensureTopics([{ topic: this.topic, partitions: 1 }]).catch((error: unknown) => {
      this.topicReady = undefined;
      throw error;
    });
    await this.topicReady;
    await this.bus.publish(this.topic, [decisionEvaluatedMessageOf(evaluation)]);
  }
}
