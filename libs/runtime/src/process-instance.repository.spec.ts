import { randomUUID } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { type JsonValue, type ProcessInstanceEvent, replay } from '@trellis/engine';
import { InMemoryEventStore } from '@trellis/event-store';

import { ProcessInstanceCommandRejectedError } from './process-instance-command-rejected.error.js';
import { PROCESS_INSTANCE_SNAPSHOT_VERSION, processInstanceSnapshotStream } from './process-instance-snapshots.js';
import { processInstanceStream, ProcessInstanceRepository, RECENT_COMMANDS_KEPT } from './process-instance.repository.js';
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

describe('ProcessInstanceRepository with command ids', () => {
  it('answers a command seen again with the revision it produced, without deciding it twice, also after a restart', async () => {
    const { store, registry } = await setUp();
    const repository = new ProcessInstanceRepository(store, registry);
    const started = await repository.execute('pi-1', create('pi-1'), { commandId: 'start-1' });
    const set = await repository.execute('pi-1', { type: 'SetVariables', variables: { n: 1 } }, { commandId: 'set-1' });
    const again = await repository.execute('pi-1', { type: 'SetVariables', variables: { n: 1 } }, { commandId: 'set-1' });

    expect(started).toMatchObject({ duplicate: false, revision: started.events.length - 1 });
    expect(set).toMatchObject({ duplicate: false, revision: started.events.length });
    expect(again).toMatchObject({ duplicate: true, revision: set.revision, events: [] });
    // A fresh replica (nothing cached) recognises both from the events' metadata.
    const replica = new ProcessInstanceRepository(store, registry);
    expect(await replica.execute('pi-1', create('pi-1'), { commandId: 'start-1' })).toMatchObject({ duplicate: true, revision: started.revision });
    expect(await replica.execute('pi-1', { type: 'SetVariables', variables: { n: 1 } }, { commandId: 'set-1' })).toMatchObject({
      duplicate: true,
      revision: set.revision,
    });
    const stream = await store.readStream(processInstanceStream('pi-1'));
    expect(stream.filter((event) => event.type === 'VariablesSet')).toHaveLength(2);
    expect(stream.map((event) => (event.metadata as { commandId?: string }).commandId)).toEqual([
      ...started.events.map(() => 'start-1'),
      'set-1',
    ]);
  });

  it('refuses a start under a taken id when the command differs, and recognises the creating command however long ago', async () => {
    const { store, registry } = await setUp();
    const repository = new ProcessInstanceRepository(store, registry, { snapshotEvery: 0 });
    const started = await repository.execute('pi-1', create('pi-1'), { commandId: 'start-1' });
    for (let i = 0; i < RECENT_COMMANDS_KEPT + 20; i++) {
      await repository.execute('pi-1', { type: 'SetVariables', variables: { i } }, { commandId: `set-${i}` });
    }
    const other = (await repository.execute('pi-1', create('pi-1'), { commandId: 'start-2' }).catch((caught: unknown) => caught)) as ProcessInstanceCommandRejectedError;
    expect(other.failure.code).toBe('ALREADY_EXISTS');
    const replica = new ProcessInstanceRepository(store, registry);
    expect(await replica.execute('pi-1', create('pi-1'), { commandId: 'start-1' })).toMatchObject({ duplicate: true, revision: started.revision });
    // Beyond the creating command, only the latest command ids are remembered: memory stays bounded for long instances.
    expect((await replica.load('pi-1')).recentCommands.size).toBe(RECENT_COMMANDS_KEPT);
  });
});

describe('ProcessInstanceRepository snapshots', () => {
  /** An instance with a long stream: a start, then `count` SetVariables of one event each. */
  async function longInstance(snapshotEvery: number, count: number) {
    const { store, registry } = await setUp();
    const repository = new ProcessInstanceRepository(store, registry, { snapshotEvery });
    await repository.execute('pi-1', create('pi-1'), { commandId: 'start' });
    for (let i = 0; i < count; i++) await repository.execute('pi-1', { type: 'SetVariables', variables: { [`v${i % 7}`]: i } }, { commandId: `set-${i}` });
    return { store, registry, repository };
  }

  const fullReplay = async (store: InMemoryEventStore) =>
    replay((await store.readStream(processInstanceStream('pi-1'))).map((event) => ({ type: event.type, data: event.data }) as unknown as ProcessInstanceEvent));

  it('stores a snapshot every N events and loads a long stream from the latest one, with the state a full replay gives', async () => {
    const { store, registry } = await longInstance(25, 120);
    const head = (await store.streamRevision(processInstanceStream('pi-1')))!;
    const snapshots = await store.readStream(processInstanceSnapshotStream('pi-1'));
    expect(snapshots.length).toBe(Math.floor((head + 1) / 25));
    const latest = snapshots.at(-1)!.data as { revision: number; version: number };
    expect(latest.version).toBe(PROCESS_INSTANCE_SNAPSHOT_VERSION);
    expect(head - latest.revision).toBeLessThan(25);

    const loaded = await new ProcessInstanceRepository(store, registry, { snapshotEvery: 25 }).load('pi-1');
    expect(loaded.snapshotRevision).toBe(latest.revision);
    expect(loaded.revision).toBe(head);
    expect(loaded.state).toEqual(await fullReplay(store));
    // The snapshot carries the recent command ids: a replica loading from it still recognises a redelivered command.
    expect(loaded.recentCommands.get('set-119')).toBe(head);
    expect(loaded.recentCommands.get('set-60')).toBeDefined();
  });

  it('goes on from a snapshot: commands decided on a state loaded from it append where the stream ends', async () => {
    const { store, registry } = await longInstance(10, 35);
    const replica = new ProcessInstanceRepository(store, registry, { snapshotEvery: 10 });
    const jobId = Object.keys((await replica.load('pi-1')).state.jobs)[0]!;
    const completed = await replica.execute('pi-1', { type: 'CompleteJob', jobId });
    expect(completed.state.status).toBe('completed');
    expect(completed.state).toEqual(await fullReplay(store));
  });

  it('ignores a snapshot of another version, or one that does not match the stream, and replays the stream instead', async () => {
    const { store, registry } = await longInstance(10, 30);
    const expected = await fullReplay(store);
    const head = (await store.streamRevision(processInstanceStream('pi-1')))!;
    const latest = (await store.readStream(processInstanceSnapshotStream('pi-1'))).at(-1)!.data as Record<string, JsonValue>;
    // A snapshot written by a runtime whose state had another shape: its state would mislead.
    await store.appendToStream(
      processInstanceSnapshotStream('pi-1'),
      [{ id: randomUUID(), type: 'ProcessInstanceSnapshotTaken', data: { ...latest, version: PROCESS_INSTANCE_SNAPSHOT_VERSION + 1, state: { status: 'completed' } } }],
      { expectedRevision: 'any' },
    );
    const afterVersionChange = await new ProcessInstanceRepository(store, registry, { snapshotEvery: 10 }).load('pi-1');
    expect(afterVersionChange.snapshotRevision).toBeUndefined();
    expect(afterVersionChange.state).toEqual(expected);
    expect(afterVersionChange.revision).toBe(head);

    await store.appendToStream(
      processInstanceSnapshotStream('pi-1'),
      [{ id: randomUUID(), type: 'ProcessInstanceSnapshotTaken', data: { ...latest, eventId: randomUUID(), state: { ...(latest['state'] as object), status: 'terminated' } } }],
      { expectedRevision: 'any' },
    );
    const afterMismatch = await new ProcessInstanceRepository(store, registry, { snapshotEvery: 10 }).load('pi-1');
    expect(afterMismatch.snapshotRevision).toBeUndefined();
    expect(afterMismatch.state).toEqual(expected);
  });

  it('stores no snapshot with snapshotEvery 0', async () => {
    const { store } = await longInstance(0, 30);
    expect(await store.streamRevision(processInstanceSnapshotStream('pi-1'))).toBeUndefined();
  });
});
