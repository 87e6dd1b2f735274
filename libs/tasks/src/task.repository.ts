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

import { taskClaimedByAnother, taskNotFound, taskNotOpen } from './task-problems.js';
import type { TaskFilter, TaskPage, TaskSortField, TaskState, TaskView } from './task.views.js';

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
  readonly state: TaskState;
  readonly created_at: Date;
  readonly completed_at: Date | null;
  readonly pending_command_id: string | null;
  readonly last_error: string | null;
}

const COLUMNS = `id, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, name, assignee,
  candidate_users, candidate_groups, due_date, follow_up_date, priority, form_key, form_id, state, created_at, completed_at,
  pending_command_id, last_error`;

export const DEFAULT_PAGE_SIZE = 100;

const ORDER_BY: Record<TaskSortField, (direction: 'ASC' | 'DESC') => string> = {
  created: (direction) => `created_at ${direction}, seq ${direction}`,
  due: (direction) => `due_at ${direction} NULLS LAST, created_at, seq`,
  priority: (direction) => `priority ${direction} NULLS LAST, created_at, seq`,
};

export interface CompletionRequest {
  readonly taskId: string;
  readonly variables?: JsonObject;
  /** The command's id: unique, so the runtime handles a command published twice only once. */
  readonly commandId: string;
  /** The sender named in the command (`issuedBy`). */
  readonly issuedBy: string;
  readonly issuedAt: Date;
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
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    const where = (condition: (parameter: string) => string, value: unknown): void => {
      parameters.push(value);
      conditions.push(condition(`$${parameters.length}`));
    };
    if (filter.state !== undefined) where((p) => `state = ${p}`, filter.state);
    if (filter.assignee !== undefined) where((p) => `assignee = ${p}`, filter.assignee);
    if (filter.candidateUser !== undefined) where((p) => `candidate_users @> ARRAY[${p}]::text[]`, filter.candidateUser);
    if (filter.candidateGroup !== undefined) where((p) => `candidate_groups @> ARRAY[${p}]::text[]`, filter.candidateGroup);
    if (filter.processInstanceId !== undefined) where((p) => `process_instance_id = ${p}`, filter.processInstanceId);
    if (filter.processDefinitionId !== undefined) where((p) => `process_definition_id = ${p}`, filter.processDefinitionId);
    if (filter.elementId !== undefined) where((p) => `element_id = ${p}`, filter.elementId);
    const whereClause = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const [field, direction] = (filter.sort ?? 'created').split(':') as [TaskSortField, string | undefined];
    const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
    const offset = filter.offset ?? 0;

    return inTransaction(
      this.dataSource,
      async (manager) => {
        const counted: { total: number }[] = await manager.query(`SELECT count(*)::int AS total FROM user_tasks ${whereClause}`, parameters);
        const rows: UserTaskRow[] = await manager.query(
          `SELECT ${COLUMNS} FROM user_tasks ${whereClause} ORDER BY ${ORDER_BY[field](direction === 'desc' ? 'DESC' : 'ASC')}
           LIMIT $${parameters.length + 1} OFFSET $${parameters.length + 2}`,
          [...parameters, limit, offset],
        );
        return { items: rows.map((row) => viewOf(row)), total: counted[0].total, limit, offset };
      },
      // The count and the page from one snapshot.
      { isolationLevel: 'REPEATABLE READ' },
    );
  }

  /** Sets the assignee of an open task; claiming a task again for its assignee changes nothing. */
  async claim(taskId: string, assignee: string): Promise<TaskView> {
    return inTransaction(this.dataSource, async (manager) => {
      const row = await this.lock(manager, taskId);
      if (row.state !== 'CREATED') throw taskNotOpen(taskId, 'claimed', row.state);
      if (row.assignee !== null && row.assignee !== assignee) throw taskClaimedByAnother(taskId, row.assignee);
      const [updated] = returned<UserTaskRow>(await manager.query(`UPDATE user_tasks SET assignee = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [taskId, assignee]));
      return this.withVariables(manager, updated);
    });
  }

  /** Removes the assignee of an open task. */
  async unclaim(taskId: string): Promise<TaskView> {
    return inTransaction(this.dataSource, async (manager) => {
      const row = await this.lock(manager, taskId);
      if (row.state !== 'CREATED') throw taskNotOpen(taskId, 'unclaimed', row.state);
      const [updated] = returned<UserTaskRow>(await manager.query(`UPDATE user_tasks SET assignee = NULL WHERE id = $1 RETURNING ${COLUMNS}`, [taskId]));
      return this.withVariables(manager, updated);
    });
  }

  /**
   * Marks an open task COMPLETING and stores its `CompleteUserTask` command in the outbox, in one transaction: the
   * command is published by the outbox publisher after the commit, so it is sent if and only if the state changed.
   */
  async requestCompletion(request: CompletionRequest): Promise<TaskView> {
    return inTransaction(this.dataSource, async (manager) => {
      const row = await this.lock(manager, request.taskId);
      if (row.state !== 'CREATED') throw taskNotOpen(request.taskId, 'completed', row.state);
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
        await manager.query(`UPDATE user_tasks SET state = 'COMPLETING', pending_command_id = $2, last_error = NULL WHERE id = $1 RETURNING ${COLUMNS}`, [
          row.id,
          request.commandId,
        ]),
      );
      await manager.query('INSERT INTO task_outbox (command_id, message) VALUES ($1, $2::jsonb)', [request.commandId, JSON.stringify(checked.value)]);
      return this.withVariables(manager, updated);
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
    const updated = returned(
      await this.dataSource.query(
        `UPDATE user_tasks SET state = 'CREATED', pending_command_id = NULL, last_error = $2
         WHERE pending_command_id = $1 AND state = 'COMPLETING' RETURNING id`,
        [result.commandId, lastError],
      ),
    );
    return updated.length > 0;
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
    createdAt: row.created_at.toISOString(),
    ...(row.completed_at === null ? {} : { completedAt: row.completed_at.toISOString() }),
    ...(row.pending_command_id === null ? {} : { pendingCommandId: row.pending_command_id }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(variables === undefined ? {} : { variables }),
  };
}
