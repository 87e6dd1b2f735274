import { randomUUID } from 'node:crypto';

import { Inject, Optional } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DefinitionRegistry, type ProcessDefinition } from '@trellis/deployment';
import { evaluateConditionalStarts, type JsonObject } from '@trellis/engine';
import { CLOCK, type Clock, systemClock } from '@trellis/platform';

import { notFound } from '../process-instance-command-rejected.error.js';
import { ProcessInstanceCommandRunner } from './process-instance-command.runner.js';

/** An instance a conditional evaluation started, and at which conditional start event. */
export interface ConditionallyStartedInstance {
  readonly processInstanceId: string;
  readonly processDefinitionId: string;
  readonly startEventId: string;
}

export interface ConditionalEvaluation {
  readonly conditionalEvaluationId: string;
  /** Empty when no condition held. */
  readonly processInstances: readonly ConditionallyStartedInstance[];
}

/**
 * Evaluates the conditional start events of the latest version of every process (or of exactly one definition) with
 * `variables`, and starts an instance, with those variables, at each start event whose condition holds: Camunda 7's
 * `POST /condition` and Camunda 8's `POST /v2/conditionals/evaluation`.
 */
export class EvaluateConditionalStartsCommand extends Command<ConditionalEvaluation> {
  constructor(
    readonly variables: JsonObject,
    readonly processDefinitionId?: string,
    readonly businessKey?: string,
  ) {
    super();
  }
}

@CommandHandler(EvaluateConditionalStartsCommand)
export class EvaluateConditionalStartsHandler implements ICommandHandler<EvaluateConditionalStartsCommand> {
  private readonly clock: Clock;

  constructor(
    private readonly registry: DefinitionRegistry,
    private readonly runner: ProcessInstanceCommandRunner,
    @Optional() @Inject(CLOCK) clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  async execute(command: EvaluateConditionalStartsCommand): Promise<ConditionalEvaluation> {
    const definitions = await this.candidates(command.processDefinitionId);
    const now = this.clock.now().toISOString();
    const processInstances: ConditionallyStartedInstance[] = [];
    for (const definition of definitions) {
      const executable = this.registry.executableProcess(definition.id);
      if (executable === undefined || !('process' in executable)) continue;
      for (const evaluation of evaluateConditionalStarts(executable.process, command.variables, now)) {
        if (!evaluation.holds) continue;
        const processInstanceId = randomUUID();
        await this.runner.run(processInstanceId, {
          type: 'CreateProcessInstance',
          processInstanceId,
          processDefinitionId: definition.id,
          version: definition.version,
          startElementId: evaluation.startEventId,
          variables: command.variables,
          ...(command.businessKey !== undefined ? { businessKey: command.businessKey } : {}),
        });
        processInstances.push({ processInstanceId, processDefinitionId: definition.id, startEventId: evaluation.startEventId });
      }
    }
    return { conditionalEvaluationId: randomUUID(), processInstances };
  }

  /** The latest version of every process, or the one definition asked for (404 when it is unknown). */
  private async candidates(processDefinitionId: string | undefined): Promise<ProcessDefinition[]> {
    // A version deployed moments ago (by the deployment-service, in the distributed mode) counts.
    await this.registry.catchUp();
    if (processDefinitionId === undefined) return this.registry.list({ latest: true });
    const definition = this.registry.get(processDefinitionId);
    if (definition === undefined) throw notFound(`No process definition with id ${processDefinitionId}`, { processDefinitionId });
    return [definition];
  }
}
