import { Logger } from '@nestjs/common';
import { type CompleteJobCommandMessage, type EventEnvelope, type FailJobCommandMessage, type JsonObject, runtimeCommandMessageOf } from '@trellis/contracts';
import type { MessageBus } from '@trellis/messaging';
import type { DataSource } from 'typeorm';

import type { DecisionEvaluator } from './decision-evaluator.js';
import { type DecisionJob, completeDecisionJob, decisionJobCreated, failDecisionJob, jobIdOf } from './decision-jobs.js';

export interface DecisionJobResponderOptions {
  readonly dataSource: DataSource;
  readonly evaluator: DecisionEvaluator;
  readonly bus: MessageBus;
  /** Where the `CompleteJob` and `FailJob` commands go: `TOPICS.runtimeCommands`. */
  readonly runtimeCommandsTopic: string;
  readonly now?: () => Date;
}

interface DecisionJobRow {
  readonly process_instance_id: string;
  readonly decision_id: string;
  readonly headers: Record<string, string>;
  readonly variables: JsonObject;
}

/**
 * Answers decision jobs from the process-instance events (distributed mode): a `JobCreated` of type
 * `io.trellis.decision` is evaluated with the variables it carries and answered with a `CompleteJob` (the result in the
 * task's result variable) or, when the decision is not deployed or cannot be evaluated, a `FailJob` with no retries
 * left, which makes the runtime raise an incident on the task that says why. The `JobRetriesUpdated` of an open decision
 * job whose incident was resolved is answered again (with the variables of its `JobCreated`). Open decision jobs are
 * kept in `decision_jobs` for that, until their `JobCompleted` or `JobCanceled`. Every step is idempotent and the
 * command ids are derived from the job (and event), so a redelivered event publishes the same command, which the
 * runtime handles once.
 */
export class DecisionJobResponder {
  private readonly logger = new Logger('DecisionJobResponder');
  private readonly now: () => Date;

  constructor(private readonly options: DecisionJobResponderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async handle(event: EventEnvelope): Promise<CompleteJobCommandMessage | FailJobCommandMessage | undefined> {
    const { dataSource } = this.options;
    const created = decisionJobCreated(event);
    if (created !== undefined) {
      await dataSource.query(
        'INSERT INTO decision_jobs (job_id, process_instance_id, decision_id, headers, variables) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [created.jobId, created.processInstanceId, created.decisionId, JSON.stringify(created.headers), JSON.stringify(created.variables)],
      );
      return this.answer(created);
    }
    const jobId = jobIdOf(event);
    if (jobId === undefined) return undefined;
    switch (event.type) {
      case 'JobRetriesUpdated': {
        const rows: DecisionJobRow[] = await dataSource.query(
          'SELECT process_instance_id, decision_id, headers, variables FROM decision_jobs WHERE job_id = $1',
          [jobId],
        );
        const row = rows[0];
        if (row === undefined) return undefined;
        return this.answer({ jobId, processInstanceId: row.process_instance_id, decisionId: row.decision_id, headers: row.headers, variables: row.variables }, event.revision);
      }
      case 'JobCompleted':
      case 'JobCanceled':
        await dataSource.query('DELETE FROM decision_jobs WHERE job_id = $1', [jobId]);
        return undefined;
      default:
        return undefined;
    }
  }

  private async answer(job: DecisionJob, offeredAgainAt?: number): Promise<CompleteJobCommandMessage | FailJobCommandMessage> {
    // The record's id is the job's (and the re-offer's): a redelivered event evaluated again publishes the same record.
    const answer = await this.options.evaluator.answer(job, offeredAgainAt === undefined ? job.jobId : `${job.jobId}:${offeredAgainAt}`);
    const options = { issuedAt: this.now().toISOString(), ...(offeredAgainAt === undefined ? {} : { offeredAgainAt }) };
    const command = answer.kind === 'complete' ? completeDecisionJob(job, answer.variables, options) : failDecisionJob(job, answer.errorMessage, options);
    await this.options.bus.publish(this.options.runtimeCommandsTopic, [runtimeCommandMessageOf(command)]);
    if (answer.kind === 'complete') this.logger.log(`Decision job ${job.jobId} of process instance ${job.processInstanceId}: decision '${job.decisionId}' evaluated`);
    else this.logger.log(`Decision job ${job.jobId} of process instance ${job.processInstanceId} failed: ${answer.errorMessage}`);
    return command;
  }
}
