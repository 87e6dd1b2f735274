import { Injectable } from '@nestjs/common';
import type { ProcessInstanceCommand } from '@trellis/engine';

import { notFound } from '../process-instance-command-rejected.error.js';
import { ProcessInstanceRepository } from '../process-instance.repository.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { ProcessInstanceView } from '../runtime.views.js';

/**
 * Runs a command on an instance and answers with the instance as the views now show it: it waits until
 * the projection has processed the appended events, so a caller reads its own writes.
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
}
