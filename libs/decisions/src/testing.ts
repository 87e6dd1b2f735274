/**
 * Test helpers of the dmn-service: deployments made by the REAL deployment handler and process instances run by the
 * REAL engine, their events turned into the envelopes the relay publishes; DMN and BPMN models with decisions.
 */
import { randomUUID } from 'node:crypto';
import { type EventEnvelope, TOPICS, eventEnvelopeOf } from '@trellis/contracts';
import { DefinitionRegistry, DEPLOYMENTS_STREAM, DeployResourcesCommand, DeployResourcesHandler, type DeploymentView } from '@trellis/deployment';
import {
  type ExecutableProcess,
  type JobState,
  type JsonObject,
  type ProcessInstanceCommand,
  type ProcessInstanceState,
  compile,
  decideWithState,
  initialProcessInstanceState,
} from '@trellis/engine';
import { InMemoryEventStore } from '@trellis/event-store';

import type { DecisionsTopicNames } from './decisions.options.js';

/** A DMN 1.3 model with one decision, `decisionId`, whose literal expression is `output`. */
export const riskDmn = (decisionId = 'risk-check', output = '"high"'): string => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg-${decisionId}" name="Rules of ${decisionId}" namespace="http://example.org/dmn">
  <decision id="${decisionId}" name="Decision ${decisionId}">
    <literalExpression id="${decisionId}-expression"><text>${output}</text></literalExpression>
  </decision>
</definitions>`;

/** `check-order`: start → `check` (a business rule task calling `decisionId`, result in `risk`) → end. */
export const decisionTaskBpmn = (decisionId = 'risk-check'): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="definitions" targetNamespace="http://example.org/decisions">
  <bpmn:process id="check-order" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:businessRuleTask id="check" name="Check the risk">
      <bpmn:extensionElements><zeebe:calledDecision decisionId="${decisionId}" resultVariable="risk" /></bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

/** Store-wide positions, shared by every stream of a test run, as the event store assigns them. */
let lastPosition = 0;

/**
 * Deployments made by the deployment-service's own handler on an in-memory store: each returns its answer and the
 * envelope of its `DeploymentCreated`, as the relay publishes it.
 */
export class Deployments {
  private readonly store = new InMemoryEventStore();
  private readonly registry = new DefinitionRegistry(this.store);
  private readonly handler = new DeployResourcesHandler(this.store, this.registry);
  private ready: Promise<void> | undefined;

  async deploy(...resources: readonly (readonly [name: string, content: string])[]): Promise<{ view: DeploymentView; envelope: EventEnvelope }> {
    this.ready ??= this.registry.reload();
    await this.ready;
    const view = await this.handler.execute(new DeployResourcesCommand(resources.map(([name, content]) => ({ name, content }))));
    const recorded = (await this.store.readStream(DEPLOYMENTS_STREAM)).at(-1);
    if (recorded === undefined) throw new Error('The deployment left no event');
    return { view, envelope: eventEnvelopeOf({ ...recorded, position: ++lastPosition }) };
  }
}

/** The executable process of a BPMN document with one; a model that does not compile fails the test. */
export async function compileProcess(xml: string): Promise<ExecutableProcess> {
  const compiled = await compile(xml);
  if (!compiled.ok) throw new Error(`The model does not compile: ${compiled.error.map((problem) => problem.message).join('; ')}`);
  const [process] = compiled.value.processes;
  if (process === undefined) throw new Error('The model has no executable process');
  return process;
}

/**
 * One process instance driven through the engine's decider, as the runtime drives it: each command decided on the
 * state its stream rebuilds, its events turned into the envelopes the relay publishes. Ids are UUIDs, so instances of
 * runs that share a Kafka broker never meet.
 */
export class EngineInstance {
  readonly id = randomUUID();
  readonly streamId = `process-instance-${this.id}`;
  readonly envelopes: EventEnvelope[] = [];
  state: ProcessInstanceState = initialProcessInstanceState();
  private decisions = 0;

  constructor(
    readonly process: ExecutableProcess,
    readonly version = 1,
  ) {}

  start(variables?: JsonObject): EventEnvelope[] {
    return this.send({
      type: 'CreateProcessInstance',
      processInstanceId: this.id,
      processDefinitionId: `${this.process.id}:${this.version}`,
      version: this.version,
      ...(variables === undefined ? {} : { variables }),
    });
  }

  /** Runs a command that must succeed; returns the envelopes of the events it appended. */
  send(command: ProcessInstanceCommand): EventEnvelope[] {
    const now = new Date(Date.parse('2030-06-01T08:00:00.000Z') + 60_000 * this.decisions++).toISOString();
    const decided = decideWithState(this.state, command, { now, newId: () => randomUUID(), process: this.process });
    if (!decided.ok) throw new Error(`${command.type} failed: ${decided.error.message}`);
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
        data: JSON.parse(JSON.stringify(event.data)),
        metadata: { schemaVersion: 1 },
      }),
    );
    this.envelopes.push(...envelopes);
    return envelopes;
  }

  /** The one open job of an element. */
  job(elementId: string): JobState {
    const jobs = Object.values(this.state.jobs).filter((job) => job.elementId === elementId);
    if (jobs.length !== 1) throw new Error(`Expected one open job of ${elementId}, found ${jobs.length}`);
    return jobs[0];
  }
}

/** The broker list the tests use (the setting the services read). */
export const kafkaBrokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());

/** A test run's own names for the topics the dmn-service reads and writes, so that runs against one broker never meet. */
export function testTopics(run: string = randomUUID().slice(0, 8)): DecisionsTopicNames {
  const named = (topic: string): string => `trellis-test.${run}.${topic}`;
  return {
    deployments: named(TOPICS.deployments),
    processInstanceEvents: named(TOPICS.processInstanceEvents),
    runtimeCommands: named(TOPICS.runtimeCommands),
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
