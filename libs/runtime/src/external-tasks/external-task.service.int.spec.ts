import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { type EventStore, InMemoryEventStore } from '@trellis/event-store';
import { ManualClock, systemClock } from '@trellis/platform';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';

import { ProcessInstanceCommandRunner } from '../commands/process-instance-command.runner.js';
import { ProcessInstanceRepository } from '../process-instance.repository.js';
import { RuntimeProjection } from '../runtime.projection.js';
import type { ExternalTaskLockStore } from './external-task-lock-store.js';
import { ExternalTaskService } from './external-task.service.js';
import { InMemoryExternalTaskLockStore } from './in-memory-external-task-lock-store.js';
import { PostgresExternalTaskLockStore } from './postgres-external-task-lock-store.js';

// Two runtime replicas on one event store, each with its own ExternalTaskService, views and connection pool to one
// Postgres lock table (as two runtime-service processes): workers long-polling both replicas for one topic get every
// task exactly once. A missing Postgres fails the suite, it is never skipped.

const oneTaskBpmn = readFileSync(new URL('../../../../../shared/bench/one-task.bpmn', import.meta.url), 'utf8');
const schema = uniqueSchema('external_task_replicas');
const stops: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  await requirePostgres();
});

afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await dropSchema(schema);
});

async function replica(store: EventStore) {
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  const repository = new ProcessInstanceRepository(store, registry, undefined, systemClock);
  const projection = new RuntimeProjection(store);
  await projection.start();
  const runner = new ProcessInstanceCommandRunner(repository, projection);
  const locks = await PostgresExternalTaskLockStore.open({ url: postgresUrl, schema });
  const service = new ExternalTaskService(projection, runner, registry, locks, {}, systemClock);
  service.onModuleInit();
  stops.push(
    () => projection.stop(),
    () => locks.close(),
    () => service.onModuleDestroy(),
  );
  return { repository, projection, service };
}

describe('ExternalTaskService on two replicas sharing a Postgres lock store', () => {
  it('hands each of 300 tasks to exactly one of four workers polling both replicas', async () => {
    const store = new InMemoryEventStore();
    const registry = new DefinitionRegistry(store);
    await new DeployResourcesHandler(store, registry).execute(new DeployResourcesCommand([{ name: 'one-task.bpmn', content: oneTaskBpmn }]));
    const [a, b] = [await replica(store), await replica(store)];

    const total = 300;
    const completedBy = new Map<string, string>();
    const duplicates: string[] = [];
    const done = { value: 0 };
    // The workers stop by themselves should a task never come, so that a failure ends the test instead of hanging it.
    let deadline = Date.now() + 45_000;
    const work = async (on: typeof a, workerId: string): Promise<void> => {
      try {
        await workOn(on, workerId);
      } catch (error) {
        // One worker's failure stops the others too.
        deadline = 0;
        throw error;
      }
    };
    const workOn = async (on: typeof a, workerId: string): Promise<void> => {
      while (done.value < total && Date.now() < deadline) {
        const tasks = await on.service.fetchAndLock({ workerId, maxTasks: 7, asyncResponseTimeout: 200, topics: [{ topicName: 'work', lockDuration: 600_000 }] });
        for (const task of tasks) {
          if (completedBy.has(task.id)) duplicates.push(task.id);
          completedBy.set(task.id, workerId);
          await on.service.complete(task.id, workerId);
          done.value++;
        }
      }
    };
    const workers = Promise.all([work(a, 'a-1'), work(a, 'a-2'), work(b, 'b-1'), work(b, 'b-2')]);
    for (let index = 0; index < total; index++) {
      await (index % 2 === 0 ? a : b).repository.execute(`pi-${index}`, {
        type: 'CreateProcessInstance',
        processInstanceId: `pi-${index}`,
        processDefinitionId: 'one-task:1',
        version: 1,
      });
    }
    await workers;

    expect(duplicates).toEqual([]);
    expect(completedBy.size).toBe(total);
    const perWorker = new Map<string, number>();
    for (const workerId of completedBy.values()) perWorker.set(workerId, (perWorker.get(workerId) ?? 0) + 1);
    expect([...perWorker.keys()].sort()).toEqual(['a-1', 'a-2', 'b-1', 'b-2']);
    await a.projection.waitForPosition(b.projection.position);
    expect(a.projection.processInstances({ processId: 'one-task', state: 'COMPLETED', limit: 1 }).total).toBe(total);
  }, 60_000);
});

// camunda:taskPriority is `${urgency}`: each instance's task gets the urgency it was started with.
const priorityBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="priority-definitions" targetNamespace="http://trellis.example/priority">
  <bpmn:process id="priority-payment" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
    <bpmn:serviceTask id="charge" camunda:type="external" camunda:topic="payment" camunda:taskPriority="\${urgency}" />
    <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

const lockStores: [string, () => Promise<ExternalTaskLockStore & { close?: () => Promise<void> }>][] = [
  ['in memory', () => Promise.resolve(new InMemoryExternalTaskLockStore())],
  ['in Postgres', () => PostgresExternalTaskLockStore.open({ url: postgresUrl, schema })],
];

describe.each(lockStores)('ExternalTaskService priorities, locks %s', (storeName, openLocks) => {
  /** Starts one instance per urgency, a second apart (so creation order is plain), and waits until the views have them. */
  async function startedWith(urgencies: readonly number[]) {
    const store = new InMemoryEventStore();
    const registry = new DefinitionRegistry(store);
    await new DeployResourcesHandler(store, registry).execute(new DeployResourcesCommand([{ name: 'priority.bpmn', content: priorityBpmn }]));
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const repository = new ProcessInstanceRepository(store, registry, undefined, clock);
    const projection = new RuntimeProjection(store);
    await projection.start();
    const runner = new ProcessInstanceCommandRunner(repository, projection);
    const locks = await openLocks();
    const service = new ExternalTaskService(projection, runner, registry, locks, {}, clock);
    service.onModuleInit();
    stops.push(
      () => projection.stop(),
      () => locks.close?.(),
      () => service.onModuleDestroy(),
    );
    let position = 0;
    for (const [index, urgency] of urgencies.entries()) {
      const processInstanceId = `${schema}-${storeName.replace(' ', '-')}-${urgencies.join('-')}-${index}`;
      const outcome = await repository.execute(processInstanceId, {
        type: 'CreateProcessInstance',
        processInstanceId,
        processDefinitionId: 'priority-payment:1',
        version: 1,
        variables: { urgency, order: index },
      });
      position = outcome.position ?? position;
      clock.advance(1_000);
    }
    await projection.waitForPosition(position);
    return service;
  }

  const fetch = (service: ExternalTaskService, usePriority: boolean | undefined, maxTasks = 10) =>
    service.fetchAndLock({
      workerId: 'payer',
      maxTasks,
      ...(usePriority === undefined ? {} : { usePriority }),
      topics: [{ topicName: 'payment', lockDuration: 60_000, variables: ['order'] }],
    });

  it('with usePriority hands out the higher camunda:taskPriority first, then the older', async () => {
    const service = await startedWith([0, 10, 5, 10, -3]);
    const tasks = await fetch(service, true);
    expect(tasks.map((task) => [task.variables['order'], task.priority])).toEqual([
      [1, 10],
      [3, 10],
      [2, 5],
      [0, 0],
      [4, -3],
    ]);
  });

  it('with usePriority and a smaller maxTasks locks the most urgent ones; the rest wait for the next fetch', async () => {
    const service = await startedWith([1, 7, 3]);
    expect((await fetch(service, true, 1)).map((task) => task.priority)).toEqual([7]);
    expect((await fetch(service, true, 1)).map((task) => task.priority)).toEqual([3]);
    expect((await fetch(service, true, 1)).map((task) => task.priority)).toEqual([1]);
  });

  it.each([false, undefined])('with usePriority %s keeps the order the tasks were created in', async (usePriority) => {
    const service = await startedWith([0, 10, 5, 10]);
    const tasks = await fetch(service, usePriority);
    expect(tasks.map((task) => task.variables['order'])).toEqual([0, 1, 2, 3]);
    expect(tasks.map((task) => task.priority)).toEqual([0, 10, 5, 10]);
  });

  it('lists the priority and filters the list and the count by it', async () => {
    const service = await startedWith([0, 10, 5]);
    expect((await service.list()).map((task) => task.priority)).toEqual([0, 10, 5]);
    expect((await service.list({ priorityHigherThanOrEquals: 5 })).map((task) => task.priority)).toEqual([10, 5]);
    expect((await service.list({ priorityLowerThanOrEquals: 5 })).map((task) => task.priority)).toEqual([0, 5]);
    expect(await service.count({ priorityHigherThanOrEquals: 1, priorityLowerThanOrEquals: 9 })).toBe(1);
  });
});
