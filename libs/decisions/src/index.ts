export {
  DECISION_CATALOG,
  type DecisionCatalog,
  type DecisionDefinitionFilter,
  type DecisionDefinitionPage,
  type DecisionDefinitionView,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
} from './decision-catalog.js';
export {
  DECISION_ENGINE_ISSUE,
  DMN_SERVICE_NAME,
  type DecisionJob,
  decisionJobCreated,
  decisionJobFailure,
  failDecisionJob,
} from './decision-jobs.js';
export {
  DECISION_ENGINE_NOT_AVAILABLE,
  DecisionDefinitionNotFoundError,
  DecisionEngineNotAvailableError,
  GetDecisionDefinitionQuery,
  GetDecisionDefinitionXmlQuery,
  ListDecisionDefinitionsQuery,
} from './decision-definition.queries.js';
export { DECISIONS_MIGRATIONS, CreateDecisionDefinitions1796515200000 } from './decisions.migrations.js';
export { DecisionDefinitionsProjection } from './decision-definitions.projection.js';
export { PostgresDecisionCatalog } from './postgres-decision-catalog.js';
export { RegistryDecisionCatalog } from './registry-decision-catalog.js';
export { DecisionJobResponder, type DecisionJobResponderOptions } from './decision-job.responder.js';
export { type DmnConsumerState, type DmnConsumerStatus, DmnMessagesConsumer, type DmnMessagesConsumerOptions } from './dmn-messages.consumer.js';
export { DMN_SERVICE_GROUP, type DecisionsModuleOptions, type DecisionsTopicNames, topicNamesOf } from './decisions.options.js';
export {
  DECISIONS_DATA_SOURCE,
  DecisionsModule,
  type DecisionsModuleAsyncOptions,
  type DecisionsModuleRootOptions,
  DmnConsumerHealthIndicator,
} from './decisions.module.js';
export { EmbeddedDecisionJobs } from './embedded-decision-jobs.js';
export { EmbeddedDecisionsModule } from './embedded-decisions.module.js';
