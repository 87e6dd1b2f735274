import type { ExternalTaskView, LockedExternalTaskView } from '@trellis/runtime';

import { camundaDate } from './camunda-dates.js';
import { type TypedValue, typedValuesOf } from './typed-values.js';

/** Camunda 7's `ExternalTaskDto` (`GET /external-task`, `GET /external-task/{id}`), its fields in Camunda's order. */
export interface ExternalTaskDto {
  readonly activityId: string;
  readonly activityInstanceId: string;
  readonly errorMessage: string | null;
  readonly executionId: string;
  readonly id: string;
  readonly lockExpirationTime: string | null;
  readonly createTime: string;
  readonly processDefinitionId: string;
  readonly processDefinitionKey: string;
  readonly processDefinitionVersionTag: null;
  readonly processInstanceId: string;
  readonly retries: number;
  readonly suspended: false;
  readonly workerId: string | null;
  readonly topicName: string;
  readonly tenantId: null;
  readonly priority: number;
  readonly businessKey: string | null;
}

/** Camunda 7's `LockedExternalTaskDto`: what `POST /external-task/fetchAndLock` answers, one per task locked. */
export interface LockedExternalTaskDto {
  readonly activityId: string;
  readonly activityInstanceId: string;
  readonly errorMessage: string | null;
  readonly errorDetails: string | null;
  readonly executionId: string;
  readonly id: string;
  readonly lockExpirationTime: string;
  readonly createTime: string;
  readonly processDefinitionId: string;
  readonly processDefinitionKey: string;
  readonly processDefinitionVersionTag: null;
  readonly processInstanceId: string;
  readonly retries: number;
  readonly workerId: string;
  readonly topicName: string;
  readonly tenantId: null;
  readonly variables: Record<string, TypedValue>;
  readonly priority: number;
  readonly businessKey: string | null;
  readonly extensionProperties: Readonly<Record<string, string>>;
}

/**
 * Camunda's activity instance id is `<activityId>:<id>`; Trellis's element instance id stands for both the execution
 * and the activity instance.
 */
const activityInstanceIdOf = (task: ExternalTaskView): string => `${task.elementId}:${task.elementInstanceId}`;

export function externalTaskDtoOf(task: ExternalTaskView): ExternalTaskDto {
  return {
    activityId: task.elementId,
    activityInstanceId: activityInstanceIdOf(task),
    errorMessage: task.errorMessage ?? null,
    executionId: task.elementInstanceId,
    id: task.id,
    lockExpirationTime: camundaDate(task.lockExpirationTime),
    createTime: camundaDate(task.createdAt),
    processDefinitionId: task.processDefinitionId,
    processDefinitionKey: task.processId,
    processDefinitionVersionTag: null,
    processInstanceId: task.processInstanceId,
    retries: task.retries,
    suspended: false,
    workerId: task.workerId ?? null,
    topicName: task.topicName,
    tenantId: null,
    priority: task.priority,
    businessKey: task.businessKey ?? null,
  };
}

/**
 * A locked task as Camunda hands it to a worker: variables typed (`{ type, value, valueInfo }`), extension properties
 * only when the topic asked for them (`includeExtensionProperties`), else `{}` as Camunda does.
 */
export function lockedExternalTaskDtoOf(task: LockedExternalTaskView, errorDetails: string | undefined, includeExtensionProperties: boolean): LockedExternalTaskDto {
  return {
    activityId: task.elementId,
    activityInstanceId: activityInstanceIdOf(task),
    errorMessage: task.errorMessage ?? null,
    errorDetails: errorDetails ?? null,
    executionId: task.elementInstanceId,
    id: task.id,
    lockExpirationTime: camundaDate(task.lockExpirationTime),
    createTime: camundaDate(task.createdAt),
    processDefinitionId: task.processDefinitionId,
    processDefinitionKey: task.processId,
    processDefinitionVersionTag: null,
    processInstanceId: task.processInstanceId,
    retries: task.retries,
    workerId: task.workerId,
    topicName: task.topicName,
    tenantId: null,
    variables: typedValuesOf(task.variables),
    priority: task.priority,
    businessKey: task.businessKey ?? null,
    extensionProperties: includeExtensionProperties ? task.customHeaders : {},
  };
}
