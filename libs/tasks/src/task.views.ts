import type { JsonObject } from '@trellis/contracts';

/**
 * CREATED: open, waiting for someone. COMPLETING: a completion was sent to the runtime and not answered yet.
 * COMPLETED: the runtime accepted a completion (its `UserTaskCompleted` arrived). CANCELED: its element was terminated
 * or its instance ended.
 */
export const TASK_STATES = ['CREATED', 'COMPLETING', 'COMPLETED', 'CANCELED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Sort keys of the task list, each optionally `:asc` (the default) or `:desc`. */
export const TASK_SORT_FIELDS = ['created', 'due', 'priority'] as const;
export type TaskSortField = (typeof TASK_SORT_FIELDS)[number];
export const TASK_SORTS = TASK_SORT_FIELDS.flatMap((field) => [field, `${field}:asc`, `${field}:desc`] as const);
export type TaskSort = (typeof TASK_SORTS)[number];

export interface TaskView {
  readonly id: string;
  readonly name?: string;
  readonly state: TaskState;
  readonly processInstanceId: string;
  readonly processDefinitionId: string;
  readonly processId: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly assignee?: string;
  readonly candidateUsers: readonly string[];
  readonly candidateGroups: readonly string[];
  readonly dueDate?: string;
  readonly followUpDate?: string;
  readonly priority?: number;
  readonly formKey?: string;
  readonly formId?: string;
  readonly createdAt: string;
  /** When it was completed or cancelled. */
  readonly completedAt?: string;
  /** While COMPLETING: the id of the `CompleteUserTask` command sent to the runtime. */
  readonly pendingCommandId?: string;
  /** Why the runtime refused the last completion (the task went back to CREATED). */
  readonly lastError?: string;
  /** On a single open task (CREATED or COMPLETING): every variable its element sees, its own scope first. */
  readonly variables?: JsonObject;
}

export interface TaskFilter {
  readonly state?: TaskState;
  readonly assignee?: string;
  readonly candidateUser?: string;
  readonly candidateGroup?: string;
  readonly processInstanceId?: string;
  readonly processDefinitionId?: string;
  readonly elementId?: string;
  readonly sort?: TaskSort;
  readonly limit?: number;
  readonly offset?: number;
}

export interface TaskPage {
  readonly items: readonly TaskView[];
  /** Tasks matching the filter, in all pages. */
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}
