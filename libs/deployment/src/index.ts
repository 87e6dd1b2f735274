export { DeploymentModule } from './deployment.module.js';
export { DefinitionsModule } from './definitions.module.js';
export { DefinitionRegistry, type DefinitionFilter, type DeploymentSummary } from './definition-registry.js';
export {
  type DecisionDefinition,
  DEPLOYMENTS_STREAM,
  type DeployedResource,
  type DeploymentCreated,
  type DeploymentCreatedData,
  type FormDefinition,
  type ProcessDefinition,
  type ResourceKind,
  resourceKindOf,
} from './deployment.events.js';
export { type DmnDecision, type DmnResource, readDmnResource } from './resources/dmn-resource.js';
export { type FormResource, readFormResource } from './resources/form-resource.js';
export {
  DeployResourcesCommand,
  DeployResourcesHandler,
  DeploymentRejectedError,
  type DeploymentView,
  type ResourceUpload,
} from './commands/deploy-resources.command.js';
export {
  GetProcessDefinitionQuery,
  GetProcessDefinitionXmlQuery,
  ListProcessDefinitionsQuery,
  ProcessDefinitionNotFoundError,
} from './queries/process-definition.queries.js';
