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
