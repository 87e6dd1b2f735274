import type { EventEnvelope, JsonObject, JsonValue } from '@trellis/contracts';
import type { StreamProjection } from '@trellis/persistence';
import type { EntityManager } from 'typeorm';

/**
 * An event this projection must understand but cannot read (a field missing, a schema version it does not know).
 * Not retriable: the message goes to the dead-letter topic with this text.
 */
export class UnreadableEventError extends Error {
  readonly nonRetriable = true;

  constructor(event: EventEnvelope, problem: string) {
    super(`Cannot project ${event.type} (revision ${event.revision} of ${event.streamId}): ${problem}`);
    this.name = 'UnreadableEventError';
  }
}

/** The data schema version of the engine's events this projection reads. */
const SCHEMA_VERSION = 1;

const HANDLED = new Set([
  'ProcessInstanceCreated',
  'ElementActivating',
  'ElementCompleted',
  'ElementTerminated',
  'VariablesSet',
  'UserTaskCreated',
  'UserTaskCompleted',
  'UserTaskCanceled',
  'ProcessInstanceCompleted',
  'ProcessInstanceTerminated',
]);

/**
 * The user tasks of every process instance, from the runtime's events (run by `StreamProjectionRunner`: each event
 * applied once, in stream order, in the transaction that moves its stream's checkpoint).
 *
 * A task is created by `UserTaskCreated`, completed by `UserTaskCompleted` (whoever completed it: this service's
 * completion is accepted only then), cancelled by `UserTaskCanceled`, by the termination of its element, or by the end
 * of its instance. Besides the tasks it keeps the live instances (a task's definition) and the live variable scopes
 * (what an open task's element sees), and drops both when they end.
 */
export class UserTaskProjection implements StreamProjection {
  readonly name = 'user-tasks';

  async handle(event: EventEnvelope, manager: EntityManager): Promise<void> {
    if (!HANDLED.has(event.type)) return;
    const processInstanceId = event.processInstanceId;
    if (processInstanceId === undefined) return;
    if (event.schemaVersion !== SCHEMA_VERSION) throw new UnreadableEventError(event, `schema version ${event.schemaVersion} is not known (only ${SCHEMA_VERSION})`);
    const data = new EventData(event);

    switch (event.type) {
      case 'ProcessInstanceCreated':
        await manager.query('INSERT INTO task_process_instances (id, process_definition_id, process_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
          processInstanceId,
          data.text('processDefinitionId'),
          data.text('processId'),
        ]);
        await insertScope(manager, processInstanceId, processInstanceId, null);
        return;
      case 'ElementActivating':
        await insertScope(manager, data.text('elementInstanceId'), processInstanceId, data.text('flowScopeInstanceId'));
        return;
      case 'ElementCompleted':
        await manager.query('DELETE FROM task_variable_scopes WHERE scope_id = $1', [data.text('elementInstanceId')]);
        return;
      case 'ElementTerminated': {
        const elementInstanceId = data.text('elementInstanceId');
        await manager.query('DELETE FROM task_variable_scopes WHERE scope_id = $1', [elementInstanceId]);
        // The engine cancels the task of a terminated element with UserTaskCanceled first; this holds even without it.
        await cancelOpenTasks(manager, 'element_instance_id = $1', [elementInstanceId, event.recordedAt]);
        return;
      }
      case 'VariablesSet':
        await manager.query('UPDATE task_variable_scopes SET variables = variables || $2::jsonb WHERE scope_id = $1', [
          data.text('scopeInstanceId'),
          JSON.stringify(data.object('variables')),
        ]);
        return;
      case 'UserTaskCreated':
        await this.createTask(manager, event, processInstanceId, data);
        return;
      case 'UserTaskCompleted':
        await manager.query(
          `UPDATE user_tasks SET state = 'COMPLETED', completed_at = $2, pending_command_id = NULL, last_error = NULL
           WHERE id = $1 AND state <> 'COMPLETED'`,
          [data.text('userTaskId'), event.recordedAt],
        );
        return;
      case 'UserTaskCanceled':
        await cancelOpenTasks(manager, 'id = $1', [data.text('userTaskId'), event.recordedAt]);
        return;
      case 'ProcessInstanceCompleted':
      case 'ProcessInstanceTerminated':
        // An ended instance has nothing open any more, whatever the events said before.
        await cancelOpenTasks(manager, 'process_instance_id = $1', [processInstanceId, event.recordedAt]);
        await manager.query('DELETE FROM task_variable_scopes WHERE process_instance_id = $1', [processInstanceId]);
        await manager.query('DELETE FROM task_process_instances WHERE id = $1', [processInstanceId]);
        return;
    }
  }

  async reset(manager: EntityManager): Promise<void> {
    // The outbox stays: commands committed but not yet published must still reach the runtime.
    await manager.query('TRUNCATE user_tasks, task_process_instances, task_variable_scopes');
  }

  private async createTask(manager: EntityManager, event: EventEnvelope, processInstanceId: string, data: EventData): Promise<void> {
    const instances: { process_definition_id: string; process_id: string }[] = await manager.query(
      'SELECT process_definition_id, process_id FROM task_process_instances WHERE id = $1',
      [processInstanceId],
    );
    if (instances.length === 0) throw new UnreadableEventError(event, `no ProcessInstanceCreated was projected for instance ${processInstanceId}`);
    const dueDate = data.optionalText('dueDate');
    await manager.query(
      `INSERT INTO user_tasks (id, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, name, assignee,
         candidate_users, candidate_groups, due_date, due_at, follow_up_date, priority, form_key, form_id, state, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'CREATED', $17)
       ON CONFLICT (id) DO NOTHING`,
      [
        data.text('userTaskId'),
        processInstanceId,
        instances[0].process_definition_id,
        instances[0].process_id,
        data.text('elementId'),
        data.text('elementInstanceId'),
        data.optionalText('name') ?? null,
        data.optionalText('assignee') ?? null,
        data.textList('candidateUsers'),
        data.textList('candidateGroups'),
        dueDate ?? null,
        sortableTime(dueDate),
        data.optionalText('followUpDate') ?? null,
        data.optionalNumber('priority') ?? null,
        data.optionalText('formKey') ?? null,
        data.optionalText('formId') ?? null,
        data.time('createdAt'),
      ],
    );
  }
}

async function insertScope(manager: EntityManager, scopeId: string, processInstanceId: string, parentScopeId: string | null): Promise<void> {
  await manager.query(
    'INSERT INTO task_variable_scopes (scope_id, process_instance_id, parent_scope_id) VALUES ($1, $2, $3) ON CONFLICT (scope_id) DO NOTHING',
    [scopeId, processInstanceId, parentScopeId],
  );
}

/** Cancels the open tasks (CREATED, or COMPLETING: the runtime will refuse that completion) matching `where` ($1). */
async function cancelOpenTasks(manager: EntityManager, where: string, [key, at]: [string, string]): Promise<void> {
  await manager.query(
    `UPDATE user_tasks SET state = 'CANCELED', completed_at = $2, pending_command_id = NULL
     WHERE ${where} AND state IN ('CREATED', 'COMPLETING')`,
    [key, at],
  );
}

/**
 * A due date as the model gave it is any text its expression produced; it sorts by time only when it is one. A text
 * that is no time sorts after every task that has one, like a task without a due date.
 */
function sortableTime(text: string | undefined): string | null {
  if (text === undefined) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

/** Typed reads of an event's data; a field missing or of the wrong type makes the event unreadable. */
class EventData {
  private readonly data: { readonly [key: string]: JsonValue | undefined };

  constructor(private readonly event: EventEnvelope) {
    const data = event.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UnreadableEventError(event, 'data is not a JSON object');
    this.data = data;
  }

  text(field: string): string {
    const value = this.data[field];
    if (typeof value !== 'string' || value.length === 0) throw new UnreadableEventError(this.event, `data.${field} must be a non-empty string`);
    return value;
  }

  optionalText(field: string): string | undefined {
    return this.data[field] === undefined || this.data[field] === null ? undefined : this.text(field);
  }

  time(field: string): string {
    const value = this.text(field);
    if (Number.isNaN(Date.parse(value))) throw new UnreadableEventError(this.event, `data.${field} must be an ISO 8601 time`);
    return value;
  }

  optionalNumber(field: string): number | undefined {
    const value = this.data[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new UnreadableEventError(this.event, `data.${field} must be a number`);
    return value;
  }

  textList(field: string): string[] {
    const value = this.data[field] ?? [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new UnreadableEventError(this.event, `data.${field} must be a list of strings`);
    return value as string[];
  }

  object(field: string): JsonObject {
    const value = this.data[field];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UnreadableEventError(this.event, `data.${field} must be a JSON object`);
    return value;
  }
}
