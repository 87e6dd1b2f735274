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
  DMN_SERVICE_NAME,
  type AnswerOptions,
  type DecisionJob,
  type DecisionJobAnswer,
  type DecisionJobSelector,
  completeDecisionJob,
  decisionJobCreated,
  decisionJobResult,
  decisionJobSelector,
  decisionNotDeployedMessage,
  failDecisionJob,
} from './decision-jobs.js';
export {
  DECISION_EVALUATION_FAILED,
  DecisionEvaluationFailedError,
  type DecisionEvaluationView,
  DecisionNotDeployedError,
  type EvaluatedDecision,
  type EvaluatedInput,
  type MatchedRule,
} from './decision-evaluation.js';
export { DecisionEvaluator } from './decision-evaluator.js';
export {
  BusDecisionEvaluationLog,
  DECISION_EVALUATION_LOG,
  type DecisionEvaluatedRecord,
  type DecisionEvaluationFilter,
  type DecisionEvaluationLog,
  type DecisionEvaluationMatchedRules,
  type DecisionEvaluationOrigin,
  type DecisionEvaluationPage,
  MEMORY_EVALUATIONS_KEPT,
  MemoryDecisionEvaluationLog,
} from './decision-evaluation-log.js';
export { DecisionEvaluationNotFoundError, DecisionEvaluationsHistoryController } from './api/decision-evaluations-history.controller.js';
export { type DecisionRuleResults, type MappedDecisionResult, mapDecisionResult } from './decision-result-mapping.js';
export { CAMUNDA8_REST_PATH, camunda8EvaluationOf } from './api/camunda-decisions.controller.js';
export { compileDmnResource, dmnProblemText } from './dmn-engine.js';
export {
  DecisionDefinitionNotFoundError,
  GetDecisionDefinitionQuery,
  GetDecisionDefinitionXmlQuery,
  ListDecisionDefinitionsQuery,
} from './decision-definition.queries.js';
export { AddDecisionJobInputs1796860800000, CreateDecisionDefinitions1796515200000, DECISIONS_MIGRATIONS } from './decisions.migrations.js';
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
