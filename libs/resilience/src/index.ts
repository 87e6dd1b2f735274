// Retries with exponential backoff and jitter, and which failures of Postgres, sockets and Kafka are transient: shared
// by persistence, messaging, the relay and the event stores, without loading any of their clients.
export { backoffDelay, DEFAULT_RETRY_POLICY, isConnectionLost, isTransient, type RetryLogger, type RetryPolicy, withRetry } from './retry.js';
