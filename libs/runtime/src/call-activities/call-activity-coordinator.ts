import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DefinitionRegistry, type ProcessDefinition } from '@trellis/deployment';
import type {
  ChildProcessInstanceRequested,
  ErrorThrownToCaller,
  EscalationThrownToCaller,
  ProcessInstanceCommand,
  ProcessInstanceState,
} from '@trellis/engine';

import { ProcessInstanceCommandRejectedError } from '../process-instance-command-rejected.error.js';
import { ProcessInstanceRepository } from '../process-instance.repository.js';
import { RuntimeProjection } from '../runtime.projection.js';

type ChildRequest = ChildProcessInstanceRequested['data'];

/** Rejections that mean the work was done already (by this runtime before a restart, or by another replica). */
const SETTLED = new Set(['ALREADY_EXISTS', 'INVALID_STATE', 'NOT_FOUND']);
const MAX_ATTEMPTS = 8;

/**
 * Carries call activities across process-instance streams: creates the child an activity asks for, completes the
 * activity when its child completed, and cancels the child when the activity was terminated. Every step is a command
 * on one instance that the instance accepts once (the child's id is fixed by the request, the activity waits for that
 * child only), so two runtime replicas doing the same step, or a step repeated after a restart, change nothing twice.
 * At startup it settles what was left undone from the states the projection rebuilt; afterwards it follows events.
 */
@Injectable()
export class CallActivityCoordinator implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CallActivityCoordinator.name);
  private stopObserving: (() => void) | undefined;
  private closed = false;
  /** Steps in flight, so that a test or a shutdown can wait for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly projection: RuntimeProjection,
    private readonly repository: ProcessInstanceRepository,
    private readonly registry: DefinitionRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.stopObserving = this.projection.observeEvents((processInstanceId, event, state) => {
      switch (event.type) {
        case 'ChildProcessInstanceRequested':
          this.schedule(() => this.createChild(processInstanceId, state, event.data));
          break;
        case 'ProcessInstanceCompleted':
          if (state.parent !== undefined) this.schedule(() => this.completeParent(state));
          break;
        case 'ChildProcessInstanceCancelRequested':
          this.schedule(() => this.cancelChild(event.data.childProcessInstanceId));
          break;
        case 'ErrorThrownToCaller':
          if (state.parent !== undefined) this.schedule(() => this.throwToParent(state, event.data));
          break;
        case 'EscalationThrownToCaller':
          if (state.parent !== undefined) this.schedule(() => this.escalateToParent(state, event.data));
          break;
        case 'ChildEscalationAnswered':
          this.schedule(() => this.send(event.data.childProcessInstanceId, { type: 'ContinueAfterEscalation', elementInstanceId: event.data.childElementInstanceId }));
          break;
        case 'ChildErrorNotCaught':
          this.schedule(() => this.send(event.data.childProcessInstanceId, { type: 'ReturnUncaughtError', elementInstanceId: event.data.childElementInstanceId }));
          break;
        default:
          break;
      }
    });
    this.settleAll();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    this.stopObserving?.();
    await this.idle();
  }

  /** Resolves when no step is in flight. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** What a restart may have left undone: children not created, parents not completed, children not cancelled. */
  private settleAll(): void {
    for (const state of this.projection.instanceStates()) {
      if (state.status === 'active') {
        for (const request of Object.values(state.childProcessInstances ?? {})) {
          const child = this.projection.instanceState(request.childProcessInstanceId);
          if (child === undefined) {
            this.schedule(() => this.createChild(state.processInstanceId, state, request));
          } else if (child.status === 'completed') {
            this.schedule(() => this.completeParent(child));
          }
        }
      }
      const parent = state.parent;
      if (state.status === 'active' && parent !== undefined) {
        // Errors passed up whose answer never came (the caller may have decided; it then refuses the repeat or answers again).
        for (const error of Object.values(state.errorsThrownToCaller ?? {})) {
          if (state.elementInstances[error.elementInstanceId] !== undefined) this.schedule(() => this.throwToParent(state, error));
        }
        for (const escalation of Object.values(state.escalationsThrownToCaller ?? {})) {
          if (state.elementInstances[escalation.elementInstanceId] !== undefined) this.schedule(() => this.escalateToParent(state, escalation));
        }
      }
      if (state.status === 'active' && parent !== undefined) {
        const caller = this.projection.instanceState(parent.processInstanceId);
        if (caller !== undefined && caller.childProcessInstances?.[parent.elementInstanceId]?.childProcessInstanceId !== state.processInstanceId) {
          // The call activity no longer waits for this child (it was terminated): the child goes too.
          this.schedule(() => this.cancelChild(state.processInstanceId));
        }
      } else if (state.status === 'completed' && parent !== undefined) {
        const caller = this.projection.instanceState(parent.processInstanceId);
        if (caller?.childProcessInstances?.[parent.elementInstanceId]?.childProcessInstanceId === state.processInstanceId) this.schedule(() => this.completeParent(state));
      }
    }
  }

  private async createChild(parentProcessInstanceId: string, parent: ProcessInstanceState, request: ChildRequest): Promise<void> {
    const definition = await this.calledDefinition(parent, request);
    if (definition === undefined) {
      const which =
        request.binding === 'version'
          ? `version ${request.version ?? '?'} of process '${request.processId}'`
          : request.binding === 'deployment'
            ? `process '${request.processId}' in the deployment of '${parent.processDefinitionId}'`
            : `process '${request.processId}'`;
      await this.send(parentProcessInstanceId, {
        type: 'FailCallActivity',
        elementInstanceId: request.elementInstanceId,
        childProcessInstanceId: request.childProcessInstanceId,
        message: `Call activity '${request.elementId}' cannot start ${which}: no such process definition is deployed`,
      });
      return;
    }
    await this.send(request.childProcessInstanceId, {
      type: 'CreateProcessInstance',
      processInstanceId: request.childProcessInstanceId,
      processDefinitionId: definition.id,
      version: definition.version,
      variables: request.variables,
      ...(request.businessKey === undefined ? {} : { businessKey: request.businessKey }),
      parent: { processInstanceId: parentProcessInstanceId, elementInstanceId: request.elementInstanceId },
    });
  }

  private async calledDefinition(parent: ProcessInstanceState, request: ChildRequest): Promise<ProcessDefinition | undefined> {
    const lookup = (): ProcessDefinition | undefined => {
      switch (request.binding) {
        case 'latest':
          return this.registry.latest(request.processId);
        case 'version':
          return this.registry.get(`${request.processId}:${request.version ?? 0}`);
        case 'deployment': {
          const deploymentId = this.registry.get(parent.processDefinitionId)?.deploymentId;
          return this.registry.list({ processId: request.processId }).find((definition) => definition.deploymentId === deploymentId);
        }
      }
    };
    // The deployment-service may have deployed it moments ago (distributed mode): catch up before saying it is missing.
    return lookup() ?? (await this.registry.catchUp().then(lookup));
  }

  private async completeParent(child: ProcessInstanceState): Promise<void> {
    const parent = child.parent;
    if (parent === undefined) return;
    await this.send(parent.processInstanceId, {
      type: 'CompleteCallActivity',
      elementInstanceId: parent.elementInstanceId,
      childProcessInstanceId: child.processInstanceId,
      variables: child.variables[child.processInstanceId] ?? {},
    });
  }

  /** An error nothing in the child catches goes to its call activity, whose boundary events may catch it. */
  private async throwToParent(child: ProcessInstanceState, error: ErrorThrownToCaller['data']): Promise<void> {
    const parent = child.parent;
    if (parent === undefined) return;
    await this.send(parent.processInstanceId, {
      type: 'ThrowChildError',
      elementInstanceId: parent.elementInstanceId,
      childProcessInstanceId: child.processInstanceId,
      childElementInstanceId: error.elementInstanceId,
      errorCode: error.errorCode,
      errorMessage: error.errorMessage,
      variables: error.variables,
    });
  }

  /** An escalation nothing in the child catches goes to its call activity; the child's thrower waits for the answer. */
  private async escalateToParent(child: ProcessInstanceState, escalation: EscalationThrownToCaller['data']): Promise<void> {
    const parent = child.parent;
    if (parent === undefined) return;
    await this.send(parent.processInstanceId, {
      type: 'ThrowChildEscalation',
      elementInstanceId: parent.elementInstanceId,
      childProcessInstanceId: child.processInstanceId,
      childElementInstanceId: escalation.elementInstanceId,
      escalationId: escalation.escalationId,
      escalationCode: escalation.escalationCode,
    });
  }

  private async cancelChild(childProcessInstanceId: string): Promise<void> {
    await this.send(childProcessInstanceId, { type: 'CancelProcessInstance', byParent: true });
  }

  /** Runs a step in the background, retried with a growing pause on failures that are not a settled answer. */
  private schedule(step: () => Promise<void>): void {
    if (this.closed) return;
    const run = (async () => {
      for (let attempt = 1; !this.closed; attempt++) {
        try {
          await step();
          return;
        } catch (error) {
          if (attempt >= MAX_ATTEMPTS) {
            this.logger.error(`A call activity step failed ${attempt} times, giving up until the next restart: ${String(error)}`);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 100 * 2 ** attempt)));
        }
      }
    })();
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
  }

  private async send(processInstanceId: string, command: ProcessInstanceCommand): Promise<void> {
    try {
      const outcome = await this.repository.execute(processInstanceId, command);
      // Done means visible: whoever waits for `idle()` then reads the views with this step in them.
      if (outcome.position !== undefined) await this.projection.waitForPosition(outcome.position);
    } catch (error) {
      if (error instanceof ProcessInstanceCommandRejectedError && SETTLED.has(error.failure.code)) {
        this.logger.debug?.(`${command.type} on ${processInstanceId} was already settled: ${error.failure.message}`);
        return;
      }
      throw error;
    }
  }
}
