import type { DeploymentSummary, ProcessDefinition } from '@trellis/deployment';
import type { IncidentType } from '@trellis/engine';
import type { IncidentView, ProcessInstanceView } from '@trellis/runtime';

import { camundaDate } from './camunda-dates.js';
import { type TypedValue, typedValuesOf } from './typed-values.js';

/**
 * The JSON shapes of Camunda 7's REST API (7.23), field for field: what a Camunda client reads. Fields Trellis has no
 * counterpart of (tenants, categories, case instances, suspension) carry Camunda's value for "none".
 */

export interface AtomLink {
  readonly method: 'GET' | 'POST';
  readonly href: string;
  readonly rel: string;
}

export interface ProcessDefinitionDto {
  readonly id: string;
  readonly key: string;
  readonly category: string | null;
  readonly description: string | null;
  readonly name: string | null;
  readonly version: number;
  readonly resource: string;
  readonly deploymentId: string;
  readonly diagram: string | null;
  readonly suspended: boolean;
  readonly tenantId: string | null;
  readonly versionTag: string | null;
  readonly historyTimeToLive: number | null;
  readonly startableInTasklist: boolean;
}

export interface DeploymentDto {
  readonly links: readonly AtomLink[];
  readonly id: string;
  readonly name: string | null;
  readonly source: string | null;
  readonly deploymentTime: string;
  readonly tenantId: string | null;
}

export interface DeploymentWithDefinitionsDto extends DeploymentDto {
  readonly deployedProcessDefinitions: Readonly<Record<string, ProcessDefinitionDto>> | null;
  readonly deployedCaseDefinitions: null;
  readonly deployedDecisionDefinitions: null;
  readonly deployedDecisionRequirementsDefinitions: null;
}

export interface ProcessInstanceDto {
  readonly links: readonly AtomLink[];
  readonly id: string;
  readonly definitionId: string;
  readonly businessKey: string | null;
  readonly caseInstanceId: string | null;
  readonly ended: boolean;
  readonly suspended: boolean;
  readonly tenantId: string | null;
  readonly variables?: Readonly<Record<string, TypedValue>>;
}

export type HistoricProcessInstanceState = 'ACTIVE' | 'SUSPENDED' | 'COMPLETED' | 'EXTERNALLY_TERMINATED' | 'INTERNALLY_TERMINATED';

export interface HistoricProcessInstanceDto {
  readonly id: string;
  readonly rootProcessInstanceId: string;
  readonly superProcessInstanceId: string | null;
  readonly superCaseInstanceId: null;
  readonly caseInstanceId: null;
  readonly processDefinitionName: string | null;
  readonly processDefinitionKey: string;
  readonly processDefinitionVersion: number;
  readonly processDefinitionId: string;
  readonly businessKey: string | null;
  readonly startTime: string;
  readonly endTime: string | null;
  readonly removalTime: null;
  readonly durationInMillis: number | null;
  readonly startUserId: null;
  readonly startActivityId: null;
  readonly deleteReason: string | null;
  readonly tenantId: null;
  readonly state: HistoricProcessInstanceState;
}

export interface IncidentDto {
  readonly id: string;
  readonly processDefinitionId: string | null;
  readonly processInstanceId: string;
  readonly executionId: string;
  readonly incidentTimestamp: string;
  readonly incidentType: string;
  readonly activityId: string;
  readonly failedActivityId: string;
  readonly causeIncidentId: string;
  readonly rootCauseIncidentId: string;
  readonly configuration: string | null;
  readonly tenantId: null;
  readonly incidentMessage: string;
  readonly jobDefinitionId: null;
  readonly annotation: null;
}

/** `{ method: 'GET', href: '<base>/<path>', rel: 'self' }`: Camunda's link to the resource, on the URL it was asked on. */
export function selfLink(baseUrl: string, path: string): AtomLink {
  return { method: 'GET', href: `${baseUrl}/${path}`, rel: 'self' };
}

export function processDefinitionDtoOf(definition: ProcessDefinition): ProcessDefinitionDto {
  return {
    id: definition.id,
    key: definition.processId,
    category: null,
    description: null,
    name: definition.name ?? null,
    version: definition.version,
    resource: definition.resourceName,
    deploymentId: definition.deploymentId,
    diagram: null,
    suspended: false,
    tenantId: null,
    versionTag: null,
    historyTimeToLive: null,
    startableInTasklist: true,
  };
}

/** A deployment as listed (`GET /deployment`): its source is not kept, so it is null there. */
export function deploymentDtoOf(deployment: DeploymentSummary, links: readonly AtomLink[] = [], source: string | null = null): DeploymentDto {
  return { links, id: deployment.id, name: deployment.name, source, deploymentTime: camundaDate(deployment.deployedAt), tenantId: null };
}

/**
 * The answer to `POST /deployment/create`: the definitions the deployment introduced by id, or null when it
 * introduced none (every resource was deployed before unchanged, as with Camunda's duplicate filtering).
 */
export function deploymentWithDefinitionsDtoOf(
  deployment: DeploymentSummary,
  processDefinitions: readonly ProcessDefinition[],
  baseUrl: string,
  source: string | null,
): DeploymentWithDefinitionsDto {
  const introduced = processDefinitions.filter((definition) => definition.deploymentId === deployment.id);
  return {
    ...deploymentDtoOf(deployment, [selfLink(baseUrl, `deployment/${deployment.id}`)], source),
    deployedProcessDefinitions: introduced.length === 0 ? null : Object.fromEntries(introduced.map((definition) => [definition.id, processDefinitionDtoOf(definition)])),
    deployedCaseDefinitions: null,
    deployedDecisionDefinitions: null,
    deployedDecisionRequirementsDefinitions: null,
  };
}

export function processInstanceDtoOf(instance: ProcessInstanceView, baseUrl: string, options: { readonly links?: boolean; readonly variables?: boolean } = {}): ProcessInstanceDto {
  return {
    links: options.links === false ? [] : [selfLink(baseUrl, `process-instance/${instance.id}`)],
    id: instance.id,
    definitionId: instance.processDefinitionId,
    businessKey: instance.businessKey ?? null,
    caseInstanceId: null,
    ended: instance.state !== 'ACTIVE',
    suspended: false,
    tenantId: null,
    ...(options.variables ? { variables: typedValuesOf(instance.variables) } : {}),
  };
}

/** Completed instances are COMPLETED; cancelled ones EXTERNALLY_TERMINATED, as Camunda records a deletion over its API. */
export function historicStateOf(instance: ProcessInstanceView): HistoricProcessInstanceState {
  if (instance.state === 'COMPLETED') return 'COMPLETED';
  if (instance.state === 'TERMINATED') return 'EXTERNALLY_TERMINATED';
  return 'ACTIVE';
}

export function historicProcessInstanceDtoOf(instance: ProcessInstanceView, rootProcessInstanceId: string, processDefinitionName: string | null): HistoricProcessInstanceDto {
  const endTime = camundaDate(instance.endedAt);
  return {
    id: instance.id,
    rootProcessInstanceId,
    superProcessInstanceId: instance.parentProcessInstanceId ?? null,
    superCaseInstanceId: null,
    caseInstanceId: null,
    processDefinitionName,
    processDefinitionKey: instance.processId,
    processDefinitionVersion: instance.version,
    processDefinitionId: instance.processDefinitionId,
    businessKey: instance.businessKey ?? null,
    startTime: camundaDate(instance.startedAt),
    endTime,
    removalTime: null,
    durationInMillis: instance.endedAt === undefined ? null : Date.parse(instance.endedAt) - Date.parse(instance.startedAt),
    startUserId: null,
    startActivityId: null,
    deleteReason: instance.state === 'TERMINATED' ? 'Cancelled' : null,
    tenantId: null,
    state: historicStateOf(instance),
  };
}

/**
 * Camunda's incident type names: a job out of retries is its `failedJob`; the kinds Camunda has no name for keep
 * Trellis's, in Camunda's camelCase (`EXPRESSION_ERROR` → `expressionError`).
 */
export function incidentTypeOf(type: IncidentType): string {
  if (type === 'JOB_NO_RETRIES') return 'failedJob';
  return type.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

export function incidentDtoOf(incident: IncidentView, processDefinitionId: string | null): IncidentDto {
  return {
    id: incident.id,
    processDefinitionId,
    processInstanceId: incident.processInstanceId,
    executionId: incident.elementInstanceId,
    incidentTimestamp: camundaDate(incident.createdAt),
    incidentType: incidentTypeOf(incident.type),
    activityId: incident.elementId,
    failedActivityId: incident.elementId,
    causeIncidentId: incident.id,
    rootCauseIncidentId: incident.id,
    configuration: incident.jobId ?? null,
    tenantId: null,
    incidentMessage: incident.message,
    jobDefinitionId: null,
    annotation: null,
  };
}
