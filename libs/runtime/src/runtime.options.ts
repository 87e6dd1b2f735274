import type { TopicName } from '@trellis/contracts';

/** Tunables of the runtime module, from the application's configuration. */
export interface RuntimeOptions {
  /** How many process-instance states the repository keeps in memory (least recently used are dropped). */
  readonly instanceCacheSize: number;
  /** How often a command is decided again after losing a race on the stream's revision. */
  readonly maxCommandAttempts: number;
  /**
   * A snapshot of an instance's state is stored once this many events were appended since the last one
   * (`TRELLIS_SNAPSHOT_EVERY`); 0: never. Loading a cold instance then reads its latest snapshot and the events after it.
   */
  readonly snapshotEvery: number;
  /**
   * Deployments are made by another process (the deployment-service) on the same event store: the definition registry
   * catches up with the `deployments` stream before each start, so a start right after a deployment sees it.
   */
  readonly deployedElsewhere: boolean;
  /**
   * Runtime commands over the message bus (`RuntimeCommandConsumer`): off unless set, and only where the application
   * provides `MESSAGE_BUS`. The distributed runtime-service turns it on; the standalone server leaves it off.
   */
  readonly commands?: RuntimeCommandsOptions;
  /** The timer scheduler (`TimerScheduler`): on unless `enabled: false`. */
  readonly timers?: TimerSchedulerOptions;
  /** The job executor (`JobExecutor`), which runs asynchronous continuations: on unless `enabled: false`. */
  readonly jobExecutor?: JobExecutorOptions;
  /** External tasks (`ExternalTaskService`): fetch-and-lock, workers. */
  readonly externalTasks?: ExternalTasksOptions;
}

export interface ExternalTasksOptions {
  /**
   * A worker is listed unhealthy by `GET /api/workers` once it has not polled for this long and no request of it is
   * held open (`TRELLIS_WORKER_UNHEALTHY_AFTER_MS`, default 60 s).
   */
  readonly workerUnhealthyAfterMs?: number;
}

export interface JobExecutorOptions {
  /** Run due asynchronous continuations in this process (default true). Every replica may: each runs once. */
  readonly enabled?: boolean;
  /** The longest it sleeps before it looks at the clock again (default 60 s). */
  readonly maxSleepMs?: number;
  /** How many continuations run side by side (default 4; one instance's still run one at a time). */
  readonly concurrency?: number;
  /** Wait before sending a continuation again whose run could not be appended (store away, contention): doubles from `initial` to `max` ms. */
  readonly retryBackoffMs?: { readonly initial: number; readonly max: number };
}

export interface TimerSchedulerOptions {
  /** Fire due timers in this process (default true). Every replica may: a timer fires once whoever sends it. */
  readonly enabled?: boolean;
  /**
   * The longest the scheduler sleeps before it looks at the clock again (default 60 s), so that a wall clock set
   * forward is noticed even when no timer was added.
   */
  readonly maxSleepMs?: number;
  /** How many timers are fired side by side (default 8; each instance's commands still run one at a time). */
  readonly concurrency?: number;
  /** Wait before sending a timer again that was refused or failed to fire: doubles from `initial` to `max` ms. */
  readonly retryBackoffMs?: { readonly initial: number; readonly max: number };
}

export interface RuntimeCommandsOptions {
  /** Consume `TOPICS.runtimeCommands` and answer on `TOPICS.runtimeCommandResults`. */
  readonly consume: boolean;
  /** The consumer group shared by the runtime's replicas (default `trellis.runtime-service`). */
  readonly groupId?: string;
  /** The topic a contract topic is read from or published to (default: its name in `TOPICS`): tests, shared clusters. */
  readonly topicName?: (topic: TopicName) => string;
  /** Creates the commands and results topics with this many partitions when they do not exist (the relay's setting). */
  readonly createTopics?: { readonly partitions: number; readonly replicationFactor?: number };
}

export const RUNTIME_OPTIONS = Symbol('trellis.RuntimeOptions');

export const RUNTIME_COMMANDS_GROUP_ID = 'trellis.runtime-service';

export const defaultRuntimeOptions: RuntimeOptions = {
  instanceCacheSize: 10_000,
  maxCommandAttempts: 5,
  snapshotEvery: 500,
  deployedElsewhere: false,
};
