/** Every deployment is one event on this stream: appends with its expected revision serialise deployments. */
export const DEPLOYMENTS_STREAM = 'deployments';

export interface DeployedResource {
  readonly name: string;
  readonly xml: string;
  /** Hex SHA-256 of the resource as deployed: equal content is a duplicate. */
  readonly sha256: string;
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

export interface DeploymentCreatedData {
  readonly deploymentId: string;
  readonly name: string;
  readonly deployedAt: string;
  readonly resources: readonly DeployedResource[];
  /** The definitions of every process of the deployment, including unchanged ones kept at their version. */
  readonly processDefinitions: readonly ProcessDefinition[];
}

export interface DeploymentCreated {
  readonly type: 'DeploymentCreated';
  readonly data: DeploymentCreatedData;
}

export const DEPLOYMENT_EVENT_SCHEMA_VERSION = 1;
