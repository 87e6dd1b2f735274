import type { Logger } from '@nestjs/common';
import type { KafkaMessageBusOptions, MessagingLogger } from '@trellis/messaging';

import type { KafkaSettings } from '../configuration/trellis.settings.js';

/** The Kafka bus's options from the `TRELLIS_KAFKA_*` settings: brokers, client id, timeouts, retries, consumer liveness. */
export function kafkaMessageBusOptionsOf(settings: KafkaSettings): KafkaMessageBusOptions {
  return {
    brokers: settings.TRELLIS_KAFKA_BROKERS,
    clientId: settings.TRELLIS_KAFKA_CLIENT_ID,
    connectionTimeoutMs: settings.TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: settings.TRELLIS_KAFKA_REQUEST_TIMEOUT_MS,
    retries: settings.TRELLIS_KAFKA_RETRIES,
    retryInitialMs: settings.TRELLIS_KAFKA_RETRY_INITIAL_MS,
    retryMaxMs: settings.TRELLIS_KAFKA_RETRY_MAX_MS,
    sessionTimeoutMs: settings.TRELLIS_KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: settings.TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS,
  };
}

/** Nest's logger in the messaging adapters' logger shape (pino gets the context as fields). */
export function nestMessagingLogger(logger: Logger): MessagingLogger {
  return {
    info: (message, context) => logger.log(context === undefined ? message : { msg: message, ...context }),
    warn: (message, context) => logger.warn(context === undefined ? message : { msg: message, ...context }),
    error: (message, context) => logger.error(context === undefined ? message : { msg: message, ...context }),
  };
}
