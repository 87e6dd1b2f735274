/** The part of a logger (pino's signature) that retries write to. */
export interface RetryLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

export interface RetryPolicy {
  /** Calls in all, the first included (1: no retry). */
  readonly maxAttempts: number;
  /** The ceiling of the first delay; it doubles after every failed attempt... */
  readonly baseDelayMs: number;
  /** ...up to this. The delay itself is drawn uniformly below the ceiling ("full jitter"). */
  readonly maxDelayMs: number;
  /** Names the operation in logs. */
  readonly operation?: string;
  readonly logger?: RetryLogger;
  /** Which failures are worth another attempt (default `isTransient`). */
  readonly isRetryable?: (error: unknown) => boolean;
  /** A number in [0, 1) (default Math.random): injectable so that tests are deterministic. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 5_000 };

const consoleLogger: RetryLogger = { warn: (details, message) => console.warn(message, details) };
const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `operation` until it succeeds, fails with an error that is not retryable, or has been called
 * `policy.maxAttempts` times; the last error is thrown. Every retry is logged with its attempt number and error.
 * `operation` must be safe to repeat: run a whole transaction in it, not one statement of a transaction.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY_POLICY): Promise<T> {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${policy.maxAttempts}`);
  }
  const { logger = consoleLogger, isRetryable = isTransient, random = Math.random, sleep = sleepFor } = policy;
  const name = policy.operation ?? 'operation';
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      const details = { operation: name, attempt, maxAttempts: policy.maxAttempts, err: error };
      if (attempt >= policy.maxAttempts) {
        logger.warn(details, `${name} failed on attempt ${attempt} of ${policy.maxAttempts}, giving up: ${messageOf(error)}`);
        throw error;
      }
      const delayMs = backoffDelay(attempt, policy, random);
      logger.warn({ ...details, delayMs }, `${name} failed on attempt ${attempt} of ${policy.maxAttempts}, retrying in ${delayMs} ms: ${messageOf(error)}`);
      await sleep(delayMs);
    }
  }
}

/** Exponential backoff with full jitter: uniform in [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))). */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);
/** The server ends the session: admin shutdown, crash shutdown, cannot connect now. */
const SESSION_ENDED_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
/** Class 08: connection exceptions. */
const CONNECTION_EXCEPTION = /^08[0-9A-Z]{3}$/;
/** Serialization failure, deadlock, too many connections. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '53300']);
const KAFKA_TYPES = new Set(['LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);
const KAFKA_NETWORK_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);
/** pg's messages for a lost connection (they carry no code). */
const CONNECTION_LOST_MESSAGES = [/Connection terminated/i, /not queryable/i];
/** pg-pool's message when no connection became free within the connection timeout. */
const POOL_TIMEOUT_MESSAGE = /timeout exceeded when trying to connect/i;

/**
 * Whether a failure is worth another attempt: a lost or refused connection, a Postgres serialization failure or
 * deadlock, a server shutting down or starting, a Kafka leader change, timeout or network error. Looks through
 * wrappers (TypeORM's `driverError`, kafkajs's retries-exceeded error, `cause`, AggregateError's `errors`). Constraint
 * violations, syntax errors, statement timeouts and anything unknown are not transient: retrying cannot help them.
 */
export function isTransient(error: unknown): boolean {
  return causeChain(error).some((entry) => isConnectionLostItself(entry) || isTransientItself(entry));
}

/** Whether the connection itself failed (refused, reset, ended by the server): a pooled connection that saw it is dead. */
export function isConnectionLost(error: unknown): boolean {
  return causeChain(error).some(isConnectionLostItself);
}

function isConnectionLostItself(error: Record<string, unknown>): boolean {
  const { code, message } = error;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SESSION_ENDED_SQLSTATES.has(code) || CONNECTION_EXCEPTION.test(code))) return true;
  return typeof message === 'string' && CONNECTION_LOST_MESSAGES.some((pattern) => pattern.test(message));
}

function isTransientItself(error: Record<string, unknown>): boolean {
  const { code, type, name, message, retriable } = error;
  if (retriable === true) return true;
  if (typeof code === 'string' && RETRYABLE_SQLSTATES.has(code)) return true;
  if (typeof type === 'string' && KAFKA_TYPES.has(type)) return true;
  if (typeof name === 'string' && KAFKA_NETWORK_ERRORS.has(name)) return true;
  return typeof message === 'string' && POOL_TIMEOUT_MESSAGE.test(message);
}

function causeChain(error: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const pending: unknown[] = [error];
  // Bounded: error graphs can be cyclic or absurdly deep.
  while (pending.length > 0 && found.length < 20) {
    const next = pending.shift();
    if (typeof next !== 'object' || next === null || found.includes(next as Record<string, unknown>)) continue;
    const entry = next as Record<string, unknown>;
    found.push(entry);
    pending.push(entry['cause'], entry['driverError'], entry['originalError']);
    if (Array.isArray(entry['errors'])) pending.push(...(entry['errors'] as unknown[]));
  }
  return found;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
