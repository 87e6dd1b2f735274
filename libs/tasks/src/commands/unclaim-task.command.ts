import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

import { TaskRepository } from '../task.repository.js';
import type { TaskView } from '../task.views.js';

/** Removes the assignee of an open task. */
export class UnclaimTaskCommand extends Command<TaskView> {
  constructor(
    readonly taskId: string,
    /** Who does it, for the task's history. */
    readonly actor?: string,
  ) {
    super();
  }
}

@CommandHandler(UnclaimTaskCommand)
export class UnclaimTaskHandler implements ICommandHandler<UnclaimTaskCommand> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(command: UnclaimTaskCommand): Promise<TaskView> {
    return this.tasks.unclaim(command.taskId, command.actor);
  }
}
