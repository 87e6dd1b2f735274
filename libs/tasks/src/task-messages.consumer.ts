import { type EventEnvelope, type RuntimeCommandResult, type Validated, validateRuntimeCommandResult } from '@trellis/contracts';
import { type Decoder, type MessageBus, type MessageSubscription, asEventEnvelope, asJson } from '@trellis/messaging';
import type { StreamProjectionRunner } from '@trellis/persistence';

import type { TaskRepository } from './task.repository.js';

export type TaskMessage = { readonly kind: 'event'; readonly event: EventEnvelope } | { readonly kind: 'result'; readonly result: RuntimeCommandResult };

export interface TaskTopics {
  /** `TOPICS.processInstanceEvents`: the user tasks and their instances. */
  readonly processInstanceEvents: string;
  /** `TOPICS.runtimeCommandResults`: the runtime's answers to this service's completions. */
  readonly runtimeCommandResults: string;
}

export interface TaskMessagesConsumerOptions {
  readonly bus: MessageBus;
  readonly groupId: string;
  readonly topics: TaskTopics;
  /** Where invalid messages and failed ones go (default: the bus's, `TOPICS.deadLetter`). */
  readonly deadLetterTopic?: string;
  readonly runner: StreamProjectionRunner;
  readonly repository: TaskRepository;
  /** First delay after a failed subscription (the topics do not exist yet, Kafka is away); doubles up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly logger?: { warn(message: string, context?: Record<string, unknown>): void };
}

export type TaskConsumerState = 'idle' | 'subscribing' | 'consuming' | 'stopped';

export interface TaskConsumerStatus {
  readonly state: TaskConsumerState;
  readonly attempts: number;
  readonly lastError?: { readonly message: string; readonly at: string };
}

const asResult = asJson(validateRuntimeCommandResult);

/**
 * The task-service's one subscription: the runtime's events (into the user-task projection, exactly once) and its
 * answers to commands (a rejected completion reopens its task), each decoded and validated by its contract. Both
 * topics share the group `trellis.task-service` through one subscription, since Kafka's assignors hand a group's
 * partitions to members whatever topics each member asked for.
 */
export class TaskMessagesConsumer {
  private subscription: MessageSubscription | undefined;
  private starting: Promise<void> | undefined;
  private state: TaskConsumerState = 'idle';
  private attempts = 0;
  private lastError: { message: string; at: string } | undefined;
  private interruptWait: (() => void) | undefined;

  constructor(private readonly options: TaskMessagesConsumerOptions) {}

  /**
   * Joins the group; resolves once it consumes (or was stopped first). A failed subscription is retried with backoff,
   * without limit: the topics may not exist yet (their writers create them) or Kafka may be away for a while.
   */
  start(): Promise<void> {
    this.starting ??= this.subscribeUntilDone();
    return this.starting;
  }

  status(): TaskConsumerStatus {
    return { state: this.state, attempts: this.attempts, ...(this.lastError === undefined ? {} : { lastError: this.lastError }) };
  }

  /** Lets the message in flight finish, commits what was handled and leaves the group. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.interruptWait?.();
    await this.starting;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  private async subscribeUntilDone(): Promise<void> {
    const { bus, groupId, topics, deadLetterTopic, runner, repository } = this.options;
    const decode: Decoder<TaskMessage> = (message) =>
      message.topic === topics.runtimeCommandResults
        ? tagged(asResult(message), (result) => ({ kind: 'result', result }))
        : tagged(asEventEnvelope(message), (event) => ({ kind: 'event', event }));
    while (this.state !== 'stopped') {
      this.state = 'subscribing';
      this.attempts++;
      try {
        const subscription = await bus.subscribe<TaskMessage>({
          topics: [topics.processInstanceEvents, topics.runtimeCommandResults],
          groupId,
          fromBeginning: true,
          decode,
          ...(deadLetterTopic === undefined ? {} : { deadLetterTopic }),
          handler: async (message) => {
            if (message.kind === 'event') await runner.apply([message.event]);
            else await repository.applyCommandResult(message.result);
          },
        });
        // Stopped while joining: leave at once.
        if ((this.state as TaskConsumerState) === 'stopped') {
          await subscription.close();
          return;
        }
        this.subscription = subscription;
        this.state = 'consuming';
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.lastError = { message, at: new Date().toISOString() };
        const delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, (this.options.retryDelayMs ?? 1_000) * 2 ** Math.min(this.attempts - 1, 20));
        this.options.logger?.warn(`Cannot consume ${topics.processInstanceEvents} and ${topics.runtimeCommandResults} yet (attempt ${this.attempts}), retrying in ${delay} ms: ${message}`, {
          groupId,
          attempts: this.attempts,
        });
        await this.wait(delay);
      }
    }
  }

  private wait(ms: number): Promise<void> {
    if (this.state === 'stopped') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.interruptWait = done;
    });
  }
}

function tagged<T, U>(validated: Validated<T>, wrap: (value: T) => U): Validated<U> {
  return validated.ok ? { ok: true, value: wrap(validated.value) } : validated;
}
