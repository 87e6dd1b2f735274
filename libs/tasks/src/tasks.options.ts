import { TOPICS } from '@trellis/contracts';
import type { MessageBus } from '@trellis/messaging';
import type { DataSource } from 'typeorm';

/** The consumer group of the task-service (events and command results). */
export const TASK_SERVICE_GROUP = 'trellis.task-service';
/** `issuedBy` of the commands the task-service sends. */
export const TASK_SERVICE_NAME = 'task-service';

export const TASK_OUTBOX_DEFAULTS = { pollIntervalMs: 1_000, batchSize: 100 } as const;

export interface TasksTopicNames {
  readonly processInstanceEvents: string;
  readonly runtimeCommands: string;
  readonly runtimeCommandResults: string;
  readonly deadLetter: string;
}

export interface TasksModuleOptions {
  /** A data source in the task-service's schema, with `TASKS_MIGRATIONS` run. */
  readonly dataSource: DataSource;
  readonly bus: MessageBus;
  /** Default `trellis.task-service`. */
  readonly groupId?: string;
  /** Default: the `TOPICS` of @trellis/contracts. Tests give topics of their own. */
  readonly topics?: Partial<TasksTopicNames>;
  readonly outbox?: { readonly pollIntervalMs?: number; readonly batchSize?: number };
  /** `issuedBy` of the commands sent (default `task-service`). */
  readonly issuedBy?: string;
  /** Called at shutdown once the consumer and the outbox publisher stopped: close what the factory opened. */
  readonly dispose?: () => Promise<void>;
}

export function topicNamesOf(options: Pick<TasksModuleOptions, 'topics'>): TasksTopicNames {
  return {
    processInstanceEvents: TOPICS.processInstanceEvents,
    runtimeCommands: TOPICS.runtimeCommands,
    runtimeCommandResults: TOPICS.runtimeCommandResults,
    deadLetter: TOPICS.deadLetter,
    ...options.topics,
  };
}

export const TASKS_MODULE_OPTIONS = Symbol('trellis.TasksModuleOptions');
