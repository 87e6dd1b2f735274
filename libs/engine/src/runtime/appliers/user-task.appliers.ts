import type { UserTaskCanceled, UserTaskCompleted, UserTaskCreated } from '../process-instance-events.js';
import type { Draft } from './draft.js';

export function applyUserTaskCreated(draft: Draft, { data }: UserTaskCreated): void {
  const { userTaskId, ...task } = data;
  draft.userTasks[userTaskId] = { id: userTaskId, ...task, state: 'created' };
}

export function applyUserTaskCompleted(draft: Draft, { data }: UserTaskCompleted): void {
  delete draft.userTasks[data.userTaskId];
}

export function applyUserTaskCanceled(draft: Draft, { data }: UserTaskCanceled): void {
  delete draft.userTasks[data.userTaskId];
}
