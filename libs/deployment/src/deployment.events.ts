/** Every deployment is one event on this stream: appends with its expected revision serialise deployments. */
export const DEPLOYMENTS_STREAM = 'deployments';

/** What a resource holds: a BPMN model, a DMN model, or a form (form-js JSON). */
export type ResourceKind = 'bpmn' | 'dmn' | 'form';

export interface DeployedResource {
  readonly name: string;
  /**
   * The content as deployed: BPMN or DMN XML, or a form's JSON text. (The field kept the name it had when only BPMN
   * was deployed, so that readers of earlier events read later ones alike.)
   */
  readonly xml: string;
  /** Hex SHA-256 of the resource as deployed: equal content is a duplicate. */
  readonly sha256: string;
  /** Absent in deployments recorded before DMN and form resources were accepted: those hold BPMN only. */
  readonly kind?: ResourceKind;
}

export interface ProcessDefinition {
  /** `${processId}:${version}` */
  readonly id: string;
  readonly processId: string;
  readonly name?: string;
  readonly version: number;
  readonly resourceName: string;
  /** The deployment that introduced this version (an earlier one for a duplicate). */
  readonly deploymentId: string;
}

export interface DecisionDefinition {
  /** `${decisionId}:${version}` */
  readonly id: string;
  /** The DMN decision id (`dmn:decision/@id`): what business rule tasks call. */
  readonly decisionId: string;
  readonly name?: string;
  /** Starts at 1 per decision id; a resource deployed again unchanged keeps it. */
  readonly version: number;
  /** `camunda:versionTag` or `zeebe:versionTag` of the decision, for the `versionTag` binding. */
  readonly versionTag?: string;
  /** The id of the `dmn:definitions` (decision requirements graph) holding the decision (DMN makes it optional). */
  readonly decisionRequirementsId?: string;
  readonly decisionRequirementsName?: string;
  readonly resourceName: string;
  /** The deployment that introduced this version (an earlier one for a duplicate). */
  readonly deploymentId: string;
}

export interface FormDefinition {
  /** `${formId}:${version}` */
  readonly id: string;
  /** The form's `id`: what user tasks reference (`zeebe:formDefinition formId`, `camunda:formRef`). */
  readonly formId: string;
  /** Starts at 1 per form id; a resource deployed again unchanged keeps it. */
  readonly version: number;
  readonly resourceName: string;
  /** The deployment that introduced this version (an earlier one for a duplicate). */
  readonly deploymentId: string;
}

export interface DeploymentCreatedData {
  readonly deploymentId: string;
  readonly name: string;
  readonly deployedAt: string;
  readonly resources: readonly DeployedResource[];
  /** The definitions of every process of the deployment, including unchanged ones kept at their version. */
  readonly processDefinitions: readonly ProcessDefinition[];
  /** Every decision of its DMN resources, as processes are listed. Absent in deployments recorded before DMN was accepted. */
  readonly decisionDefinitions?: readonly DecisionDefinition[];
  /** Every form of its form resources, as processes are listed. Absent in deployments recorded before forms were accepted. */
  readonly formDefinitions?: readonly FormDefinition[];
}

export interface DeploymentCreated {
  readonly type: 'DeploymentCreated';
  readonly data: DeploymentCreatedData;
}

/** Adding the optional resource kind and decision and form definitions kept version 1: readers of it ignore them. */
export const DEPLOYMENT_EVENT_SCHEMA_VERSION = 1;

/** The kind of a resource as recorded; deployments recorded before there were kinds held BPMN only. */
export function resourceKindOf(resource: DeployedResource): ResourceKind {
  return resource.kind ?? 'bpmn';
}
