import { createHash, randomUUID } from 'node:crypto';

import { type EventEnvelope, eventEnvelopeOf } from '@trellis/contracts';
import {
  decide,
  type ExecutableProcess,
  type JsonObject,
  type JsonValue,
  type ProcessInstanceCommand,
  type ProcessInstanceEvent,
  type ProcessInstanceState,
  replay,
} from '@trellis/engine';
import { InMemoryEventStore } from '@trellis/event-store';

import { compileProcesses } from './engine-instance.js';

interface Definition {
  readonly id: string;
  readonly version: number;
  readonly process: ExecutableProcess;
}

/**
 * Runs process instances with the engine's real decider on a real (in-memory) event store, appending each decision as
 * the runtime's repository does (one append per command, with the expected revision and the same metadata), and hands
 * out what was stored as the relay's envelopes. Read-model tests (history) feed these to the read model instead of
 * hand-written events, so the read model is checked against what the engine really emits.
 */
export class EngineDriver {
  readonly store: InMemoryEventStore;
  private readonly definitions = new Map<string, Definition>();
  private readonly latest = new Map<string, Definition>();
  private millis: number;

  /** `start`: the clock's first reading; it moves one second per command (and per store append), so runs are readable. */
  constructor(start = '2026-03-01T09:00:00.000Z') {
    this.millis = Date.parse(start);
    this.store = new InMemoryEventStore({ clock: () => new Date(this.millis) });
  }

  /** Moves the clock (the next command is decided and recorded that much later). */
  advance(milliseconds: number): void {
    this.millis += milliseconds;
  }

  /** Compiles a BPMN resource and appends its `DeploymentCreated` to the `deployments` stream, as the deployment service does. */
  async deploy(xml: string, resourceName = 'process.bpmn'): Promise<string[]> {
    const processes = Object.values(await compileProcesses(xml));
    const deploymentId = randomUUID();
    const processDefinitions = processes.map((process) => {
      const version = (this.latest.get(process.id)?.version ?? 0) + 1;
      const definition: Definition = { id: `${process.id}:${version}`, version, process };
      this.definitions.set(definition.id, definition);
      this.latest.set(process.id, definition);
      return {
        id: definition.id,
        processId: process.id,
        ...(process.name === undefined ? {} : { name: process.name }),
        version,
        resourceName,
        deploymentId,
      };
    });
    await this.store.appendToStream(
      'deployments',
      [
        {
          id: randomUUID(),
          type: 'DeploymentCreated',
          data: {
            deploymentId,
            name: resourceName,
            deployedAt: this.now(),
            resources: [{ name: resourceName, xml, sha256: createHash('sha256').update(xml).digest('hex') }],
            processDefinitions,
          },
          metadata: { schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'any' },
    );
    this.tick();
    return processDefinitions.map((definition) => definition.id);
  }

  /** Starts an instance of the latest version of `processId`; returns its id. */
  async start(processId: string, options: { readonly variables?: JsonObject; readonly businessKey?: string; readonly id?: string } = {}): Promise<string> {
    const definition = this.latest.get(processId);
    if (!definition) throw new Error(`Process ${processId} is not deployed`);
    const processInstanceId = options.id ?? randomUUID();
    await this.send(processInstanceId, {
      type: 'CreateProcessInstance',
      processInstanceId,
      processDefinitionId: definition.id,
      version: definition.version,
      ...(options.variables === undefined ? {} : { variables: options.variables }),
      ...(options.businessKey === undefined ? {} : { businessKey: options.businessKey }),
    });
    return processInstanceId;
  }

  /** Decides a command on the instance's stored state and appends the events; a rejected command throws. */
  async send(processInstanceId: string, command: ProcessInstanceCommand): Promise<ProcessInstanceEvent[]> {
    const streamId = `process-instance-${processInstanceId}`;
    const stored = await this.store.readStream(streamId);
    const state = replay(stored.map((event) => ({ type: event.type, data: event.data }) as unknown as ProcessInstanceEvent));
    const processDefinitionId = command.type === 'CreateProcessInstance' ? command.processDefinitionId : state.processDefinitionId;
    const definition = this.definitions.get(processDefinitionId);
    if (!definition) throw new Error(`No process definition ${processDefinitionId}`);
    const decided = decide(state, command, { now: this.now(), newId: randomUUID, process: definition.process });
    if (!decided.ok) throw new Error(`${command.type} was rejected: ${decided.error.message}`);
    if (decided.value.length > 0) {
      await this.store.appendToStream(
        streamId,
        decided.value.map((event) => ({
          id: randomUUID(),
          type: event.type,
          data: event.data as unknown as JsonValue,
          metadata: { schemaVersion: 1, processInstanceId, processDefinitionId },
        })),
        { expectedRevision: stored.length === 0 ? 'no_stream' : stored.length - 1 },
      );
    }
    this.tick();
    return decided.value;
  }

  async state(processInstanceId: string): Promise<ProcessInstanceState> {
    const stored = await this.store.readStream(`process-instance-${processInstanceId}`);
    return replay(stored.map((event) => ({ type: event.type, data: event.data }) as unknown as ProcessInstanceEvent));
  }

  async completeJob(processInstanceId: string, elementId: string, variables?: JsonObject): Promise<void> {
    const job = await this.openJob(processInstanceId, elementId);
    await this.send(processInstanceId, { type: 'CompleteJob', jobId: job.id, ...(variables === undefined ? {} : { variables }) });
  }

  async failJob(processInstanceId: string, elementId: string, retries: number, errorMessage: string): Promise<void> {
    const job = await this.openJob(processInstanceId, elementId);
    await this.send(processInstanceId, { type: 'FailJob', jobId: job.id, retries, errorMessage });
  }

  async completeUserTask(processInstanceId: string, elementId: string, variables?: JsonObject): Promise<void> {
    const task = Object.values((await this.state(processInstanceId)).userTasks).find((candidate) => candidate.elementId === elementId);
    if (!task) throw new Error(`No open user task at ${elementId} in ${processInstanceId}`);
    await this.send(processInstanceId, { type: 'CompleteUserTask', userTaskId: task.id, ...(variables === undefined ? {} : { variables }) });
  }

  async resolveIncident(processInstanceId: string, elementId: string, retries?: number): Promise<void> {
    const incident = Object.values((await this.state(processInstanceId)).incidents).find((candidate) => candidate.elementId === elementId);
    if (!incident) throw new Error(`No open incident at ${elementId} in ${processInstanceId}`);
    await this.send(processInstanceId, { type: 'ResolveIncident', incidentId: incident.id, ...(retries === undefined ? {} : { retries }) });
  }

  async setVariables(processInstanceId: string, variables: JsonObject): Promise<void> {
    await this.send(processInstanceId, { type: 'SetVariables', variables });
  }

  async cancel(processInstanceId: string): Promise<void> {
    await this.send(processInstanceId, { type: 'CancelProcessInstance' });
  }

  /** Every stored event (deployments and process instances), in store order, as the relay publishes them. */
  async envelopes(): Promise<EventEnvelope[]> {
    return (await this.store.readAll()).map((recorded) => eventEnvelopeOf(recorded));
  }

  /** The envelopes of one process instance's stream, in revision order. */
  async envelopesOf(processInstanceId: string): Promise<EventEnvelope[]> {
    return (await this.store.readStream(`process-instance-${processInstanceId}`)).map((recorded) => eventEnvelopeOf(recorded));
  }

  private async openJob(processInstanceId: string, elementId: string): Promise<{ readonly id: string }> {
    const job = Object.values((await this.state(processInstanceId)).jobs).find((candidate) => candidate.elementId === elementId);
    if (!job) throw new Error(`No open job at ${elementId} in ${processInstanceId}`);
    return job;
  }

  private now(): string {
    return new Date(this.millis).toISOString();
  }

  private tick(): void {
    this.millis += 1_000;
  }
}
