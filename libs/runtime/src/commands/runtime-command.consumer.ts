import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import {
  type RuntimeCommandMessage,
  type RuntimeCommandRejection,
  type RuntimeCommandResult,
  TOPICS,
  type TopicName,
  decodeRuntimeCommand,
  runtimeCommandResultMessageOf,
} from '@trellis/contracts';
import { DefinitionRegistry } from '@trellis/deployment';
import type { Failure, ProcessInstanceCommand, TaskListenerJobResult } from '@trellis/engine';
import { MESSAGE_BUS, type MessageBus, RetryingSubscription, type RetryingSubscriptionStatus, subscriptionReadiness } from '@trellis/messaging';
import { ReadinessChecks, type ReadinessIndicator } from '@trellis/platform';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Counter, Registry } from 'prom-client';

import { ProcessInstanceCommandRejectedError, ProcessInstanceContendedError, notFound } from '../process-instance-command-rejected.error.js';
import { defaultRuntimeOptions, RUNTIME_COMMANDS_GROUP_ID, RUNTIME_OPTIONS, type RuntimeOptions } from '../runtime.options.js';
import { UserTaskForms, describeViolations } from '../forms/user-task-forms.js';
import { type StartTarget, resolveStartTarget } from './process-definition-target.js';
import { ProcessInstanceCommandRunner } from './process-instance-command.runner.js';

const rejectionOf: Record<Failure['code'], RuntimeCommandRejection> = {
  NOT_FOUND: 'not-found',
  INVALID_STATE: 'invalid-state',
  INVALID_ARGUMENT: 'invalid-argument',
  // A start for an id that is taken by another command's instance: the instance is not in a state to be started.
  ALREADY_EXISTS: 'invalid-state',
};

/** What the consumer did with a command: the `outcome` label of `trellis_runtime_commands_total`. */
export type RuntimeCommandOutcome = 'accepted' | 'rejected' | 'duplicate';

/**
 * Runtime commands over the message bus: consumes `TOPICS.runtimeCommands` (group `trellis.runtime-service`, shared by
 * the runtime's replicas: each gets some partitions, and all commands of an instance are in one partition, so one
 * replica handles them in order), runs each on its instance and publishes a `RuntimeCommandResult` on
 * `TOPICS.runtimeCommandResults`.
 *
 * - A message that is not a valid command goes to the dead-letter topic with the problems, and the consumer goes on.
 * - Accepted: the events are in the instance's stream; the result gives the stream revision after them.
 * - Rejected (`not-found`, `invalid-state`, `invalid-argument`): nothing changed; `detail` says why.
 * - Redelivered after it was accepted (a crash between the append and the offset commit): the instance recognises the
 *   command id in its events' metadata and the command is answered `accepted` again, with the same revision, without
 *   being decided twice.
 * - A transient failure (the store unreachable, an instance that kept changing under the command) throws: the bus
 *   retries the message, and nothing is answered until it went through.
 *
 * Starts at application bootstrap when the application provides `MESSAGE_BUS` and the runtime options say
 * `commands.consume`, without holding the bootstrap up: until the group is joined (a fresh broker whose topics are still
 * being created, Kafka away) it retries with backoff, without limit, and `/health/ready` shows `runtimeCommands` down.
 * Stops before the bus closes.
 */
@Injectable()
export class RuntimeCommandConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RuntimeCommandConsumer.name);
  private readonly options: RuntimeOptions;
  private subscription: RetryingSubscription<RuntimeCommandMessage> | undefined;
  private unregisterReadiness: (() => void) | undefined;
  private counter: Counter<'type' | 'outcome'> | undefined;
  private readonly counts: Record<RuntimeCommandOutcome, number> = { accepted: 0, rejected: 0, duplicate: 0 };

  constructor(
    private readonly runner: ProcessInstanceCommandRunner,
    private readonly registry: DefinitionRegistry,
    @Optional() @Inject(RUNTIME_OPTIONS) options?: Partial<RuntimeOptions>,
    @Optional() @Inject(MESSAGE_BUS) private readonly bus?: MessageBus,
    @Optional() private readonly metrics?: Registry,
    @Optional() private readonly readiness?: ReadinessChecks,
    @Optional() private readonly forms?: UserTaskForms,
  ) {
    this.options = { ...defaultRuntimeOptions, ...options };
  }

  /** Commands handled since the start, by outcome (what `trellis_runtime_commands_total` counts). */
  get handled(): Readonly<Record<RuntimeCommandOutcome, number>> {
    return { ...this.counts };
  }

  /** Whether this replica consumes the commands topic. */
  get consuming(): boolean {
    return this.subscription?.status().state === 'consuming';
  }

  /** The subscription's state, attempts and last error; undefined when this replica does not consume commands. */
  status(): RetryingSubscriptionStatus | undefined {
    return this.subscription?.status();
  }

  onApplicationBootstrap(): void {
    const commands = this.options.commands;
    if (this.bus === undefined || commands?.consume !== true) return;
    const bus = this.bus;
    if (this.metrics !== undefined) {
      this.counter =
        (this.metrics.getSingleMetric('trellis_runtime_commands_total') as Counter<'type' | 'outcome'> | undefined) ??
        new Counter({
          name: 'trellis_runtime_commands_total',
          help: 'Runtime commands consumed from Kafka, by command type and outcome (accepted, rejected, duplicate).',
          labelNames: ['type', 'outcome'] as const,
          registers: [this.metrics],
        });
    }
    const createTopics = commands.createTopics;
    const groupId = commands.groupId ?? RUNTIME_COMMANDS_GROUP_ID;
    this.subscription = new RetryingSubscription<RuntimeCommandMessage>({
      bus,
      subscribe: {
        topics: this.topic(TOPICS.runtimeCommands),
        groupId,
        fromBeginning: true,
        decode: (message) => decodeRuntimeCommand(message.value),
        handler: (command) => this.consume(command),
        // Renamed with the other topics (a test's own names), as the messages consumer's.
        deadLetterTopic: this.topic(TOPICS.deadLetter),
      },
      // Created again on each attempt: the first may come before the broker takes requests.
      ...(createTopics === undefined
        ? {}
        : {
            beforeSubscribe: () =>
              bus.ensureTopics(
                [TOPICS.runtimeCommands, TOPICS.runtimeCommandResults].map((topic) => ({
                  topic: this.topic(topic),
                  partitions: createTopics.partitions,
                  ...(createTopics.replicationFactor === undefined ? {} : { replicationFactor: createTopics.replicationFactor }),
                })),
              ),
          }),
      logger: { warn: (message) => this.logger.warn(message) },
    });
    this.unregisterReadiness = this.readiness?.register(new RuntimeCommandsHealthIndicator(this.subscription));
    // Not awaited: the service answers (and says it is not ready yet) while the consumer waits for its topics.
    void this.start().then(() => {
      if (this.consuming) this.logger.log(`Consuming ${this.topic(TOPICS.runtimeCommands)} in group ${groupId}`);
    });
  }

  /** Resolves once this replica consumes the commands topic (or was stopped first, or does not consume commands). */
  start(): Promise<void> {
    return this.subscription?.start() ?? Promise.resolve();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    this.unregisterReadiness?.();
    this.unregisterReadiness = undefined;
    if (subscription !== undefined) this.logger.log(`Stopped consuming runtime commands: ${JSON.stringify(this.counts)}`);
  }

  /** Runs one command and publishes its result; throws (so the bus retries) when it could not be decided now. */
  async consume(command: RuntimeCommandMessage): Promise<void> {
    const { result, outcome } = await this.handle(command);
    await this.bus!.publish(this.topic(TOPICS.runtimeCommandResults), [runtimeCommandResultMessageOf(result)]);
    this.counts[outcome]++;
    this.counter?.inc({ type: command.type, outcome });
  }

  /** The result of one command: accepted (or recognised as accepted before) or rejected. Transient failures throw. */
  async handle(command: RuntimeCommandMessage): Promise<{ readonly result: RuntimeCommandResult; readonly outcome: RuntimeCommandOutcome }> {
    const header = { commandId: command.commandId, commandType: command.type, processInstanceId: command.processInstanceId };
    try {
      const engineCommand = await this.engineCommandOf(command);
      const outcome = await this.runner.execute(command.processInstanceId, engineCommand, { commandId: command.commandId });
      return {
        result: {
          ...header,
          outcome: 'accepted',
          ...(outcome.revision === undefined ? {} : { revision: outcome.revision }),
          handledAt: new Date().toISOString(),
        },
        outcome: outcome.duplicate ? 'duplicate' : 'accepted',
      };
    } catch (error) {
      if (!(error instanceof ProcessInstanceCommandRejectedError) || error instanceof ProcessInstanceContendedError) throw error;
      return {
        result: { ...header, outcome: 'rejected', rejection: rejectionOf[error.failure.code], detail: error.failure.message, handledAt: new Date().toISOString() },
        outcome: 'rejected',
      };
    }
  }

  /** The engine's command for a wire command (a start resolves its definition here). */
  private async engineCommandOf(command: RuntimeCommandMessage): Promise<ProcessInstanceCommand> {
    switch (command.type) {
      case 'StartProcessInstance': {
        // The contract's validator lets exactly one of the two through.
        const target: StartTarget =
          command.processId !== undefined ? { processId: command.processId } : { processDefinitionId: command.processDefinitionId ?? '' };
        const definition = await resolveStartTarget(this.registry, target, this.options.deployedElsewhere);
        if (definition === undefined) {
          throw 'processId' in target
            ? notFound(`No process definition for process id ${target.processId}: deploy a BPMN resource that defines it first`, { processId: target.processId })
            : notFound(`No process definition with id ${target.processDefinitionId}`, { processDefinitionId: target.processDefinitionId });
        }
        if (command.businessKey !== undefined && command.businessKey.length === 0) {
          throw new ProcessInstanceCommandRejectedError({ code: 'INVALID_ARGUMENT', message: 'businessKey must not be empty' });
        }
        return {
          type: 'CreateProcessInstance',
          processInstanceId: command.processInstanceId,
          processDefinitionId: definition.id,
          version: definition.version,
          ...(command.businessKey !== undefined ? { businessKey: command.businessKey } : {}),
          ...(command.variables !== undefined ? { variables: command.variables } : {}),
        };
      }
      case 'CompleteJob':
        return {
          type: 'CompleteJob',
          jobId: command.jobId,
          ...(command.variables !== undefined ? { variables: command.variables } : {}),
          // A task listener's answer: its fields are checked by the engine (a wrong one is rejected, naming it).
          ...(command.result !== undefined ? { result: command.result as TaskListenerJobResult } : {}),
        };
      case 'FailJob':
        return {
          type: 'FailJob',
          jobId: command.jobId,
          retries: command.retries,
          ...(command.errorMessage !== undefined ? { errorMessage: command.errorMessage } : {}),
          ...(command.retryBackoffMs !== undefined ? { retryBackoffMs: command.retryBackoffMs } : {}),
        };
      case 'ThrowError':
        return {
          type: 'ThrowError',
          jobId: command.jobId,
          errorCode: command.errorCode,
          ...(command.errorMessage !== undefined ? { errorMessage: command.errorMessage } : {}),
          ...(command.variables !== undefined ? { variables: command.variables } : {}),
        };
      case 'CompleteUserTask': {
        // As over HTTP: variables that break the task's deployed form reject the command, and the task stays open.
        const broken = await this.forms?.completionViolations(command.userTaskId, command.variables);
        if (broken !== undefined) {
          throw new ProcessInstanceCommandRejectedError({
            code: 'INVALID_ARGUMENT',
            message: `The variables break the rules of the form ${broken.form.id} of user task ${command.userTaskId}: ${describeViolations(broken.violations)}`,
            details: { userTaskId: command.userTaskId, formDefinitionId: broken.form.id },
          });
        }
        return { type: 'CompleteUserTask', userTaskId: command.userTaskId, ...(command.variables !== undefined ? { variables: command.variables } : {}) };
      }
      case 'SetVariables':
        return {
          type: 'SetVariables',
          variables: command.variables,
          ...(command.local !== undefined ? { local: command.local } : {}),
          ...(command.scopeInstanceId !== undefined ? { scopeInstanceId: command.scopeInstanceId } : {}),
        };
      case 'ResolveIncident':
        return { type: 'ResolveIncident', incidentId: command.incidentId, ...(command.retries !== undefined ? { retries: command.retries } : {}) };
      case 'CancelProcessInstance':
        return { type: 'CancelProcessInstance' };
      case 'ActivateAdHocActivities':
        return {
          type: 'ActivateAdHocElements',
          elementInstanceId: command.adHocSubProcessInstanceId,
          elementIds: command.elements.map((element) => element.elementId),
        };
    }
  }

  private topic(topic: TopicName): string {
    return this.options.commands?.topicName?.(topic) ?? topic;
  }
}

const indicators = new HealthIndicatorService();

/** The commands consumer in `/health/ready`: down until it has joined its group (the topics may not exist yet). */
export class RuntimeCommandsHealthIndicator implements ReadinessIndicator {
  readonly key = 'runtimeCommands';

  constructor(private readonly subscription: Pick<RetryingSubscription<unknown>, 'status' | 'groupId'>) {}

  check(): PromiseLike<HealthIndicatorResult> {
    const { ready, details } = subscriptionReadiness(this.subscription.status());
    const session = indicators.check(this.key);
    const withGroup = { groupId: this.subscription.groupId, ...details };
    return Promise.resolve(ready ? session.up(withGroup) : session.down(withGroup));
  }
}
