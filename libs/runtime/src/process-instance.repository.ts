import { randomUUID } from 'node:crypto';

import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DefinitionRegistry } from '@trellis/deployment';
import { CLOCK, type Clock, EVENT_STORE, systemClock } from '@trellis/platform';
import {
  decideWithState,
  initialProcessInstanceState,
  type DecisionContext,
  type JsonValue,
  type ProcessInstanceCommand,
  type ProcessInstanceEvent,
  type ProcessInstanceState,
  replay,
} from '@trellis/engine';
import { type EventStore, type NewEvent, type RecordedEvent, WrongExpectedRevisionError } from '@trellis/event-store';

import { ProcessInstanceCommandRejectedError, ProcessInstanceContendedError } from './process-instance-command-rejected.error.js';
import { readLatestSnapshot, writeSnapshot } from './process-instance-snapshots.js';
import { defaultRuntimeOptions, RUNTIME_OPTIONS, type RuntimeOptions } from './runtime.options.js';
import { KeyedMutex } from './keyed-mutex.js';

export const PROCESS_INSTANCE_STREAM_PREFIX = 'process-instance-';
export const processInstanceStream = (processInstanceId: string): string => `${PROCESS_INSTANCE_STREAM_PREFIX}${processInstanceId}`;
export const PROCESS_INSTANCE_EVENT_SCHEMA_VERSION = 1;

/**
 * How many command ids an instance remembers (the latest ones). A command is redelivered when its consumer crashed
 * before committing its offset, so soon after and with at most the commands that followed it in its partition.
 */
export const RECENT_COMMANDS_KEPT = 100;

export interface LoadedProcessInstance {
  readonly state: ProcessInstanceState;
  /** Revision of the stream's last event; undefined when the stream does not exist. */
  readonly revision: number | undefined;
  /** Id of the stream's last event (what a snapshot at `revision` records). */
  readonly lastEventId: string | undefined;
  /**
   * The ids of the latest commands that changed the instance (`commandId` in their events' metadata), each with the
   * stream revision after it, oldest first: a command seen again is answered from here instead of being decided twice.
   */
  readonly recentCommands: ReadonlyMap<string, number>;
  /** Revision of the latest snapshot the runtime knows of for this instance (loaded from or stored); undefined: none. */
  readonly snapshotRevision: number | undefined;
}

export interface CommandOutcome {
  readonly state: ProcessInstanceState;
  readonly events: readonly ProcessInstanceEvent[];
  /** Global position of the last appended event; undefined when the command changed nothing. */
  readonly position: number | undefined;
  /** The stream's revision after the command; undefined when the instance does not exist. */
  readonly revision: number | undefined;
  /** True when the command's id had been handled before: it was not decided again, `revision` is what it produced then. */
  readonly duplicate: boolean;
}

export interface ExecuteOptions {
  /**
   * The sender's id of the command (runtime commands over Kafka): stored in the metadata of the events it appends, so
   * that the same command delivered again is recognised and answered without deciding it twice.
   */
  readonly commandId?: string;
  /**
   * More metadata for the events the command appends (a timer start's due time, say): what the runtime's views need to
   * know of how the command came about, which the engine's events do not say.
   */
  readonly metadata?: Readonly<Record<string, JsonValue>>;
}

const noInstance: LoadedProcessInstance = {
  state: initialProcessInstanceState(),
  revision: undefined,
  lastEventId: undefined,
  recentCommands: new Map(),
  snapshotRevision: undefined,
};

/**
 * Loads process instances from their streams and runs commands on them through the engine's decider.
 * A command is decided on the state at a known revision and appended with that expected revision;
 * losing a race to another writer means deciding again on the newer state.
 * Hot states are cached (least recently used dropped); a cold instance is loaded from its latest snapshot and the
 * events after it, and a snapshot is stored every `snapshotEvery` events.
 */
@Injectable()
export class ProcessInstanceRepository {
  private readonly logger = new Logger(ProcessInstanceRepository.name);
  private readonly options: RuntimeOptions;
  /** The time commands are decided at (`DecisionContext.now`): due timers, job back-offs, start and end times. */
  private readonly clock: Clock;
  private readonly mutex = new KeyedMutex();
  /** Hot states by instance id, least recently used first. */
  private readonly cache = new Map<string, LoadedProcessInstance>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly registry: DefinitionRegistry,
    @Optional() @Inject(RUNTIME_OPTIONS) options?: Partial<RuntimeOptions>,
    @Optional() @Inject(CLOCK) clock?: Clock,
  ) {
    this.options = { ...defaultRuntimeOptions, ...options };
    this.clock = clock ?? systemClock;
  }

  async load(processInstanceId: string): Promise<LoadedProcessInstance> {
    const cached = this.cache.get(processInstanceId);
    if (cached) {
      this.cache.delete(processInstanceId);
      this.cache.set(processInstanceId, cached);
      return cached;
    }
    const loaded = await this.loadFromStore(processInstanceId);
    if (loaded.revision !== undefined) this.remember(processInstanceId, loaded);
    return loaded;
  }

  /**
   * Decides `command` on the instance and appends the resulting events. A `CreateProcessInstance` needs a stream that
   * does not exist yet. With a `commandId` that the instance has seen before, nothing is decided: the outcome says
   * `duplicate` and gives the revision the command produced the first time.
   */
  execute(processInstanceId: string, command: ProcessInstanceCommand, options: ExecuteOptions = {}): Promise<CommandOutcome> {
    return this.mutex.runExclusive(processInstanceId, () => this.decideAndAppend(processInstanceId, command, options.commandId, options.metadata));
  }

  private async decideAndAppend(
    processInstanceId: string,
    command: ProcessInstanceCommand,
    commandId: string | undefined,
    extraMetadata: ExecuteOptions['metadata'],
  ): Promise<CommandOutcome> {
    const creates = command.type === 'CreateProcessInstance';
    for (let attempt = 1; ; attempt++) {
      // A new instance's stream is new: no read needed (a start sent again finds the stream there when appending).
      const loaded = creates ? noInstance : await this.load(processInstanceId);
      const handled = commandId === undefined ? undefined : loaded.recentCommands.get(commandId);
      if (handled !== undefined) return { state: loaded.state, events: [], position: undefined, revision: handled, duplicate: true };
      if (!creates && loaded.state.status === 'none') {
        throw new ProcessInstanceCommandRejectedError({
          code: 'NOT_FOUND',
          message: `No process instance with id ${processInstanceId}`,
          details: { processInstanceId },
        });
      }
      const processDefinitionId = creates ? command.processDefinitionId : loaded.state.processDefinitionId;
      const executable = await this.executableProcess(processDefinitionId);
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
      const context: DecisionContext = { now: this.clock.now().toISOString(), newId: randomUUID, process: executable.process };
      // The decider built the state the events lead to while deciding: folding them again would copy the state's maps
      // once per event (a tenth of a start's or a completion's CPU in the external-task benchmark's profile).
      const decision = decideWithState(loaded.state, command, context);
      if (!decision.ok) throw new ProcessInstanceCommandRejectedError(decision.error);
      const { events, state: decidedState } = decision.value;
      if (events.length === 0) return { state: loaded.state, events, position: undefined, revision: loaded.revision, duplicate: false };

      const metadata = {
        ...extraMetadata,
        schemaVersion: PROCESS_INSTANCE_EVENT_SCHEMA_VERSION,
        processInstanceId,
        processDefinitionId,
        ...(commandId === undefined ? {} : { commandId }),
      };
      const appending: NewEvent[] = events.map((event) => ({ id: randomUUID(), type: event.type, data: event.data as unknown as JsonValue, metadata }));
      try {
        const appended = await this.store.appendToStream(processInstanceStream(processInstanceId), appending, {
          expectedRevision: loaded.revision ?? 'no_stream',
        });
        const state = decidedState;
        const recentCommands = new Map(loaded.recentCommands);
        if (commandId !== undefined) rememberCommand(recentCommands, commandId, appended.nextExpectedRevision);
        const next = await this.snapshotIfDue(processInstanceId, {
          state,
          revision: appended.nextExpectedRevision,
          lastEventId: appending[appending.length - 1]!.id,
          recentCommands,
          snapshotRevision: loaded.snapshotRevision,
        });
        if (state.status === 'active') this.remember(processInstanceId, next);
        else this.cache.delete(processInstanceId);
        return { state, events, position: appended.position, revision: appended.nextExpectedRevision, duplicate: false };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        this.cache.delete(processInstanceId);
        if (creates) {
          const earlier = commandId === undefined ? undefined : await this.revisionAfterCommand(processInstanceId, commandId);
          if (earlier !== undefined) return { ...earlier, events: [], position: undefined, duplicate: true };
          throw new ProcessInstanceCommandRejectedError({
            code: 'ALREADY_EXISTS',
            message: `A process instance with id ${processInstanceId} already exists`,
            details: { processInstanceId },
          });
        }
        if (attempt >= this.options.maxCommandAttempts) {
          throw new ProcessInstanceContendedError({
            code: 'INVALID_STATE',
            message: `Process instance ${processInstanceId} kept changing concurrently; the command was given up after ${attempt} attempts`,
            details: { processInstanceId },
          });
        }
      }
    }
  }

  /** A definition's compiled process; a definition the registry misses may have been deployed by another process since. */
  private async executableProcess(processDefinitionId: string): Promise<ReturnType<DefinitionRegistry['executableProcess']>> {
    const known = this.registry.executableProcess(processDefinitionId);
    if (known !== undefined) return known;
    await this.registry.catchUp();
    return this.registry.executableProcess(processDefinitionId);
  }

  /**
   * Where an instance's stream has the events of `commandId`: among its recent commands, or, for the command that
   * created it, in its first append (however long ago that was). Undefined when the command did not change it.
   */
  private async revisionAfterCommand(processInstanceId: string, commandId: string): Promise<{ state: ProcessInstanceState; revision: number } | undefined> {
    const loaded = await this.load(processInstanceId);
    const recent = loaded.recentCommands.get(commandId);
    if (recent !== undefined) return { state: loaded.state, revision: recent };
    const stream = processInstanceStream(processInstanceId);
    let revision: number | undefined;
    for (let from = 0; ; from += 100) {
      const page = await this.store.readStream(stream, { fromRevision: from, maxCount: 100 });
      const matching = page.findIndex((event) => commandIdOf(event) !== commandId);
      const end = matching === -1 ? page.length : matching;
      if (end > 0) revision = page[end - 1]!.revision;
      if (matching !== -1 || page.length < 100) break;
    }
    return revision === undefined ? undefined : { state: loaded.state, revision };
  }

  /** The instance from its stream: its latest usable snapshot and the events after it, or all of its events. */
  private async loadFromStore(processInstanceId: string): Promise<LoadedProcessInstance> {
    const stream = processInstanceStream(processInstanceId);
    if (this.options.snapshotEvery > 0) {
      const lookup = await readLatestSnapshot(this.store, processInstanceId);
      if (lookup.found === 'ignored') {
        this.logger.warn(`Snapshot of process instance ${processInstanceId} ignored (${lookup.reason}): replaying its stream`);
      } else if (lookup.found === 'usable') {
        const { snapshot } = lookup;
        const events = await this.store.readStream(stream, { fromRevision: snapshot.revision });
        if (events[0]?.id === snapshot.eventId) {
          return fold(
            { state: snapshot.state, revision: snapshot.revision, lastEventId: snapshot.eventId, recentCommands: new Map(snapshot.recentCommands), snapshotRevision: snapshot.revision },
            events.slice(1),
          );
        }
        this.logger.warn(`Snapshot of process instance ${processInstanceId} at revision ${snapshot.revision} does not match its stream: replaying it`);
      }
    }
    return fold(noInstance, await this.store.readStream(stream));
  }

  /** Stores a snapshot when `snapshotEvery` events were appended since the last one; a failure only costs a longer load. */
  private async snapshotIfDue(processInstanceId: string, loaded: LoadedProcessInstance): Promise<LoadedProcessInstance> {
    const every = this.options.snapshotEvery;
    if (every <= 0 || loaded.revision === undefined || loaded.lastEventId === undefined) return loaded;
    if (loaded.revision - (loaded.snapshotRevision ?? -1) < every) return loaded;
    try {
      await writeSnapshot(this.store, processInstanceId, {
        revision: loaded.revision,
        eventId: loaded.lastEventId,
        state: loaded.state,
        recentCommands: [...loaded.recentCommands],
      });
      return { ...loaded, snapshotRevision: loaded.revision };
    } catch (error) {
      this.logger.warn(`Could not store a snapshot of process instance ${processInstanceId} at revision ${loaded.revision}: ${String(error)}`);
      return loaded;
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

/** `loaded` with `recorded` (the events after it, in revision order) applied. */
function fold(loaded: LoadedProcessInstance, recorded: readonly RecordedEvent[]): LoadedProcessInstance {
  if (recorded.length === 0) return loaded;
  // One copy of the state for all the events (`replay`), not one per event.
  const state = replay(
    recorded.map((event) => ({ type: event.type, data: event.data }) as unknown as ProcessInstanceEvent),
    loaded.state,
  );
  const recentCommands = new Map(loaded.recentCommands);
  for (const event of recorded) {
    const commandId = commandIdOf(event);
    if (commandId !== undefined) rememberCommand(recentCommands, commandId, event.revision);
  }
  const last = recorded[recorded.length - 1]!;
  return { state, revision: last.revision, lastEventId: last.id, recentCommands, snapshotRevision: loaded.snapshotRevision };
}

function commandIdOf(event: RecordedEvent): string | undefined {
  const metadata = event.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const commandId = (metadata as Record<string, JsonValue | undefined>)['commandId'];
  return typeof commandId === 'string' ? commandId : undefined;
}

/** Records (or moves to the newest place) a command id, dropping the oldest beyond `RECENT_COMMANDS_KEPT`. */
function rememberCommand(recent: Map<string, number>, commandId: string, revision: number): void {
  recent.delete(commandId);
  recent.set(commandId, revision);
  while (recent.size > RECENT_COMMANDS_KEPT) {
    const oldest = recent.keys().next().value;
    if (oldest === undefined) break;
    recent.delete(oldest);
  }
}
