import type { EventEnvelope, JsonObject, JsonValue } from '@trellis/contracts';
import type { StreamProjection } from '@trellis/persistence';
import type { EntityManager } from 'typeorm';

import { type TaskCorrections, UserTaskBatchKeys, UserTaskBatchRows, type UserTaskRowChange } from './user-task-batch-rows.js';

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
  'UserTaskCompleting',
  'UserTaskCompletionDenied',
  'UserTaskCorrected',
  'ProcessInstanceCompleted',
  'ProcessInstanceTerminated',
]);

/**
 * The user tasks of every process instance, from the runtime's events (run by `StreamProjectionRunner`: each event
 * applied once, in stream order, in the transaction that moves its stream's checkpoint).
 *
 * A task is created by `UserTaskCreated`, completed by `UserTaskCompleted` (whoever completed it: this service's
 * completion is accepted only then), cancelled by `UserTaskCanceled`, by the termination of its element, or by the end
 * of its instance. With completing task listeners, `UserTaskCompleting` makes it COMPLETING until the listeners are
 * done, `UserTaskCompletionDenied` makes it CREATED again with the listener's `denied_reason`, and `UserTaskCorrected`
 * changes the fields a listener corrected (both in the task's history). Besides the tasks it keeps the live instances (a task's definition) and the live variable scopes
 * (what an open task's element sees), and drops both when they end.
 *
 * A batch costs two statements whatever its size: `changesOf` turns each event into the row changes it makes, the
 * rows those name are loaded in one statement, changed in memory in the events' order, and written back set-based in
 * another (`UserTaskBatchRows`). Events that change no row cost nothing. A single event is a batch of one.
 */
export class UserTaskProjection implements StreamProjection {
  readonly name = 'user-tasks';

  async handle(event: EventEnvelope, manager: EntityManager): Promise<void> {
    await this.handleBatch([event], manager);
  }

  async handleBatch(events: readonly EventEnvelope[], manager: EntityManager): Promise<void> {
    const decided: { readonly event: EventEnvelope; readonly changes: readonly UserTaskRowChange[] }[] = [];
    const keys = new UserTaskBatchKeys();
    let unreadable: unknown;
    for (const event of events) {
      let changes: UserTaskRowChange[];
      try {
        changes = changesOf(event);
      } catch (error) {
        // Thrown once the events before it are applied: one of them may fail first, as it did event by event.
        unreadable = error;
        break;
      }
      if (changes.length === 0) continue;
      decided.push({ event, changes });
      for (const change of changes) keys.add(change);
    }
    if (decided.length === 0 && unreadable === undefined) return;
    const rows = await UserTaskBatchRows.load(manager, keys);
    for (const { event, changes } of decided) {
      for (const change of changes) {
        if (!rows.apply(change)) throw new UnreadableEventError(event, `no ProcessInstanceCreated was projected for instance ${event.processInstanceId}`);
      }
    }
    if (unreadable !== undefined) throw unreadable;
    await rows.write(manager);
  }

  async reset(manager: EntityManager): Promise<void> {
    // The outbox stays: commands committed but not yet published must still reach the runtime.
    await manager.query('TRUNCATE user_tasks, task_process_instances, task_variable_scopes');
    // The history the events wrote is written again; what people did over the API stays (as their comments do).
    await manager.query(`DELETE FROM task_events WHERE type IN ('CREATED', 'COMPLETED', 'CANCELED', 'COMPLETION_DENIED', 'CORRECTED')`);
  }
}

/** What an event does to the read model's rows, in order (none for an event that concerns no task). */
function changesOf(event: EventEnvelope): UserTaskRowChange[] {
  if (!HANDLED.has(event.type)) return [];
  const processInstanceId = event.processInstanceId;
  if (processInstanceId === undefined) return [];
  if (event.schemaVersion !== SCHEMA_VERSION) throw new UnreadableEventError(event, `schema version ${event.schemaVersion} is not known (only ${SCHEMA_VERSION})`);
  const data = new EventData(event);
  const at = event.recordedAt;

  switch (event.type) {
    case 'ProcessInstanceCreated':
      return [
        {
          kind: 'insertInstance',
          id: processInstanceId,
          row: { processDefinitionId: data.text('processDefinitionId'), processId: data.text('processId'), businessKey: data.optionalText('businessKey') ?? null },
        },
        { kind: 'insertScope', scopeId: processInstanceId, processInstanceId, parentScopeId: null },
      ];
    case 'ElementActivating':
      return [{ kind: 'insertScope', scopeId: data.text('elementInstanceId'), processInstanceId, parentScopeId: data.text('flowScopeInstanceId') }];
    case 'ElementCompleted':
      return [{ kind: 'deleteScope', scopeId: data.text('elementInstanceId') }];
    case 'ElementTerminated': {
      const elementInstanceId = data.text('elementInstanceId');
      return [
        { kind: 'deleteScope', scopeId: elementInstanceId },
        // The engine cancels the task of a terminated element with UserTaskCanceled first; this holds even without it.
        { kind: 'cancelOpenTasks', key: 'element_instance_id', value: elementInstanceId, at },
      ];
    }
    case 'VariablesSet':
      return [{ kind: 'setVariables', scopeId: data.text('scopeInstanceId'), variables: data.object('variables') }];
    case 'UserTaskCreated': {
      const dueDate = data.optionalText('dueDate');
      const followUpDate = data.optionalText('followUpDate');
      return [
        {
          kind: 'insertTask',
          task: {
            id: data.text('userTaskId'),
            process_instance_id: processInstanceId,
            element_id: data.text('elementId'),
            element_instance_id: data.text('elementInstanceId'),
            name: data.optionalText('name') ?? null,
            assignee: data.optionalText('assignee') ?? null,
            candidate_users: data.textList('candidateUsers'),
            candidate_groups: data.textList('candidateGroups'),
            due_date: dueDate ?? null,
            due_at: sortableTime(dueDate),
            follow_up_date: followUpDate ?? null,
            follow_up_at: sortableTime(followUpDate),
            priority: data.optionalNumber('priority') ?? null,
            form_key: data.optionalText('formKey') ?? null,
            form_id: data.optionalText('formId') ?? null,
            // Not in the engine's event yet: read when it carries them, set over the API otherwise.
            category: data.optionalText('category') ?? null,
            tenant_id: data.optionalText('tenantId') ?? null,
            created_at: data.time('createdAt'),
          },
        },
      ];
    }
    case 'UserTaskCompleted':
      return [{ kind: 'completeTask', taskId: data.text('userTaskId'), at, variables: data.optionalObject('variables') ?? {} }];
    case 'UserTaskCanceled':
      return [{ kind: 'cancelOpenTasks', key: 'id', value: data.text('userTaskId'), at }];
    case 'UserTaskCompleting':
      return [{ kind: 'markCompleting', taskId: data.text('userTaskId') }];
    case 'UserTaskCompletionDenied':
      // A listener may deny without a reason (the engine gives ''): none is shown then.
      return [{ kind: 'denyCompletion', taskId: data.text('userTaskId'), at, deniedReason: data.optionalString('deniedReason') ?? '' }];
    case 'UserTaskCorrected': {
      const corrections = new EventData(event, data.object('corrections'), 'data.corrections');
      return [{ kind: 'correctTask', taskId: data.text('userTaskId'), at, corrections: correctedColumns(corrections), data: data.object('corrections') }];
    }
    case 'ProcessInstanceCompleted':
    case 'ProcessInstanceTerminated':
      // An ended instance has nothing open any more, whatever the events said before.
      return [
        { kind: 'cancelOpenTasks', key: 'process_instance_id', value: processInstanceId, at },
        { kind: 'deleteScopesOf', processInstanceId },
        { kind: 'deleteInstance', id: processInstanceId },
      ];
  }
  return [];
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

/** The columns a `UserTaskCorrected` changes: only those its corrections name (a list replaces the list). */
function correctedColumns(corrections: EventData): TaskCorrections {
  const columns: { -readonly [K in keyof TaskCorrections]: TaskCorrections[K] } = {};
  if (corrections.has('assignee')) columns.assignee = corrections.optionalString('assignee') || null;
  if (corrections.has('candidateUsers')) columns.candidate_users = corrections.textList('candidateUsers');
  if (corrections.has('candidateGroups')) columns.candidate_groups = corrections.textList('candidateGroups');
  if (corrections.has('dueDate')) {
    const dueDate = corrections.optionalString('dueDate') || undefined;
    columns.due_date = dueDate ?? null;
    columns.due_at = sortableTime(dueDate);
  }
  if (corrections.has('followUpDate')) {
    const followUpDate = corrections.optionalString('followUpDate') || undefined;
    columns.follow_up_date = followUpDate ?? null;
    columns.follow_up_at = sortableTime(followUpDate);
  }
  if (corrections.has('priority')) columns.priority = corrections.optionalNumber('priority') ?? null;
  return columns;
}

/** Typed reads of an event's data; a field missing or of the wrong type makes the event unreadable. */
class EventData {
  private readonly data: { readonly [key: string]: JsonValue | undefined };

  /** `data` is the event's data, or an object inside it. */
  constructor(
    private readonly event: EventEnvelope,
    data: JsonValue = event.data,
    private readonly path = 'data',
  ) {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UnreadableEventError(event, `${path} is not a JSON object`);
    this.data = data;
  }

  text(field: string): string {
    const value = this.data[field];
    if (typeof value !== 'string' || value.length === 0) throw new UnreadableEventError(this.event, `${this.path}.${field} must be a non-empty string`);
    return value;
  }

  has(field: string): boolean {
    return this.data[field] !== undefined;
  }

  /** A string, empty or not (undefined when absent or null). */
  optionalString(field: string): string | undefined {
    const value = this.data[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw new UnreadableEventError(this.event, `${this.path}.${field} must be a string`);
    return value;
  }

  optionalText(field: string): string | undefined {
    return this.data[field] === undefined || this.data[field] === null ? undefined : this.text(field);
  }

  time(field: string): string {
    const value = this.text(field);
    if (Number.isNaN(Date.parse(value))) throw new UnreadableEventError(this.event, `${this.path}.${field} must be an ISO 8601 time`);
    return value;
  }

  optionalNumber(field: string): number | undefined {
    const value = this.data[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new UnreadableEventError(this.event, `${this.path}.${field} must be a number`);
    return value;
  }

  textList(field: string): string[] {
    const value = this.data[field] ?? [];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw new UnreadableEventError(this.event, `${this.path}.${field} must be a list of strings`);
    return value as string[];
  }

  optionalObject(field: string): JsonObject | undefined {
    return this.data[field] === undefined || this.data[field] === null ? undefined : this.object(field);
  }

  object(field: string): JsonObject {
    const value = this.data[field];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UnreadableEventError(this.event, `${this.path}.${field} must be a JSON object`);
    return value;
  }
}
