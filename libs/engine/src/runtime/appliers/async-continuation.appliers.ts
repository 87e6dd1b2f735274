import type {
  AsyncContinuationCanceled,
  AsyncContinuationCreated,
  AsyncContinuationExecuted,
  AsyncContinuationFailed,
  AsyncContinuationRetriesUpdated,
} from '../process-instance-events.js';
import type { Draft } from './draft.js';

export function applyAsyncContinuationCreated(draft: Draft, { data }: AsyncContinuationCreated): void {
  draft.asyncContinuations[data.continuationId] = {
    id: data.continuationId,
    elementInstanceId: data.elementInstanceId,
    elementId: data.elementId,
    phase: data.phase,
    dueAt: data.dueAt,
    retries: data.retries,
    ...(data.retryTimeCycle === undefined ? {} : { retryTimeCycle: data.retryTimeCycle }),
    priority: data.priority,
    exclusive: data.exclusive,
    createdAt: data.createdAt,
    state: 'waiting',
  };
}

/** Ran or canceled: a continuation runs once. */
export function applyAsyncContinuationEnded(draft: Draft, { data }: AsyncContinuationExecuted | AsyncContinuationCanceled): void {
  delete draft.asyncContinuations[data.continuationId];
}

export function applyAsyncContinuationFailed(draft: Draft, { data }: AsyncContinuationFailed): void {
  const continuation = draft.asyncContinuations[data.continuationId];
  if (continuation === undefined) return;
  draft.asyncContinuations[data.continuationId] = {
    ...continuation,
    retries: data.retries,
    dueAt: data.dueAt,
    errorMessage: data.errorMessage,
    state: data.retries > 0 ? 'waiting' : 'failed',
  };
}

export function applyAsyncContinuationRetriesUpdated(draft: Draft, { data }: AsyncContinuationRetriesUpdated): void {
  const continuation = draft.asyncContinuations[data.continuationId];
  if (continuation === undefined) return;
  draft.asyncContinuations[data.continuationId] = { ...continuation, retries: data.retries, dueAt: data.dueAt, state: 'waiting' };
}
