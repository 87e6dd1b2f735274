import { expect } from '@jest/globals';
import type { ExecutableProcess } from '../model/executable-model.js';
import type { JsonObject } from '../model/json.js';
import { decideWithState } from '../runtime/decide.js';
import type { DecisionContext, Failure } from '../runtime/decision.js';
import { initialProcessInstanceState, replay } from '../runtime/evolve.js';
import type { ProcessInstanceCommand } from '../runtime/process-instance-commands.js';
import type { ProcessInstanceEvent } from '../runtime/process-instance-events.js';
import type { ElementInstance, IncidentState, JobState, ProcessInstanceState, TimerState, UserTaskState } from '../runtime/process-instance-state.js';

/**
 * Given/when/then for the process-instance decider (in the style of emmett's DeciderSpecification), and scenarios
 * that drive an instance through several commands. Both check, on every decision, the property the event-sourced
 * design rests on: replaying all events from the initial state rebuilds exactly the state the decisions produced.
 */

export const PROCESS_INSTANCE_ID = 'pi';
export const START_TIME = '2026-01-01T10:00:00.000Z';

/** Ids `id-1`, `id-2`... and a clock that moves one second per decision: runs are reproducible. */
export class TestContext {
  private ids = 0;
  private decisions = 0;

  constructor(readonly process: ExecutableProcess) {}

  private offsetMs = 0;

  next(): DecisionContext {
    const now = new Date(Date.parse(START_TIME) + this.offsetMs + 1000 * this.decisions++).toISOString();
    return { now, newId: () => `id-${++this.ids}`, process: this.process };
  }

  /** Moves the clock so that the next decision happens at `time` (never backwards). */
  advanceTo(time: string): void {
    const next = Date.parse(START_TIME) + this.offsetMs + 1000 * this.decisions;
    this.offsetMs += Math.max(0, Date.parse(time) - next);
  }
}

export function createCommand(variables?: JsonObject, businessKey?: string): ProcessInstanceCommand {
  return {
    type: 'CreateProcessInstance',
    processInstanceId: PROCESS_INSTANCE_ID,
    processDefinitionId: 'definition-1',
    version: 1,
    ...(variables === undefined ? {} : { variables }),
    ...(businessKey === undefined ? {} : { businessKey }),
  };
}

/**
 * Decides on a frozen state (the decider must never change the state it is given) and checks the replay property.
 */
function decideChecked(
  history: readonly ProcessInstanceEvent[],
  state: ProcessInstanceState,
  command: ProcessInstanceCommand,
  context: DecisionContext,
): { ok: true; events: ProcessInstanceEvent[]; state: ProcessInstanceState } | { ok: false; failure: Failure } {
  const decided = decideWithState(deepFreeze(structuredClone(state)), command, context);
  if (!decided.ok) return { ok: false, failure: decided.error };
  // Events are stored as JSON: the state rebuilt from what is read back must equal the state the decisions built.
  const stored = JSON.parse(JSON.stringify([...history, ...decided.value.events])) as ProcessInstanceEvent[];
  expect(replay(stored)).toStrictEqual(decided.value.state);
  return { ok: true, events: decided.value.events, state: decided.value.state };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const entry of Object.values(value)) deepFreeze(entry);
  }
  return value;
}

/** `spec(process).given(...events).when(command).then(...events)` or `.thenFails(failure)`. */
export function spec(process: ExecutableProcess) {
  return {
    given: (...history: ProcessInstanceEvent[]) => ({
      when: (command: ProcessInstanceCommand) => {
        const decide = () => decideChecked(history, replay(history), command, new TestContext(process).next());
        return {
          then(...expected: ProcessInstanceEvent[]): void {
            const decided = decide();
            if (!decided.ok) throw new Error(`Expected events, the command failed: ${JSON.stringify(decided.failure)}`);
            expect(decided.events).toEqual(expected);
          },
          thenFails(expected: Partial<Failure>): void {
            const decided = decide();
            if (decided.ok) throw new Error(`Expected a failure, got events: ${JSON.stringify(decided.events, null, 1)}`);
            expect(decided.failure).toMatchObject(expected);
          },
        };
      },
    }),
  };
}

/** Drives one process instance through commands, addressing jobs, user tasks and incidents by element id. */
export class Scenario {
  readonly events: ProcessInstanceEvent[] = [];
  state: ProcessInstanceState = initialProcessInstanceState();
  /** The events of the last successful command. */
  lastEvents: ProcessInstanceEvent[] = [];
  private readonly context: TestContext;

  constructor(readonly process: ExecutableProcess) {
    this.context = new TestContext(process);
  }

  /** Runs a command that must succeed. */
  send(command: ProcessInstanceCommand): this {
    const decided = decideChecked(this.events, this.state, command, this.context.next());
    if (!decided.ok) throw new Error(`${command.type} failed: ${JSON.stringify(decided.failure)}`);
    this.events.push(...decided.events);
    this.lastEvents = decided.events;
    this.state = decided.state;
    return this;
  }

  /** Runs a command that must be rejected, and returns why. */
  reject(command: ProcessInstanceCommand): Failure {
    const decided = decideChecked(this.events, this.state, command, this.context.next());
    if (decided.ok) throw new Error(`${command.type} should have failed, got ${JSON.stringify(decided.events, null, 1)}`);
    return decided.failure;
  }

  start(variables?: JsonObject): this {
    return this.send(createCommand(variables));
  }

  completeJob(elementId: string, variables?: JsonObject): this {
    return this.send({ type: 'CompleteJob', jobId: this.job(elementId).id, ...(variables === undefined ? {} : { variables }) });
  }

  failJob(elementId: string, retries: number, options: { errorMessage?: string; retryBackoffMs?: number } = {}): this {
    return this.send({ type: 'FailJob', jobId: this.job(elementId).id, retries, ...options });
  }

  completeUserTask(elementId: string, variables?: JsonObject): this {
    return this.send({ type: 'CompleteUserTask', userTaskId: this.userTask(elementId).id, ...(variables === undefined ? {} : { variables }) });
  }

  setVariables(variables: JsonObject, options: { scopeElementId?: string; local?: boolean } = {}): this {
    const scopeInstanceId = options.scopeElementId === undefined ? undefined : this.instance(options.scopeElementId).id;
    return this.send({
      type: 'SetVariables',
      variables,
      ...(scopeInstanceId === undefined ? {} : { scopeInstanceId }),
      ...(options.local === undefined ? {} : { local: options.local }),
    });
  }

  resolveIncident(elementId: string, retries?: number): this {
    return this.send({ type: 'ResolveIncident', incidentId: this.incident(elementId).id, ...(retries === undefined ? {} : { retries }) });
  }

  cancel(): this {
    return this.send({ type: 'CancelProcessInstance' });
  }

  /** Moves the clock to the due time of the one timer of a catch event (when later), then triggers it. */
  /** Moves the clock so that the next command is decided at `time` (a timer fired late, say). */
  advanceTo(time: string): this {
    this.context.advanceTo(time);
    return this;
  }

  triggerTimer(elementId: string): this {
    const timer = this.timer(elementId);
    this.context.advanceTo(timer.dueAt);
    return this.send({ type: 'TriggerTimer', timerId: timer.id });
  }

  /** The one waiting timer of a catch event or boundary event. */
  timer(elementId: string): TimerState {
    return only(this.timers(elementId), `timer of ${elementId}`);
  }

  timers(elementId?: string): TimerState[] {
    return Object.values(this.state.timers ?? {}).filter((timer) => elementId === undefined || timer.elementId === elementId);
  }

  /** The one live job of an element. */
  job(elementId: string): JobState {
    return only(Object.values(this.state.jobs).filter((job) => job.elementId === elementId), `job of ${elementId}`);
  }

  jobs(elementId?: string): JobState[] {
    return Object.values(this.state.jobs).filter((job) => elementId === undefined || job.elementId === elementId);
  }

  userTask(elementId: string): UserTaskState {
    return only(Object.values(this.state.userTasks).filter((task) => task.elementId === elementId), `user task of ${elementId}`);
  }

  incident(elementId: string): IncidentState {
    return only(Object.values(this.state.incidents).filter((incident) => incident.elementId === elementId), `incident on ${elementId}`);
  }

  incidents(): IncidentState[] {
    return Object.values(this.state.incidents);
  }

  /** The one live instance of an element (not counting a multi-instance body). */
  instance(elementId: string): ElementInstance {
    return only(
      Object.values(this.state.elementInstances).filter(
        (instance) => instance.elementId === elementId && instance.elementType !== 'multiInstanceBody',
      ),
      `live instance of ${elementId}`,
    );
  }

  /** Element ids of the live element instances, sorted (a multi-instance body shows as `id#body`). */
  active(): string[] {
    return Object.values(this.state.elementInstances)
      .map((instance) => (instance.elementType === 'multiInstanceBody' ? `${instance.elementId}#body` : instance.elementId))
      .sort();
  }

  /** Element ids in the order their instances completed (a multi-instance body shows as `id#body`). */
  completed(): string[] {
    return this.elementsWith('ElementCompleted');
  }

  activated(): string[] {
    return this.elementsWith('ElementActivated');
  }

  terminated(): string[] {
    return this.elementsWith('ElementTerminated');
  }

  taken(): string[] {
    return this.events.flatMap((event) => (event.type === 'SequenceFlowTaken' ? [event.data.flowId] : []));
  }

  /** Process variables. */
  get variables(): JsonObject {
    return this.state.variables[this.state.processInstanceId] ?? {};
  }

  /** Local variables of the one live instance of an element. */
  locals(elementId: string): JsonObject {
    return this.state.variables[this.instance(elementId).id] ?? {};
  }

  /** All events of a type, in order. */
  eventsOf<T extends ProcessInstanceEvent['type']>(type: T): Extract<ProcessInstanceEvent, { type: T }>[] {
    return this.events.filter((event): event is Extract<ProcessInstanceEvent, { type: T }> => event.type === type);
  }

  private elementsWith(type: 'ElementCompleted' | 'ElementActivated' | 'ElementTerminated'): string[] {
    const names = new Map<string, string>();
    const result: string[] = [];
    for (const event of this.events) {
      if (event.type === 'ElementActivating') {
        const { elementInstanceId, elementId, elementType } = event.data;
        names.set(elementInstanceId, elementType === 'multiInstanceBody' ? `${elementId}#body` : elementId);
      } else if (event.type === type) {
        result.push(names.get(event.data.elementInstanceId) ?? event.data.elementInstanceId);
      }
    }
    return result;
  }
}

export function scenario(process: ExecutableProcess): Scenario {
  return new Scenario(process);
}

function only<T>(items: readonly T[], what: string): T {
  if (items.length !== 1) throw new Error(`Expected exactly one ${what}, found ${items.length}`);
  return items[0];
}
