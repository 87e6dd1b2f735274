import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { JsonObject } from '@trellis/contracts';

import { TaskOutboxPublisher } from '../task-outbox.publisher.js';
import { TaskRepository } from '../task.repository.js';
import type { TaskView } from '../task.views.js';
import { TASK_SERVICE_NAME, TASKS_MODULE_OPTIONS, type TasksModuleOptions } from '../tasks.options.js';

/**
 * Asks the runtime to complete an open task: the task becomes COMPLETING and a `CompleteUserTask` command goes to the
 * outbox in the same transaction; the answer is the task as it is then (for a repeated request id: the first answer). It shows COMPLETED once the runtime's
 * `UserTaskCompleted` arrives, or CREATED again, with `lastError`, if the runtime rejects the command.
 */
export class CompleteTaskCommand extends Command<TaskView> {
  constructor(
    readonly taskId: string,
    readonly variables?: JsonObject,
    /** The caller's id of this request (`Idempotency-Key`): a repeat answers what the first answered. */
    readonly requestId?: string,
    /** Who completes it, for the task's history. */
    readonly actor?: string,
  ) {
    super();
  }
}

@CommandHandler(CompleteTaskCommand)
export class CompleteTaskHandler implements ICommandHandler<CompleteTaskCommand> {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly outbox: TaskOutboxPublisher,
    @Inject(TASKS_MODULE_OPTIONS) private readonly options: TasksModuleOptions,
  ) {}

  async execute(command: CompleteTaskCommand): Promise<TaskView> {
    const task = await this.tasks.requestCompletion({
      taskId: command.taskId,
      ...(command.variables === undefined ? {} : { variables: command.variables }),
      commandId: randomUUID(),
      issuedBy: this.options.issuedBy ?? TASK_SERVICE_NAME,
      issuedAt: new Date(),
      ...(command.requestId === undefined ? {} : { requestId: command.requestId }),
      ...(command.actor === undefined ? {} : { actor: command.actor }),
    });
    this.outbox.wake();
    return task;
  }
}
