import type { JobCanceled, JobCompleted, JobCreated, JobErrorThrown, JobFailed, JobRetriesUpdated } from '../process-instance-events.js';
import type { JobState } from '../process-instance-state.js';
import type { Draft } from './draft.js';

export function applyJobCreated(draft: Draft, { data }: JobCreated): void {
  draft.jobs[data.jobId] = {
    id: data.jobId,
    type: data.type,
    retries: data.retries,
    elementInstanceId: data.elementInstanceId,
    elementId: data.elementId,
    customHeaders: data.customHeaders,
    ...(data.priority === undefined ? {} : { priority: data.priority }),
    ...(data.taskListener === undefined ? {} : { taskListener: data.taskListener }),
    state: 'activatable',
  };
}

export function applyJobCompleted(draft: Draft, { data }: JobCompleted): void {
  delete draft.jobs[data.jobId];
}

/** A job with retries left stays activatable (from `retryAt` on); with none left it waits for its incident. */
export function applyJobFailed(draft: Draft, { data }: JobFailed): void {
  const job = draft.jobs[data.jobId];
  if (job === undefined) return;
  const { retryAt: _previous, ...rest } = job;
  const failed: JobState = {
    ...rest,
    retries: data.retries,
    errorMessage: data.errorMessage,
    state: data.retries > 0 ? 'activatable' : 'failed',
    ...(data.retryAt === undefined ? {} : { retryAt: data.retryAt }),
  };
  draft.jobs[data.jobId] = failed;
}

export function applyJobRetriesUpdated(draft: Draft, { data }: JobRetriesUpdated): void {
  const job = draft.jobs[data.jobId];
  if (job === undefined) return;
  const { retryAt: _previous, ...rest } = job;
  draft.jobs[data.jobId] = { ...rest, retries: data.retries, state: 'activatable' };
}

export function applyJobCanceled(draft: Draft, { data }: JobCanceled): void {
  delete draft.jobs[data.jobId];
}

/**
 * The worker threw an error: the job is not offered again. It stays until its element is terminated (the error was
 * caught) or its UNHANDLED_ERROR_EVENT incident is resolved (which gives it retries back, as for JOB_NO_RETRIES).
 */
export function applyJobErrorThrown(draft: Draft, { data }: JobErrorThrown): void {
  const job = draft.jobs[data.jobId];
  if (job === undefined) return;
  const { retryAt: _previous, ...rest } = job;
  draft.jobs[data.jobId] = { ...rest, errorMessage: data.errorMessage, state: 'failed' };
}
