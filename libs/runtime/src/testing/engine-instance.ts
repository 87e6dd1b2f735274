import { randomUUID } from 'node:crypto';

import { type EventEnvelope, eventEnvelopeOf } from '@trellis/contracts';
import {
  type ExecutableProcess,
  type Failure,
  type JobState,
  type JsonObject,
  type ProcessInstanceCommand,
  type ProcessInstanceState,
  type UserTaskState,
  compile,
  decideWithState,
  initialProcessInstanceState,
} from '@trellis/engine';

/** The executable processes of a BPMN document, by process id; a model that does not compile fails the test. */
export async function compileProcesses(xml: string): Promise<Record<string, ExecutableProcess>> {
  const compiled = await compile(xml);
  if (!compiled.ok) throw new Error(`The model does not compile: ${compiled.error.map((problem) => problem.message).join('; ')}`);
  return Object.fromEntries(compiled.value.processes.map((process) => [process.id, process]));
}

/** The executable process of a BPMN document with one; a model that does not compile fails the test. */
export async function compileProcess(xml: string): Promise<ExecutableProcess> {
  const [process] = Object.values(await compileProcesses(xml));
  if (process === undefined) throw new Error('The model has no executable process');
  return process;
}

/** Store-wide positions, shared by every instance of a test run, as the event store assigns them. */
let lastPosition = 0;

/** The next store-wide position, for envelopes a test makes of events stored elsewhere (a deployment's). */
export const nextPosition = (): number => ++lastPosition;

/**
 * One process instance driven through the engine's decider, the way the runtime drives it: each command decided on
 * the state its stream rebuilds, its events appended to the stream (revision by revision) and turned into the
 * envelopes the relay publishes, without a store. Ids are UUIDs, so instances of runs that share a Kafka broker never
 * meet. For a store the events are appended to, see `EngineDriver`.
 */
export class EngineInstance {
  readonly id = randomUUID();
  readonly streamId = `process-instance-${this.id}`;
  /** Every envelope of the stream so far, in order. */
  readonly envelopes: EventEnvelope[] = [];
  state: ProcessInstanceState = initialProcessInstanceState();
  private decisions = 0;

  constructor(
    readonly process: ExecutableProcess,
    readonly version = 1,
  ) {}

  get processDefinitionId(): string {
    return `${this.process.id}:${this.version}`;
  }

  /** Starts the instance: returns the envelopes of its first events. */
  start(variables?: JsonObject): EventEnvelope[] {
    return this.send({
      type: 'CreateProcessInstance',
      processInstanceId: this.id,
      processDefinitionId: this.processDefinitionId,
      version: this.version,
      ...(variables === undefined ? {} : { variables }),
    });
  }

  /** Runs a command that must succeed; returns the envelopes of the events it appended. */
  send(command: ProcessInstanceCommand): EventEnvelope[] {
    const decided = this.decide(command);
    if (!decided.ok) throw new Error(`${command.type} failed: ${decided.failure.message}`);
    return decided.envelopes;
  }

  /** Runs a command: its envelopes when the engine accepts it, the engine's failure (nothing appended) when not. */
  decide(command: ProcessInstanceCommand): { ok: true; envelopes: EventEnvelope[] } | { ok: false; failure: Failure } {
    const now = new Date(Date.parse('2030-06-01T08:00:00.000Z') + 60_000 * this.decisions++).toISOString();
    const decided = decideWithState(this.state, command, { now, newId: () => randomUUID(), process: this.process });
    if (!decided.ok) return { ok: false, failure: decided.error };
    this.state = decided.value.state;
    const base = this.envelopes.length;
    const envelopes = decided.value.events.map((event, index) =>
      eventEnvelopeOf({
        id: randomUUID(),
        type: event.type,
        streamId: this.streamId,
        revision: base + index,
        position: nextPosition(),
        recordedAt: now,
        // Stored as JSON: what a consumer reads back.
        data: JSON.parse(JSON.stringify(event.data)),
        metadata: { schemaVersion: 1 },
      }),
    );
    for (const envelope of envelopes) this.envelopes.push(envelope);
    return { ok: true, envelopes };
  }

  /** The one open job of an element. */
  job(elementId: string): JobState {
    return this.one(Object.values(this.state.jobs), elementId, 'job');
  }

  /** The one open user task of an element. */
  userTask(elementId: string): UserTaskState {
    return this.one(Object.values(this.state.userTasks), elementId, 'user task');
  }

  private one<T extends { readonly elementId: string }>(candidates: readonly T[], elementId: string, what: string): T {
    const found = candidates.filter((candidate) => candidate.elementId === elementId);
    if (found.length !== 1) throw new Error(`Expected one open ${what} of ${elementId}, found ${found.length}`);
    return found[0];
  }
}
