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
/** Serialization failure, deadlock, too many connections, admin/crash shutdown, cannot connect now. */
const SQLSTATES = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03']);
/** Class 08: connection exceptions. */
const SQLSTATE_CONNECTION_CLASS = /^08[0-9A-Z]{3}$/;
const KAFKA_TYPES = new Set(['LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'REQUEST_TIMED_OUT', 'NETWORK_EXCEPTION']);
const KAFKA_NETWORK_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);
/** pg's messages for a lost connection and for a connect (or pool wait) that timed out; they carry no code. */
const MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i];

/**
 * Whether a failure is worth another attempt: a lost or refused connection, a Postgres serialization failure or
 * deadlock, a server shutting down or starting, a Kafka leader change, timeout or network error. Looks through
 * wrappers (TypeORM's `driverError`, kafkajs's retries-exceeded error, `cause`, AggregateError's `errors`). Constraint
 * violations, syntax errors and anything unknown are not transient: retrying cannot make them succeed.
 */
export function isTransient(error: unknown): boolean {
  return causeChain(error).some(isTransientItself);
}

function isTransientItself(error: Record<string, unknown>): boolean {
  const { code, type, name, message, retriable } = error;
  if (retriable === true) return true;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SQLSTATES.has(code) || SQLSTATE_CONNECTION_CLASS.test(code))) return true;
  if (typeof type === 'string' && KAFKA_TYPES.has(type)) return true;
  if (typeof name === 'string' && KAFKA_NETWORK_ERRORS.has(name)) return true;
  return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message));
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
