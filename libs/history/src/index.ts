export {
  HISTORY_DATA_SOURCE,
  HistoryConsumerHealthIndicator,
  HistoryModule,
  type HistoryModuleAsyncOptions,
  type HistoryModuleOptions,
  type HistoryModuleRootOptions,
} from './history.module.js';
export {
  DECISION_EVALUATIONS_GROUP,
  type DecisionEvaluationFilter,
  type DecisionEvaluationPage,
  DecisionEvaluationQueries,
  DecisionEvaluationsConsumer,
  type DecisionEvaluationsConsumerOptions,
} from './decision-evaluations.js';
export { DecisionEvaluationsController, ListDecisionEvaluationsQueryDto } from './api/decision-evaluations.controller.js';
export { HISTORY_PROJECTION, HistoryProjection, type HistoryProjectionLogger } from './history.projection.js';
export {
  HISTORY_CONSUMER_GROUP,
  HISTORY_TOPICS,
  HistoryConsumer,
  type HistoryConsumerOptions,
  type HistoryConsumerState,
  type HistoryConsumerStatus,
} from './history-consumer.js';
export { type EnvelopeApplier, GroupCommit } from './group-commit.js';
export {
  type ConsumerGroupAdmin,
  type ConsumerGroupLag,
  KafkaConsumerGroupAdmin,
  type KafkaConsumerGroupAdminOptions,
} from './consumer-group-admin.js';
export {
  HistoryRebuild,
  type HistoryRebuildOptions,
  HistoryRebuildRefusedError,
  type HistoryRebuildReport,
  replayFromEventStore,
} from './history-rebuild.js';
export { type HistoryStatus, HistoryStatusReader } from './history-status.js';
export {
  DEFAULT_PAGE_SIZE,
  type ElementInstanceFilter,
  HistoryQueries,
  type IncidentFilter,
  type JobFilter,
  MAX_PAGE_SIZE,
  type Paging,
  type ProcessInstanceFilter,
  SORTS,
  sortValues,
  type UserTaskFilter,
  type VariableFilter,
} from './history.queries.js';
export { historyEntities } from './history.entities.js';
export { AddProcessInstanceParents1796947200000, CreateDecisionEvaluations1797033600000, CreateHistoryTables1796428800000, historyMigrations } from './history.migrations.js';
export type * from './history.views.js';
export {
  ELEMENT_INSTANCE_STATES,
  INCIDENT_STATES,
  INCIDENT_TYPES,
  JOB_STATES,
  PROCESS_INSTANCE_STATES,
  USER_TASK_STATES,
} from './history.views.js';
