import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import type { JsonObject } from '@trellis/engine';
import { type EventStore, InMemoryEventStore, PostgresEventStore, type RecordedEvent } from '@trellis/event-store';
import { type Clock, ManualClock } from '@trellis/platform';
import { dropSchema, postgresUrl, requirePostgres } from '@trellis/persistence/testing';

import { ProcessInstanceCommandRunner } from './commands/process-instance-command.runner.js';
import { JobExecutor } from './job-executor.js';
import { ProcessInstanceRepository } from './process-instance.repository.js';
import { RuntimeProjection } from './runtime.projection.js';
import type { JobExecutorOptions } from './runtime.options.js';

// The job executor over a real store: it runs asynchronous continuations (examples/async-continuation.bpmn) by the
// injected clock, highest priority first, retries a failing one as the model's cycle says, goes on after a restart on
// the Postgres store, and two executors on one store run each continuation once.

const example = readFileSync(new URL('../../../examples/async-continuation.bpmn', import.meta.url), 'utf8');
const DEFINITION = 'async-continuation:1';

/** start → fork → a and b (both asyncBefore, exclusive) → join → after (user task). */
const forkBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="fork-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="fork" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="a" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="b" />
    <bpmn:task id="a" camunda:asyncBefore="true" />
    <bpmn:task id="b" camunda:asyncBefore="true" />
    <bpmn:sequenceFlow id="f4" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="after" />
    <bpmn:userTask id="after" />
  </bpmn:process>
</bpmn:definitions>`;
const SECOND = 1000;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function deployed(store: EventStore): Promise<void> {
  const registry = new DefinitionRegistry(store);
  await new DeployResourcesHandler(store, registry).execute(new DeployResourcesCommand([{ name: 'async-continuation.bpmn', content: example }]));
}

/** One runtime replica on `store`: its repository, views and job executor (not started unless asked). */
async function replica(store: EventStore, clock: Clock, options: JobExecutorOptions = {}) {
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  const repository = new ProcessInstanceRepository(store, registry, undefined, clock);
  const projection = new RuntimeProjection(store);
  await projection.start();
  const runner = new ProcessInstanceCommandRunner(repository, projection);
  const executor = new JobExecutor(projection, runner, { jobExecutor: options }, clock);
  stops.push(
    () => projection.stop(),
    () => executor.stop(),
  );
  const start = async (id: string, variables: JsonObject) => {
    const outcome = await repository.execute(id, { type: 'CreateProcessInstance', processInstanceId: id, processDefinitionId: DEFINITION, version: 1, variables });
    await projection.waitForPosition(outcome.position ?? 0);
  };
  const active = (id: string) => projection.processInstance(id)?.activeElementInstances.map((instance) => `${instance.elementId}:${instance.state}`);
  return { repository, projection, runner, executor, start, active };
}

/** The process instances in the order the store recorded their continuations' runs. */
async function executionOrder(store: EventStore): Promise<string[]> {
  const events: RecordedEvent[] = await store.readAll({ afterPosition: 0, maxCount: 10_000 });
  return events.filter((event) => event.type === 'AsyncContinuationExecuted').map((event) => event.streamId.replace('process-instance-', ''));
}

/** Waits (bounded) until `check` holds: for what the executor does by itself, woken by the views. */
async function eventually(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !check(); attempt++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(check()).toBe(true);
}

describe('JobExecutor', () => {
  it('runs a continuation as soon as it is created; the instance waits at it until then', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const { projection, executor, start, active } = await replica(store, clock);
    await start('pi-1', { unitPrice: 10, quantity: 3 });
    expect(active('pi-1')).toEqual(['price-order:ACTIVATING']);
    expect(projection.processInstance('pi-1')?.asyncContinuations).toEqual([
      expect.objectContaining({ elementId: 'price-order', phase: 'BEFORE', state: 'WAITING', retries: 3, priority: 5, retryTimeCycle: 'R3/PT10S' }),
    ]);
    expect(projection.asyncContinuations()).toHaveLength(1);

    executor.start();
    await executor.runDue();
    expect(active('pi-1')).toEqual(['charge-card:ACTIVATED']);
    expect(projection.processInstance('pi-1')?.variables).toMatchObject({ total: 30 });
    expect(projection.asyncContinuations()).toEqual([]);
    expect(executor.ran).toBe(1);

    // Created while it runs: it wakes by itself.
    await start('pi-2', { unitPrice: 1, quantity: 1 });
    await eventually(() => active('pi-2')?.[0] === 'charge-card:ACTIVATED');
  });

  it('runs the due continuations highest priority first, then the earliest due', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const { executor, start } = await replica(store, clock, { concurrency: 1 });
    await start('low', { unitPrice: 1, quantity: 1, priority: 1 });
    clock.advance(SECOND);
    await start('default-early', { unitPrice: 1, quantity: 1 });
    clock.advance(SECOND);
    await start('default-late', { unitPrice: 1, quantity: 1 });
    await start('urgent', { unitPrice: 1, quantity: 1, priority: 90 });

    executor.start();
    await executor.runDue();
    expect(await executionOrder(store)).toEqual(['urgent', 'default-early', 'default-late', 'low']);
  });

  it('retries a failing continuation as its cycle says (R3/PT10S) by the clock, raises the incident, and runs it again once resolved', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const { projection, runner, executor, start, active } = await replica(store, clock);
    await start('pi-1', { unitPrice: 'ten', quantity: 3 });
    executor.start();
    await executor.runDue();
    const [first] = projection.asyncContinuations({ processInstanceId: 'pi-1' });
    expect(first).toMatchObject({ state: 'WAITING', retries: 2, dueAt: '2026-03-01T08:00:10.000Z', errorMessage: expect.stringContaining('IO_MAPPING_ERROR') });
    expect(active('pi-1')).toEqual(['price-order:ACTIVATING']);

    clock.advance(9 * SECOND);
    await executor.runDue();
    expect(projection.asyncContinuations()[0]?.retries).toBe(2);
    clock.advance(SECOND);
    await executor.runDue();
    expect(projection.asyncContinuations()[0]).toMatchObject({ retries: 1, dueAt: '2026-03-01T08:00:20.000Z' });
    clock.advance(10 * SECOND);
    await executor.runDue();
    expect(projection.asyncContinuations({ state: 'FAILED' })).toEqual([expect.objectContaining({ retries: 0, elementId: 'price-order' })]);
    const [incident] = projection.incidents({ processInstanceId: 'pi-1' });
    expect(incident).toMatchObject({ type: 'JOB_NO_RETRIES', elementId: 'price-order', jobId: first?.id });

    // Nothing more happens while the incident waits, however late it gets.
    clock.advance(3600 * SECOND);
    await executor.runDue();
    expect(projection.asyncContinuations()[0]?.state).toBe('FAILED');

    await runner.run('pi-1', { type: 'SetVariables', variables: { unitPrice: 10 } });
    await runner.run('pi-1', { type: 'ResolveIncident', incidentId: incident?.id ?? '', retries: 1 });
    await eventually(() => active('pi-1')?.[0] === 'charge-card:ACTIVATED');
    expect(projection.processInstance('pi-1')?.variables).toMatchObject({ total: 30 });
    expect(projection.incidents()).toEqual([]);
  });

  it('runs the asyncAfter continuation once the worker completed the task', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const { projection, runner, executor, start, active } = await replica(store, clock);
    executor.start();
    await start('pi-1', { unitPrice: 2, quantity: 2 });
    await eventually(() => active('pi-1')?.[0] === 'charge-card:ACTIVATED');
    const [job] = projection.activatableJobs({ processInstanceId: 'pi-1' }, clock.now().toISOString());
    await runner.run('pi-1', { type: 'CompleteJob', jobId: job?.id ?? '' });
    await eventually(() => active('pi-1')?.[0] === 'confirm-order:ACTIVATED');
    expect(await executionOrder(store)).toEqual(['pi-1', 'pi-1']);
  });

  it('never runs two continuations of one instance side by side, while it runs those of different instances side by side', async () => {
    const store = new InMemoryEventStore();
    const registry = new DefinitionRegistry(store);
    await new DeployResourcesHandler(store, registry).execute(new DeployResourcesCommand([{ name: 'fork.bpmn', content: forkBpmn }]));
    await registry.reload();
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const repository = new ProcessInstanceRepository(store, registry, undefined, clock);
    const projection = new RuntimeProjection(store);
    await projection.start();
    const inFlight = new Map<string, number>();
    let mostOfOneInstance = 0;
    let mostOverall = 0;
    // A runner whose commands take a while, counting how many of each instance are under way at once.
    class SlowRunner extends ProcessInstanceCommandRunner {
      override async execute(...args: Parameters<ProcessInstanceCommandRunner['execute']>): ReturnType<ProcessInstanceCommandRunner['execute']> {
        const [processInstanceId] = args;
        inFlight.set(processInstanceId, (inFlight.get(processInstanceId) ?? 0) + 1);
        mostOfOneInstance = Math.max(mostOfOneInstance, inFlight.get(processInstanceId) ?? 0);
        mostOverall = Math.max(mostOverall, [...inFlight.values()].reduce((sum, count) => sum + count, 0));
        try {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return await super.execute(...args);
        } finally {
          inFlight.set(processInstanceId, (inFlight.get(processInstanceId) ?? 1) - 1);
        }
      }
    }
    const executor = new JobExecutor(projection, new SlowRunner(repository, projection), { jobExecutor: { concurrency: 4 } }, clock);
    stops.push(
      () => projection.stop(),
      () => executor.stop(),
    );
    const ids = ['pi-1', 'pi-2', 'pi-3'];
    for (const id of ids) {
      const outcome = await repository.execute(id, { type: 'CreateProcessInstance', processInstanceId: id, processDefinitionId: 'fork:1', version: 1 });
      await projection.waitForPosition(outcome.position ?? 0);
    }
    expect(projection.asyncContinuations()).toHaveLength(6);
    executor.start();
    await executor.runDue();
    for (const id of ids) expect(projection.processInstance(id)?.activeElementInstances.map((instance) => instance.elementId)).toEqual(['after']);
    expect(mostOfOneInstance).toBe(1);
    expect(mostOverall).toBeGreaterThan(1);
    expect(executor.ran).toBe(6);
  });

  it('two executors on one store run each continuation once', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const first = await replica(store, clock);
    const second = await replica(store, clock);
    const ids = Array.from({ length: 20 }, (_, index) => `pi-${index}`);
    for (const id of ids) await first.start(id, { unitPrice: 1, quantity: 2 });
    await second.projection.waitForPosition(first.projection.position);
    first.executor.start();
    second.executor.start();
    await Promise.all([first.executor.runDue(), second.executor.runDue()]);
    await second.projection.waitForPosition(first.projection.position);
    await first.projection.waitForPosition(second.projection.position);
    for (const id of ids) expect(first.active(id)).toEqual(['charge-card:ACTIVATED']);
    const order = await executionOrder(store);
    expect(order.sort()).toEqual([...ids].sort());
    expect(first.executor.ran + second.executor.ran).toBe(20);
  });

  it('is off with enabled: false: continuations wait', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const { executor, start, active } = await replica(store, clock, { enabled: false });
    executor.onApplicationBootstrap();
    await start('pi-1', { unitPrice: 1, quantity: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(executor.active).toBe(false);
    expect(active('pi-1')).toEqual(['price-order:ACTIVATING']);
  });
});

describe('JobExecutor on the Postgres event store, across a restart', () => {
  const schemas: string[] = [];
  afterEach(async () => {
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  async function openStore(schema: string): Promise<PostgresEventStore> {
    const store = await PostgresEventStore.open({ connectionString: postgresUrl, schema, pollIntervalMs: 100 });
    stops.push(() => store.close());
    return store;
  }

  it('a continuation created (and one failed) before the restart runs after it, when due', async () => {
    await requirePostgres();
    const schema = `t_job_executor_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');

    const before = await openStore(schema);
    await deployed(before);
    const first = await replica(before, clock);
    await first.start('waits', { unitPrice: 3, quantity: 3 });
    await first.start('failed-once', { unitPrice: 'three', quantity: 3 });
    await first.runner.run('failed-once', {
      type: 'RunAsyncContinuation',
      continuationId: first.projection.asyncContinuations({ processInstanceId: 'failed-once' })[0]?.id ?? '',
    });
    expect(first.projection.asyncContinuations({ processInstanceId: 'failed-once' })[0]).toMatchObject({ retries: 2, dueAt: '2026-03-01T08:00:10.000Z' });
    // The process that held them ends without having run them.
    for (const stop of stops.splice(0).reverse()) await stop();

    const after = await openStore(schema);
    const second = await replica(after, clock);
    expect(second.projection.asyncContinuations().map((continuation) => continuation.processInstanceId).sort()).toEqual(['failed-once', 'waits']);
    second.executor.start();
    await second.executor.runDue();
    expect(second.active('waits')).toEqual(['charge-card:ACTIVATED']);
    expect(second.active('failed-once')).toEqual(['price-order:ACTIVATING']);

    await second.runner.run('failed-once', { type: 'SetVariables', variables: { unitPrice: 3 } });
    clock.advance(10 * SECOND);
    await second.executor.runDue();
    expect(second.active('failed-once')).toEqual(['charge-card:ACTIVATED']);
    expect(second.projection.processInstance('failed-once')?.variables).toMatchObject({ total: 9 });
  }, 60_000);
});
