import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap, Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { eventEnvelopeOf } from '@trellis/contracts';
import { DECISION_JOB_HEADERS, DECISION_JOB_TYPE } from '@trellis/engine';
import type { EventStore, RecordedEvent, Subscription } from '@trellis/event-store';
import { EVENT_STORE } from '@trellis/platform';
import { CompleteJobCommand, FailJobCommand, type JobView, RuntimeProjection } from '@trellis/runtime';

import { DecisionEvaluator } from './decision-evaluator.js';
import { type DecisionJob, decisionJobCreated, jobIdOf } from './decision-jobs.js';

/**
 * Decision jobs in the standalone server, without Kafka: the same answer as the dmn-service's, given through the
 * runtime's own commands: the decision evaluated with the variables the task sees, the job completed with the result
 * in the task's result variable, or failed with no retries left (an incident on the task) when the decision is not
 * deployed or cannot be evaluated. It follows the event store from where the runtime's views are at startup: a
 * `JobCreated` of a decision job, or a `JobRetriesUpdated` (its incident resolved), is answered once the runtime's
 * views show the job open. At startup, decision jobs left open (created just before the previous run stopped) are
 * answered first.
 */
@Injectable()
export class EmbeddedDecisionJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DecisionJobs');
  private subscription: Subscription | undefined;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projection: RuntimeProjection,
    private readonly commandBus: CommandBus,
    private readonly evaluator: DecisionEvaluator,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const from = this.projection.position;
    for (const job of this.projection.activatableJobs({ type: DECISION_JOB_TYPE, limit: Number.MAX_SAFE_INTEGER })) await this.answer(decisionJobOf(job));
    this.subscription = this.store.subscribeToAll((event) => this.handle(event), {
      afterPosition: from,
      onError: (error) => this.logger.error(`Decision jobs stopped following the event store: ${String(error)}`),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
  }

  private async handle(recorded: RecordedEvent): Promise<void> {
    if (recorded.type !== 'JobCreated' && recorded.type !== 'JobRetriesUpdated') return;
    const event = eventEnvelopeOf(recorded);
    const jobId = decisionJobCreated(event)?.jobId ?? (recorded.type === 'JobRetriesUpdated' ? jobIdOf(event) : undefined);
    if (jobId === undefined || event.processInstanceId === undefined) return;
    // The runtime's views follow the store on their own subscription: the job is looked up once they include it.
    await this.projection.waitForPosition(recorded.position);
    const job = this.projection.activatableJobs({ processInstanceId: event.processInstanceId, type: DECISION_JOB_TYPE }).find((open) => open.id === jobId);
    if (job === undefined) return;
    await this.answer(decisionJobOf(job));
  }

  private async answer(job: DecisionJob): Promise<void> {
    try {
      const answer = await this.evaluator.answer(job);
      if (answer.kind === 'complete') {
        await this.commandBus.execute(new CompleteJobCommand(job.jobId, answer.variables));
        this.logger.log(`Decision job ${job.jobId} of process instance ${job.processInstanceId}: decision '${job.decisionId}' evaluated`);
      } else {
        await this.commandBus.execute(new FailJobCommand(job.jobId, 0, answer.errorMessage));
        this.logger.log(`Decision job ${job.jobId} of process instance ${job.processInstanceId} failed: ${answer.errorMessage}`);
      }
    } catch (error) {
      // A worker completed the job meanwhile, or the instance was canceled: nothing is left to answer.
      this.logger.warn(`Decision job ${job.jobId} could not be answered: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** An open decision job of the runtime's views, with the variables its task sees now (a resolved incident may have set some). */
function decisionJobOf(job: JobView): DecisionJob {
  return {
    jobId: job.id,
    processInstanceId: job.processInstanceId,
    elementInstanceId: job.elementInstanceId,
    decisionId: job.customHeaders[DECISION_JOB_HEADERS.decisionId] ?? '',
    headers: job.customHeaders,
    variables: job.variables,
  };
}
