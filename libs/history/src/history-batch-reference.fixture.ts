import { DEPLOYMENTS_STREAM_ID, type EventEnvelope, type JsonValue } from '@trellis/contracts';
import { compile, type ProcessInstanceEventType } from '@trellis/engine';
import type { StreamProjection } from '@trellis/persistence';
import type { EntityManager } from 'typeorm';

import { bpmnErrorMessage, HISTORY_PROJECTION, type HistoryProjectionLogger } from './history.projection.js';

/** The schema version of event data this projection reads; a newer one is skipped like an unknown type. */
const KNOWN_SCHEMA_VERSION = 1;

type Data = Readonly<Record<string, JsonValue>>;
type Handler = (data: Data, event: EventEnvelope & { readonly processInstanceId: string }, manager: EntityManager) => Promise<void>;

/** An event whose data lacks what its type promises: skipped and reported, never a reason to stop the stream. */
class MalformedEventError extends Error {}

/**
 * The history projection as it was before `handleBatch`: one or two statements per event, each doing in SQL what the
 * event does to its row. The oracle of `history-batch.int.spec.ts`: `HistoryProjection.handleBatch` must leave every
 * table exactly as this leaves it, event by event. Test code only; keep it as it is (it is the reference, not a copy
 * to maintain alongside), unless the read model itself changes.
 */
export class PerEventHistoryProjection implements StreamProjection {
  readonly name = HISTORY_PROJECTION;
  private readonly ignoredTypes = new Map<string, number>();
  private malformedEvents = 0;
  private readonly handlers: Readonly<Record<ProcessInstanceEventType, Handler | null>>;

  constructor(private readonly logger: HistoryProjectionLogger) {
    this.handlers = {
      ProcessInstanceCreated: processInstanceCreated,
      ElementActivating: elementActivating,
      ElementActivated: elementState('ACTIVATED'),
      ElementCompleting: elementState('COMPLETING'),
      ElementCompleted: elementEnded('COMPLETED'),
      ElementTerminating: elementState('TERMINATING'),
      ElementTerminated: elementEnded('TERMINATED'),
      // The flows taken are implied by the element instances; nothing of them is kept.
      SequenceFlowTaken: null,
      VariablesSet: variablesSet,
      JobCreated: jobCreated,
      JobFailed: jobFailed,
      JobRetriesUpdated: jobRetriesUpdated,
      JobCompleted: jobEnded('COMPLETED'),
      JobCanceled: jobEnded('CANCELED'),
      JobErrorThrown: jobErrorThrown,
      // An error passed between a child and its call activity: its effects are element instances and incidents.
      ErrorThrownToCaller: null,
      ErrorNotCaughtByCaller: null,
      ChildErrorNotCaught: null,
      EscalationThrownToCaller: null,
      EscalationAnswered: null,
      ChildEscalationAnswered: null,
      UserTaskCreated: userTaskCreated,
      UserTaskCompleted: userTaskEnded('COMPLETED'),
      UserTaskCanceled: userTaskEnded('CANCELED'),
      // Task listener steps: the task's history keeps its creation and its end (corrections are not kept yet).
      UserTaskCompleting: null,
      UserTaskCorrected: null,
      UserTaskCompletionDenied: null,
      // A timer's effect is in the element history (the catch event's instance); the timer itself is runtime state.
      TimerCreated: null,
      TimerTriggered: null,
      TimerCanceled: null,
      // A message's effect is in the element history and the variables it set (VariablesSet); subscriptions are runtime state.
      MessageSubscriptionOpened: null,
      MessageSubscriptionClosed: null,
      MessageCorrelated: null,
      // A signal's effect is in the element history and the variables it set; subscriptions and broadcasts are runtime state.
      SignalSubscriptionOpened: null,
      SignalSubscriptionClosed: null,
      SignalReceived: null,
      SignalThrown: null,
      // An event sub-process's effect is in the element history: its instance, and what its interruption terminated.
      EventSubProcessTriggered: null,
      // A call activity's element history shows it; the child is an instance of its own, with its parent recorded.
      ChildProcessInstanceRequested: null,
      ChildProcessInstanceCompleted: null,
      ChildProcessInstanceNotCreated: null,
      ChildProcessInstanceCancelRequested: null,
      // Gateway bookkeeping and ad-hoc queues are runtime state: their effects are element instances.
      ComplexGatewayWaitingForReset: null,
      ComplexGatewayReset: null,
      AdHocElementsQueued: null,
      AdHocElementDequeued: null,
      AdHocCompletionConditionFulfilled: null,
      IncidentCreated: incidentCreated,
      IncidentResolved: incidentResolved,
      // An asynchronous continuation is runtime state: its effects are element instances, and an incident when it runs out of retries.
      AsyncContinuationCreated: null,
      AsyncContinuationExecuted: null,
      AsyncContinuationFailed: null,
      AsyncContinuationRetriesUpdated: null,
      AsyncContinuationCanceled: null,
      CompensableActivityCompleted: null,
      CompensationThrown: null,
      CompensationHandlerStarted: null,
      CompensationCompleted: null,
      ProcessInstanceCompleted: processInstanceEnded('COMPLETED'),
      ProcessInstanceTerminated: processInstanceEnded('TERMINATED'),
    };
  }

  /** Event types skipped because this version does not know them (`Type` or `Type@v2`), with how many were seen. */
  get ignored(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.ignoredTypes);
  }

  /** Events of known types skipped because their data lacked a field. */
  get malformed(): number {
    return this.malformedEvents;
  }

  async handle(event: EventEnvelope, manager: EntityManager): Promise<void> {
    const data = asData(event.data);
    if (event.streamId === DEPLOYMENTS_STREAM_ID) {
      if (event.type === 'DeploymentCreated' && event.schemaVersion === KNOWN_SCHEMA_VERSION && data) {
        await this.guard(event, () => deploymentCreated(data, manager, this.logger));
      } else this.ignore(event);
      return;
    }
    const processInstanceId = event.processInstanceId;
    const handler = Object.hasOwn(this.handlers, event.type) ? this.handlers[event.type as ProcessInstanceEventType] : undefined;
    if (processInstanceId === undefined || handler === undefined || event.schemaVersion !== KNOWN_SCHEMA_VERSION) {
      this.ignore(event);
      return;
    }
    if (handler === null) return;
    if (!data) {
      this.reportMalformed(event, 'its data is not an object');
      return;
    }
    await this.guard(event, () => handler(data, { ...event, processInstanceId }, manager));
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(
      'TRUNCATE process_definitions, element_definitions, process_instances, element_instances, variables, variable_updates, jobs, incidents, user_tasks',
    );
  }

  private async guard(event: EventEnvelope, apply: () => Promise<void>): Promise<void> {
    try {
      await apply();
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      this.reportMalformed(event, error.message);
    }
  }

  private reportMalformed(event: EventEnvelope, reason: string): void {
    this.malformedEvents++;
    this.logger.warn(`Skipped event ${event.eventId} (${event.type}, revision ${event.revision} of ${event.streamId}): ${reason}`);
  }

  private ignore(event: EventEnvelope): void {
    const key = event.schemaVersion === KNOWN_SCHEMA_VERSION ? event.type : `${event.type}@v${event.schemaVersion}`;
    const seen = this.ignoredTypes.get(key) ?? 0;
    this.ignoredTypes.set(key, seen + 1);
    if (seen === 0) {
      this.logger.warn(`History skips events of type ${key} (first seen: ${event.eventId} in ${event.streamId}); this version does not know them`);
    }
  }
}

// Reading event data: every handler reads all its fields before it writes, so a malformed event changes nothing.

function asData(value: JsonValue): Data | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Data) : undefined;
}

function text(data: Data, field: string): string {
  const value = data[field];
  if (typeof value !== 'string') throw new MalformedEventError(`${field} is not a string`);
  return value;
}

function optionalText(data: Data, field: string): string | null {
  const value = data[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new MalformedEventError(`${field} is not a string`);
  return value;
}

function integer(data: Data, field: string): number {
  const value = data[field];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new MalformedEventError(`${field} is not an integer`);
  return value;
}

function optionalInteger(data: Data, field: string): number | null {
  return data[field] === undefined || data[field] === null ? null : integer(data, field);
}

function texts(data: Data, field: string): string[] {
  const value = data[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) throw new MalformedEventError(`${field} is not a list of strings`);
  return value as string[];
}

function object(data: Data, field: string): Data {
  const value = asData(data[field] ?? null);
  if (!value) throw new MalformedEventError(`${field} is not an object`);
  return value;
}

/** A time as the engine wrote it; refused when Postgres could not read it. */
function time(data: Data, field: string): string {
  const value = text(data, field);
  if (Number.isNaN(Date.parse(value))) throw new MalformedEventError(`${field} is not a date-time`);
  return value;
}

/** User-task dates are whatever text the model's expression gave: kept as text, and as a time when they are one. */
function asTime(value: string | null): string | null {
  if (value === null) return null;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : new Date(parsed).toISOString();
}

/** Milliseconds from the row's start column to `$n`, as an SQL expression. */
const since = (column: string, parameter: string): string => `(EXTRACT(EPOCH FROM (${parameter}::timestamptz - ${column})) * 1000)::bigint`;

// Handlers, one per event type.

const processInstanceCreated: Handler = async (data, event, manager) => {
  const row = [
    event.processInstanceId,
    text(data, 'processDefinitionId'),
    text(data, 'processId'),
    integer(data, 'version'),
    optionalText(data, 'businessKey'),
    time(data, 'startedAt'),
    optionalText(data, 'parentProcessInstanceId'),
    optionalText(data, 'parentElementInstanceId'),
  ];
  await manager.query(
    `INSERT INTO process_instances (id, process_definition_id, process_id, version, business_key, state, start_time, parent_process_instance_id, parent_element_instance_id)
     VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
    row,
  );
};

function processInstanceEnded(state: 'COMPLETED' | 'TERMINATED'): Handler {
  return async (data, event, manager) => {
    const endedAt = time(data, 'endedAt');
    await manager.query(`UPDATE process_instances SET state = $2, end_time = $3, duration_ms = ${since('start_time', '$3')} WHERE id = $1`, [
      event.processInstanceId,
      state,
      endedAt,
    ]);
  };
}

const elementActivating: Handler = async (data, event, manager) => {
  const row = [
    text(data, 'elementInstanceId'),
    event.processInstanceId,
    text(data, 'elementId'),
    text(data, 'elementType'),
    text(data, 'flowScopeInstanceId'),
    optionalInteger(data, 'loopCounter'),
    event.recordedAt,
    event.revision,
  ];
  await manager.query(
    `INSERT INTO element_instances (id, process_instance_id, process_definition_id, element_id, element_type, flow_scope_instance_id, loop_counter, state,
       start_time, stream_revision)
     VALUES ($1, $2, (SELECT process_definition_id FROM process_instances WHERE id = $2), $3, $4, $5, $6, 'ACTIVATING', $7, $8) ON CONFLICT (id) DO NOTHING`,
    row,
  );
};

function elementState(state: string): Handler {
  return async (data, _event, manager) => {
    const id = text(data, 'elementInstanceId');
    await manager.query('UPDATE element_instances SET state = $2 WHERE id = $1', [id, state]);
  };
}

/** Element events carry no time: the store's recording time is when it happened. */
function elementEnded(state: string): Handler {
  return async (data, event, manager) => {
    const id = text(data, 'elementInstanceId');
    await manager.query(`UPDATE element_instances SET state = $2, end_time = $3, duration_ms = ${since('start_time', '$3')} WHERE id = $1`, [
      id,
      state,
      event.recordedAt,
    ]);
  };
}

/** One statement: each variable is upserted (its revision counting the updates) and its new value appended to the updates. */
const variablesSet: Handler = async (data, event, manager) => {
  const scopeInstanceId = text(data, 'scopeInstanceId');
  const variables = object(data, 'variables');
  if (Object.keys(variables).length === 0) return;
  await manager.query(
    `WITH changed AS (
       INSERT INTO variables (scope_instance_id, name, process_instance_id, value, revision, create_time, update_time)
       SELECT $1, entry.key, $2, entry.value, 1, $3, $3 FROM jsonb_each($4::jsonb) AS entry
       ON CONFLICT (scope_instance_id, name) DO UPDATE SET value = EXCLUDED.value, revision = variables.revision + 1, update_time = EXCLUDED.update_time
       RETURNING scope_instance_id, name, revision, process_instance_id, value, update_time
     )
     INSERT INTO variable_updates (scope_instance_id, name, revision, process_instance_id, value, time, stream_revision)
     SELECT scope_instance_id, name, revision, process_instance_id, value, update_time, $5 FROM changed
     ON CONFLICT DO NOTHING`,
    [scopeInstanceId, event.processInstanceId, event.recordedAt, JSON.stringify(variables), event.revision],
  );
};

/** The definition and process id of the instance, copied onto jobs, incidents and user tasks so they filter alone. */
const OF_INSTANCE = (parameter: string): string =>
  `(SELECT process_definition_id FROM process_instances WHERE id = ${parameter}), (SELECT process_id FROM process_instances WHERE id = ${parameter})`;

const jobCreated: Handler = async (data, event, manager) => {
  const customHeaders = object(data, 'customHeaders');
  const row = [
    text(data, 'jobId'),
    text(data, 'type'),
    integer(data, 'retries'),
    event.processInstanceId,
    text(data, 'elementId'),
    text(data, 'elementInstanceId'),
    JSON.stringify(customHeaders),
    time(data, 'createdAt'),
  ];
  await manager.query(
    `INSERT INTO jobs (id, type, state, retries, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, custom_headers, create_time)
     VALUES ($1, $2, 'CREATED', $3, $4, ${OF_INSTANCE('$4')}, $5, $6, $7::jsonb, $8) ON CONFLICT (id) DO NOTHING`,
    row,
  );
};

/** With retries left the job is offered again (FAILED); without, it waits for an incident to be resolved (INCIDENT). */
const jobFailed: Handler = async (data, event, manager) => {
  const row = [text(data, 'jobId'), integer(data, 'retries'), optionalText(data, 'errorMessage'), event.recordedAt, asTime(optionalText(data, 'retryAt'))];
  await manager.query(
    `UPDATE jobs SET state = CASE WHEN $2 > 0 THEN 'FAILED' ELSE 'INCIDENT' END, retries = $2, error_message = $3, failures = failures + 1,
       last_failure_time = $4, retry_at = $5 WHERE id = $1`,
    row,
  );
};

const jobRetriesUpdated: Handler = async (data, _event, manager) => {
  const row = [text(data, 'jobId'), integer(data, 'retries')];
  await manager.query(`UPDATE jobs SET state = CASE WHEN $2 > 0 THEN 'FAILED' ELSE state END, retries = $2, retry_at = NULL WHERE id = $1`, row);
};

const jobErrorThrown: Handler = async (data, event, manager) => {
  const row = [text(data, 'jobId'), bpmnErrorMessage(text(data, 'errorCode'), optionalText(data, 'errorMessage')), event.recordedAt];
  await manager.query(`UPDATE jobs SET state = 'ERROR_THROWN', error_message = $2, last_failure_time = $3 WHERE id = $1`, row);
};

function jobEnded(state: 'COMPLETED' | 'CANCELED'): Handler {
  return async (data, event, manager) => {
    const id = text(data, 'jobId');
    await manager.query(
      `UPDATE jobs SET state = CASE WHEN state = 'ERROR_THROWN' AND $2 = 'CANCELED' THEN state ELSE $2 END, end_time = $3, retry_at = NULL WHERE id = $1`,
      [id, state, event.recordedAt],
    );
  };
}

const userTaskCreated: Handler = async (data, event, manager) => {
  const dueDate = optionalText(data, 'dueDate');
  const followUpDate = optionalText(data, 'followUpDate');
  const row = [
    text(data, 'userTaskId'),
    optionalText(data, 'name'),
    event.processInstanceId,
    text(data, 'elementId'),
    text(data, 'elementInstanceId'),
    optionalText(data, 'assignee'),
    texts(data, 'candidateGroups'),
    texts(data, 'candidateUsers'),
    dueDate,
    asTime(dueDate),
    followUpDate,
    asTime(followUpDate),
    optionalInteger(data, 'priority'),
    optionalText(data, 'formKey'),
    optionalText(data, 'formId'),
    time(data, 'createdAt'),
  ];
  await manager.query(
    `INSERT INTO user_tasks (id, name, state, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, assignee,
       candidate_groups, candidate_users, due_date, due_time, follow_up_date, follow_up_time, priority, form_key, form_id, create_time)
     VALUES ($1, $2, 'CREATED', $3, ${OF_INSTANCE('$3')}, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ON CONFLICT (id) DO NOTHING`,
    row,
  );
};

function userTaskEnded(state: 'COMPLETED' | 'CANCELED'): Handler {
  return async (data, event, manager) => {
    const id = text(data, 'userTaskId');
    await manager.query('UPDATE user_tasks SET state = $2, end_time = $3 WHERE id = $1', [id, state, event.recordedAt]);
  };
}

/** The instance counts its open incidents: it shows as INCIDENT while any is open. */
const incidentCreated: Handler = async (data, event, manager) => {
  const row = [
    text(data, 'incidentId'),
    text(data, 'incidentType'),
    text(data, 'message'),
    event.processInstanceId,
    text(data, 'elementId'),
    text(data, 'elementInstanceId'),
    optionalText(data, 'jobId'),
    time(data, 'createdAt'),
  ];
  await manager.query(
    `WITH created AS (
       INSERT INTO incidents (id, type, state, message, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, job_id, create_time)
       VALUES ($1, $2, 'ACTIVE', $3, $4, ${OF_INSTANCE('$4')}, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING process_instance_id
     )
     UPDATE process_instances SET open_incidents = open_incidents + 1 WHERE id IN (SELECT process_instance_id FROM created)`,
    row,
  );
};

const incidentResolved: Handler = async (data, event, manager) => {
  const id = text(data, 'incidentId');
  await manager.query(
    `WITH resolved AS (
       UPDATE incidents SET state = 'RESOLVED', resolve_time = $2 WHERE id = $1 AND state = 'ACTIVE' RETURNING process_instance_id
     )
     UPDATE process_instances SET open_incidents = open_incidents - 1 WHERE id IN (SELECT process_instance_id FROM resolved)`,
    [id, event.recordedAt],
  );
};

interface DeployedDefinition {
  readonly id: string;
  readonly processId: string;
  readonly name: string | null;
  readonly version: number;
  readonly resourceName: string;
  readonly deploymentId: string;
}

/**
 * The definitions of a deployment, and the names of their elements: the deployed BPMN is compiled again (as the
 * runtime does), so the element ids are the engine's. A resource this engine cannot compile keeps its definitions,
 * without element names.
 */
async function deploymentCreated(data: Data, manager: EntityManager, logger: HistoryProjectionLogger): Promise<void> {
  const deployedAt = time(data, 'deployedAt');
  const definitions: DeployedDefinition[] = listOf(data, 'processDefinitions').map((definition) => ({
    id: text(definition, 'id'),
    processId: text(definition, 'processId'),
    name: optionalText(definition, 'name'),
    version: integer(definition, 'version'),
    resourceName: text(definition, 'resourceName'),
    deploymentId: text(definition, 'deploymentId'),
  }));
  const resources = listOf(data, 'resources').map((resource) => ({ name: text(resource, 'name'), xml: text(resource, 'xml') }));
  const elements: { definitionId: string; elementId: string; type: string; name: string | null }[] = [];
  for (const resource of resources) {
    const ofResource = definitions.filter((definition) => definition.resourceName === resource.name);
    if (ofResource.length === 0) continue;
    const compiled = await compile(resource.xml);
    if (!compiled.ok) {
      logger.warn(`Deployed resource ${resource.name} does not compile with this version: its elements have no names in the history`);
      continue;
    }
    for (const process of compiled.value.processes) {
      const definition = ofResource.find((candidate) => candidate.processId === process.id);
      if (!definition) continue;
      for (const element of Object.values(process.elements)) {
        elements.push({ definitionId: definition.id, elementId: element.id, type: element.kind, name: element.name ?? null });
      }
    }
  }
  for (const definition of definitions) {
    await manager.query(
      `INSERT INTO process_definitions (id, process_id, name, version, deployment_id, resource_name, deployed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [definition.id, definition.processId, definition.name, definition.version, definition.deploymentId, definition.resourceName, deployedAt],
    );
  }
  if (elements.length > 0) {
    await manager.query(
      `INSERT INTO element_definitions (process_definition_id, element_id, element_type, name)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [elements.map((row) => row.definitionId), elements.map((row) => row.elementId), elements.map((row) => row.type), elements.map((row) => row.name)],
    );
  }
}

function listOf(data: Data, field: string): Data[] {
  const value = data[field];
  if (!Array.isArray(value)) throw new MalformedEventError(`${field} is not a list`);
  return value.map((entry, index) => {
    const item = asData(entry);
    if (!item) throw new MalformedEventError(`${field}[${index}] is not an object`);
    return item;
  });
}
