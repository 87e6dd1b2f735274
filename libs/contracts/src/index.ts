export type { JsonObject, JsonValue } from './json.js';
export {
  type FieldSpec,
  type Problem,
  ROOT_PATH,
  type Rule,
  type Schema,
  type Validated,
  checkObject,
  describeProblems,
  parseJsonValue,
  pickFields,
  rules,
} from './validation.js';
export {
  DEPLOYMENTS_STREAM_ID,
  PROCESS_INSTANCE_STREAM_PREFIX,
  TOPICS,
  type TopicName,
  eventTopicOfStream,
  processInstanceIdOfStream,
} from './topics.js';
export { HEADERS, JSON_CONTENT_TYPE, type WireMessage } from './headers.js';
export {
  type MessagePublication,
  decodeMessagePublication,
  messagePublicationMessageOf,
  validateMessagePublication,
} from './message-publication.js';
export {
  type DecisionEvaluated,
  type DecisionEvaluatedRule,
  decisionEvaluatedMessageOf,
  decodeDecisionEvaluated,
  validateDecisionEvaluated,
} from './decision-evaluated.js';
export {
  type EventEnvelope,
  type RecordedEventLike,
  decodeEventEnvelope,
  eventEnvelopeOf,
  eventMessageOf,
  validateEventEnvelope,
} from './event-envelope.js';
export {
  DEAD_LETTER_REASONS,
  type DeadLetterEnvelope,
  type DeadLetterReason,
  deadLetterMessageOf,
  decodeDeadLetterEnvelope,
  validateDeadLetterEnvelope,
} from './dead-letter-envelope.js';
export {
  type ActivateAdHocActivitiesCommandMessage,
  type AdHocActivityToActivate,
  MAX_AD_HOC_ACTIVITIES,
  type CancelProcessInstanceCommandMessage,
  type CompleteJobCommandMessage,
  type CompleteUserTaskCommandMessage,
  type FailJobCommandMessage,
  type ThrowErrorCommandMessage,
  type ResolveIncidentCommandMessage,
  RUNTIME_COMMAND_REJECTIONS,
  RUNTIME_COMMAND_TYPES,
  type RuntimeCommandHeader,
  type RuntimeCommandMessage,
  type RuntimeCommandRejection,
  type RuntimeCommandResult,
  type RuntimeCommandType,
  type SetVariablesCommandMessage,
  type StartProcessInstanceCommandMessage,
  decodeRuntimeCommand,
  decodeRuntimeCommandResult,
  runtimeCommandMessageOf,
  runtimeCommandResultMessageOf,
  validateRuntimeCommand,
  validateRuntimeCommandResult,
} from './runtime-command.js';
