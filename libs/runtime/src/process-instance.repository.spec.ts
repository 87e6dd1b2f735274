import { describe, expect, it } from '@jest/globals';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { InMemoryEventStore } from '@trellis/event-store';

import { ProcessInstanceCommandRejectedError } from './process-instance-command-rejected.error.js';
import { processInstanceStream, ProcessInstanceRepository } from './process-instance.repository.js';
import { oneTaskBpmn } from './process-models.fixture.js';

async function setUp() {
  const store = new InMemoryEventStore();
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  await new DeployResourcesHandler(store, registry).execute(new DeployResourcesCommand([{ name: 'one-task.bpmn', content: oneTaskBpmn }]));
  return { store, registry };
}

const create = (processInstanceId: string) =>
  ({ type: 'CreateProcessInstance', processInstanceId, processDefinitionId: 'one-task:1', version: 1, variables: { order: 7 } }) as const;

describe('ProcessInstanceRepository', () => {
  it('starts an instance, parks it at its job and reloads the same state from the stream', async () => {
    const { store, registry } = await setUp();
    const repository = new ProcessInstanceRepository(store, registry);
    const started = await repository.execute('pi-1', create('pi-1'));

    expect(started.state.status).toBe('active');
    expect(Object.values(started.state.jobs).map((job) => job.type)).toEqual(['work']);
    const fresh = new ProcessInstanceRepository(store, registry);
    const loaded = await fresh.load('pi-1');
    expect(loaded.state).toEqual(started.state);
    expect(loaded.revision).toBe((await store.streamRevision(processInstanceStream('pi-1')))!);
  });

  it('decides again on the newer state when another writer appended in between', async () => {
    const { store, registry } = await setUp();
    const replicaA = new ProcessInstanceRepository(store, registry);
    const replicaB = new ProcessInstanceRepository(store, registry);
    const started = await replicaA.execute('pi-1', create('pi-1'));
    const jobId = Object.keys(started.state.jobs)[0]!;

    // Replica B changes the instance: replica A's cached state is now one revision behind.
    await replicaB.execute('pi-1', { type: 'SetVariables', variables: { note: 'from B' } });
    const completed = await replicaA.execute('pi-1', { type: 'CompleteJob', jobId, variables: { result: 'done' } });

    expect(completed.state.status).toBe('completed');
    const reloaded = await new ProcessInstanceRepository(store, registry).load('pi-1');
    expect(reloaded.state.status).toBe('completed');
    expect(reloaded.state.variables['pi-1']).toEqual({ order: 7, note: 'from B', result: 'done' });
  });

  it('runs concurrent commands on one instance one after the other', async () => {
    const { store, registry } = await setUp();
    const repository = new ProcessInstanceRepository(store, registry);
    await repository.execute('pi-1', create('pi-1'));
    await Promise.all(
      ['a', 'b', 'c', 'd'].map((name) => repository.execute('pi-1', { type: 'SetVariables', variables: { [name]: true } })),
    );
    const reloaded = await new ProcessInstanceRepository(store, registry).load('pi-1');
    expect(reloaded.state.variables['pi-1']).toEqual({ order: 7, a: true, b: true, c: true, d: true });
  });

  it('answers NOT_FOUND (404) for an instance that does not exist', async () => {
    const { store, registry } = await setUp();
    const repository = new ProcessInstanceRepository(store, registry);
    const error = await repository.execute('nope', { type: 'CancelProcessInstance' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProcessInstanceCommandRejectedError);
    expect((error as ProcessInstanceCommandRejectedError).problem).toEqual(expect.objectContaining({ status: 404, details: { processInstanceId: 'nope' } }));
  });

  it('refuses to create an instance twice under one id', async () => {
    const { store, registry } = await setUp();
    const repository = new ProcessInstanceRepository(store, registry);
    await repository.execute('pi-1', create('pi-1'));
    const error = (await repository.execute('pi-1', create('pi-1')).catch((caught: unknown) => caught)) as ProcessInstanceCommandRejectedError;
    expect(error.failure.code).toBe('ALREADY_EXISTS');
    expect(error.problem.status).toBe(409);
  });

  it('keeps at most the configured number of instance states in memory', async () => {
    const { store, registry } = await setUp();
    const repository = new ProcessInstanceRepository(store, registry, { instanceCacheSize: 2 });
    for (const id of ['pi-1', 'pi-2', 'pi-3', 'pi-4']) await repository.execute(id, create(id));
    expect(repository.cachedInstances).toBe(2);
    // An evicted instance still works: it is read back from its stream.
    const cancelled = await repository.execute('pi-1', { type: 'CancelProcessInstance' });
    expect(cancelled.state.status).toBe('terminated');
  });
});
