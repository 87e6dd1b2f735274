export {
  type BatchHandler,
  type BatchItem,
  type Decoder,
  type MessageBus,
  type MessageHandler,
  type MessageSubscription,
  NonRetriableError,
  type OutgoingMessage,
  type ReceivedMessage,
  type SubscribeOptions,
  type TopicSpec,
  isNonRetriable,
} from './message-bus.port.js';
export { MESSAGE_BUS } from './message-bus.token.js';
export { DEFAULT_HANDLER_RETRY_POLICY, type HandlerRetryPolicy } from './handler-retry-policy.js';
export { type MessagingLogger, consoleMessagingLogger, silentMessagingLogger } from './messaging-logger.js';
export { asDeadLetterEnvelope, asEventEnvelope, asJson, asText } from './decoders.js';
export { InMemoryProcessedMessages, type ProcessedMessages, idempotent } from './processed-messages.js';
export { InProcessMessageBus, type InProcessMessageBusOptions } from './in-process-message-bus.js';
export { KafkaMessageBus, type KafkaMessageBusOptions } from './kafka-message-bus.js';
export { trellisTopics } from './trellis-topics.js';
export {
  RetryingSubscription,
  type RetryingSubscriptionBackoff,
  type RetryingSubscriptionOptions,
  type RetryingSubscriptionState,
  type RetryingSubscriptionStatus,
  subscriptionReadiness,
} from './retrying-subscription.js';
