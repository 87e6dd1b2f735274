import { randomUUID } from 'node:crypto';

import { Inject, Optional } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DefinitionRegistry } from '@trellis/deployment';
import type { JsonObject } from '@trellis/engine';

import { ProcessInstanceCommandRejectedError, notFound } from '../process-instance-command-rejected.error.js';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '../runtime.options.js';
import type { ProcessInstanceView } from '../runtime.views.js';
import { resolveStartTarget } from './process-definition-target.js';
import { ProcessInstanceCommandRunner } from './process-instance-command.runner.js';

/** Starts an instance of the latest version of `processId`, or of exactly `processDefinitionId`. */
export class StartProcessInstanceCommand extends Command<ProcessInstanceView> {
  constructor(
    readonly target: { readonly processId: string } | { readonly processDefinitionId: string },
    readonly variables?: JsonObject,
    readonly businessKey?: string,
  ) {
    super();
  }
}

@CommandHandler(StartProcessInstanceCommand)
export class StartProcessInstanceHandler implements ICommandHandler<StartProcessInstanceCommand> {
  constructor(
    private readonly registry: DefinitionRegistry,
    private readonly runner: ProcessInstanceCommandRunner,
    @Optional() @Inject(RUNTIME_OPTIONS) private readonly options?: Partial<RuntimeOptions>,
  ) {}

  async execute(command: StartProcessInstanceCommand): Promise<ProcessInstanceView> {
    const definition = await resolveStartTarget(this.registry, command.target, this.options?.deployedElsewhere ?? false);
    if (!definition) {
      throw 'processId' in command.target
        ? notFound(`No process definition for process id ${command.target.processId}: deploy a BPMN resource that defines it first`, {
            processId: command.target.processId,
          })
        : notFound(`No process definition with id ${command.target.processDefinitionId}`, {
            processDefinitionId: command.target.processDefinitionId,
          });
    }
    if (command.businessKey !== undefined && command.businessKey.length === 0) {
      throw new ProcessInstanceCommandRejectedError({ code: 'INVALID_ARGUMENT', message: 'businessKey must not be empty' });
    }
    const processInstanceId = randomUUID();
    return this.runner.run(processInstanceId, {
      type: 'CreateProcessInstance',
      processInstanceId,
      processDefinitionId: definition.id,
      version: definition.version,
      ...(command.businessKey !== undefined ? { businessKey: command.businessKey } : {}),
      ...(command.variables !== undefined ? { variables: command.variables } : {}),
    });
  }
}
