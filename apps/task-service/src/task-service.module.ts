import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { MessagingModule, PlatformModule } from '@trellis/platform';
import { Camunda7TasksRestModule, Camunda8UserTasksRestModule, TasksModule, type TasksTopicNames } from '@trellis/tasks';

import type { TaskServiceSettings } from './task-service.settings.js';

/** Partitions of the events and results topics the task-service handles at the same time (each one message at a time). */
export const TASK_SERVICE_PARTITIONS_IN_PARALLEL = 4;

export interface TaskServiceOptions {
  readonly settings: TaskServiceSettings;
  /** Tests only: topics and a consumer group of their own instead of `TOPICS` and `trellis.task-service`. */
  readonly topics?: Partial<TasksTopicNames>;
  readonly groupId?: string;
}

/**
 * The task-service: the platform (settings, logs, metrics, health, shutdown), Kafka as `MESSAGE_BUS`, and the tasks
 * module in its Postgres schema.
 */
@Module({})
export class TaskServiceModule {
  static forRoot(options: TaskServiceOptions): DynamicModule {
    const { settings } = options;
    return {
      module: TaskServiceModule,
      imports: [
        PlatformModule.forRoot({ settings, service: 'task-service' }),
        // Partitions are independent (each stream's checkpoint row serialises its events): handle a few at a time.
        MessagingModule.forRoot(settings, { kind: 'kafka', bus: { partitionsConsumedConcurrently: TASK_SERVICE_PARTITIONS_IN_PARALLEL } }),
        CqrsModule.forRoot(),
        TasksModule.forRoot({
          schema: settings.TRELLIS_TASKS_SCHEMA,
          outbox: { pollIntervalMs: settings.TRELLIS_TASKS_OUTBOX_POLL_INTERVAL_MS, batchSize: settings.TRELLIS_TASKS_OUTBOX_BATCH_SIZE },
          ...(options.topics === undefined ? {} : { topics: options.topics }),
          ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
        }),
        // Camunda 7's /engine-rest/task, over the same tasks.
        Camunda7TasksRestModule,
        // Camunda 8's /v2/user-tasks, over the same tasks.
        Camunda8UserTasksRestModule,
      ],
    };
  }
}
