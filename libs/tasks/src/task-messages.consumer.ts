import { type EventEnvelope, type RuntimeCommandResult, type Validated, validateRuntimeCommandResult } from '@trellis/contracts';
import {
  type BatchItem,
  type Decoder,
  type MessageBus,
  RetryingSubscription,
  type RetryingSubscriptionState,
  type RetryingSubscriptionStatus,
  asEventEnvelope,
  asJson,
} from '@trellis/messaging';
import type { StreamProjectionRunner } from '@trellis/persistence';

import type { TaskRepository } from './task.repository.js';

export type TaskMessage =
  | { readonly kind: 'event'; readonly event: EventEnvelope }
  | { readonly kind: 'result'; readonly result: RuntimeCommandResult }
  /** A `DeploymentCreated` envelope of the deployments topic: its forms go into the store of deployed forms. */
  | { readonly kind: 'deployment'; readonly event: EventEnvelope };

/** The deployments topic and the runner of the `FormDefinitionsProjection` that keeps the deployed forms. */
export interface TaskFormDeployments {
  /** `TOPICS.deployments` */
  readonly topic: string;
  readonly runner: StreamProjectionRunner;
}

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
  /** When given, the deployments topic is consumed too (same group), into the store of deployed forms. */
  readonly formDeployments?: TaskFormDeployments;
  /** Ceiling of the first delay after a failed subscription (the topics do not exist yet, Kafka is away); doubles up to `maxRetryDelayMs` (delays are jittered below it). */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly logger?: { warn(message: string, context?: Record<string, unknown>): void };
}

export type TaskConsumerState = RetryingSubscriptionState;

export type TaskConsumerStatus = RetryingSubscriptionStatus;

const asResult = asJson(validateRuntimeCommandResult);

/**
 * The task-service's one subscription: the runtime's events (into the user-task projection, exactly once) and its
 * answers to commands (a rejected completion reopens its task), each decoded and validated by its contract. The bus
 * hands them over in batches (up to 500 messages of a partition): the events of a batch go into one transaction. Both
 * topics share the group `trellis.task-service` through one subscription, since Kafka's assignors hand a group's
 * partitions to members whatever topics each member asked for.
 */
export class TaskMessagesConsumer {
  private readonly subscription: RetryingSubscription<TaskMessage>;

  constructor(options: TaskMessagesConsumerOptions) {
    const { bus, groupId, topics, deadLetterTopic, runner, repository, formDeployments } = options;
    const decode: Decoder<TaskMessage> = (message) => {
      if (message.topic === topics.runtimeCommandResults) return tagged(asResult(message), (result) => ({ kind: 'result', result }));
      if (message.topic === formDeployments?.topic) return tagged(asEventEnvelope(message), (event) => ({ kind: 'deployment', event }));
      return tagged(asEventEnvelope(message), (event) => ({ kind: 'event', event }));
    };
    this.subscription = new RetryingSubscription<TaskMessage>({
      bus,
      subscribe: {
        topics: [topics.processInstanceEvents, topics.runtimeCommandResults, ...(formDeployments === undefined ? [] : [formDeployments.topic])],
        groupId,
        fromBeginning: true,
        decode,
        ...(deadLetterTopic === undefined ? {} : { deadLetterTopic }),
        handler: async (message) => {
          if (message.kind === 'event') await runner.apply([message.event]);
          else if (message.kind === 'deployment') await formDeployments?.runner.apply([message.event]);
          else await repository.applyCommandResult(message.result);
        },
        batchHandler: (items) => applyInOrder(items, runner, repository, formDeployments?.runner),
      },
      backoff: { initialDelayMs: options.retryDelayMs ?? 1_000, maxDelayMs: options.maxRetryDelayMs ?? 30_000 },
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }

  /**
   * Joins the group; resolves once it consumes (or was stopped first). A failed subscription is retried with backoff,
   * without limit: the topics may not exist yet (their writers create them) or Kafka may be away for a while.
   */
  start(): Promise<void> {
    return this.subscription.start();
  }

  status(): TaskConsumerStatus {
    return this.subscription.status();
  }

  /** Lets the message in flight finish, commits what was handled and leaves the group. */
  stop(): Promise<void> {
    return this.subscription.stop();
  }
}

/**
 * A batch in its order: each run of events (or of deployments) in one projection transaction, each command result on its own. (A batch
 * comes from one partition, so from one topic: in practice all events or all results.) A failure leaves the batch to
 * the bus, which hands its messages over one at a time; the events already applied are then skipped by the runner's
 * checkpoints, and a result applied twice changes nothing more.
 */
async function applyInOrder(
  items: readonly BatchItem<TaskMessage>[],
  runner: StreamProjectionRunner,
  repository: TaskRepository,
  formsRunner: StreamProjectionRunner | undefined,
): Promise<void> {
  let events: EventEnvelope[] = [];
  let deployments: EventEnvelope[] = [];
  const flush = async () => {
    if (events.length > 0) await runner.apply(events);
    if (deployments.length > 0) await formsRunner?.apply(deployments);
    events = [];
    deployments = [];
  };
  for (const { body } of items) {
    if (body.kind === 'event') {
      if (deployments.length > 0) await flush();
      events.push(body.event);
    } else if (body.kind === 'deployment') {
      if (events.length > 0) await flush();
      deployments.push(body.event);
    } else {
      await flush();
      await repository.applyCommandResult(body.result);
    }
  }
  await flush();
}

function tagged<T, U>(validated: Validated<T>, wrap: (value: T) => U): Validated<U> {
  return validated.ok ? { ok: true, value: wrap(validated.value) } : validated;
}
