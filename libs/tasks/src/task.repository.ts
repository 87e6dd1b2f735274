import {
  type CompleteUserTaskCommandMessage,
  type JsonObject,
  type RuntimeCommandResult,
  describeProblems,
  validateRuntimeCommand,
} from '@trellis/contracts';
import { inTransaction } from '@trellis/persistence';
import { ProblemError, ProblemType } from '@trellis/platform';
import type { DataSource, EntityManager } from 'typeorm';

import { taskClaimForbidden, taskClaimedByAnother, taskDelegationConflict, taskNotFound, taskNotOpen } from './task-problems.js';
import type {
  DelegationState,
  TaskCaller,
  TaskCommentView,
  TaskEventType,
  TaskEventView,
  TaskFilter,
  TaskPage,
  TaskSortField,
  TaskState,
  TaskUpdate,
  TaskView,
  VariableCondition,
} from './task.views.js';

/** A row of `user_tasks` as pg returns it. */
interface UserTaskRow {
  readonly id: string;
  readonly process_instance_id: string;
  readonly process_definition_id: string;
  readonly process_id: string;
  readonly element_id: string;
  readonly element_instance_id: string;
  readonly name: string | null;
  readonly assignee: string | null;
  readonly candidate_users: string[];
  readonly candidate_groups: string[];
  readonly due_date: string | null;
  readonly follow_up_date: string | null;
  readonly priority: number | null;
  readonly form_key: string | null;
  readonly form_id: string | null;
  readonly category: string | null;
  readonly tenant_id: string | null;
  readonly business_key: string | null;
  readonly owner: string | null;
  readonly delegation_state: DelegationState | null;
  readonly state: TaskState;
  readonly created_at: Date;
  readonly completed_at: Date | null;
  readonly pending_command_id: string | null;
  readonly last_error: string | null;
  readonly denied_reason: string | null;
}

const COLUMNS = `id, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, name, assignee,
  candidate_users, candidate_groups, due_date, follow_up_date, priority, form_key, form_id, category, tenant_id, business_key,
  owner, delegation_state, state, created_at, completed_at, pending_command_id, last_error, denied_reason`;

export const DEFAULT_PAGE_SIZE = 100;

/** The column each sort key orders by (tasks without a value last, ties in creation order). */
const SORT_COLUMNS: Record<Exclude<TaskSortField, 'created'>, string> = {
  due: 'due_at',
  followUp: 'follow_up_at',
  priority: 'priority',
  name: 'name',
  assignee: 'assignee',
  category: 'category',
  tenantId: 'tenant_id',
  businessKey: 'business_key',
  processInstanceId: 'process_instance_id',
  processDefinitionId: 'process_definition_id',
  elementId: 'element_id',
};

function orderBy(field: TaskSortField, direction: 'ASC' | 'DESC'): string {
  if (field === 'created') return `created_at ${direction}, seq ${direction}`;
  return `${SORT_COLUMNS[field]} ${direction} NULLS LAST, created_at, seq`;
}

export interface CompletionRequest {
  readonly taskId: string;
  readonly variables?: JsonObject;
  /** The command's id: unique, so the runtime handles a command published twice only once. */
  readonly commandId: string;
  /** The sender named in the command (`issuedBy`). */
  readonly issuedBy: string;
  readonly issuedAt: Date;
  /** The caller's id of this request (`Idempotency-Key`): a repeat answers what the first answered. */
  readonly requestId?: string;
  /** Who completes it, for the task's history. */
  readonly actor?: string;
}

/** What one operation does to a task: the columns it sets and the event that records it (nothing when unchanged). */
interface TaskChange {
  readonly set: Readonly<Record<string, unknown>>;
  readonly type: TaskEventType;
  readonly data: JsonObject;
}

/**
 * The task-service's reads and writes of `user_tasks` outside the projection: queries, claims, completion requests
 * (with their outbox row, in one transaction) and the runtime's answers to them.
 */
export class TaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One task; an open one with the variables its element sees. */
  async get(taskId: string): Promise<TaskView | undefined> {
    const rows: UserTaskRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM user_tasks WHERE id = $1`, [taskId]);
    if (rows.length === 0) return undefined;
    return this.withVariables(this.dataSource.manager, rows[0]);
  }

  async list(filter: TaskFilter): Promise<TaskPage> {
    const { count, page, limit, offset } = taskListQueries(filter);
    return inTransaction(
      this.dataSource,
      async (manager) => {
        const counted: { total: number }[] = await manager.query(count.sql, count.parameters);
        const rows: UserTaskRow[] = await manager.query(page.sql, page.parameters);
        return { items: rows.map((row) => viewOf(row)), total: counted[0].total, limit, offset };
      },
      // The count and the page from one snapshot.
      { isolationLevel: 'REPEATABLE READ' },
    );
  }

  /**
   * Makes the caller the assignee of an open task. A task with candidates can be claimed only by one of its candidate
   * users or a member of one of its candidate groups (403 otherwise); one without, by anyone. Claiming a task again
   * for its assignee changes nothing; a task someone else holds answers 409.
   */
  async claim(taskId: string, caller: TaskCaller & { readonly userId: string }): Promise<TaskView> {
    return this.change(taskId, 'claimed', caller.userId, (row) => {
      if (row.assignee === caller.userId) return undefined;
      if (row.assignee !== null) throw taskClaimedByAnother(taskId, row.assignee);
      const hasCandidates = row.candidate_users.length > 0 || row.candidate_groups.length > 0;
      const isCandidate = row.candidate_users.includes(caller.userId) || caller.groups.some((group) => row.candidate_groups.includes(group));
      if (hasCandidates && !isCandidate) throw taskClaimForbidden(taskId, caller.userId);
      return { set: { assignee: caller.userId }, type: 'CLAIMED', data: { assignee: caller.userId } };
    });
  }

  /** Removes the assignee of an open task. */
  async unclaim(taskId: string, actor?: string): Promise<TaskView> {
    return this.change(taskId, 'unclaimed', actor, (row) =>
      row.assignee === null ? undefined : { set: { assignee: null }, type: 'UNCLAIMED', data: { previousAssignee: row.assignee } },
    );
  }

  /** Sets (or, with null, removes) the assignee of an open task, whoever holds it. */
  async assign(taskId: string, assignee: string | null, actor?: string): Promise<TaskView> {
    return this.change(taskId, 'assigned', actor, (row) =>
      row.assignee === assignee
        ? undefined
        : { set: { assignee }, type: 'ASSIGNED', data: { assignee, ...(row.assignee === null ? {} : { previousAssignee: row.assignee }) } },
    );
  }

  /**
   * Delegates an open task to `delegate` (as Camunda 7 does): its assignee becomes the owner (unless it has one
   * already), the delegate its assignee, and its delegation PENDING until the delegate resolves it.
   */
  async delegate(taskId: string, delegate: string, actor?: string): Promise<TaskView> {
    return this.change(taskId, 'delegated', actor, (row) => {
      const owner = row.owner ?? row.assignee;
      return { set: { owner, assignee: delegate, delegation_state: 'PENDING' }, type: 'DELEGATED', data: { assignee: delegate, owner } };
    });
  }

  /** Hands a delegated task back to its owner: the owner is its assignee again, its delegation RESOLVED. */
  async resolve(taskId: string, actor?: string): Promise<TaskView> {
    return this.change(taskId, 'resolved', actor, (row) => {
      if (row.delegation_state !== 'PENDING') throw taskDelegationConflict(taskId, 'resolved', row.delegation_state ?? 'none');
      return { set: { assignee: row.owner, delegation_state: 'RESOLVED' }, type: 'RESOLVED', data: { assignee: row.owner } };
    });
  }

  /** Changes the name, due date, follow-up date, priority or category of an open task (`null` clears one). */
  async update(taskId: string, update: TaskUpdate, actor?: string): Promise<TaskView> {
    return this.change(taskId, 'updated', actor, () => {
      const set: Record<string, unknown> = {};
      const data: JsonObject = {};
      if (update.name !== undefined) set.name = data.name = update.name;
      if (update.dueDate !== undefined) {
        set.due_date = data.dueDate = update.dueDate;
        set.due_at = update.dueDate === null ? null : new Date(update.dueDate).toISOString();
      }
      if (update.followUpDate !== undefined) {
        set.follow_up_date = data.followUpDate = update.followUpDate;
        set.follow_up_at = update.followUpDate === null ? null : new Date(update.followUpDate).toISOString();
      }
      if (update.priority !== undefined) set.priority = data.priority = update.priority;
      if (update.category !== undefined) set.category = data.category = update.category;
      return Object.keys(set).length === 0 ? undefined : { set, type: 'UPDATED', data };
    });
  }

  async addCandidateUser(taskId: string, userId: string, actor?: string): Promise<TaskView> {
    return this.change(taskId, 'changed', actor, (row) =>
      row.candidate_users.includes(userId)
        ? undefined
        : { set: { candidate_users: [...row.candidate_users, userId] }, type: 'CANDIDATE_USER_ADDED', data: { userId } },
    );
  }

  async removeCandidateUser(taskId: string, userId: string, actor?: string): Promise<TaskView> {
    return this.change(taskId, 'changed', actor, (row) =>
      row.candidate_users.includes(userId)
        ? { set: { candidate_users: row.candidate_users.filter((user) => user !== userId) }, type: 'CANDIDATE_USER_REMOVED', data: { userId } }
        : undefined,
    );
  }

  async addCandidateGroup(taskId: string, groupId: string, actor?: string): Promise<TaskView> {
    return this.change(taskId, 'changed', actor, (row) =>
      row.candidate_groups.includes(groupId)
        ? undefined
        : { set: { candidate_groups: [...row.candidate_groups, groupId] }, type: 'CANDIDATE_GROUP_ADDED', data: { groupId } },
    );
  }

  async removeCandidateGroup(taskId: string, groupId: string, actor?: string): Promise<TaskView> {
    return this.change(taskId, 'changed', actor, (row) =>
      row.candidate_groups.includes(groupId)
        ? { set: { candidate_groups: row.candidate_groups.filter((group) => group !== groupId) }, type: 'CANDIDATE_GROUP_REMOVED', data: { groupId } }
        : undefined,
    );
  }

  /** Adds a comment to a task, in any state (the log of a closed task stays open for remarks), and records it. */
  async addComment(taskId: string, comment: { readonly id: string; readonly message: string; readonly author?: string }): Promise<TaskCommentView> {
    return inTransaction(this.dataSource, async (manager) => {
      await this.lock(manager, taskId);
      const [row] = returned<CommentRow>(
        await manager.query(`INSERT INTO task_comments (id, task_id, author, message, created_at) VALUES ($1, $2, $3, $4, now()) RETURNING ${COMMENT_COLUMNS}`, [
          comment.id,
          taskId,
          comment.author ?? null,
          comment.message,
        ]),
      );
      await recordEvent(manager, taskId, 'COMMENTED', comment.author, { commentId: comment.id });
      return commentOf(row);
    });
  }

  /** The comments of a task, oldest first (404 for an unknown task). */
  async comments(taskId: string): Promise<TaskCommentView[]> {
    await this.requireTask(taskId);
    const rows: CommentRow[] = await this.dataSource.query(`SELECT ${COMMENT_COLUMNS} FROM task_comments WHERE task_id = $1 ORDER BY seq`, [taskId]);
    return rows.map(commentOf);
  }

  /** Everything that happened to a task, oldest first (404 for an unknown task). */
  async history(taskId: string): Promise<TaskEventView[]> {
    await this.requireTask(taskId);
    const rows: TaskEventRow[] = await this.dataSource.query('SELECT seq::text AS seq, task_id, type, actor, at, data FROM task_events WHERE task_id = $1 ORDER BY task_events.seq', [
      taskId,
    ]);
    return rows.map((row) => ({
      id: row.seq,
      taskId: row.task_id,
      type: row.type,
      ...(row.actor === null ? {} : { actor: row.actor }),
      at: row.at.toISOString(),
      data: row.data,
    }));
  }

  /**
   * Marks an open task COMPLETING and stores its `CompleteUserTask` command in the outbox, in one transaction: the
   * command is published by the outbox publisher after the commit, so it is sent if and only if the state changed.
   */
  async requestCompletion(request: CompletionRequest): Promise<TaskView> {
    return inTransaction(this.dataSource, async (manager) => {
      const row = await this.lock(manager, request.taskId);
      // Looked up under the task's lock: a repeat sent while the first is being handled waits for its answer.
      if (request.requestId !== undefined) {
        const answered: { response: TaskView }[] = await manager.query('SELECT response FROM task_completion_requests WHERE task_id = $1 AND request_id = $2', [
          request.taskId,
          request.requestId,
        ]);
        if (answered.length > 0) return answered[0].response;
      }
      if (row.state !== 'CREATED') throw taskNotOpen(request.taskId, 'completed', row.state);
      if (row.delegation_state === 'PENDING') throw taskDelegationConflict(request.taskId, 'completed', 'PENDING');
      const command: CompleteUserTaskCommandMessage = {
        type: 'CompleteUserTask',
        commandId: request.commandId,
        processInstanceId: row.process_instance_id,
        issuedBy: request.issuedBy,
        issuedAt: request.issuedAt.toISOString(),
        userTaskId: row.id,
        ...(request.variables === undefined ? {} : { variables: request.variables }),
      };
      // The request validation lets through nothing the contract refuses; this keeps the outbox free of messages
      // the runtime would dead-letter, should the two ever disagree.
      const checked = validateRuntimeCommand(command);
      if (!checked.ok) {
        throw new ProblemError({
          type: ProblemType.invalidArgument,
          title: 'Invalid argument',
          status: 400,
          detail: `The completion cannot be sent to the runtime: ${describeProblems(checked.problems)}`,
          errors: checked.problems.map((problem) => ({ field: problem.path, message: problem.message })),
        });
      }
      const [updated] = returned<UserTaskRow>(
        await manager.query(`UPDATE user_tasks SET state = 'COMPLETING', pending_command_id = $2, last_error = NULL, denied_reason = NULL
           WHERE id = $1 RETURNING ${COLUMNS}`, [
          row.id,
          request.commandId,
        ]),
      );
      await manager.query('INSERT INTO task_outbox (command_id, message) VALUES ($1, $2::jsonb)', [request.commandId, JSON.stringify(checked.value)]);
      await recordEvent(manager, row.id, 'COMPLETION_REQUESTED', request.actor, {
        commandId: request.commandId,
        ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
        variables: request.variables ?? {},
      });
      const view = await this.withVariables(manager, updated);
      if (request.requestId !== undefined) {
        await manager.query('INSERT INTO task_completion_requests (task_id, request_id, response) VALUES ($1, $2, $3::jsonb)', [
          row.id,
          request.requestId,
          JSON.stringify(view),
        ]);
      }
      return view;
    });
  }

  /**
   * The runtime's answer to a command. A rejected completion of this service puts its task back to CREATED with the
   * reason in `lastError`; an accepted one changes nothing here (the task is COMPLETED when `UserTaskCompleted`
   * arrives). Answers to commands this service did not send, or no longer waits for, are ignored.
   * Returns whether a task changed.
   */
  async applyCommandResult(result: RuntimeCommandResult): Promise<boolean> {
    if (result.commandType !== 'CompleteUserTask' || result.outcome !== 'rejected') return false;
    const lastError = result.detail ?? `The runtime rejected the completion (${result.rejection ?? 'rejected'})`;
    return inTransaction(this.dataSource, async (manager) => {
      const updated = returned<{ id: string }>(
        await manager.query(
          `UPDATE user_tasks SET state = 'CREATED', pending_command_id = NULL, last_error = $2
           WHERE pending_command_id = $1 AND state = 'COMPLETING' RETURNING id`,
          [result.commandId, lastError],
        ),
      );
      for (const { id } of updated) await recordEvent(manager, id, 'COMPLETION_REJECTED', undefined, { commandId: result.commandId, reason: lastError });
      return updated.length > 0;
    });
  }

  /**
   * One operation on an open task, in one transaction: the task locked, refused with 409 unless CREATED, changed as
   * `decide` says and the change recorded in its history. `decide` answers undefined when nothing changes (the task
   * is answered as it is, and nothing is recorded).
   */
  private async change(taskId: string, action: string, actor: string | undefined, decide: (row: UserTaskRow) => TaskChange | undefined): Promise<TaskView> {
    return inTransaction(this.dataSource, async (manager) => {
      const row = await this.lock(manager, taskId);
      if (row.state !== 'CREATED') throw taskNotOpen(taskId, action, row.state);
      const decided = decide(row);
      if (decided === undefined) return this.withVariables(manager, row);
      const columns = Object.keys(decided.set);
      const [updated] = returned<UserTaskRow>(
        await manager.query(`UPDATE user_tasks SET ${columns.map((column, index) => `${column} = $${index + 2}`).join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, [
          taskId,
          ...columns.map((column) => decided.set[column]),
        ]),
      );
      await recordEvent(manager, taskId, decided.type, actor, decided.data);
      return this.withVariables(manager, updated);
    });
  }

  private async requireTask(taskId: string): Promise<void> {
    const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM user_tasks WHERE id = $1', [taskId]);
    if (rows.length === 0) throw taskNotFound(taskId);
  }

  private async lock(manager: EntityManager, taskId: string): Promise<UserTaskRow> {
    const rows: UserTaskRow[] = await manager.query(`SELECT ${COLUMNS} FROM user_tasks WHERE id = $1 FOR UPDATE`, [taskId]);
    if (rows.length === 0) throw taskNotFound(taskId);
    return rows[0];
  }

  private async withVariables(manager: EntityManager, row: UserTaskRow): Promise<TaskView> {
    if (row.state !== 'CREATED' && row.state !== 'COMPLETING') return viewOf(row);
    return viewOf(row, await visibleVariables(manager, row.element_instance_id));
  }
}

/** A statement and its parameters. */
export interface SqlQuery {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * The two statements of a page of the task list: the count of all matching tasks and the page itself (exported for
 * the list benchmark, which shows their plans).
 */
export function taskListQueries(filter: TaskFilter): { readonly count: SqlQuery; readonly page: SqlQuery; readonly limit: number; readonly offset: number } {
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  const where = (condition: (parameter: string) => string, value: unknown): void => {
    parameters.push(value);
    conditions.push(condition(`$${parameters.length}`));
  };
  const parameter = (value: unknown): string => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  if (filter.state !== undefined) where((p) => `state = ${p}`, filter.state);
  if (filter.assignee !== undefined) where((p) => `assignee = ${p}`, filter.assignee);
  if (filter.unassigned !== undefined) conditions.push(filter.unassigned ? 'assignee IS NULL' : 'assignee IS NOT NULL');
  if (filter.candidateUser !== undefined) where((p) => `candidate_users @> ARRAY[${p}]::text[]`, filter.candidateUser);
  if (filter.candidateGroup !== undefined) where((p) => `candidate_groups @> ARRAY[${p}]::text[]`, filter.candidateGroup);
  if (filter.candidateGroups !== undefined) where((p) => `candidate_groups && ${p}::text[]`, filter.candidateGroups);
  if (filter.candidateOf !== undefined) {
    const { userId, groups } = filter.candidateOf;
    const byUser = userId === undefined ? 'false' : `candidate_users @> ARRAY[${parameter(userId)}]::text[]`;
    conditions.push(`(${byUser} OR candidate_groups && ${parameter(groups)}::text[])`);
  }
  if (filter.processInstanceId !== undefined) where((p) => `process_instance_id = ${p}`, filter.processInstanceId);
  if (filter.processDefinitionId !== undefined) where((p) => `process_definition_id = ${p}`, filter.processDefinitionId);
  if (filter.processId !== undefined) where((p) => `process_id = ${p}`, filter.processId);
  if (filter.businessKey !== undefined) where((p) => `business_key = ${p}`, filter.businessKey);
  if (filter.elementId !== undefined) where((p) => `element_id = ${p}`, filter.elementId);
  if (filter.category !== undefined) where((p) => `category = ${p}`, filter.category);
  if (filter.tenantId !== undefined) where((p) => `tenant_id = ${p}`, filter.tenantId);
  if (filter.dueBefore !== undefined) where((p) => `due_at < ${p}::timestamptz`, filter.dueBefore);
  if (filter.dueAfter !== undefined) where((p) => `due_at > ${p}::timestamptz`, filter.dueAfter);
  if (filter.followUpBefore !== undefined) where((p) => `follow_up_at < ${p}::timestamptz`, filter.followUpBefore);
  if (filter.followUpAfter !== undefined) where((p) => `follow_up_at > ${p}::timestamptz`, filter.followUpAfter);
  if (filter.minPriority !== undefined) where((p) => `priority >= ${p}`, filter.minPriority);
  if (filter.maxPriority !== undefined) where((p) => `priority <= ${p}`, filter.maxPriority);
  for (const condition of filter.taskVariables ?? []) conditions.push(variableCondition('element_instance_id', condition, parameter));
  for (const condition of filter.processVariables ?? []) conditions.push(variableCondition('process_instance_id', condition, parameter));
  const whereClause = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
  const [field, direction] = (filter.sort ?? 'created').split(':') as [TaskSortField, string | undefined];
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
  const offset = filter.offset ?? 0;

  return {
    count: { sql: `SELECT count(*)::int AS total FROM user_tasks ${whereClause}`, parameters },
    page: {
      sql: `SELECT ${COLUMNS} FROM user_tasks ${whereClause} ORDER BY ${orderBy(field, direction === 'desc' ? 'DESC' : 'ASC')}
        LIMIT $${parameters.length + 1} OFFSET $${parameters.length + 2}`,
      parameters: [...parameters, limit, offset],
    },
    limit,
    offset,
  };
}

interface TaskEventRow {
  readonly seq: string;
  readonly task_id: string;
  readonly type: TaskEventType;
  readonly actor: string | null;
  readonly at: Date;
  readonly data: JsonObject;
}

interface CommentRow {
  readonly id: string;
  readonly task_id: string;
  readonly author: string | null;
  readonly message: string;
  readonly created_at: Date;
}

const COMMENT_COLUMNS = 'id, task_id, author, message, created_at';

function commentOf(row: CommentRow): TaskCommentView {
  return {
    id: row.id,
    taskId: row.task_id,
    ...(row.author === null ? {} : { author: row.author }),
    message: row.message,
    createdAt: row.created_at.toISOString(),
  };
}

/** Adds a change of a task to its history (`task_events`), in the transaction that made it. */
async function recordEvent(manager: EntityManager, taskId: string, type: TaskEventType, actor: string | undefined, data: JsonObject): Promise<void> {
  await manager.query('INSERT INTO task_events (task_id, type, actor, at, data) VALUES ($1, $2, $3, now(), $4::jsonb)', [taskId, type, actor ?? null, JSON.stringify(data)]);
}

/**
 * A condition on the variables of a task's scope (`element_instance_id`: its own; `process_instance_id`: its
 * instance's), as an EXISTS on `task_variable_scopes`. Equality is JSON containment (the GIN index answers it); the
 * orderings compare numbers with numbers and texts with texts, and a variable of another type does not match.
 */
function variableCondition(scopeColumn: 'element_instance_id' | 'process_instance_id', condition: VariableCondition, parameter: (value: unknown) => string): string {
  const scope = `FROM task_variable_scopes v WHERE v.scope_id = user_tasks.${scopeColumn}`;
  if (condition.operator === 'eq') {
    return `EXISTS (SELECT 1 ${scope} AND v.variables @> ${parameter(JSON.stringify({ [condition.name]: condition.value }))}::jsonb)`;
  }
  const name = `${parameter(condition.name)}::text`;
  const value = `v.variables -> ${name}`;
  switch (condition.operator) {
    case 'neq':
      return `EXISTS (SELECT 1 ${scope} AND jsonb_exists(v.variables, ${name}) AND ${value} <> ${parameter(JSON.stringify(condition.value))}::jsonb)`;
    case 'like':
      return `EXISTS (SELECT 1 ${scope} AND jsonb_typeof(${value}) = 'string' AND (v.variables ->> ${name}) LIKE ${parameter(String(condition.value))})`;
    default: {
      const operator = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[condition.operator];
      if (typeof condition.value === 'number') {
        return `EXISTS (SELECT 1 ${scope} AND CASE WHEN jsonb_typeof(${value}) = 'number' THEN (v.variables ->> ${name})::numeric ${operator} ${parameter(condition.value)}::numeric ELSE false END)`;
      }
      return `EXISTS (SELECT 1 ${scope} AND jsonb_typeof(${value}) = 'string' AND (v.variables ->> ${name}) ${operator} ${parameter(String(condition.value))})`;
    }
  }
}

/** The rows of an UPDATE ... RETURNING: TypeORM's Postgres driver answers it with `[rows, count]`. */
function returned<T>(result: unknown): T[] {
  if (!Array.isArray(result)) throw new TypeError('Expected the rows of UPDATE ... RETURNING');
  return (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result) as T[];
}

/**
 * The variables an element instance sees: those of its own scope over those of each enclosing scope, up to the process
 * instance (as the engine resolves them).
 */
async function visibleVariables(manager: EntityManager, elementInstanceId: string): Promise<JsonObject> {
  const scopes: { variables: JsonObject }[] = await manager.query(
    `WITH RECURSIVE chain (scope_id, parent_scope_id, variables, depth) AS (
       SELECT scope_id, parent_scope_id, variables, 0 FROM task_variable_scopes WHERE scope_id = $1
       UNION ALL
       SELECT scope.scope_id, scope.parent_scope_id, scope.variables, chain.depth + 1
       FROM task_variable_scopes scope JOIN chain ON scope.scope_id = chain.parent_scope_id
       WHERE chain.depth < 1000
     )
     SELECT variables FROM chain ORDER BY depth DESC`,
    [elementInstanceId],
  );
  const visible: JsonObject = {};
  for (const scope of scopes) Object.assign(visible, scope.variables);
  return visible;
}

function viewOf(row: UserTaskRow, variables?: JsonObject): TaskView {
  return {
    id: row.id,
    ...(row.name === null ? {} : { name: row.name }),
    state: row.state,
    processInstanceId: row.process_instance_id,
    processDefinitionId: row.process_definition_id,
    processId: row.process_id,
    elementId: row.element_id,
    elementInstanceId: row.element_instance_id,
    ...(row.assignee === null ? {} : { assignee: row.assignee }),
    candidateUsers: row.candidate_users,
    candidateGroups: row.candidate_groups,
    ...(row.due_date === null ? {} : { dueDate: row.due_date }),
    ...(row.follow_up_date === null ? {} : { followUpDate: row.follow_up_date }),
    ...(row.priority === null ? {} : { priority: row.priority }),
    ...(row.form_key === null ? {} : { formKey: row.form_key }),
    ...(row.form_id === null ? {} : { formId: row.form_id }),
    ...(row.category === null ? {} : { category: row.category }),
    ...(row.tenant_id === null ? {} : { tenantId: row.tenant_id }),
    ...(row.business_key === null ? {} : { businessKey: row.business_key }),
    ...(row.owner === null ? {} : { owner: row.owner }),
    ...(row.delegation_state === null ? {} : { delegationState: row.delegation_state }),
    createdAt: row.created_at.toISOString(),
    ...(row.completed_at === null ? {} : { completedAt: row.completed_at.toISOString() }),
    ...(row.pending_command_id === null ? {} : { pendingCommandId: row.pending_command_id }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.denied_reason === null ? {} : { deniedReason: row.denied_reason }),
    ...(variables === undefined ? {} : { variables }),
  };
}
