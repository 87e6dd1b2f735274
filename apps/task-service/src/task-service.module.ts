import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { KafkaMessageBus, type MessagingLogger } from '@trellis/messaging';
import { createPostgresDataSource, poolStats } from '@trellis/persistence';
import { PlatformModule, PostgresHealthIndicator, ReadinessChecks, registerPoolMetrics } from '@trellis/platform';
import { TASKS_MIGRATIONS, TasksModule, type TasksTopicNames } from '@trellis/tasks';
import { Registry } from 'prom-client';

import type { TaskServiceSettings } from './task-service.settings.js';

export interface TaskServiceOptions {
  readonly settings: TaskServiceSettings;
  /** Tests only: topics and a consumer group of their own instead of `TOPICS` and `trellis.task-service`. */
  readonly topics?: Partial<TasksTopicNames>;
  readonly groupId?: string;
}

/** The task-service: the platform (settings, logs, metrics, health) and the tasks module on Postgres and Kafka. */
@Module({})
export class TaskServiceModule {
  static forRoot(options: TaskServiceOptions): DynamicModule {
    const { settings } = options;
    return {
      module: TaskServiceModule,
      imports: [
        PlatformModule.forRoot({ settings, service: 'task-service' }),
        CqrsModule.forRoot(),
        TasksModule.forRootAsync({
          inject: [Registry, ReadinessChecks],
          useFactory: async (registry: Registry, readiness: ReadinessChecks) => {
            const dataSource = await createPostgresDataSource({
              url: settings.TRELLIS_POSTGRES_URL,
              schema: settings.TRELLIS_TASKS_SCHEMA,
              migrations: TASKS_MIGRATIONS,
              applicationName: 'trellis-task-service',
              poolMax: settings.TRELLIS_POSTGRES_POOL_MAX,
              connectionTimeoutMs: settings.TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS,
              idleTimeoutMs: settings.TRELLIS_POSTGRES_IDLE_TIMEOUT_MS,
              statementTimeoutMs: settings.TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS,
            });
            const unregister = [
              registerPoolMetrics(registry, settings.TRELLIS_TASKS_SCHEMA, () => poolStats(dataSource)),
              readiness.register(new PostgresHealthIndicator(dataSource)),
            ];
            let bus: KafkaMessageBus;
            try {
              bus = await KafkaMessageBus.connect({
                brokers: settings.TRELLIS_KAFKA_BROKERS,
                clientId: settings.TRELLIS_KAFKA_CLIENT_ID,
                connectionTimeoutMs: settings.TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS,
                requestTimeoutMs: settings.TRELLIS_KAFKA_REQUEST_TIMEOUT_MS,
                retries: settings.TRELLIS_KAFKA_RETRIES,
                retryInitialMs: settings.TRELLIS_KAFKA_RETRY_INITIAL_MS,
                retryMaxMs: settings.TRELLIS_KAFKA_RETRY_MAX_MS,
                sessionTimeoutMs: settings.TRELLIS_KAFKA_SESSION_TIMEOUT_MS,
                heartbeatIntervalMs: settings.TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS,
                logger: nestMessagingLogger(new Logger('Kafka')),
              });
            } catch (error) {
              for (const done of unregister) done();
              await dataSource.destroy();
              throw error;
            }
            return {
              dataSource,
              bus,
              ...(options.topics === undefined ? {} : { topics: options.topics }),
              ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
              outbox: { pollIntervalMs: settings.TRELLIS_TASKS_OUTBOX_POLL_INTERVAL_MS, batchSize: settings.TRELLIS_TASKS_OUTBOX_BATCH_SIZE },
              dispose: async () => {
                await bus.close();
                for (const done of unregister) done();
                await dataSource.destroy();
              },
            };
          },
        }),
      ],
    };
  }
}

/** Nest's logger (pino in a Trellis service) in the message bus's logger shape. */
function nestMessagingLogger(logger: Logger): MessagingLogger {
  const entry = (message: string, context?: Record<string, unknown>) => (context === undefined ? message : { msg: message, ...context });
  return {
    info: (message, context) => logger.log(entry(message, context)),
    warn: (message, context) => logger.warn(entry(message, context)),
    error: (message, context) => logger.error(entry(message, context)),
  };
}
