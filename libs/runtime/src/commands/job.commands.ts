import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { JsonObject, TaskListenerJobResult } from '@trellis/engine';

import { notFound } from '../process-instance-command-rejected.error.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { ProcessInstanceView } from '../runtime.views.js';
import { ProcessInstanceCommandRunner } from './process-instance-command.runner.js';

export class CompleteJobCommand extends Command<ProcessInstanceView> {
  constructor(
    readonly jobId: string,
    readonly variables?: JsonObject,
    /** The answer of a task listener's worker: corrections to the task, or a denial. */
    readonly result?: TaskListenerJobResult,
  ) {
    super();
  }
}

/** Reports a failed attempt: with retries left the job is offered again (after the back-off), with 0 an incident is raised. */
export class FailJobCommand extends Command<ProcessInstanceView> {
  constructor(
    readonly jobId: string,
    readonly retries: number,
    readonly errorMessage?: string,
    readonly retryBackoffMs?: number,
  ) {
    super();
  }
}

/** The worker reports a business error: thrown at the job's element, caught by an error boundary event or an incident. */
export class ThrowJobErrorCommand extends Command<ProcessInstanceView> {
  constructor(
    readonly jobId: string,
    readonly errorCode: string,
    readonly errorMessage?: string,
    readonly variables?: JsonObject,
  ) {
    super();
  }
}

function instanceOfJob(projection: RuntimeProjection, jobId: string): string {
  const processInstanceId = projection.processInstanceOfJob(jobId);
  if (processInstanceId === undefined) throw notFound(`No open job with id ${jobId}`, { jobId });
  return processInstanceId;
}

@CommandHandler(CompleteJobCommand)
export class CompleteJobHandler implements ICommandHandler<CompleteJobCommand> {
  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
  ) {}

  execute(command: CompleteJobCommand): Promise<ProcessInstanceView> {
    return this.runner.run(instanceOfJob(this.projection, command.jobId), {
      type: 'CompleteJob',
      jobId: command.jobId,
      ...(command.variables !== undefined ? { variables: command.variables } : {}),
      ...(command.result !== undefined ? { result: command.result } : {}),
    });
  }
}

@CommandHandler(FailJobCommand)
export class FailJobHandler implements ICommandHandler<FailJobCommand> {
  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
  ) {}

  execute(command: FailJobCommand): Promise<ProcessInstanceView> {
    return this.runner.run(instanceOfJob(this.projection, command.jobId), {
      type: 'FailJob',
      jobId: command.jobId,
      retries: command.retries,
      ...(command.errorMessage !== undefined ? { errorMessage: command.errorMessage } : {}),
      ...(command.retryBackoffMs !== undefined ? { retryBackoffMs: command.retryBackoffMs } : {}),
    });
  }
}

@CommandHandler(ThrowJobErrorCommand)
export class ThrowJobErrorHandler implements ICommandHandler<ThrowJobErrorCommand> {
  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
  ) {}

  execute(command: ThrowJobErrorCommand): Promise<ProcessInstanceView> {
    return this.runner.run(instanceOfJob(this.projection, command.jobId), {
      type: 'ThrowError',
      jobId: command.jobId,
      errorCode: command.errorCode,
      ...(command.errorMessage !== undefined ? { errorMessage: command.errorMessage } : {}),
      ...(command.variables !== undefined ? { variables: command.variables } : {}),
    });
  }
}
