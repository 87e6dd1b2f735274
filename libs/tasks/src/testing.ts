/**
 * Test helpers of the task-service: process instances run by the REAL engine (its decider, as the runtime runs it),
 * their events turned into the envelopes the relay publishes, and BPMN models with user tasks.
 */
import { randomUUID } from 'node:crypto';
import { type EventEnvelope, type RuntimeCommandRejection, TOPICS, eventEnvelopeOf } from '@trellis/contracts';
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
import type { MessageBus, MessageSubscription, OutgoingMessage, SubscribeOptions, TopicSpec } from '@trellis/messaging';

import type { TasksTopicNames } from './tasks.options.js';

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

/** The broker list the tests use (the setting the services read). */
export const kafkaBrokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());

/** A test run's own names for the Trellis topics, so that runs against one broker never meet. */
export function testTopics(run: string = randomUUID().slice(0, 8)): TasksTopicNames {
  const named = (topic: string): string => `trellis-test.${run}.${topic}`;
  return {
    processInstanceEvents: named(TOPICS.processInstanceEvents),
    runtimeCommands: named(TOPICS.runtimeCommands),
    runtimeCommandResults: named(TOPICS.runtimeCommandResults),
    deadLetter: named(TOPICS.deadLetter),
  };
}

/** Collects what a subscription received; a test waits for a condition within a deadline that fails it with what came. */
export class Collected<T> {
  readonly items: T[] = [];
  private waiters: { readonly test: () => boolean; readonly resolve: () => void }[] = [];

  readonly handler = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.test()) return true;
      waiter.resolve();
      return false;
    });
  };

  until(test: (items: readonly T[]) => boolean, what: string, deadlineMs = 30_000): Promise<void> {
    if (test(this.items)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter.resolve !== done);
        reject(new Error(`Waited ${deadlineMs} ms for ${what}; got ${this.items.length}: ${JSON.stringify(this.items).slice(0, 2000)}`));
      }, deadlineMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ test: () => test(this.items), resolve: done });
    });
  }
}

/**
 * A real bus whose `publish` fails on demand: `failNext(n)` makes the next n calls throw before reaching Kafka, or
 * after Kafka took the messages (`afterPublishing`: the acknowledgement lost on the way).
 */
export class FaultyBus implements MessageBus {
  publishCalls = 0;
  private failures: { remaining: number; readonly afterPublishing: boolean } | undefined;

  constructor(private readonly bus: MessageBus) {}

  failNext(count: number, options: { readonly afterPublishing?: boolean } = {}): void {
    this.failures = { remaining: count, afterPublishing: options.afterPublishing ?? false };
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.publishCalls++;
    const failing = this.failures !== undefined && this.failures.remaining > 0 ? this.failures : undefined;
    if (failing) failing.remaining--;
    const error = (): Error => Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError' });
    if (failing && !failing.afterPublishing) throw error();
    await this.bus.publish(topic, messages);
    if (failing) throw error();
  }

  subscribe<T>(options: SubscribeOptions<T>): Promise<MessageSubscription> {
    return this.bus.subscribe(options);
  }

  ensureTopics(topics: readonly TopicSpec[]): Promise<void> {
    return this.bus.ensureTopics(topics);
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}
