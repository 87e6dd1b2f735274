import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { JsonObject } from '@trellis/engine';

import { UserTaskForms } from '../forms/user-task-forms.js';
import { notFound } from '../process-instance-command-rejected.error.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { ProcessInstanceView } from '../runtime.views.js';
import { ProcessInstanceCommandRunner } from './process-instance-command.runner.js';

export class CompleteUserTaskCommand extends Command<ProcessInstanceView> {
  constructor(
    readonly userTaskId: string,
    readonly variables?: JsonObject,
  ) {
    super();
  }
}

@CommandHandler(CompleteUserTaskCommand)
export class CompleteUserTaskHandler implements ICommandHandler<CompleteUserTaskCommand> {
  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
    private readonly forms: UserTaskForms,
  ) {}

  async execute(command: CompleteUserTaskCommand): Promise<ProcessInstanceView> {
    const processInstanceId = this.projection.processInstanceOfUserTask(command.userTaskId);
    if (processInstanceId === undefined) throw notFound(`No user task with id ${command.userTaskId}`, { userTaskId: command.userTaskId });
    // An open task with a deployed form completes only with valid variables: a violation rejects the command before
    // anything is recorded, so the task stays open. (A task no longer open is refused by the engine, as without a form.)
    await this.forms.validateCompletion(command.userTaskId, command.variables);
    return this.runner.run(processInstanceId, {
      type: 'CompleteUserTask',
      userTaskId: command.userTaskId,
      ...(command.variables !== undefined ? { variables: command.variables } : {}),
    });
  }
}
