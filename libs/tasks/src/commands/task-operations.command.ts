import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

import { TaskRepository } from '../task.repository.js';
import type { TaskCommentView, TaskUpdate, TaskView } from '../task.views.js';

/**
 * The operations on an open task that stay in the task-service (the runtime is not told): assignment, delegation,
 * its dates, priority and category, its candidates, its comments. Each is recorded in the task's history with
 * `actor`, who did it (as the caller said).
 */

/** Sets the assignee of an open task, whoever holds it (`null`: nobody). */
export class AssignTaskCommand extends Command<TaskView> {
  constructor(
    readonly taskId: string,
    readonly assignee: string | null,
    readonly actor?: string,
  ) {
    super();
  }
}

@CommandHandler(AssignTaskCommand)
export class AssignTaskHandler implements ICommandHandler<AssignTaskCommand> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(command: AssignTaskCommand): Promise<TaskView> {
    return this.tasks.assign(command.taskId, command.assignee, command.actor);
  }
}

/** Delegates an open task: its assignee becomes its owner, the delegate its assignee, its delegation PENDING. */
export class DelegateTaskCommand extends Command<TaskView> {
  constructor(
    readonly taskId: string,
    readonly delegate: string,
    readonly actor?: string,
  ) {
    super();
  }
}

@CommandHandler(DelegateTaskCommand)
export class DelegateTaskHandler implements ICommandHandler<DelegateTaskCommand> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(command: DelegateTaskCommand): Promise<TaskView> {
    return this.tasks.delegate(command.taskId, command.delegate, command.actor);
  }
}

/** Hands a delegated task back to its owner (delegation RESOLVED). */
export class ResolveTaskCommand extends Command<TaskView> {
  constructor(
    readonly taskId: string,
    readonly actor?: string,
  ) {
    super();
  }
}

@CommandHandler(ResolveTaskCommand)
export class ResolveTaskHandler implements ICommandHandler<ResolveTaskCommand> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(command: ResolveTaskCommand): Promise<TaskView> {
    return this.tasks.resolve(command.taskId, command.actor);
  }
}

/** Changes the name, due date, follow-up date, priority or category of an open task. */
export class UpdateTaskCommand extends Command<TaskView> {
  constructor(
    readonly taskId: string,
    readonly update: TaskUpdate,
    readonly actor?: string,
  ) {
    super();
  }
}

@CommandHandler(UpdateTaskCommand)
export class UpdateTaskHandler implements ICommandHandler<UpdateTaskCommand> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(command: UpdateTaskCommand): Promise<TaskView> {
    return this.tasks.update(command.taskId, command.update, command.actor);
  }
}

/** Adds or removes a candidate user or group of an open task (adding one it has, or removing one it has not, changes nothing). */
export class ChangeTaskCandidatesCommand extends Command<TaskView> {
  constructor(
    readonly taskId: string,
    readonly change: 'add' | 'remove',
    readonly kind: 'user' | 'group',
    readonly id: string,
    readonly actor?: string,
  ) {
    super();
  }
}

@CommandHandler(ChangeTaskCandidatesCommand)
export class ChangeTaskCandidatesHandler implements ICommandHandler<ChangeTaskCandidatesCommand> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(command: ChangeTaskCandidatesCommand): Promise<TaskView> {
    const { taskId, id, actor } = command;
    if (command.kind === 'user') return command.change === 'add' ? this.tasks.addCandidateUser(taskId, id, actor) : this.tasks.removeCandidateUser(taskId, id, actor);
    return command.change === 'add' ? this.tasks.addCandidateGroup(taskId, id, actor) : this.tasks.removeCandidateGroup(taskId, id, actor);
  }
}

/** Adds a comment to a task's log. */
export class AddTaskCommentCommand extends Command<TaskCommentView> {
  constructor(
    readonly taskId: string,
    readonly message: string,
    readonly author?: string,
  ) {
    super();
  }
}

@CommandHandler(AddTaskCommentCommand)
export class AddTaskCommentHandler implements ICommandHandler<AddTaskCommentCommand> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(command: AddTaskCommentCommand): Promise<TaskCommentView> {
    return this.tasks.addComment(command.taskId, { id: randomUUID(), message: command.message, ...(command.author === undefined ? {} : { author: command.author }) });
  }
}

export const TASK_OPERATION_HANDLERS = [
  AssignTaskHandler,
  DelegateTaskHandler,
  ResolveTaskHandler,
  UpdateTaskHandler,
  ChangeTaskCandidatesHandler,
  AddTaskCommentHandler,
] as const;
