import { ProblemError, ProblemType } from '@trellis/platform';

import type { TaskState } from './task.views.js';

export function taskNotFound(taskId: string): ProblemError {
  return new ProblemError({ type: ProblemType.notFound, title: 'Not found', status: 404, detail: `No user task with id ${taskId}`, details: { taskId } });
}

const whyNot: Record<Exclude<TaskState, 'CREATED'>, string> = {
  COMPLETING: 'its completion was sent to the runtime and is not answered yet',
  COMPLETED: 'it is completed',
  CANCELED: 'it was cancelled',
};

/** The task is not open (CREATED), so it cannot be claimed, unclaimed or completed. */
export function taskNotOpen(taskId: string, action: string, state: Exclude<TaskState, 'CREATED'>): ProblemError {
  return new ProblemError({
    type: ProblemType.invalidState,
    title: 'Invalid state',
    status: 409,
    detail: `User task ${taskId} cannot be ${action}: ${whyNot[state]}`,
    details: { taskId, state },
  });
}

export function taskClaimedByAnother(taskId: string, assignee: string): ProblemError {
  return new ProblemError({
    type: ProblemType.conflict,
    title: 'Conflict',
    status: 409,
    detail: `User task ${taskId} is already claimed by ${assignee}: unclaim it first`,
    details: { taskId, assignee },
  });
}

/** The caller may not claim the task: it has candidates, and the caller is none of them nor in one of their groups. */
export function taskClaimForbidden(taskId: string, userId: string): ProblemError {
  return new ProblemError({
    type: ProblemType.forbidden,
    title: 'Forbidden',
    status: 403,
    detail: `User ${userId} cannot claim user task ${taskId}: they are not a candidate user nor in a candidate group`,
    details: { taskId, userId },
  });
}

/** Resolving a task that is not delegated, or completing one whose delegation is pending. */
export function taskDelegationConflict(taskId: string, action: string, delegationState: string): ProblemError {
  return new ProblemError({
    type: ProblemType.invalidState,
    title: 'Invalid state',
    status: 409,
    detail:
      delegationState === 'PENDING'
        ? `User task ${taskId} cannot be ${action}: it is delegated, and must be resolved first`
        : `User task ${taskId} cannot be ${action}: it is not delegated`,
    details: { taskId, delegationState },
  });
}

/** An operation that needs to know who calls, called anonymously. */
export function callerRequired(action: string): ProblemError {
  return new ProblemError({
    type: ProblemType.validation,
    title: 'Invalid request',
    status: 400,
    detail: `Who ${action} must be given: the X-Trellis-User header or the userId field`,
    errors: [{ field: 'userId', message: 'userId (or the X-Trellis-User header) is required' }],
  });
}
