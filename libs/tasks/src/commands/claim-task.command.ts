import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

import { TaskRepository } from '../task.repository.js';
import type { TaskView } from '../task.views.js';

/** Makes `assignee` the assignee of an open task (409 if someone else holds it). */
export class ClaimTaskCommand extends Command<TaskView> {
  constructor(
    readonly taskId: string,
    readonly assignee: string,
  ) {
    super();
  }
}

@CommandHandler(ClaimTaskCommand)
export class ClaimTaskHandler implements ICommandHandler<ClaimTaskCommand> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(command: ClaimTaskCommand): Promise<TaskView> {
    return this.tasks.claim(command.taskId, command.assignee);
  }
}
