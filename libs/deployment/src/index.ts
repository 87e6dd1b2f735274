export { DeploymentModule } from './deployment.module.js';
export { DefinitionsModule } from './definitions.module.js';
export { DefinitionRegistry, type DefinitionFilter } from './definition-registry.js';
export {
  DEPLOYMENTS_STREAM,
  type DeployedResource,
  type DeploymentCreated,
  type DeploymentCreatedData,
  type ProcessDefinition,
} from './deployment.events.js';
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
