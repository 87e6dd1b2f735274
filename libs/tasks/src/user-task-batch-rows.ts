import type { JsonObject } from '@trellis/contracts';
import type { EntityManager } from 'typeorm';

import type { TaskEventType } from './task.views.js';

/** The keys of the rows a batch of events reads or writes, so they can be loaded at once. */
export class UserTaskBatchKeys {
  /** `task_process_instances.id`. */
  readonly instances = new Set<string>();
  /** `task_variable_scopes.scope_id`. */
  readonly scopes = new Set<string>();
  /** Instances whose every scope goes (`task_variable_scopes.process_instance_id`). */
  readonly scopesOfInstances = new Set<string>();
  /** `user_tasks.id`. */
  readonly tasks = new Set<string>();
  /** Element instances whose open tasks are cancelled (`user_tasks.element_instance_id`). */
  readonly openTasksOfElements = new Set<string>();
  /** Instances whose open tasks are cancelled (`user_tasks.process_instance_id`). */
  readonly openTasksOfInstances = new Set<string>();

  get empty(): boolean {
    return [this.instances, this.scopes, this.scopesOfInstances, this.tasks, this.openTasksOfElements, this.openTasksOfInstances].every((keys) => keys.size === 0);
  }

  /** Adds the keys of the rows a change reads or writes. */
  add(change: UserTaskRowChange): void {
    switch (change.kind) {
      case 'insertInstance':
      case 'deleteInstance':
        this.instances.add(change.id);
        return;
      case 'insertScope':
      case 'deleteScope':
      case 'setVariables':
        this.scopes.add(change.scopeId);
        return;
      case 'deleteScopesOf':
        this.scopesOfInstances.add(change.processInstanceId);
        return;
      case 'insertTask':
        this.instances.add(change.task.process_instance_id);
        this.tasks.add(change.task.id);
        return;
      case 'completeTask':
      case 'markCompleting':
      case 'denyCompletion':
      case 'correctTask':
        this.tasks.add(change.taskId);
        return;
      case 'cancelOpenTasks':
        if (change.key === 'id') this.tasks.add(change.value);
        else if (change.key === 'element_instance_id') this.openTasksOfElements.add(change.value);
        else this.openTasksOfInstances.add(change.value);
        return;
    }
  }
}

/**
 * One change of the read model's rows, as one statement of the per-event projection made it (the comments give that
 * statement). An event decides its changes; `UserTaskBatchRows` applies them, to memory, in order.
 */
export type UserTaskRowChange =
  /** `INSERT INTO task_process_instances ... ON CONFLICT (id) DO NOTHING` */
  | { readonly kind: 'insertInstance'; readonly id: string; readonly row: ProcessInstanceRow }
  /** `DELETE FROM task_process_instances WHERE id = $1` */
  | { readonly kind: 'deleteInstance'; readonly id: string }
  /** `INSERT INTO task_variable_scopes ... ON CONFLICT (scope_id) DO NOTHING` */
  | { readonly kind: 'insertScope'; readonly scopeId: string; readonly processInstanceId: string; readonly parentScopeId: string | null }
  /** `DELETE FROM task_variable_scopes WHERE scope_id = $1` */
  | { readonly kind: 'deleteScope'; readonly scopeId: string }
  /** `DELETE FROM task_variable_scopes WHERE process_instance_id = $1` */
  | { readonly kind: 'deleteScopesOf'; readonly processInstanceId: string }
  /** `UPDATE task_variable_scopes SET variables = variables || $2 WHERE scope_id = $1` */
  | { readonly kind: 'setVariables'; readonly scopeId: string; readonly variables: JsonObject }
  /**
   * `SELECT ... FROM task_process_instances WHERE id = $1` for the task's definition, then
   * `INSERT INTO user_tasks ... 'CREATED' ... ON CONFLICT (id) DO NOTHING`
   */
  | { readonly kind: 'insertTask'; readonly task: TaskFields }
  /** `UPDATE user_tasks SET state = 'COMPLETED', completed_at = $2, pending_command_id = NULL, last_error = NULL WHERE id = $1 AND state <> 'COMPLETED'` */
  | { readonly kind: 'completeTask'; readonly taskId: string; readonly at: string; readonly variables: JsonObject }
  /** `UPDATE user_tasks SET state = 'COMPLETING', denied_reason = NULL WHERE id = $1 AND state IN ('CREATED', 'COMPLETING')` */
  | { readonly kind: 'markCompleting'; readonly taskId: string }
  /**
   * `UPDATE user_tasks SET state = 'CREATED', pending_command_id = NULL, denied_reason = $2 WHERE id = $1 AND state IN
   * ('CREATED', 'COMPLETING')`, and a `COMPLETION_DENIED` history entry
   */
  | { readonly kind: 'denyCompletion'; readonly taskId: string; readonly at: string; readonly deniedReason: string }
  /** `UPDATE user_tasks SET <each corrected column> WHERE id = $1 AND state IN ('CREATED', 'COMPLETING')`, and a `CORRECTED` history entry */
  | { readonly kind: 'correctTask'; readonly taskId: string; readonly at: string; readonly corrections: TaskCorrections; readonly data: JsonObject }
  /** `UPDATE user_tasks SET state = 'CANCELED', completed_at = $2, pending_command_id = NULL WHERE <key> = $1 AND state IN ('CREATED', 'COMPLETING')` */
  | { readonly kind: 'cancelOpenTasks'; readonly key: 'id' | 'element_instance_id' | 'process_instance_id'; readonly value: string; readonly at: string };

export interface ProcessInstanceRow {
  readonly processDefinitionId: string;
  readonly processId: string;
  readonly businessKey: string | null;
}

/** A task as the projection writes it; timestamps are texts Postgres reads back exactly. */
export interface NewTaskRow {
  readonly id: string;
  readonly process_instance_id: string;
  readonly process_definition_id: string;
  readonly process_id: string;
  readonly element_id: string;
  readonly element_instance_id: string;
  readonly name: string | null;
  readonly assignee: string | null;
  readonly candidate_users: readonly string[];
  readonly candidate_groups: readonly string[];
  readonly due_date: string | null;
  readonly due_at: string | null;
  readonly follow_up_date: string | null;
  readonly follow_up_at: string | null;
  readonly priority: number | null;
  readonly form_key: string | null;
  readonly form_id: string | null;
  readonly category: string | null;
  readonly tenant_id: string | null;
  readonly business_key: string | null;
  readonly created_at: string;
}

/** The columns a task listener may correct, as the projection writes them (only those given change). */
export interface TaskCorrections {
  readonly assignee?: string | null;
  readonly candidate_users?: readonly string[];
  readonly candidate_groups?: readonly string[];
  readonly due_date?: string | null;
  readonly due_at?: string | null;
  readonly follow_up_date?: string | null;
  readonly follow_up_at?: string | null;
  readonly priority?: number | null;
}

/** A new task's columns its event gives (the definition and business key come from its instance's row). */
export type TaskFields = Omit<NewTaskRow, 'process_definition_id' | 'process_id' | 'business_key'>;

/** A row of `task_events` the projection writes: what the runtime did to a task (no actor: the process did it). */
interface TaskEventRow {
  readonly task_id: string;
  readonly type: Extract<TaskEventType, 'CREATED' | 'COMPLETED' | 'CANCELED' | 'COMPLETION_DENIED' | 'CORRECTED'>;
  readonly at: string;
  readonly data: JsonObject;
}

/** What the projection changes of a task after creating it. */
interface TaskProgress {
  state: string;
  completed_at: string | null;
  pending_command_id: string | null;
  last_error: string | null;
  denied_reason: string | null;
}

interface KnownTask {
  readonly id: string;
  readonly processInstanceId: string;
  readonly elementInstanceId: string;
  readonly progress: TaskProgress;
  /** Created by this batch: inserted whole at the end (with the corrections the batch made to it). */
  created?: NewTaskRow;
  /** The corrections of a stored task, merged in event order (a later one of a column wins). */
  corrected: TaskCorrections;
  changed: boolean;
}

/** A row of the load, by table. */
type LoadedRow =
  | {
      readonly kind: 'instance';
      readonly row: { readonly id: string; readonly process_definition_id: string; readonly process_id: string; readonly business_key: string | null };
    }
  | { readonly kind: 'scope'; readonly row: { readonly scope_id: string; readonly process_instance_id: string } }
  | {
      readonly kind: 'task';
      readonly row: {
        readonly id: string;
        readonly process_instance_id: string;
        readonly element_instance_id: string;
        readonly state: string;
        readonly completed_at: string | null;
        readonly pending_command_id: string | null;
        readonly last_error: string | null;
        readonly denied_reason: string | null;
      };
    };

/** A scope as the batch leaves it: as loaded plus a patch of its variables, or created by the batch. */
type Scope =
  | { readonly kind: 'stored'; readonly processInstanceId: string; patch: JsonObject | undefined }
  | { readonly kind: 'created'; readonly processInstanceId: string; readonly parentScopeId: string | null; variables: JsonObject };

/**
 * The rows of the user-task read model that one batch of events touches, loaded with one statement, changed in memory
 * by the same operations the per-event statements performed (each mirrors one such statement, with its conditions),
 * and written back with one statement. Only rows whose key the batch named are loaded: an operation on any other key
 * is a bug of the caller's key collection, and throws.
 *
 * The tasks are locked (`FOR UPDATE`) when loaded: the repository changes them too (claims, completions in flight,
 * rejections), and the batch writes back what it computed from them. The instances and scopes only the projection
 * writes, in the transaction that holds their stream's checkpoint.
 */
export class UserTaskBatchRows {
  /** Rows as loaded; `undefined` when the row did not exist. */
  private readonly storedInstances = new Map<string, ProcessInstanceRow | undefined>();
  /** Rows as the batch leaves them; `undefined` when gone. */
  private readonly instances = new Map<string, ProcessInstanceRow | undefined>();
  private readonly storedScopeIds = new Set<string>();
  private readonly scopes = new Map<string, Scope | undefined>();
  private readonly tasks = new Map<string, KnownTask>();
  private readonly tasksByElement = new Map<string, KnownTask[]>();
  private readonly tasksByInstance = new Map<string, KnownTask[]>();
  /** Tasks created, in the order of their events (their `seq`, the tie-breaker of every listing, follows it). */
  private readonly createdTasks: KnownTask[] = [];
  /** The history the batch adds, in the order of its events. */
  private readonly taskEvents: TaskEventRow[] = [];

  private constructor(private readonly keys: UserTaskBatchKeys) {}

  /**
   * Loads the rows named by `keys`, in one statement (none when the batch names no row): the tasks, locked in the order
   * of their ids, the instances and the scopes (their keys only: a scope's variables are patched in place).
   */
  static async load(manager: EntityManager, keys: UserTaskBatchKeys): Promise<UserTaskBatchRows> {
    const rows = new UserTaskBatchRows(keys);
    for (const id of keys.instances) rows.storedInstances.set(id, undefined);
    for (const id of keys.scopes) rows.scopes.set(id, undefined);
    if (keys.empty) return rows;
    const found: LoadedRow[] = await manager.query(
      // Closed tasks matter only by id: the cancellations by element and instance touch open ones alone.
      `WITH locked AS (
         SELECT id, process_instance_id, element_instance_id, state, completed_at::text AS completed_at, pending_command_id, last_error,
           denied_reason
         FROM user_tasks
         WHERE id = ANY($1::text[])
            OR ((element_instance_id = ANY($2::text[]) OR process_instance_id = ANY($3::text[])) AND state IN ('CREATED', 'COMPLETING'))
         ORDER BY id FOR UPDATE
       )
       SELECT 'task' AS kind, to_jsonb(locked) AS row FROM locked
       UNION ALL
       SELECT 'instance', jsonb_build_object('id', id, 'process_definition_id', process_definition_id, 'process_id', process_id,
         'business_key', business_key)
       FROM task_process_instances WHERE id = ANY($4::text[])
       UNION ALL
       SELECT 'scope', jsonb_build_object('scope_id', scope_id, 'process_instance_id', process_instance_id)
       FROM task_variable_scopes WHERE scope_id = ANY($5::text[]) OR process_instance_id = ANY($6::text[])`,
      [[...keys.tasks], [...keys.openTasksOfElements], [...keys.openTasksOfInstances], [...keys.instances], [...keys.scopes], [...keys.scopesOfInstances]],
    );
    for (const { kind, row } of found) {
      if (kind === 'instance') {
        rows.storedInstances.set(row.id, { processDefinitionId: row.process_definition_id, processId: row.process_id, businessKey: row.business_key });
      } else if (kind === 'scope') {
        rows.storedScopeIds.add(row.scope_id);
        rows.scopes.set(row.scope_id, { kind: 'stored', processInstanceId: row.process_instance_id, patch: undefined });
      } else {
        rows.remember({
          id: row.id,
          processInstanceId: row.process_instance_id,
          elementInstanceId: row.element_instance_id,
          progress: {
            state: row.state,
            completed_at: row.completed_at,
            pending_command_id: row.pending_command_id,
            last_error: row.last_error,
            denied_reason: row.denied_reason,
          },
          corrected: {},
          changed: false,
        });
      }
    }
    for (const [id, row] of rows.storedInstances) rows.instances.set(id, row);
    return rows;
  }

  /**
   * Applies a change to the rows in memory, as its statement would have changed them at this point of the batch.
   * False (and nothing changed) when a task's instance has no row: its `ProcessInstanceCreated` was never projected.
   */
  apply(change: UserTaskRowChange): boolean {
    switch (change.kind) {
      case 'insertInstance':
        this.insertInstance(change.id, change.row);
        return true;
      case 'deleteInstance':
        this.deleteInstance(change.id);
        return true;
      case 'insertScope':
        this.insertScope(change.scopeId, change.processInstanceId, change.parentScopeId);
        return true;
      case 'deleteScope':
        this.deleteScope(change.scopeId);
        return true;
      case 'deleteScopesOf':
        this.deleteScopesOf(change.processInstanceId);
        return true;
      case 'setVariables':
        this.setVariables(change.scopeId, change.variables);
        return true;
      case 'insertTask': {
        const instance = this.instance(change.task.process_instance_id);
        if (instance === undefined) return false;
        this.insertTask({ ...change.task, process_definition_id: instance.processDefinitionId, process_id: instance.processId, business_key: instance.businessKey });
        return true;
      }
      case 'completeTask':
        this.completeTask(change.taskId, change.at, change.variables);
        return true;
      case 'cancelOpenTasks':
        this.cancelOpenTasks(change.key, change.value, change.at);
        return true;
      case 'markCompleting':
        this.markCompleting(change.taskId);
        return true;
      case 'denyCompletion':
        this.denyCompletion(change.taskId, change.at, change.deniedReason);
        return true;
      case 'correctTask':
        this.correctTask(change.taskId, change.at, change.corrections, change.data);
        return true;
    }
  }

  /**
   * Writes what changed, in one statement (none when nothing changed): a sub-statement per table and kind of change,
   * each with every row of its kind. Sub-statements of one statement must not touch the same row, so a row deleted and
   * created again is written by its insert (`ON CONFLICT DO UPDATE`) alone.
   */
  async write(manager: EntityManager): Promise<void> {
    const changes: string[] = [];
    const parameters: unknown[] = [];
    const change = (sql: (parameter: string) => string, rows: readonly unknown[]): void => {
      if (rows.length === 0) return;
      parameters.push(JSON.stringify(rows));
      changes.push(sql(`$${parameters.length}::jsonb`));
    };
    change(
      (p) => `DELETE FROM task_process_instances WHERE id IN (SELECT value FROM jsonb_array_elements_text(${p}))`,
      [...this.storedInstances].filter(([id, stored]) => stored !== undefined && this.instances.get(id) === undefined).map(([id]) => id),
    );
    change(
      (p) => `INSERT INTO task_process_instances (id, process_definition_id, process_id, business_key)
        SELECT id, process_definition_id, process_id, business_key
        FROM jsonb_to_recordset(${p}) AS r (id text, process_definition_id text, process_id text, business_key text)
        ON CONFLICT (id) DO UPDATE SET process_definition_id = EXCLUDED.process_definition_id, process_id = EXCLUDED.process_id,
          business_key = EXCLUDED.business_key`,
      this.newInstances(),
    );
    change(
      (p) => `DELETE FROM task_variable_scopes WHERE scope_id IN (SELECT value FROM jsonb_array_elements_text(${p}))`,
      [...this.storedScopeIds].filter((scopeId) => this.scopes.get(scopeId) === undefined),
    );
    change(
      (p) => `INSERT INTO task_variable_scopes (scope_id, process_instance_id, parent_scope_id, variables)
        SELECT scope_id, process_instance_id, parent_scope_id, variables
        FROM jsonb_to_recordset(${p}) AS r (scope_id text, process_instance_id text, parent_scope_id text, variables jsonb)
        ON CONFLICT (scope_id) DO UPDATE SET process_instance_id = EXCLUDED.process_instance_id, parent_scope_id = EXCLUDED.parent_scope_id,
          variables = EXCLUDED.variables`,
      this.newScopes(),
    );
    change(
      (p) => `UPDATE task_variable_scopes AS s SET variables = s.variables || p.patch
        FROM jsonb_to_recordset(${p}) AS p (scope_id text, patch jsonb) WHERE s.scope_id = p.scope_id`,
      this.patchedScopes(),
    );
    // In the order of the events: `seq` breaks ties of equal creation times in every listing.
    change(
      (p) => `INSERT INTO user_tasks (id, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, name,
          assignee, candidate_users, candidate_groups, due_date, due_at, follow_up_date, follow_up_at, priority, form_key, form_id,
          category, tenant_id, business_key, state, created_at, completed_at, pending_command_id, last_error, denied_reason)
        SELECT id, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, name, assignee,
          candidate_users, candidate_groups, due_date, due_at, follow_up_date, follow_up_at, priority, form_key, form_id,
          category, tenant_id, business_key, state, created_at, completed_at, pending_command_id, last_error, denied_reason
        FROM ROWS FROM (jsonb_to_recordset(${p}) AS (id text, process_instance_id text, process_definition_id text, process_id text,
          element_id text, element_instance_id text, name text, assignee text, candidate_users text[], candidate_groups text[],
          due_date text, due_at timestamptz, follow_up_date text, follow_up_at timestamptz, priority double precision, form_key text,
          form_id text, category text, tenant_id text, business_key text, state text, created_at timestamptz, completed_at timestamptz,
          pending_command_id text, last_error text, denied_reason text)) WITH ORDINALITY AS r (id,
          process_instance_id, process_definition_id, process_id, element_id, element_instance_id, name, assignee, candidate_users,
          candidate_groups, due_date, due_at, follow_up_date, follow_up_at, priority, form_key, form_id, category, tenant_id,
          business_key, state, created_at, completed_at, pending_command_id, last_error, denied_reason, ordinal)
        ORDER BY ordinal`,
      this.createdTasks.map((task) => ({ ...task.created, ...task.progress })),
    );
    change(
      // A corrected column is set from `corrected` when it names it (`?`), and kept otherwise.
      (p) => `UPDATE user_tasks AS t
        SET state = c.state, completed_at = c.completed_at, pending_command_id = c.pending_command_id, last_error = c.last_error,
          denied_reason = c.denied_reason,
          assignee = CASE WHEN c.corrected ? 'assignee' THEN c.corrected->>'assignee' ELSE t.assignee END,
          candidate_users = CASE WHEN c.corrected ? 'candidate_users'
            THEN ARRAY(SELECT jsonb_array_elements_text(c.corrected->'candidate_users')) ELSE t.candidate_users END,
          candidate_groups = CASE WHEN c.corrected ? 'candidate_groups'
            THEN ARRAY(SELECT jsonb_array_elements_text(c.corrected->'candidate_groups')) ELSE t.candidate_groups END,
          due_date = CASE WHEN c.corrected ? 'due_date' THEN c.corrected->>'due_date' ELSE t.due_date END,
          due_at = CASE WHEN c.corrected ? 'due_at' THEN (c.corrected->>'due_at')::timestamptz ELSE t.due_at END,
          follow_up_date = CASE WHEN c.corrected ? 'follow_up_date' THEN c.corrected->>'follow_up_date' ELSE t.follow_up_date END,
          follow_up_at = CASE WHEN c.corrected ? 'follow_up_at' THEN (c.corrected->>'follow_up_at')::timestamptz ELSE t.follow_up_at END,
          priority = CASE WHEN c.corrected ? 'priority' THEN (c.corrected->>'priority')::double precision ELSE t.priority END
        FROM jsonb_to_recordset(${p}) AS c (id text, state text, completed_at timestamptz, pending_command_id text, last_error text,
          denied_reason text, corrected jsonb)
        WHERE t.id = c.id`,
      [...this.tasks.values()]
        .filter((task) => task.created === undefined && task.changed)
        .map((task) => ({ id: task.id, ...task.progress, corrected: task.corrected })),
    );
    change(
      (p) => `INSERT INTO task_events (task_id, type, at, data)
        SELECT task_id, type, at, data
        FROM ROWS FROM (jsonb_to_recordset(${p}) AS (task_id text, type text, at timestamptz, data jsonb)) WITH ORDINALITY
          AS r (task_id, type, at, data, ordinal)
        ORDER BY ordinal`,
      this.taskEvents,
    );
    if (changes.length === 0) return;
    await manager.query(`WITH ${changes.map((sql, index) => `change${index} AS (${sql})`).join(',\n')}\nSELECT 1`, parameters);
  }

  private instance(id: string): ProcessInstanceRow | undefined {
    this.requireKey(this.keys.instances, id, 'process instance');
    return this.instances.get(id);
  }

  private insertInstance(id: string, row: ProcessInstanceRow): void {
    if (this.instance(id) === undefined) this.instances.set(id, row);
  }

  private deleteInstance(id: string): void {
    if (this.instance(id) === undefined) return;
    this.instances.set(id, undefined);
  }

  private insertScope(scopeId: string, processInstanceId: string, parentScopeId: string | null): void {
    this.requireKey(this.keys.scopes, scopeId, 'variable scope');
    if (this.scopes.get(scopeId) !== undefined) return;
    this.scopes.set(scopeId, { kind: 'created', processInstanceId, parentScopeId, variables: {} });
  }

  private setVariables(scopeId: string, variables: JsonObject): void {
    this.requireKey(this.keys.scopes, scopeId, 'variable scope');
    const scope = this.scopes.get(scopeId);
    if (scope === undefined) return;
    // `||` of two JSON objects replaces the top-level keys the right one has, so patches merge in order.
    if (scope.kind === 'created') scope.variables = { ...scope.variables, ...variables };
    else scope.patch = { ...scope.patch, ...variables };
  }

  private deleteScope(scopeId: string): void {
    this.requireKey(this.keys.scopes, scopeId, 'variable scope');
    this.dropScope(scopeId);
  }

  private deleteScopesOf(processInstanceId: string): void {
    this.requireKey(this.keys.scopesOfInstances, processInstanceId, 'process instance of variable scopes');
    for (const [scopeId, scope] of this.scopes) if (scope?.processInstanceId === processInstanceId) this.dropScope(scopeId);
  }

  private insertTask(row: NewTaskRow): void {
    this.requireKey(this.keys.tasks, row.id, 'user task');
    if (this.tasks.has(row.id)) return;
    const task: KnownTask = {
      id: row.id,
      processInstanceId: row.process_instance_id,
      elementInstanceId: row.element_instance_id,
      progress: { state: 'CREATED', completed_at: null, pending_command_id: null, last_error: null, denied_reason: null },
      created: row,
      corrected: {},
      changed: false,
    };
    this.remember(task);
    this.createdTasks.push(task);
    this.taskEvents.push({ task_id: row.id, type: 'CREATED', at: row.created_at, data: {} });
  }

  private completeTask(taskId: string, at: string, variables: JsonObject): void {
    this.requireKey(this.keys.tasks, taskId, 'user task');
    const task = this.tasks.get(taskId);
    if (task === undefined || task.progress.state === 'COMPLETED') return;
    Object.assign(task.progress, { state: 'COMPLETED', completed_at: at, pending_command_id: null, last_error: null });
    task.changed = true;
    this.taskEvents.push({ task_id: taskId, type: 'COMPLETED', at, data: { variables } });
  }

  /**
   * A completion waits for the task's completing listeners. A completion this service asked for is COMPLETING
   * already (its command id kept, so the runtime's answer still finds it); one asked elsewhere shows the same way.
   */
  private markCompleting(taskId: string): void {
    const task = this.openTask(taskId);
    if (task === undefined) return;
    Object.assign(task.progress, { state: 'COMPLETING', denied_reason: null });
    task.changed = true;
  }

  /** A completing listener denied the completion: the task is open again (as assigned as before), and says why. */
  private denyCompletion(taskId: string, at: string, deniedReason: string): void {
    const task = this.openTask(taskId);
    if (task === undefined) return;
    Object.assign(task.progress, { state: 'CREATED', pending_command_id: null, denied_reason: deniedReason });
    task.changed = true;
    this.taskEvents.push({ task_id: taskId, type: 'COMPLETION_DENIED', at, data: { deniedReason } });
  }

  /** A listener's worker corrected fields of an open task. */
  private correctTask(taskId: string, at: string, corrections: TaskCorrections, data: JsonObject): void {
    const task = this.openTask(taskId);
    if (task === undefined) return;
    if (task.created !== undefined) task.created = { ...task.created, ...corrections };
    else task.corrected = { ...task.corrected, ...corrections };
    task.changed = true;
    this.taskEvents.push({ task_id: taskId, type: 'CORRECTED', at, data });
  }

  /** A task by id when it is open (CREATED or COMPLETING): the listener events change no closed task. */
  private openTask(taskId: string): KnownTask | undefined {
    this.requireKey(this.keys.tasks, taskId, 'user task');
    const task = this.tasks.get(taskId);
    if (task === undefined || (task.progress.state !== 'CREATED' && task.progress.state !== 'COMPLETING')) return undefined;
    return task;
  }

  private cancelOpenTasks(key: 'id' | 'element_instance_id' | 'process_instance_id', value: string, at: string): void {
    let candidates: readonly KnownTask[];
    if (key === 'id') {
      this.requireKey(this.keys.tasks, value, 'user task');
      const task = this.tasks.get(value);
      candidates = task === undefined ? [] : [task];
    } else if (key === 'element_instance_id') {
      this.requireKey(this.keys.openTasksOfElements, value, 'element instance of user tasks');
      candidates = this.tasksByElement.get(value) ?? [];
    } else {
      this.requireKey(this.keys.openTasksOfInstances, value, 'process instance of user tasks');
      candidates = this.tasksByInstance.get(value) ?? [];
    }
    for (const task of candidates) {
      if (task.progress.state !== 'CREATED' && task.progress.state !== 'COMPLETING') continue;
      Object.assign(task.progress, { state: 'CANCELED', completed_at: at, pending_command_id: null });
      task.changed = true;
      this.taskEvents.push({ task_id: task.id, type: 'CANCELED', at, data: {} });
    }
  }

  private newInstances(): { id: string; process_definition_id: string; process_id: string; business_key: string | null }[] {
    const rows: { id: string; process_definition_id: string; process_id: string; business_key: string | null }[] = [];
    for (const [id, row] of this.instances) {
      // A stored row still there needs nothing; one deleted and inserted again is a new object, written anew.
      if (row === undefined || row === this.storedInstances.get(id)) continue;
      rows.push({ id, process_definition_id: row.processDefinitionId, process_id: row.processId, business_key: row.businessKey });
    }
    return rows;
  }

  private newScopes(): { scope_id: string; process_instance_id: string; parent_scope_id: string | null; variables: JsonObject }[] {
    const rows: { scope_id: string; process_instance_id: string; parent_scope_id: string | null; variables: JsonObject }[] = [];
    for (const [scopeId, scope] of this.scopes) {
      if (scope?.kind !== 'created') continue;
      rows.push({ scope_id: scopeId, process_instance_id: scope.processInstanceId, parent_scope_id: scope.parentScopeId, variables: scope.variables });
    }
    return rows;
  }

  private patchedScopes(): { scope_id: string; patch: JsonObject }[] {
    const rows: { scope_id: string; patch: JsonObject }[] = [];
    for (const [scopeId, scope] of this.scopes) if (scope?.kind === 'stored' && scope.patch !== undefined) rows.push({ scope_id: scopeId, patch: scope.patch });
    return rows;
  }

  private dropScope(scopeId: string): void {
    if (this.scopes.get(scopeId) === undefined) return;
    this.scopes.set(scopeId, undefined);
  }

  private remember(task: KnownTask): void {
    this.tasks.set(task.id, task);
    push(this.tasksByElement, task.elementInstanceId, task);
    push(this.tasksByInstance, task.processInstanceId, task);
  }

  private requireKey(keys: ReadonlySet<string>, key: string, what: string): void {
    if (!keys.has(key)) throw new Error(`The batch did not load the ${what} ${key}: its key collection misses an event's row`);
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
