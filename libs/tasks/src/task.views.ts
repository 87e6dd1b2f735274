import type { JsonObject, JsonValue } from '@trellis/contracts';

/**
 * CREATED: open, waiting for someone. COMPLETING: a completion was sent to the runtime and not answered yet, or the
 * runtime waits for the task's completing listeners (a denial makes it CREATED again, with `deniedReason`).
 * COMPLETED: the runtime accepted a completion (its `UserTaskCompleted` arrived). CANCELED: its element was terminated
 * or its instance ended.
 */
export const TASK_STATES = ['CREATED', 'COMPLETING', 'COMPLETED', 'CANCELED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Sort keys of the task list, each optionally `:asc` (the default) or `:desc`. */
export const TASK_SORT_FIELDS = [
  'created',
  'due',
  'followUp',
  'priority',
  'name',
  'assignee',
  'category',
  'tenantId',
  'businessKey',
  'processInstanceId',
  'processDefinitionId',
  'elementId',
] as const;
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
  readonly category?: string;
  readonly tenantId?: string;
  /** The business key of the task's process instance. */
  readonly businessKey?: string;
  /** Who delegated the task (it comes back to them when resolved). */
  readonly owner?: string;
  /** PENDING once delegated, RESOLVED once the delegate resolved it. */
  readonly delegationState?: DelegationState;
  readonly createdAt: string;
  /** When it was completed or cancelled. */
  readonly completedAt?: string;
  /** While COMPLETING: the id of the `CompleteUserTask` command sent to the runtime. */
  readonly pendingCommandId?: string;
  /** Why the runtime refused the last completion (the task went back to CREATED). */
  readonly lastError?: string;
  /**
   * Why a completing task listener denied the last completion (the task went back to CREATED); gone once a completion
   * is asked for again. Empty when the listener gave no reason.
   */
  readonly deniedReason?: string;
  /** On a single open task (CREATED or COMPLETING): every variable its element sees, its own scope first. */
  readonly variables?: JsonObject;
}

export const DELEGATION_STATES = ['PENDING', 'RESOLVED'] as const;
export type DelegationState = (typeof DELEGATION_STATES)[number];

/** Who calls: a user and the groups they belong to (as the caller says: the task-service does no authentication). */
export interface TaskCaller {
  readonly userId?: string;
  readonly groups: readonly string[];
}

/** Comparisons of a variable filter (`name:op:value`). */
export const VARIABLE_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'like'] as const;
export type VariableOperator = (typeof VARIABLE_OPERATORS)[number];

/** A condition on a variable: `value` is compared as JSON (a number to numbers, a text to texts). */
export interface VariableCondition {
  readonly name: string;
  readonly operator: VariableOperator;
  readonly value: JsonValue;
}

export interface TaskFilter {
  readonly state?: TaskState;
  readonly assignee?: string;
  /** true: only tasks without an assignee; false: only tasks with one. */
  readonly unassigned?: boolean;
  readonly candidateUser?: string;
  readonly candidateGroup?: string;
  /** Tasks listing any of these groups among their candidate groups. */
  readonly candidateGroups?: readonly string[];
  /** Tasks the caller is a candidate of: as a candidate user, or through one of their groups. */
  readonly candidateOf?: TaskCaller;
  readonly processInstanceId?: string;
  readonly processDefinitionId?: string;
  readonly processId?: string;
  readonly businessKey?: string;
  readonly elementId?: string;
  readonly category?: string;
  readonly tenantId?: string;
  /** ISO 8601 times; bounds are exclusive (before/after). */
  readonly dueBefore?: string;
  readonly dueAfter?: string;
  readonly followUpBefore?: string;
  readonly followUpAfter?: string;
  /** Inclusive priority bounds. */
  readonly minPriority?: number;
  readonly maxPriority?: number;
  /** Conditions on the task's own (local) variables: every one must hold. */
  readonly taskVariables?: readonly VariableCondition[];
  /** Conditions on the process instance's variables: every one must hold. */
  readonly processVariables?: readonly VariableCondition[];
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

/** What happened to a task: the runtime's part (no actor) and every operation over the API. */
export const TASK_EVENT_TYPES = [
  'CREATED',
  'CLAIMED',
  'UNCLAIMED',
  'ASSIGNED',
  'DELEGATED',
  'RESOLVED',
  'UPDATED',
  'CANDIDATE_USER_ADDED',
  'CANDIDATE_USER_REMOVED',
  'CANDIDATE_GROUP_ADDED',
  'CANDIDATE_GROUP_REMOVED',
  'COMMENTED',
  'COMPLETION_REQUESTED',
  'COMPLETION_REJECTED',
  // A completing task listener denied a completion (data: deniedReason) / a listener corrected fields (data: the corrections).
  'COMPLETION_DENIED',
  'CORRECTED',
  'COMPLETED',
  'CANCELED',
] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export interface TaskEventView {
  /** Its position in the service's history (increasing). */
  readonly id: string;
  readonly taskId: string;
  readonly type: TaskEventType;
  /** Who did it, as the caller said; absent for what the runtime did, or for an anonymous caller. */
  readonly actor?: string;
  readonly at: string;
  /** What changed: the new values (`assignee`, `dueDate`...), the comment's id, the completion's variables. */
  readonly data: JsonObject;
}

export interface TaskCommentView {
  readonly id: string;
  readonly taskId: string;
  readonly author?: string;
  readonly message: string;
  readonly createdAt: string;
}

/** The fields `PATCH /tasks/{id}` changes; `null` clears one. */
export interface TaskUpdate {
  readonly name?: string | null;
  readonly dueDate?: string | null;
  readonly followUpDate?: string | null;
  readonly priority?: number | null;
  readonly category?: string | null;
}
