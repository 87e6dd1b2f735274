import { Injectable } from '@nestjs/common';
import type { ProcessInstanceCommand } from '@trellis/engine';

import { notFound } from '../process-instance-command-rejected.error.js';
import { type CommandOutcome, type ExecuteOptions, ProcessInstanceRepository } from '../process-instance.repository.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { ProcessInstanceView } from '../runtime.views.js';

/**
 * Runs commands on instances: for the HTTP API it answers with the instance as the views now show it, waiting until
 * the projection has processed the appended events, so a caller reads its own writes; for commands over the message
 * bus it answers with the outcome (the stream revision), which needs no read model.
 */
@Injectable()
export class ProcessInstanceCommandRunner {
  constructor(
    private readonly repository: ProcessInstanceRepository,
    private readonly projection: RuntimeProjection,
  ) {}

  async run(processInstanceId: string, command: ProcessInstanceCommand): Promise<ProcessInstanceView> {
    const outcome = await this.repository.execute(processInstanceId, command);
    if (outcome.position !== undefined) await this.projection.waitForPosition(outcome.position);
    const view = this.projection.processInstance(processInstanceId);
    if (!view) throw notFound(`No process instance with id ${processInstanceId}`, { processInstanceId });
    return view;
  }

  /** Decides and appends; a command whose `commandId` the instance has seen is answered as before, not decided again. */
  execute(processInstanceId: string, command: ProcessInstanceCommand, options: ExecuteOptions = {}): Promise<CommandOutcome> {
    return this.repository.execute(processInstanceId, command, options);
  }
}
