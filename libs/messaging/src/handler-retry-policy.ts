import { backoffDelay, isTransient } from '@trellis/resilience';

/**
 * How a subscription retries a handler that failed. A transient failure (a lost connection, a deadlock, a Kafka leader
 * change: `isTransient` of @trellis/resilience, the platform's one definition) says nothing about the message, so it
 * is retried without limit: the partition waits until the dependency is back rather than dead-letter good messages
 * during an outage. Any other failure may be the message's own (a poison message): after `maxAttempts` calls it is
 * dead-lettered (reason `retries-exhausted`) and the partition moves on.
 */
export interface HandlerRetryPolicy {
  /** Handler calls for one message failing with errors that are not transient, the first included (1: no retry). */
  readonly maxAttempts: number;
  /** The ceiling of the first delay; it doubles after every failed attempt, up to `maxDelayMs` (full jitter below it). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Failures retried without limit. */
  readonly isTransient: (error: unknown) => boolean;
  /** A number in [0, 1) (default Math.random). */
  readonly random?: () => number;
}

export const DEFAULT_HANDLER_RETRY_POLICY: HandlerRetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 30_000, isTransient };

export function handlerRetryPolicy(...overrides: (Partial<HandlerRetryPolicy> | undefined)[]): HandlerRetryPolicy {
  const policy = Object.assign({}, DEFAULT_HANDLER_RETRY_POLICY, ...overrides.map(definedFields)) as HandlerRetryPolicy;
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a positive integer, got ${policy.maxAttempts}`);
  }
  if (!(policy.baseDelayMs >= 0) || !(policy.maxDelayMs >= 0)) throw new RangeError('retry delays must be 0 or more');
  return policy;
}

export function retryDelay(attempt: number, policy: HandlerRetryPolicy): number {
  return backoffDelay(attempt, policy, policy.random ?? Math.random);
}

/** Waits `ms`, or less if the signal aborts: resolves true when the whole delay passed. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (slept: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(slept);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort);
  });
}

function definedFields<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
