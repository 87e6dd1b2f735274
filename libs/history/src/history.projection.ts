import { Logger } from '@nestjs/common';
import { DEPLOYMENTS_STREAM_ID, type EventEnvelope, type JsonValue } from '@trellis/contracts';
import { compile, type ProcessInstanceEventType } from '@trellis/engine';
import type { StreamProjection } from '@trellis/persistence';
import type { EntityManager } from 'typeorm';

import { type ElementDefinitionRow, HistoryBatch, type HistoryChange, type ProcessDefinitionRow } from './history-batch-rows.js';

/** Where the projection reports events it skips. */
export interface HistoryProjectionLogger {
  warn(message: string): void;
}

/** The name of the projection's checkpoints (`projection_stream_checkpoints.projection`). */
export const HISTORY_PROJECTION = 'history';

/** The schema version of event data this projection reads; a newer one is skipped like an unknown type. */
const KNOWN_SCHEMA_VERSION = 1;

type Data = Readonly<Record<string, JsonValue>>;
/** Reads what an event of one type changes: every field first, so that an event whose data lacks one is skipped whole. */
type Decoder = (data: Data, event: EventEnvelope & { readonly processInstanceId: string }) => HistoryChange | undefined;

/** An event whose data lacks what its type promises: skipped and reported, never a reason to stop the stream. */
class MalformedEventError extends Error {}

/**
 * Turns the relay's envelopes (process-instance streams and the `deployments` stream) into the history tables.
 * Each event is first read into a change (every field it needs, so a malformed event is skipped whole); the changes of
 * a batch are then applied together by `HistoryBatch`: one statement reads the rows they touch, the changes are
 * applied in memory in event order, one statement writes every changed row. So a transaction costs two statements
 * however many events it holds. Rows are keyed by the ids the engine gave (instances, element instances, jobs, user
 * tasks, incidents) and variables by scope and name; the `StreamProjectionRunner` guarantees each event is applied
 * once, in stream order.
 *
 * Event types this version does not know (or a newer `schemaVersion` of a known one) are skipped: a newer runtime may
 * emit events an older history service has never heard of. Each such type is logged once and counted (`ignored`).
 */
export class HistoryProjection implements StreamProjection {
  readonly name = HISTORY_PROJECTION;
  private readonly ignoredTypes = new Map<string, number>();
  private malformedEvents = 0;
  private readonly decoders: Readonly<Record<ProcessInstanceEventType, Decoder | null>>;

  constructor(private readonly logger: HistoryProjectionLogger = new Logger('HistoryProjection')) {
    this.decoders = {
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
      // The job's end follows: JobCanceled when a boundary event or event sub-process caught the error (the job stays
      // ERROR_THROWN, ended), else an incident (resolving it offers the job again).
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
      // Compensation is runtime bookkeeping: its handlers are element instances of their own, shown as any other.
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

  /** One event: the same path as a batch, so the two cannot disagree. */
  async handle(event: EventEnvelope, manager: EntityManager): Promise<void> {
    await this.handleBatch([event], manager);
  }

  async handleBatch(events: readonly EventEnvelope[], manager: EntityManager): Promise<void> {
    const batch = new HistoryBatch();
    const changes: HistoryChange[] = [];
    for (const event of events) {
      const change = await this.decode(event);
      if (change === undefined) continue;
      batch.want(change);
      changes.push(change);
    }
    if (changes.length === 0) return;
    await batch.load(manager);
    for (const change of changes) batch.apply(change);
    await batch.write(manager);
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.query(
      'TRUNCATE process_definitions, element_definitions, process_instances, element_instances, variables, variable_updates, jobs, incidents, user_tasks',
    );
  }

  /** What the event changes; undefined when it changes nothing or is skipped (counted and logged). */
  private async decode(event: EventEnvelope): Promise<HistoryChange | undefined> {
    const data = asData(event.data);
    if (event.streamId === DEPLOYMENTS_STREAM_ID) {
      if (event.type === 'DeploymentCreated' && event.schemaVersion === KNOWN_SCHEMA_VERSION && data) {
        return this.guard(event, () => deploymentCreated(data, this.logger));
      }
      this.ignore(event);
      return undefined;
    }
    const processInstanceId = event.processInstanceId;
    const decoder = Object.hasOwn(this.decoders, event.type) ? this.decoders[event.type as ProcessInstanceEventType] : undefined;
    if (processInstanceId === undefined || decoder === undefined || event.schemaVersion !== KNOWN_SCHEMA_VERSION) {
      this.ignore(event);
      return undefined;
    }
    if (decoder === null) return undefined;
    if (!data) {
      this.reportMalformed(event, 'its data is not an object');
      return undefined;
    }
    return this.guard(event, async () => decoder(data, { ...event, processInstanceId }));
  }

  private async guard(event: EventEnvelope, decode: () => Promise<HistoryChange | undefined>): Promise<HistoryChange | undefined> {
    try {
      return await decode();
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      this.reportMalformed(event, error.message);
      return undefined;
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

// Reading event data: every decoder reads all its fields before it returns a change, so a malformed event changes nothing.

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

// Decoders, one per event type.

const processInstanceCreated: Decoder = (data, event) => ({
  kind: 'instanceCreated',
  row: {
    id: event.processInstanceId,
    process_definition_id: text(data, 'processDefinitionId'),
    process_id: text(data, 'processId'),
    version: integer(data, 'version'),
    business_key: optionalText(data, 'businessKey'),
    parent_process_instance_id: optionalText(data, 'parentProcessInstanceId'),
    parent_element_instance_id: optionalText(data, 'parentElementInstanceId'),
    start_time: time(data, 'startedAt'),
  },
});

function processInstanceEnded(state: 'COMPLETED' | 'TERMINATED'): Decoder {
  return (data, event) => ({ kind: 'instanceEnded', id: event.processInstanceId, state, endTime: time(data, 'endedAt') });
}

const elementActivating: Decoder = (data, event) => ({
  kind: 'elementActivating',
  row: {
    id: text(data, 'elementInstanceId'),
    process_instance_id: event.processInstanceId,
    element_id: text(data, 'elementId'),
    element_type: text(data, 'elementType'),
    flow_scope_instance_id: text(data, 'flowScopeInstanceId'),
    loop_counter: optionalInteger(data, 'loopCounter'),
    start_time: event.recordedAt,
    stream_revision: event.revision,
  },
});

function elementState(state: string): Decoder {
  return (data) => ({ kind: 'elementState', id: text(data, 'elementInstanceId'), state });
}

/** Element events carry no time: the store's recording time is when it happened. */
function elementEnded(state: string): Decoder {
  return (data, event) => ({ kind: 'elementEnded', id: text(data, 'elementInstanceId'), state, endTime: event.recordedAt });
}

/** Each variable is upserted (its revision counting the updates) and its new value appended to the updates. */
const variablesSet: Decoder = (data, event) => {
  const scopeInstanceId = text(data, 'scopeInstanceId');
  const variables = object(data, 'variables');
  if (Object.keys(variables).length === 0) return undefined;
  return {
    kind: 'variablesSet',
    scopeInstanceId,
    processInstanceId: event.processInstanceId,
    variables,
    time: event.recordedAt,
    streamRevision: event.revision,
  };
};

const jobCreated: Decoder = (data, event) => ({
  kind: 'jobCreated',
  row: {
    custom_headers: object(data, 'customHeaders'),
    id: text(data, 'jobId'),
    type: text(data, 'type'),
    retries: integer(data, 'retries'),
    process_instance_id: event.processInstanceId,
    element_id: text(data, 'elementId'),
    element_instance_id: text(data, 'elementInstanceId'),
    create_time: time(data, 'createdAt'),
  },
});

const jobFailed: Decoder = (data, event) => ({
  kind: 'jobFailed',
  id: text(data, 'jobId'),
  retries: integer(data, 'retries'),
  errorMessage: optionalText(data, 'errorMessage'),
  time: event.recordedAt,
  retryAt: asTime(optionalText(data, 'retryAt')),
});

const jobErrorThrown: Decoder = (data, event) => ({
  kind: 'jobErrorThrown',
  id: text(data, 'jobId'),
  errorMessage: bpmnErrorMessage(text(data, 'errorCode'), optionalText(data, 'errorMessage')),
  time: event.recordedAt,
});

/** What the history shows of a worker's BPMN error: its code, and its message when it gave one. */
export function bpmnErrorMessage(code: string, message: string | null): string {
  return message === null || message === '' ? `BPMN error ${code}` : `BPMN error ${code}: ${message}`;
}

const jobRetriesUpdated: Decoder = (data) => ({ kind: 'jobRetriesUpdated', id: text(data, 'jobId'), retries: integer(data, 'retries') });

function jobEnded(state: 'COMPLETED' | 'CANCELED'): Decoder {
  return (data, event) => ({ kind: 'jobEnded', id: text(data, 'jobId'), state, endTime: event.recordedAt });
}

const userTaskCreated: Decoder = (data, event) => {
  const dueDate = optionalText(data, 'dueDate');
  const followUpDate = optionalText(data, 'followUpDate');
  return {
    kind: 'userTaskCreated',
    row: {
      id: text(data, 'userTaskId'),
      name: optionalText(data, 'name'),
      process_instance_id: event.processInstanceId,
      element_id: text(data, 'elementId'),
      element_instance_id: text(data, 'elementInstanceId'),
      assignee: optionalText(data, 'assignee'),
      candidate_groups: texts(data, 'candidateGroups'),
      candidate_users: texts(data, 'candidateUsers'),
      due_date: dueDate,
      due_time: asTime(dueDate),
      follow_up_date: followUpDate,
      follow_up_time: asTime(followUpDate),
      priority: optionalInteger(data, 'priority'),
      form_key: optionalText(data, 'formKey'),
      form_id: optionalText(data, 'formId'),
      create_time: time(data, 'createdAt'),
    },
  };
};

function userTaskEnded(state: 'COMPLETED' | 'CANCELED'): Decoder {
  return (data, event) => ({ kind: 'userTaskEnded', id: text(data, 'userTaskId'), state, endTime: event.recordedAt });
}

const incidentCreated: Decoder = (data, event) => ({
  kind: 'incidentCreated',
  row: {
    id: text(data, 'incidentId'),
    type: text(data, 'incidentType'),
    message: text(data, 'message'),
    process_instance_id: event.processInstanceId,
    element_id: text(data, 'elementId'),
    element_instance_id: text(data, 'elementInstanceId'),
    job_id: optionalText(data, 'jobId'),
    create_time: time(data, 'createdAt'),
  },
});

const incidentResolved: Decoder = (data, event) => ({ kind: 'incidentResolved', id: text(data, 'incidentId'), time: event.recordedAt });

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
async function deploymentCreated(data: Data, logger: HistoryProjectionLogger): Promise<HistoryChange> {
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
  const elements: ElementDefinitionRow[] = [];
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
        elements.push({ process_definition_id: definition.id, element_id: element.id, element_type: element.kind, name: element.name ?? null });
      }
    }
  }
  const rows: ProcessDefinitionRow[] = definitions.map((definition) => ({
    id: definition.id,
    process_id: definition.processId,
    name: definition.name,
    version: definition.version,
    deployment_id: definition.deploymentId,
    resource_name: definition.resourceName,
    deployed_at: deployedAt,
  }));
  return { kind: 'deployed', definitions: rows, elements };
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
