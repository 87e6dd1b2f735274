import { Logger } from '@nestjs/common';
import { type EventEnvelope, type FailJobCommandMessage, runtimeCommandMessageOf } from '@trellis/contracts';
import type { MessageBus } from '@trellis/messaging';
import type { DataSource } from 'typeorm';

import type { DecisionCatalog } from './decision-catalog.js';
import { type DecisionJob, decisionJobCreated, failDecisionJob, jobIdOf } from './decision-jobs.js';

export interface DecisionJobResponderOptions {
  readonly dataSource: DataSource;
  readonly catalog: DecisionCatalog;
  readonly bus: MessageBus;
  /** Where the `FailJob` commands go: `TOPICS.runtimeCommands`. */
  readonly runtimeCommandsTopic: string;
  readonly now?: () => Date;
}

/**
 * Answers decision jobs from the process-instance events (distributed mode). Until the decision engine lands (issue
 * #8), a decision job is failed with no retries left, which makes the runtime raise an incident on its task: a
 * `JobCreated` of type `io.trellis.decision` is answered, and so is the `JobRetriesUpdated` of an open decision job
 * whose incident was resolved (the job is offered again). Open decision jobs are kept in `decision_jobs` for that,
 * until their `JobCompleted` or `JobCanceled`. Every step is idempotent and the command ids are derived from the job
 * (and event), so a redelivered event publishes the same command, which the runtime handles once.
 */
export class DecisionJobResponder {
  private readonly logger = new Logger('DecisionJobResponder');
  private readonly now: () => Date;

  constructor(private readonly options: DecisionJobResponderOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async handle(event: EventEnvelope): Promise<FailJobCommandMessage | undefined> {
    const { dataSource } = this.options;
    const created = decisionJobCreated(event);
    if (created !== undefined) {
      await dataSource.query('INSERT INTO decision_jobs (job_id, process_instance_id, decision_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        created.jobId,
        created.processInstanceId,
        created.decisionId,
      ]);
      return this.answer(created);
    }
    const jobId = jobIdOf(event);
    if (jobId === undefined) return undefined;
    switch (event.type) {
      case 'JobRetriesUpdated': {
        const rows: { process_instance_id: string; decision_id: string }[] = await dataSource.query(
          'SELECT process_instance_id, decision_id FROM decision_jobs WHERE job_id = $1',
          [jobId],
        );
        const row = rows[0];
        if (row === undefined) return undefined;
        return this.answer({ jobId, processInstanceId: row.process_instance_id, decisionId: row.decision_id }, event.revision);
      }
      case 'JobCompleted':
      case 'JobCanceled':
        await dataSource.query('DELETE FROM decision_jobs WHERE job_id = $1', [jobId]);
        return undefined;
      default:
        return undefined;
    }
  }

  private async answer(job: DecisionJob, offeredAgainAt?: number): Promise<FailJobCommandMessage> {
    const deployed = job.decisionId !== '' && (await this.options.catalog.isDeployed(job.decisionId));
    const command = failDecisionJob(job, deployed, { issuedAt: this.now().toISOString(), ...(offeredAgainAt === undefined ? {} : { offeredAgainAt }) });
    await this.options.bus.publish(this.options.runtimeCommandsTopic, [runtimeCommandMessageOf(command)]);
    this.logger.log(`Decision job ${job.jobId} of process instance ${job.processInstanceId} failed: ${command.errorMessage ?? ''}`);
    return command;
  }
}
