import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

import { notFound } from '../process-instance-command-rejected.error.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { ProcessInstanceView } from '../runtime.views.js';
import { ProcessInstanceCommandRunner } from './process-instance-command.runner.js';

/**
 * Runs a due asynchronous continuation now, as the job executor would (Camunda 7's "execute job"): for a process whose
 * job executor is off, or to see a failure at once. A problem spends a retry, as when the job executor runs it.
 */
export class RunAsyncContinuationCommand extends Command<ProcessInstanceView> {
  constructor(readonly continuationId: string) {
    super();
  }
}

@CommandHandler(RunAsyncContinuationCommand)
export class RunAsyncContinuationHandler implements ICommandHandler<RunAsyncContinuationCommand> {
  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
  ) {}

  execute(command: RunAsyncContinuationCommand): Promise<ProcessInstanceView> {
    const processInstanceId = this.projection.processInstanceOfContinuation(command.continuationId);
    if (processInstanceId === undefined) {
      throw notFound(`No asynchronous continuation with id ${command.continuationId}`, { continuationId: command.continuationId });
    }
    return this.runner.run(processInstanceId, { type: 'RunAsyncContinuation', continuationId: command.continuationId });
  }
}
