import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  type FactoryProvider,
  Inject,
  Injectable,
  Logger,
  Module,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  Optional,
  type Provider,
} from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { MESSAGE_BUS, type MessageBus, subscriptionReadiness } from '@trellis/messaging';
import { StreamProjectionRunner } from '@trellis/persistence';
import { ReadinessChecks, type ReadinessIndicator, postgresDataSourceProvider } from '@trellis/platform';
import type { DataSource } from 'typeorm';

import { TasksController } from './api/tasks.controller.js';
import { ClaimTaskHandler } from './commands/claim-task.command.js';
import { CompleteTaskHandler } from './commands/complete-task.command.js';
import { UnclaimTaskHandler } from './commands/unclaim-task.command.js';
import { TASK_OPERATION_HANDLERS } from './commands/task-operations.command.js';
import { GetTaskHandler, GetTaskHistoryHandler, ListTaskCommentsHandler, ListTasksHandler } from './queries/task.queries.js';
import { TaskMessagesConsumer } from './task-messages.consumer.js';
import { TaskOutboxPublisher } from './task-outbox.publisher.js';
import { TaskRepository } from './task.repository.js';
import { TASKS_MIGRATIONS } from './tasks.migrations.js';
import { TASK_OUTBOX_DEFAULTS, TASK_SERVICE_GROUP, TASKS_MODULE_OPTIONS, type TasksModuleOptions, topicNamesOf } from './tasks.options.js';
import { UserTaskProjection } from './user-task.projection.js';

export interface TasksModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: FactoryProvider['inject'];
  /** Builds the module's options from injected providers (the data source, the message bus, the settings...). */
  readonly useFactory: (...dependencies: never[]) => TasksModuleOptions | Promise<TasksModuleOptions>;
  /** Providers the factory injects that the module itself must declare. */
  readonly extraProviders?: readonly Provider[];
}

const indicators = new HealthIndicatorService();

/**
 * The outbox in `/health/ready`: up while it publishes or waits; degraded (still ready: completions are accepted and
 * kept, and go out when Kafka takes them again) while publishing fails; down once stopped.
 */
export class TaskOutboxHealthIndicator implements ReadinessIndicator {
  readonly key = 'taskOutbox';

  constructor(private readonly publisher: Pick<TaskOutboxPublisher, 'status'>) {}

  check(): PromiseLike<HealthIndicatorResult> {
    const status = this.publisher.status();
    const session = indicators.check(this.key);
    const details = {
      state: status.state,
      published: status.published,
      consecutiveFailures: status.consecutiveFailures,
      ...(status.lastError === undefined ? {} : { lastError: status.lastError.message, lastErrorAt: status.lastError.at }),
    };
    if (status.state === 'stopping' || status.state === 'stopped') return Promise.resolve(session.down(details));
    if (status.consecutiveFailures > 0) return Promise.resolve(session.degraded(details));
    return Promise.resolve(session.up(details));
  }
}

/** The consumer in `/health/ready`: down until it has joined its group (the topics may not exist yet). */
export class TaskConsumerHealthIndicator implements ReadinessIndicator {
  readonly key = 'taskConsumer';

  constructor(private readonly consumer: Pick<TaskMessagesConsumer, 'status'>) {}

  check(): PromiseLike<HealthIndicatorResult> {
    const { ready, details } = subscriptionReadiness(this.consumer.status());
    const session = indicators.check(this.key);
    return Promise.resolve(ready ? session.up(details) : session.down(details));
  }
}

/** Starts the outbox publisher and the consumer with the application; stops both before the data source and bus close. */
@Injectable()
class TasksLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Tasks');
  private readonly unregister: (() => void)[] = [];

  constructor(
    private readonly consumer: TaskMessagesConsumer,
    private readonly publisher: TaskOutboxPublisher,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
    @Optional() private readonly readiness?: ReadinessChecks,
  ) {}

  onApplicationBootstrap(): void {
    if (this.readiness) {
      this.unregister.push(this.readiness.register(new TaskOutboxHealthIndicator(this.publisher)));
      this.unregister.push(this.readiness.register(new TaskConsumerHealthIndicator(this.consumer)));
    }
    this.publisher.start();
    // Not awaited: the service answers (and says it is not ready yet) while the consumer waits for its topics.
    void this.consumer.start().catch((error: unknown) => this.logger.error(`The consumer stopped trying: ${String(error)}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.publisher.stop();
    for (const unregister of this.unregister.splice(0)) unregister();
    await this.options.dispose?.();
  }
}

/** `TasksModule.forRoot`: everything but the data source and the bus, which come from the platform. */
export type TasksModuleRootOptions = Omit<TasksModuleOptions, 'dataSource' | 'bus' | 'dispose'> & {
  /** The task-service's Postgres schema (`TRELLIS_TASKS_SCHEMA`). */
  readonly schema: string;
};

/** The task-service's data source: its schema, with `TASKS_MIGRATIONS` run. */
export const TASKS_DATA_SOURCE = Symbol('trellis.TasksDataSource');

/**
 * The task-service: user tasks projected from the runtime's events into Postgres, listed, changed (claims, assignment,
 * delegation, dates, candidates, comments: each in the task's history) and completed over
 * `/tasks`; completions go to the runtime as commands through an outbox. Needs `CqrsModule.forRoot()` at the root.
 */
@Module({})
export class TasksModule {
  /**
   * On the platform: a data source in `schema` from the `TRELLIS_POSTGRES_*` settings (pool metrics, readiness, closed
   * at shutdown) and the application's `MESSAGE_BUS` (`MessagingModule`). Needs `PlatformModule` and `MessagingModule`.
   */
  static forRoot(options: TasksModuleRootOptions): DynamicModule {
    const { schema, ...rest } = options;
    return TasksModule.forRootAsync({
      extraProviders: [postgresDataSourceProvider(TASKS_DATA_SOURCE, { schema, migrations: TASKS_MIGRATIONS, applicationName: 'trellis-task-service' })],
      inject: [TASKS_DATA_SOURCE, MESSAGE_BUS],
      useFactory: (dataSource: DataSource, bus: MessageBus): TasksModuleOptions => ({ ...rest, dataSource, bus }),
    });
  }

  /** With a data source and a bus of the caller's making (given by `useFactory`; `dispose` closes what it opened). */
  static forRootAsync(options: TasksModuleAsyncOptions): DynamicModule {
    return {
      module: TasksModule,
      imports: [CqrsModule, ...(options.imports ?? [])],
      controllers: [TasksController],
      providers: [
        ...(options.extraProviders ?? []),
        { provide: TASKS_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: TaskRepository, useFactory: (moduleOptions: TasksModuleOptions) => new TaskRepository(moduleOptions.dataSource), inject: [TASKS_MODULE_OPTIONS] },
        {
          provide: StreamProjectionRunner,
          useFactory: (moduleOptions: TasksModuleOptions) => new StreamProjectionRunner(moduleOptions.dataSource, new UserTaskProjection()),
          inject: [TASKS_MODULE_OPTIONS],
        },
        {
          provide: TaskOutboxPublisher,
          useFactory: (moduleOptions: TasksModuleOptions) => {
            const logger = new Logger('TaskOutbox');
            return new TaskOutboxPublisher({
              dataSource: moduleOptions.dataSource,
              bus: moduleOptions.bus,
              topic: topicNamesOf(moduleOptions).runtimeCommands,
              pollIntervalMs: moduleOptions.outbox?.pollIntervalMs ?? TASK_OUTBOX_DEFAULTS.pollIntervalMs,
              batchSize: moduleOptions.outbox?.batchSize ?? TASK_OUTBOX_DEFAULTS.batchSize,
              logger: {
                warn: (message, context) => logger.warn(context === undefined ? message : { msg: message, ...context }),
                error: (message, context) => logger.error(context === undefined ? message : { msg: message, ...context }),
              },
            });
          },
          inject: [TASKS_MODULE_OPTIONS],
        },
        {
          provide: TaskMessagesConsumer,
          useFactory: (moduleOptions: TasksModuleOptions, runner: StreamProjectionRunner, repository: TaskRepository) => {
            const topics = topicNamesOf(moduleOptions);
            const logger = new Logger('TaskConsumer');
            return new TaskMessagesConsumer({
              logger: { warn: (message, context) => logger.warn(context === undefined ? message : { msg: message, ...context }) },
              bus: moduleOptions.bus,
              groupId: moduleOptions.groupId ?? TASK_SERVICE_GROUP,
              topics,
              deadLetterTopic: topics.deadLetter,
              runner,
              repository,
            });
          },
          inject: [TASKS_MODULE_OPTIONS, StreamProjectionRunner, TaskRepository],
        },
        TasksLifecycle,
        ClaimTaskHandler,
        UnclaimTaskHandler,
        CompleteTaskHandler,
        ...TASK_OPERATION_HANDLERS,
        GetTaskHandler,
        ListTasksHandler,
        ListTaskCommentsHandler,
        GetTaskHistoryHandler,
      ],
      exports: [TaskRepository, TaskOutboxPublisher, TaskMessagesConsumer, StreamProjectionRunner],
    };
  }
}
