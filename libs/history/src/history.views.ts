import type { JsonValue } from '@trellis/contracts';

/** What the history API answers. Times are ISO 8601 (UTC); durations whole milliseconds; absent fields are not known (yet). */

export const PROCESS_INSTANCE_STATES = ['ACTIVE', 'INCIDENT', 'COMPLETED', 'TERMINATED'] as const;
export type HistoricProcessInstanceState = (typeof PROCESS_INSTANCE_STATES)[number];

export const ELEMENT_INSTANCE_STATES = ['ACTIVATING', 'ACTIVATED', 'COMPLETING', 'COMPLETED', 'TERMINATING', 'TERMINATED'] as const;
export type HistoricElementInstanceState = (typeof ELEMENT_INSTANCE_STATES)[number];

export const JOB_STATES = ['CREATED', 'FAILED', 'INCIDENT', 'ERROR_THROWN', 'COMPLETED', 'CANCELED'] as const;
export type HistoricJobState = (typeof JOB_STATES)[number];

export const INCIDENT_STATES = ['ACTIVE', 'RESOLVED'] as const;
export type HistoricIncidentState = (typeof INCIDENT_STATES)[number];

export const INCIDENT_TYPES = ['CONDITION_ERROR', 'EXPRESSION_ERROR', 'IO_MAPPING_ERROR', 'JOB_NO_RETRIES', 'UNSUPPORTED'] as const;

export const USER_TASK_STATES = ['CREATED', 'COMPLETED', 'CANCELED'] as const;
export type HistoricUserTaskState = (typeof USER_TASK_STATES)[number];

export interface HistoryPage<T> {
  readonly items: readonly T[];
  /** Matching items in all pages. */
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export interface HistoricProcessInstance {
  readonly id: string;
  readonly processDefinitionId: string;
  readonly processId: string;
  readonly processName?: string;
  readonly version: number;
  readonly businessKey?: string;
  /** For an instance started by a call activity: the calling instance and its call activity instance. */
  readonly parentProcessInstanceId?: string;
  readonly parentElementInstanceId?: string;
  /** INCIDENT: active, with at least one open incident. */
  readonly state: HistoricProcessInstanceState;
  readonly openIncidents: number;
  readonly startTime: string;
  readonly endTime?: string;
  readonly durationMs?: number;
}

export interface HistoricProcessInstanceDetail extends HistoricProcessInstance {
  /** Every element instance the instance ran, in the order the engine activated them. */
  readonly elementInstances: readonly HistoricElementInstance[];
}

export interface HistoricElementInstance {
  readonly id: string;
  readonly processInstanceId: string;
  readonly elementId: string;
  readonly elementName?: string;
  readonly elementType: string;
  /** The enclosing sub-process's element instance, or the process instance id. */
  readonly flowScopeInstanceId: string;
  readonly loopCounter?: number;
  readonly state: HistoricElementInstanceState;
  readonly startTime: string;
  readonly endTime?: string;
  readonly durationMs?: number;
}

export interface HistoricVariable {
  readonly processInstanceId: string;
  /** The process instance id for a process variable, an element instance id for a local one. */
  readonly scopeInstanceId: string;
  readonly name: string;
  readonly value: JsonValue;
  /** 1 when created, +1 at each update. */
  readonly revision: number;
  readonly createTime: string;
  readonly updateTime: string;
}

export interface HistoricVariableUpdate {
  readonly processInstanceId: string;
  readonly scopeInstanceId: string;
  readonly name: string;
  readonly value: JsonValue;
  readonly revision: number;
  readonly time: string;
}

export interface HistoricJob {
  readonly id: string;
  readonly type: string;
  /** FAILED: failed with retries left (offered again); INCIDENT: failed with none left. */
  readonly state: HistoricJobState;
  readonly retries: number;
  readonly failures: number;
  readonly errorMessage?: string;
  readonly processInstanceId: string;
  readonly processDefinitionId?: string;
  readonly processId?: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly createTime: string;
  readonly endTime?: string;
  readonly lastFailureTime?: string;
  readonly retryAt?: string;
}

export interface HistoricIncident {
  readonly id: string;
  readonly type: string;
  readonly state: HistoricIncidentState;
  readonly message: string;
  readonly processInstanceId: string;
  readonly processDefinitionId?: string;
  readonly processId?: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly jobId?: string;
  readonly createTime: string;
  readonly resolveTime?: string;
}

export interface HistoricUserTask {
  readonly id: string;
  readonly name?: string;
  readonly state: HistoricUserTaskState;
  readonly processInstanceId: string;
  readonly processDefinitionId?: string;
  readonly processId?: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly assignee?: string;
  readonly candidateGroups: readonly string[];
  readonly candidateUsers: readonly string[];
  /** As the model gave it. */
  readonly dueDate?: string;
  readonly followUpDate?: string;
  readonly priority?: number;
  readonly formKey?: string;
  readonly formId?: string;
  readonly createTime: string;
  readonly endTime?: string;
  readonly durationMs?: number;
}
