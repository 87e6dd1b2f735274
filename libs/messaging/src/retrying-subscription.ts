import { backoffDelay } from '@trellis/resilience';

import type { MessageBus, MessageSubscription, SubscribeOptions } from './message-bus.port.js';

export type RetryingSubscriptionState = 'idle' | 'subscribing' | 'consuming' | 'stopped';

export interface RetryingSubscriptionStatus {
  readonly state: RetryingSubscriptionState;
  /** Subscriptions tried since the last start. */
  readonly attempts: number;
  /** Why the last attempt failed (the broker's message), and when. */
  readonly lastError?: { readonly message: string; readonly at: string };
}

export interface RetryingSubscriptionBackoff {
  /** Ceiling of the first delay after a failed attempt (default 1,000 ms); the ceiling doubles per attempt. */
  readonly initialDelayMs?: number;
  /** Largest ceiling (default 30,000 ms). */
  readonly maxDelayMs?: number;
  /** Source of the jitter (default `Math.random`). */
  readonly random?: () => number;
}

export interface RetryingSubscriptionOptions<T> {
  readonly bus: MessageBus;
  readonly subscribe: SubscribeOptions<T>;
  /** Run before each attempt, e.g. to create the topics this service owns; a failure counts as a failed attempt. */
  readonly beforeSubscribe?: () => Promise<void>;
  readonly backoff?: RetryingSubscriptionBackoff;
  readonly logger?: { warn(message: string, context?: Record<string, unknown>): void };
}

/** Below this a retry would spin against a broker that just said no. */
const MIN_DELAY_MS = 10;

/**
 * A consumer group membership that keeps trying: a failed subscription (the topics do not exist yet because their
 * writers create them, Kafka is away for a while) is retried with exponential backoff and jitter, without limit, until it
 * consumes or is stopped. `status()` says where it is, for `/health/ready`. It can be started again after `stop()`
 * (the history's rebuild stops its consumer and starts it afterwards).
 */
export class RetryingSubscription<T> {
  private subscription: MessageSubscription | undefined;
  private starting: Promise<void> | undefined;
  private state: RetryingSubscriptionState = 'idle';
  private attempts = 0;
  private lastError: { message: string; at: string } | undefined;
  private interruptWait: (() => void) | undefined;

  constructor(private readonly options: RetryingSubscriptionOptions<T>) {}

  /** The topics subscribed to, as a list. */
  get topics(): readonly string[] {
    const { topics } = this.options.subscribe;
    return typeof topics === 'string' ? [topics] : topics;
  }

  get groupId(): string {
    return this.options.subscribe.groupId;
  }

  status(): RetryingSubscriptionStatus {
    return { state: this.state, attempts: this.attempts, ...(this.lastError === undefined ? {} : { lastError: this.lastError }) };
  }

  /** Joins the group; resolves once it consumes, or once stopped first. Never rejects: failures are retried. */
  start(): Promise<void> {
    if (this.state === 'consuming') return Promise.resolve();
    this.starting ??= this.subscribeUntilDone().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Interrupts a backoff wait or waits for a join in progress, then closes the subscription (see `MessageSubscription.close`). */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.interruptWait?.();
    await this.starting;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  private async subscribeUntilDone(): Promise<void> {
    const { bus, subscribe, beforeSubscribe, backoff = {}, logger } = this.options;
    this.attempts = 0;
    this.state = 'subscribing';
    while (this.state === 'subscribing') {
      this.attempts++;
      try {
        await beforeSubscribe?.();
        const subscription = await bus.subscribe(subscribe);
        // Stopped while joining: leave at once.
        if ((this.state as RetryingSubscriptionState) === 'stopped') {
          await subscription.close();
          return;
        }
        this.subscription = subscription;
        this.state = 'consuming';
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.lastError = { message, at: new Date().toISOString() };
        if ((this.state as RetryingSubscriptionState) === 'stopped') return;
        const delay = Math.max(
          MIN_DELAY_MS,
          backoffDelay(this.attempts, { baseDelayMs: backoff.initialDelayMs ?? 1_000, maxDelayMs: backoff.maxDelayMs ?? 30_000 }, backoff.random ?? Math.random),
        );
        logger?.warn(`Cannot consume ${listOf(this.topics)} yet (attempt ${this.attempts}), retrying in ${delay} ms: ${message}`, {
          groupId: subscribe.groupId,
          attempts: this.attempts,
        });
        await this.wait(delay);
      }
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interruptWait = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptWait = done;
    });
  }
}

/** What a readiness check reports for a subscription: ready only while it consumes; the details say why not. */
export function subscriptionReadiness(status: RetryingSubscriptionStatus): {
  readonly ready: boolean;
  readonly details: { readonly state: RetryingSubscriptionState; readonly attempts: number; readonly lastError?: string; readonly lastErrorAt?: string };
} {
  return {
    ready: status.state === 'consuming',
    details: {
      state: status.state,
      attempts: status.attempts,
      ...(status.lastError === undefined ? {} : { lastError: status.lastError.message, lastErrorAt: status.lastError.at }),
    },
  };
}

/** `a`, `a and b`, `a, b and c`. */
function listOf(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}
