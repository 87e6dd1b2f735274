import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { JsonObject } from '@trellis/engine';

import { notFound } from '../process-instance-command-rejected.error.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { ProcessInstanceView } from '../runtime.views.js';
import { ProcessInstanceCommandRunner } from './process-instance-command.runner.js';

export class SetVariablesCommand extends Command<ProcessInstanceView> {
  constructor(
    readonly processInstanceId: string,
    readonly variables: JsonObject,
    readonly local?: boolean,
    readonly scopeInstanceId?: string,
  ) {
    super();
  }
}

export class CancelProcessInstanceCommand extends Command<ProcessInstanceView> {
  constructor(readonly processInstanceId: string) {
    super();
  }
}

/** Resolves an incident: the failed step runs again (a job gets `retries` back first, default 1). */
export class ResolveIncidentCommand extends Command<ProcessInstanceView> {
  constructor(
    readonly incidentId: string,
    readonly retries?: number,
  ) {
    super();
  }
}

/** Starts inner elements of a running ad-hoc sub-process (element instance `adHocSubProcessInstanceId`). */
export class ActivateAdHocActivitiesCommand extends Command<ProcessInstanceView> {
  constructor(
    readonly processInstanceId: string,
    readonly adHocSubProcessInstanceId: string,
    readonly elementIds: readonly string[],
  ) {
    super();
  }
}

@CommandHandler(ActivateAdHocActivitiesCommand)
export class ActivateAdHocActivitiesHandler implements ICommandHandler<ActivateAdHocActivitiesCommand> {
  constructor(private readonly runner: ProcessInstanceCommandRunner) {}

  execute(command: ActivateAdHocActivitiesCommand): Promise<ProcessInstanceView> {
    return this.runner.run(command.processInstanceId, {
      type: 'ActivateAdHocElements',
      elementInstanceId: command.adHocSubProcessInstanceId,
      elementIds: command.elementIds,
    });
  }
}

@CommandHandler(SetVariablesCommand)
export class SetVariablesHandler implements ICommandHandler<SetVariablesCommand> {
  constructor(private readonly runner: ProcessInstanceCommandRunner) {}

  execute(command: SetVariablesCommand): Promise<ProcessInstanceView> {
    return this.runner.run(command.processInstanceId, {
      type: 'SetVariables',
      variables: command.variables,
      ...(command.local !== undefined ? { local: command.local } : {}),
      ...(command.scopeInstanceId !== undefined ? { scopeInstanceId: command.scopeInstanceId } : {}),
    });
  }
}

@CommandHandler(CancelProcessInstanceCommand)
export class CancelProcessInstanceHandler implements ICommandHandler<CancelProcessInstanceCommand> {
  constructor(private readonly runner: ProcessInstanceCommandRunner) {}

  execute(command: CancelProcessInstanceCommand): Promise<ProcessInstanceView> {
    return this.runner.run(command.processInstanceId, { type: 'CancelProcessInstance' });
  }
}

@CommandHandler(ResolveIncidentCommand)
export class ResolveIncidentHandler implements ICommandHandler<ResolveIncidentCommand> {
  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
  ) {}

  execute(command: ResolveIncidentCommand): Promise<ProcessInstanceView> {
    const processInstanceId = this.projection.processInstanceOfIncident(command.incidentId);
    if (processInstanceId === undefined) throw notFound(`No open incident with id ${command.incidentId}`, { incidentId: command.incidentId });
    return this.runner.run(processInstanceId, {
      type: 'ResolveIncident',
      incidentId: command.incidentId,
      ...(command.retries !== undefined ? { retries: command.retries } : {}),
    });
  }
}
