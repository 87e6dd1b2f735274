import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

import { TaskRepository } from '../task.repository.js';
import type { TaskCaller, TaskView } from '../task.views.js';

/**
 * Makes the caller the assignee of an open task: 403 unless they are a candidate (when it has candidates), 409 if
 * someone else holds it.
 */
export class ClaimTaskCommand extends Command<TaskView> {
  constructor(
    readonly taskId: string,
    readonly caller: TaskCaller & { readonly userId: string },
  ) {
    super();
  }
}

@CommandHandler(ClaimTaskCommand)
export class ClaimTaskHandler implements ICommandHandler<ClaimTaskCommand> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(command: ClaimTaskCommand): Promise<TaskView> {
    return this.tasks.claim(command.taskId, command.caller);
  }
}
