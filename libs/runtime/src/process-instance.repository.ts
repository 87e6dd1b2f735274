import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Optional } from '@nestjs/common';
import { DefinitionRegistry } from '@trellis/deployment';
import { EVENT_STORE } from '@trellis/platform';
import {
  decide,
  initialProcessInstanceState,
  replay,
  evolve,
  type DecisionContext,
  type JsonValue,
  type ProcessInstanceCommand,
  type ProcessInstanceEvent,
  type ProcessInstanceState,
} from '@trellis/engine';
import { type EventStore, WrongExpectedRevisionError } from '@trellis/event-store';

import { ProcessInstanceCommandRejectedError } from './process-instance-command-rejected.error.js';
import { defaultRuntimeOptions, RUNTIME_OPTIONS, type RuntimeOptions } from './runtime.options.js';
import { KeyedMutex } from './keyed-mutex.js';

export const PROCESS_INSTANCE_STREAM_PREFIX = 'process-instance-';
export const processInstanceStream = (processInstanceId: string): string => `${PROCESS_INSTANCE_STREAM_PREFIX}${processInstanceId}`;
export const PROCESS_INSTANCE_EVENT_SCHEMA_VERSION = 1;

export interface LoadedProcessInstance {
  readonly state: ProcessInstanceState;
  /** Revision of the stream's last event; undefined when the stream does not exist. */
  readonly revision: number | undefined;
}

export interface CommandOutcome {
  readonly state: ProcessInstanceState;
  readonly events: readonly ProcessInstanceEvent[];
  /** Global position of the last appended event; undefined when the command changed nothing. */
  readonly position: number | undefined;
}

/**
 * Loads process instances from their streams and runs commands on them through the engine's decider.
 * A command is decided on the state at a known revision and appended with that expected revision;
 * losing a race to another writer means deciding again on the newer state.
 */
@Injectable()
export class ProcessInstanceRepository {
  private readonly options: RuntimeOptions;
  private readonly mutex = new KeyedMutex();
  /** Hot states by instance id, least recently used first. */
  private readonly cache = new Map<string, LoadedProcessInstance>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: DefinitionRegistry,
    @Optional() @Inject(RUNTIME_OPTIONS) options?: Partial<RuntimeOptions>,
  ) {
    this.options = { ...defaultRuntimeOptions, ...options };
  }

  async load(processInstanceId: string): Promise<LoadedProcessInstance> {
    const cached = this.cache.get(processInstanceId);
    if (cached) {
      this.cache.delete(processInstanceId);
      this.cache.set(processInstanceId, cached);
      return cached;
    }
    const recorded = await this.store.readStream(processInstanceStream(processInstanceId));
    if (recorded.length === 0) return { state: initialProcessInstanceState(), revision: undefined };
    const events = recorded.map((event) => ({ type: event.type, data: event.data }) as unknown as ProcessInstanceEvent);
    const loaded = { state: replay(events), revision: recorded[recorded.length - 1]!.revision };
    this.remember(processInstanceId, loaded);
    return loaded;
  }

  /**
   * Decides `command` on the instance and appends the resulting events. `create` marks the command that
   * starts a new instance (its stream must not exist yet).
   */
  execute(processInstanceId: string, command: ProcessInstanceCommand): Promise<CommandOutcome> {
    return this.mutex.runExclusive(processInstanceId, () => this.decideAndAppend(processInstanceId, command));
  }

  private async decideAndAppend(processInstanceId: string, command: ProcessInstanceCommand): Promise<CommandOutcome> {
    const creates = command.type === 'CreateProcessInstance';
    for (let attempt = 1; ; attempt++) {
      const loaded = creates ? { state: initialProcessInstanceState(), revision: undefined } : await this.load(processInstanceId);
      if (!creates && loaded.state.status === 'none') {
        throw new ProcessInstanceCommandRejectedError({
          code: 'NOT_FOUND',
          message: `No process instance with id ${processInstanceId}`,
          details: { processInstanceId },
        });
      }
      const processDefinitionId = creates ? command.processDefinitionId : loaded.state.processDefinitionId;
      const executable = this.registry.executableProcess(processDefinitionId);
      if (!executable) {
        throw new ProcessInstanceCommandRejectedError({
          code: 'NOT_FOUND',
          message: `No process definition with id ${processDefinitionId}`,
          details: { processDefinitionId },
        });
      }
      if (!('process' in executable)) {
        throw new ProcessInstanceCommandRejectedError({
          code: 'INVALID_STATE',
          message: `Process definition ${processDefinitionId} cannot be executed by this version of Trellis: ${executable.problem}`,
          details: { processDefinitionId },
        });
      }
      const context: DecisionContext = { now: new Date().toISOString(), newId: randomUUID, process: executable.process };
      const decision = decide(loaded.state, command, context);
      if (!decision.ok) throw new ProcessInstanceCommandRejectedError(decision.error);
      const events = decision.value;
      if (events.length === 0) return { state: loaded.state, events, position: undefined };

      try {
        const appended = await this.store.appendToStream(
          processInstanceStream(processInstanceId),
          events.map((event) => ({
            id: randomUUID(),
            type: event.type,
            data: event.data as unknown as JsonValue,
            metadata: { schemaVersion: PROCESS_INSTANCE_EVENT_SCHEMA_VERSION, processInstanceId, processDefinitionId },
          })),
          { expectedRevision: loaded.revision ?? 'no_stream' },
        );
        const state = events.reduce(evolve, loaded.state);
        if (state.status === 'active') this.remember(processInstanceId, { state, revision: appended.nextExpectedRevision });
        else this.cache.delete(processInstanceId);
        return { state, events, position: appended.position };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        this.cache.delete(processInstanceId);
        if (creates) {
          throw new ProcessInstanceCommandRejectedError({
            code: 'ALREADY_EXISTS',
            message: `A process instance with id ${processInstanceId} already exists`,
            details: { processInstanceId },
          });
        }
        if (attempt >= this.options.maxCommandAttempts) {
          throw new ProcessInstanceCommandRejectedError({
            code: 'INVALID_STATE',
            message: `Process instance ${processInstanceId} kept changing concurrently; the command was given up after ${attempt} attempts`,
            details: { processInstanceId },
          });
        }
      }
    }
  }

  private remember(processInstanceId: string, loaded: LoadedProcessInstance): void {
    this.cache.delete(processInstanceId);
    this.cache.set(processInstanceId, loaded);
    while (this.cache.size > this.options.instanceCacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  /** Number of cached instance states (for tests and metrics). */
  get cachedInstances(): number {
    return this.cache.size;
  }
}
