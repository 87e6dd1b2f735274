/**
 * Test helpers of the task-service: process instances run by the REAL engine (its decider, as the runtime runs it),
 * their events turned into the envelopes the relay publishes, and BPMN models with user tasks.
 */
import { randomUUID } from 'node:crypto';
import { type EventEnvelope, type RuntimeCommandRejection, eventEnvelopeOf } from '@trellis/contracts';
import {
  type ExecutableProcess,
  type Failure,
  type JsonObject,
  type ProcessInstanceCommand,
  type ProcessInstanceState,
  type UserTaskState,
  compile,
  decideWithState,
  initialProcessInstanceState,
} from '@trellis/engine';

/**
 * `approval`: start → `approve` (a user task assigned from the variables `approver`, `groups`, `users`, `due`,
 * `priority`) → end. `review`: start → `stage` (a sub-process with a local `doubled` variable) holding `check`, a user
 * task with a local input `share` → end.
 */
export const USER_TASK_MODELS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="definitions" targetNamespace="http://example.org/tasks">
  <bpmn:process id="approval" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve order">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition assignee="=approver" candidateGroups="=groups" candidateUsers="=users" />
        <zeebe:taskSchedule dueDate="=due" followUpDate="2031-01-01T09:00:00Z" />
        <zeebe:priorityDefinition priority="=priority" />
        <zeebe:formDefinition formKey="camunda-forms:bpmn:approve-form" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="review-start" />
    <bpmn:sequenceFlow id="r1" sourceRef="review-start" targetRef="stage" />
    <bpmn:subProcess id="stage">
      <bpmn:extensionElements>
        <zeebe:ioMapping><zeebe:input source="=amount * 2" target="doubled" /></zeebe:ioMapping>
      </bpmn:extensionElements>
      <bpmn:startEvent id="stage-start" />
      <bpmn:sequenceFlow id="s1" sourceRef="stage-start" targetRef="check" />
      <bpmn:userTask id="check" name="Check">
        <bpmn:extensionElements>
          <zeebe:ioMapping><zeebe:input source="=doubled / 4" target="share" /></zeebe:ioMapping>
        </bpmn:extensionElements>
      </bpmn:userTask>
      <bpmn:sequenceFlow id="s2" sourceRef="check" targetRef="stage-end" />
      <bpmn:endEvent id="stage-end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="r2" sourceRef="stage" targetRef="review-end" />
    <bpmn:endEvent id="review-end" />
  </bpmn:process>
</bpmn:definitions>`;

/** The executable processes of a BPMN document, by process id; a model that does not compile fails the test. */
export async function compileProcesses(xml: string = USER_TASK_MODELS): Promise<Record<string, ExecutableProcess>> {
  const compiled = await compile(xml);
  if (!compiled.ok) throw new Error(`The model does not compile: ${compiled.error.map((problem) => problem.message).join('; ')}`);
  return Object.fromEntries(compiled.value.processes.map((process) => [process.id, process]));
}

/** Store-wide positions, shared by every instance of a test run, as the event store assigns them. */
let lastPosition = 0;

/** The contract's word for an engine failure, as the runtime answers a rejected command. */
export function rejectionOf(failure: Failure): RuntimeCommandRejection {
  switch (failure.code) {
    case 'NOT_FOUND':
      return 'not-found';
    case 'INVALID_ARGUMENT':
      return 'invalid-argument';
    default:
      return 'invalid-state';
  }
}

/**
 * One process instance driven through the engine's decider, the way the runtime drives it: each command decided on
 * the state its stream rebuilds, its events appended to the stream (revision by revision) and turned into the
 * envelopes the relay publishes. Ids are UUIDs, so instances of runs that share a Kafka broker never meet.
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
        position: ++lastPosition,
        recordedAt: now,
        // Stored as JSON: what a consumer reads back.
        data: JSON.parse(JSON.stringify(event.data)),
        metadata: { schemaVersion: 1 },
      }),
    );
    for (const envelope of envelopes) this.envelopes.push(envelope);
    return { ok: true, envelopes };
  }

  /** The one open user task of an element. */
  userTask(elementId: string): UserTaskState {
    const tasks = Object.values(this.state.userTasks).filter((task) => task.elementId === elementId);
    if (tasks.length !== 1) throw new Error(`Expected one open user task of ${elementId}, found ${tasks.length}`);
    return tasks[0];
  }
}
