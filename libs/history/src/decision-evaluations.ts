import { type DecisionEvaluated, type JsonObject, type JsonValue, TOPICS, validateDecisionEvaluated } from '@trellis/contracts';
import { asJson, type MessageBus, RetryingSubscription, type RetryingSubscriptionStatus } from '@trellis/messaging';
import type { DataSource } from 'typeorm';

/** The group that reads the decision evaluations (its own: a history rebuild does not move it). */
export const DECISION_EVALUATIONS_GROUP = 'trellis.history-service.decision-evaluations';

export interface DecisionEvaluationsConsumerOptions {
  /** Default `trellis.history-service.decision-evaluations`. */
  readonly groupId?: string;
  /** Default `trellis.decision-evaluations.v1`. */
  readonly topic?: string;
  /** Default the bus's (`trellis.dead-letter.v1`). */
  readonly deadLetterTopic?: string;
  readonly logger?: { warn(message: string): void };
}

/**
 * Keeps every `DecisionEvaluated` the dmn-service publishes in `decision_evaluations`: one row per id, the first kept
 * (a redelivered or republished record changes nothing). A malformed record goes to the dead-letter topic with the
 * reason; a failed insert is retried by the bus. Subscribes with backoff until the topic exists.
 */
export class DecisionEvaluationsConsumer {
  readonly groupId: string;
  readonly topic: string;
  private readonly subscription: RetryingSubscription<DecisionEvaluated>;

  constructor(bus: MessageBus, dataSource: DataSource, options: DecisionEvaluationsConsumerOptions = {}) {
    this.groupId = options.groupId ?? DECISION_EVALUATIONS_GROUP;
    this.topic = options.topic ?? TOPICS.decisionEvaluations;
    this.subscription = new RetryingSubscription<DecisionEvaluated>({
      bus,
      subscribe: {
        topics: this.topic,
        groupId: this.groupId,
        fromBeginning: true,
        decode: asJson(validateDecisionEvaluated),
        handler: (evaluation) => insertEvaluation(dataSource, evaluation),
        ...(options.deadLetterTopic === undefined ? {} : { deadLetterTopic: options.deadLetterTopic }),
      },
      backoff: { initialDelayMs: 1_000, maxDelayMs: 30_000 },
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  status(): RetryingSubscriptionStatus {
    return this.subscription.status();
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }
}

async function insertEvaluation(dataSource: DataSource, evaluation: DecisionEvaluated): Promise<void> {
  await dataSource.query(
    `INSERT INTO decision_evaluations (id, decision_id, decision_definition_id, version, process_instance_id, element_instance_id, job_id, inputs, output,
      matched_rules, evaluated_decisions, failed, failure_reason, evaluated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
      ON CONFLICT (id) DO NOTHING`,
    [
      evaluation.id,
      evaluation.decisionId,
      evaluation.decisionDefinitionId,
      evaluation.version,
      evaluation.processInstanceId ?? null,
      evaluation.elementInstanceId ?? null,
      evaluation.jobId ?? null,
      JSON.stringify(evaluation.inputs),
      JSON.stringify(evaluation.output),
      JSON.stringify(evaluation.matchedRules),
      JSON.stringify(evaluation.evaluatedDecisions),
      evaluation.failed,
      evaluation.failureReason ?? null,
      evaluation.evaluatedAt,
    ],
  );
}

export interface DecisionEvaluationFilter {
  readonly decisionId?: string;
  readonly processInstanceId?: string;
  readonly failed?: boolean;
  readonly limit?: number;
  readonly offset?: number;
}

export interface DecisionEvaluationPage {
  readonly items: readonly DecisionEvaluated[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

interface DecisionEvaluationRow {
  readonly id: string;
  readonly decision_id: string;
  readonly decision_definition_id: string;
  readonly version: number;
  readonly process_instance_id: string | null;
  readonly element_instance_id: string | null;
  readonly job_id: string | null;
  readonly inputs: JsonObject;
  readonly output: JsonValue;
  readonly matched_rules: DecisionEvaluated['matchedRules'];
  readonly evaluated_decisions: readonly string[];
  readonly failed: boolean;
  readonly failure_reason: string | null;
  readonly evaluated_at: Date;
}

/** Reads `decision_evaluations`: oldest first (ties by id), as the dmn-service published them. */
export class DecisionEvaluationQueries {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: DecisionEvaluationFilter): Promise<DecisionEvaluationPage> {
    const limit = Math.min(filter.limit ?? 100, 1000);
    const offset = filter.offset ?? 0;
    const where: string[] = [];
    const parameters: unknown[] = [];
    const add = (column: string, value: unknown): void => {
      parameters.push(value);
      where.push(`${column} = $${parameters.length}`);
    };
    if (filter.decisionId !== undefined) add('decision_id', filter.decisionId);
    if (filter.processInstanceId !== undefined) add('process_instance_id', filter.processInstanceId);
    if (filter.failed !== undefined) add('failed', filter.failed);
    const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const [counted] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM decision_evaluations ${clause}`, parameters)) as { total: number }[];
    const rows = (await this.dataSource.query(
      `SELECT * FROM decision_evaluations ${clause} ORDER BY evaluated_at, id LIMIT $${parameters.length + 1} OFFSET $${parameters.length + 2}`,
      [...parameters, limit, offset],
    )) as DecisionEvaluationRow[];
    return { items: rows.map(viewOf), total: counted?.total ?? 0, limit, offset };
  }

  async get(id: string): Promise<DecisionEvaluated | undefined> {
    const rows = (await this.dataSource.query('SELECT * FROM decision_evaluations WHERE id = $1', [id])) as DecisionEvaluationRow[];
    return rows[0] === undefined ? undefined : viewOf(rows[0]);
  }
}

function viewOf(row: DecisionEvaluationRow): DecisionEvaluated {
  return {
    id: row.id,
    decisionId: row.decision_id,
    decisionDefinitionId: row.decision_definition_id,
    version: row.version,
    ...(row.process_instance_id === null ? {} : { processInstanceId: row.process_instance_id }),
    ...(row.element_instance_id === null ? {} : { elementInstanceId: row.element_instance_id }),
    ...(row.job_id === null ? {} : { jobId: row.job_id }),
    inputs: row.inputs,
    output: row.output,
    matchedRules: row.matched_rules,
    evaluatedDecisions: row.evaluated_decisions,
    failed: row.failed,
    ...(row.failure_reason === null ? {} : { failureReason: row.failure_reason }),
    evaluatedAt: row.evaluated_at.toISOString(),
  };
}
