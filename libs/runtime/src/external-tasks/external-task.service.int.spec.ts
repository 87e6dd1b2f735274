import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { type EventStore, InMemoryEventStore } from '@trellis/event-store';
import { systemClock } from '@trellis/platform';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';

import { ProcessInstanceCommandRunner } from '../commands/process-instance-command.runner.js';
import { ProcessInstanceRepository } from '../process-instance.repository.js';
import { RuntimeProjection } from '../runtime.projection.js';
import { ExternalTaskService } from './external-task.service.js';
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
