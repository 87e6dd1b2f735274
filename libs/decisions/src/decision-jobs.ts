import type { EventEnvelope, FailJobCommandMessage } from '@trellis/contracts';
import { DECISION_JOB_HEADERS, DECISION_JOB_TYPE } from '@trellis/engine';

/** Where the DMN issue is tracked: the 501 of evaluate and the incidents of decision jobs point to it. */
export const DECISION_ENGINE_ISSUE = '#8';

/** `issuedBy` of the commands the dmn-service sends. */
export const DMN_SERVICE_NAME = 'dmn-service';

/** A decision job as its events describe it. */
export interface DecisionJob {
  readonly jobId: string;
  readonly processInstanceId: string;
  /** The decision the task calls (the job's `decisionId` header). */
  readonly decisionId: string;
}

/** The decision job a `JobCreated` envelope creates; undefined for every other event and job type. */
export function decisionJobCreated(event: EventEnvelope): DecisionJob | undefined {
  if (event.type !== 'JobCreated' || event.processInstanceId === undefined) return undefined;
  const data = event.data as { jobId?: unknown; type?: unknown; customHeaders?: Record<string, unknown> } | null;
  if (data === null || typeof data !== 'object' || data.type !== DECISION_JOB_TYPE || typeof data.jobId !== 'string') return undefined;
  const decisionId = data.customHeaders?.[DECISION_JOB_HEADERS.decisionId];
  return { jobId: data.jobId, processInstanceId: event.processInstanceId, decisionId: typeof decisionId === 'string' ? decisionId : '' };
}

/** The job id of a job event (`JobRetriesUpdated`, `JobCompleted`, `JobCanceled`...), undefined for other events. */
export function jobIdOf(event: EventEnvelope): string | undefined {
  if (!event.type.startsWith('Job')) return undefined;
  const data = event.data as { jobId?: unknown } | null;
  return data !== null && typeof data === 'object' && typeof data.jobId === 'string' ? data.jobId : undefined;
}

/**
 * Why a decision job cannot be answered yet. The decision engine comes with issue #8; until then every decision job
 * fails with no retries left, so the runtime raises an incident on the task instead of leaving it waiting. A decision
 * id that is not even deployed is the more useful thing to say.
 */
export function decisionJobFailure(decisionId: string, deployed: boolean): string {
  return deployed
    ? `decision engine not available: cannot evaluate decision '${decisionId}' (the DMN engine comes with issue ${DECISION_ENGINE_ISSUE})`
    : `decision '${decisionId}' is not deployed: deploy a DMN resource that defines it, then resolve this incident`;
}

/**
 * The `FailJob` command answering a decision job. Its id is derived from the job id (and, for a job offered again
 * after its incident was resolved, from the revision of that event), so a redelivered event sends the same command and
 * the runtime handles it once.
 */
export function failDecisionJob(job: DecisionJob, deployed: boolean, options: { readonly issuedAt: string; readonly offeredAgainAt?: number }): FailJobCommandMessage {
  return {
    type: 'FailJob',
    commandId: `${DMN_SERVICE_NAME}:fail-decision-job:${job.jobId}${options.offeredAgainAt === undefined ? '' : `:${options.offeredAgainAt}`}`,
    processInstanceId: job.processInstanceId,
    issuedBy: DMN_SERVICE_NAME,
    issuedAt: options.issuedAt,
    jobId: job.jobId,
    retries: 0,
    errorMessage: decisionJobFailure(job.decisionId, deployed),
  };
}
