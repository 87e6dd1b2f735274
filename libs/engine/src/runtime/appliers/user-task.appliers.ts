import type {
  UserTaskCanceled,
  UserTaskCompleted,
  UserTaskCompleting,
  UserTaskCompletionDenied,
  UserTaskCorrected,
  UserTaskCreated,
} from '../process-instance-events.js';
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

export function applyUserTaskCompleting(draft: Draft, { data }: UserTaskCompleting): void {
  const task = draft.userTasks[data.userTaskId];
  if (task === undefined) return;
  const { deniedReason: _previous, ...rest } = task;
  draft.userTasks[data.userTaskId] = { ...rest, completing: { variables: data.variables } };
}

export function applyUserTaskCorrected(draft: Draft, { data }: UserTaskCorrected): void {
  const task = draft.userTasks[data.userTaskId];
  if (task === undefined) return;
  draft.userTasks[data.userTaskId] = { ...task, ...data.corrections };
}

export function applyUserTaskCompletionDenied(draft: Draft, { data }: UserTaskCompletionDenied): void {
  const task = draft.userTasks[data.userTaskId];
  if (task === undefined) return;
  const { completing: _dropped, ...rest } = task;
  draft.userTasks[data.userTaskId] = { ...rest, deniedReason: data.deniedReason };
}
