// Runtime commands over the message bus, on the embedded mode's parts: the in-memory event store and the in-process bus
// (which keeps Kafka's delivery rules: order per key, at least once, dead letters, retries). The same consumer in the
// runtime-service on Kafka and Postgres: apps/runtime-service/src/runtime-service.int.spec.ts.
import { randomUUID } from 'node:crypto';

import { afterEach, describe, expect, it } from '@jest/globals';
import {
  type DeadLetterEnvelope,
  type RuntimeCommandMessage,
  type RuntimeCommandResult,
  TOPICS,
  decodeRuntimeCommandResult,
  runtimeCommandMessageOf,
} from '@trellis/contracts';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { type AppendResult, type EventStore, type ExpectedRevision, InMemoryEventStore, type NewEvent } from '@trellis/event-store';
import { InProcessMessageBus, asDeadLetterEnvelope, silentMessagingLogger } from '@trellis/messaging';

import { UserTaskForms } from '../forms/user-task-forms.js';
import { ProcessInstanceRepository, processInstanceStream } from '../process-instance.repository.js';
import { oneTaskBpmn, reviewBpmn } from '../process-models.fixture.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { RuntimeOptions } from '../runtime.options.js';
import { ProcessInstanceCommandRunner } from './process-instance-command.runner.js';
import { RuntimeCommandConsumer } from './runtime-command.consumer.js';

/** A real store whose appends fail, while `failures` lasts, as a Postgres store does when its server went away. */
class UnreachableForAWhile extends InMemoryEventStore {
  failures = 0;
  override async appendToStream(streamId: string, events: readonly NewEvent[], options: { readonly expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    if (streamId.startsWith('process-instance-') && this.failures > 0) {
      this.failures--;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    }
    return super.appendToStream(streamId, events, options);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Waits (at most 5 s) for a condition that the bus makes true asynchronously. */
async function until(test: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`Waited 5 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function setUp(options: { store?: EventStore; runtime?: Partial<RuntimeOptions> } = {}) {
  const store = options.store ?? new InMemoryEventStore();
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  const deploy = new DeployResourcesHandler(store, registry);
  await deploy.execute(new DeployResourcesCommand([{ name: 'one-task.bpmn', content: oneTaskBpmn }]));
  await deploy.execute(new DeployResourcesCommand([{ name: 'review.bpmn', content: reviewBpmn }]));
  const repository = new ProcessInstanceRepository(store, registry, options.runtime);
  const projection = new RuntimeProjection(store);
  const runner = new ProcessInstanceCommandRunner(repository, projection);
  const bus = new InProcessMessageBus({ logger: silentMessagingLogger, retry: { baseDelayMs: 1, maxDelayMs: 10 } });
  await bus.ensureTopics([
    { topic: TOPICS.runtimeCommands, partitions: 4 },
    { topic: TOPICS.runtimeCommandResults, partitions: 4 },
  ]);

  const results: RuntimeCommandResult[] = [];
  const deadLetters: DeadLetterEnvelope[] = [];
  const resultSubscription = await bus.subscribe({
    topics: TOPICS.runtimeCommandResults,
    groupId: `results-${randomUUID()}`,
    fromBeginning: true,
    decode: (message) => decodeRuntimeCommandResult(message.value),
    handler: (result: RuntimeCommandResult) => {
      results.push(result);
    },
  });
  const deadLetterSubscription = await bus.subscribe({
    topics: TOPICS.deadLetter,
    groupId: `dead-letters-${randomUUID()}`,
    fromBeginning: true,
    decode: asDeadLetterEnvelope,
    deadLetterTopic: `${TOPICS.deadLetter}.of-dead-letters`,
    handler: (envelope: DeadLetterEnvelope) => {
      deadLetters.push(envelope);
    },
  });
  const forms = new UserTaskForms(registry, projection);
  const consumer = new RuntimeCommandConsumer(
    runner,
    registry,
    { ...options.runtime, commands: { consume: true, ...options.runtime?.commands } },
    bus,
    undefined,
    undefined,
    forms,
  );
  consumer.onApplicationBootstrap();
  await consumer.start();
  cleanups.push(async () => {
    await consumer.beforeApplicationShutdown();
    await resultSubscription.close();
    await deadLetterSubscription.close();
    await bus.close();
  });

  const header = (processInstanceId: string) => ({ commandId: randomUUID(), processInstanceId, issuedBy: 'test', issuedAt: new Date().toISOString() });
  const send = async (...commands: RuntimeCommandMessage[]): Promise<void> => {
    await bus.publish(TOPICS.runtimeCommands, commands.map(runtimeCommandMessageOf));
  };
  const resultsOf = (command: RuntimeCommandMessage): RuntimeCommandResult[] => results.filter((result) => result.commandId === command.commandId);
  /** Sends the commands and waits for a result of each. */
  const answer = async (...commands: RuntimeCommandMessage[]): Promise<RuntimeCommandResult[]> => {
    await send(...commands);
    await until(() => commands.every((command) => resultsOf(command).length > 0), 'the results');
    return commands.map((command) => resultsOf(command)[0]!);
  };
  return { store, bus, consumer, repository, projection, deploy, results, deadLetters, header, send, answer, resultsOf };
}

describe('RuntimeCommandConsumer', () => {
  it('starts an instance under the id the sender chose and completes its job, answering accepted with the stream revision', async () => {
    const { store, repository, header, answer } = await setUp();
    const processInstanceId = randomUUID();
    const start: RuntimeCommandMessage = { type: 'StartProcessInstance', ...header(processInstanceId), processId: 'one-task', variables: { order: 7 } };
    const [started] = await answer(start);

    const stream = processInstanceStream(processInstanceId);
    expect(started).toEqual({
      commandId: start.commandId,
      commandType: 'StartProcessInstance',
      processInstanceId,
      outcome: 'accepted',
      revision: await store.streamRevision(stream),
      handledAt: expect.any(String),
    });
    const jobId = Object.keys((await repository.load(processInstanceId)).state.jobs)[0]!;
    const [completed] = await answer({ type: 'CompleteJob', ...header(processInstanceId), jobId, variables: { done: true } });
    expect(completed).toMatchObject({ outcome: 'accepted', revision: await store.streamRevision(stream) });
    const loaded = await repository.load(processInstanceId);
    expect(loaded.state.status).toBe('completed');
    expect(loaded.state.variables[processInstanceId]).toEqual({ order: 7, done: true });
    expect((await store.readStream(stream)).at(-1)?.type).toBe('ProcessInstanceCompleted');
  });

  it('answers a command delivered twice accepted both times, with one start and one set of events', async () => {
    const { store, header, send, resultsOf, answer } = await setUp();
    const processInstanceId = randomUUID();
    const start: RuntimeCommandMessage = { type: 'StartProcessInstance', ...header(processInstanceId), processDefinitionId: 'review:1' };
    const set: RuntimeCommandMessage = { type: 'SetVariables', ...header(processInstanceId), variables: { note: 'once' } };
    await send(start, set, start, set);
    await until(() => resultsOf(start).length === 2 && resultsOf(set).length === 2, 'two results of each');

    expect(resultsOf(start).map((result) => [result.outcome, result.revision])).toEqual([
      ['accepted', resultsOf(start)[0]!.revision],
      ['accepted', resultsOf(start)[0]!.revision],
    ]);
    expect(new Set(resultsOf(set).map((result) => `${result.outcome}@${result.revision}`)).size).toBe(1);
    const events = await store.readStream(processInstanceStream(processInstanceId));
    expect(events.filter((event) => event.type === 'ProcessInstanceCreated')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'VariablesSet')).toHaveLength(1);

    // Another command for the same id cannot start a second instance.
    const [again] = await answer({ type: 'StartProcessInstance', ...header(processInstanceId), processId: 'review' });
    expect(again).toMatchObject({ outcome: 'rejected', rejection: 'invalid-state', detail: `A process instance with id ${processInstanceId} already exists` });
  });

  it('rejects completing a user task with variables that break its form, naming each field, and leaves the task open', async () => {
    const { store, deploy, projection, header, answer } = await setUp();
    const formed = reviewBpmn.replaceAll('review', 'formed').replace('<zeebe:userTask />', '<zeebe:userTask /><zeebe:formDefinition formId="note-form" />');
    const form = JSON.stringify({ id: 'note-form', components: [{ type: 'textfield', key: 'note', validate: { required: true, maxLength: 10 } }] });
    await deploy.execute(new DeployResourcesCommand([{ name: 'formed.bpmn', content: formed }, { name: 'note.form', content: form }]));
    // The forms read the task from the runtime's read view, as in the runtime-service.
    await projection.start();
    cleanups.push(() => projection.stop());
    const processInstanceId = randomUUID();
    await answer({ type: 'StartProcessInstance', ...header(processInstanceId), processId: 'formed' });
    await until(() => projection.userTaskList({ processInstanceId }).length === 1, 'the user task in the read view');
    const [task] = projection.userTaskList({ processInstanceId });
    const before = await store.readAll();

    const [refused] = await answer({ type: 'CompleteUserTask', ...header(processInstanceId), userTaskId: task!.id, variables: { note: 'far too long a note' } });
    expect(refused).toMatchObject({
      outcome: 'rejected',
      rejection: 'invalid-argument',
      detail: `The variables break the rules of the form note-form:1 of user task ${task!.id}: note must be at most 10 characters long`,
    });
    expect(await store.readAll()).toEqual(before);
    expect(projection.userTask(task!.id)?.state).toBe('CREATED');

    const [completed] = await answer({ type: 'CompleteUserTask', ...header(processInstanceId), userTaskId: task!.id, variables: { note: 'short' } });
    expect(completed).toMatchObject({ outcome: 'accepted' });
    await until(() => projection.userTask(task!.id)?.state === 'COMPLETED', 'the task completed');
  });

  it('rejects what cannot apply, saying why, and changes nothing', async () => {
    const { store, header, answer } = await setUp();
    const live = randomUUID();
    await answer({ type: 'StartProcessInstance', ...header(live), processId: 'review' });
    const before = await store.readAll();
    const missing = randomUUID();

    const results = await answer(
      { type: 'CompleteJob', ...header(missing), jobId: 'no-such-job' },
      { type: 'StartProcessInstance', ...header(randomUUID()), processId: 'never-deployed' },
      { type: 'StartProcessInstance', ...header(randomUUID()), processDefinitionId: 'review:9' },
      { type: 'StartProcessInstance', ...header(randomUUID()), processId: 'review', businessKey: '' },
      { type: 'CompleteUserTask', ...header(live), userTaskId: 'no-such-task' },
      { type: 'ResolveIncident', ...header(live), incidentId: 'no-such-incident' },
    );

    expect(results.map((result) => [result.outcome, result.rejection])).toEqual([
      ['rejected', 'not-found'],
      ['rejected', 'not-found'],
      ['rejected', 'not-found'],
      ['rejected', 'invalid-argument'],
      ['rejected', 'not-found'],
      ['rejected', 'not-found'],
    ]);
    expect(results[0]?.detail).toBe(`No process instance with id ${missing}`);
    expect(results[1]?.detail).toContain('never-deployed');
    expect(results.every((result) => result.revision === undefined)).toBe(true);
    expect(await store.readAll()).toEqual(before);
  });

  it('sends a malformed command to the dead-letter topic with the reason and goes on with the next', async () => {
    const { bus, header, deadLetters, answer } = await setUp();
    await bus.publish(TOPICS.runtimeCommands, [
      { key: 'pi-x', value: JSON.stringify({ type: 'CompleteJob', ...header('pi-x') }) },
      { key: 'pi-y', value: 'not json at all' },
    ]);
    const [next] = await answer({ type: 'StartProcessInstance', ...header(randomUUID()), processId: 'one-task' });

    expect(next?.outcome).toBe('accepted');
    await until(() => deadLetters.length === 2, 'two dead letters');
    expect(deadLetters.map((letter) => [letter.reason, letter.key, letter.originalTopic])).toEqual([
      ['invalid-message', 'pi-x', TOPICS.runtimeCommands],
      ['invalid-message', 'pi-y', TOPICS.runtimeCommands],
    ]);
    expect(deadLetters[0]?.problems).toEqual([expect.objectContaining({ path: 'jobId' })]);
  });

  it('retries a command while the store is unreachable instead of rejecting it, and decides it once', async () => {
    const store = new UnreachableForAWhile();
    const { consumer, header, results, answer } = await setUp({ store });
    store.failures = 3;
    const processInstanceId = randomUUID();
    const [started] = await answer({ type: 'StartProcessInstance', ...header(processInstanceId), processId: 'one-task' });

    expect(store.failures).toBe(0);
    expect(started?.outcome).toBe('accepted');
    expect(results.filter((result) => result.outcome === 'rejected')).toEqual([]);
    expect((await store.readStream(processInstanceStream(processInstanceId))).filter((event) => event.type === 'ProcessInstanceCreated')).toHaveLength(1);
    expect(consumer.handled).toEqual({ accepted: 1, rejected: 0, duplicate: 0 });
  });

  it('does not consume unless configured to', async () => {
    const store = new InMemoryEventStore();
    const registry = new DefinitionRegistry(store);
    const runner = new ProcessInstanceCommandRunner(new ProcessInstanceRepository(store, registry), new RuntimeProjection(store));
    const bus = new InProcessMessageBus({ logger: silentMessagingLogger });
    cleanups.push(() => bus.close());
    const standalone = new RuntimeCommandConsumer(runner, registry, {}, bus);
    standalone.onApplicationBootstrap();
    const withoutBus = new RuntimeCommandConsumer(runner, registry, { commands: { consume: true } });
    withoutBus.onApplicationBootstrap();
    expect([standalone.consuming, withoutBus.consuming]).toEqual([false, false]);
  });
});
