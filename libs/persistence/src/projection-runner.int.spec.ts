import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type EventStore, InMemoryEventStore, type RecordedEvent } from '@trellis/event-store';
import { Column, type DataSource, Entity, type EntityManager, type MigrationInterface, PrimaryColumn, type QueryRunner } from 'typeorm';
import { createPostgresDataSource } from './data-source.js';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from './postgres-test-support.js';
import { CreateProjectionCheckpoints1795564800000 } from './projection-checkpoints.migration.js';
import { type Projection, ProjectionError, ProjectionRunner } from './projection-runner.js';

@Entity({ name: 'instance_counts' })
class InstanceCount {
  @PrimaryColumn('text')
  state!: string;

  @Column('integer')
  count!: number;
}

class CreateInstanceCounts1795564800400 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE instance_counts (state text PRIMARY KEY, count integer NOT NULL)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE instance_counts');
  }
}

const deltas: Record<string, Record<string, number>> = {
  ProcessInstanceCreated: { active: 1 },
  ProcessInstanceCompleted: { active: -1, completed: 1 },
  ProcessInstanceTerminated: { active: -1, terminated: 1 },
};

/** The read model under test: how many process instances are in each state. Counts its handler calls. */
class InstancesByState implements Projection {
  readonly name = 'instances-by-state';
  readonly handled: RecordedEvent[] = [];

  async handle(event: RecordedEvent, manager: EntityManager): Promise<void> {
    this.handled.push(event);
    for (const [state, delta] of Object.entries(deltas[event.type] ?? {})) {
      await manager.query(
        'INSERT INTO instance_counts (state, count) VALUES ($1, $2) ON CONFLICT (state) DO UPDATE SET count = instance_counts.count + excluded.count',
        [state, delta],
      );
    }
    if (event.type === 'InstanceCorrupted') throw new Error('cannot project a corrupted instance');
  }

  async reset(manager: EntityManager): Promise<void> {
    await manager.clear(InstanceCount);
  }
}

const schema = uniqueSchema('projection');
let dataSource: DataSource;

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({
    url: postgresUrl,
    schema,
    entities: [InstanceCount],
    migrations: [CreateProjectionCheckpoints1795564800000, CreateInstanceCounts1795564800400],
  });
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE instance_counts, projection_checkpoints');
});

let eventNumber = 0;

async function append(store: EventStore, instanceId: string, ...types: string[]): Promise<void> {
  await store.appendToStream(
    `process-instance-${instanceId}`,
    types.map((type) => ({ id: `event-${++eventNumber}`, type, data: { processInstanceId: instanceId } })),
    { expectedRevision: 'any' },
  );
}

/** Five instances: two completed, one terminated, two still active; nine events. */
async function storeWithHistory(): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (const id of ['i1', 'i2', 'i3', 'i4', 'i5']) await append(store, id, 'ProcessInstanceCreated');
  await append(store, 'i1', 'VariablesSet', 'ProcessInstanceCompleted');
  await append(store, 'i2', 'ProcessInstanceCompleted');
  await append(store, 'i3', 'ProcessInstanceTerminated');
  return store;
}

const historyCounts = [
  { state: 'active', count: 2 },
  { state: 'completed', count: 2 },
  { state: 'terminated', count: 1 },
];

async function counts(): Promise<{ state: string; count: number }[]> {
  const rows = await dataSource.getRepository(InstanceCount).find({ order: { state: 'ASC' } });
  return rows.map(({ state, count }) => ({ state, count }));
}

async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Still not true after 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function* deliveries(...items: (RecordedEvent | readonly RecordedEvent[])[]): AsyncIterable<RecordedEvent | readonly RecordedEvent[]> {
  yield* items;
}

describe('ProjectionRunner', () => {
  it('applies every event exactly once although deliveries repeat and replay it', async () => {
    const store = await storeWithHistory();
    const events = await store.readAll();
    const projection = new InstancesByState();
    const runner = new ProjectionRunner(dataSource, projection);

    await runner.run(
      deliveries(
        ...events.flatMap((event) => [event, event]),
        events,
        events.slice(0, 3),
        events.slice(2),
      ),
    );

    expect(await counts()).toEqual(historyCounts);
    expect(projection.handled.map((event) => event.position)).toEqual(events.map((event) => event.position));
    expect(await runner.position()).toBe(events.at(-1)?.position);
  });

  it('follows the store, catch-up then live, and resumes from its checkpoint after a restart', async () => {
    const store = await storeWithHistory();
    const first = new ProjectionRunner(dataSource, new InstancesByState());
    const subscription = await first.subscribe(store);
    await append(store, 'i4', 'ProcessInstanceCompleted');
    await eventually(async () => (await first.position()) === 10, 'the live event is applied');
    await subscription.close();
    expect(await counts()).toEqual([
      { state: 'active', count: 1 },
      { state: 'completed', count: 3 },
      { state: 'terminated', count: 1 },
    ]);

    // Appended while no runner follows the store: the next one catches up on it alone.
    await append(store, 'i5', 'ProcessInstanceTerminated');
    const restarted = new InstancesByState();
    const second = new ProjectionRunner(dataSource, restarted);
    const resumed = await second.subscribe(store);
    await eventually(async () => (await second.position()) === 11, 'the missed event is applied');
    await resumed.close();

    expect(restarted.handled.map((event) => event.position)).toEqual([11]);
    expect(await counts()).toEqual([
      { state: 'active', count: 0 },
      { state: 'completed', count: 3 },
      { state: 'terminated', count: 2 },
    ]);
  });

  it('rolls back the rows and the checkpoint together when the handler fails, without retrying it', async () => {
    const store = await storeWithHistory();
    const events = await store.readAll();
    const projection = new InstancesByState();
    const runner = new ProjectionRunner(dataSource, projection);
    await runner.apply(events.slice(0, 3));

    await append(store, 'i6', 'ProcessInstanceCreated', 'InstanceCorrupted');
    const [, corrupted] = await store.readStream('process-instance-i6');
    const failing = runner.apply([...events.slice(3), ...(await store.readStream('process-instance-i6'))]);

    await expect(failing).rejects.toThrow(ProjectionError);
    await expect(failing).rejects.toMatchObject({
      projection: 'instances-by-state',
      event: { id: corrupted.id, position: corrupted.position },
      cause: { message: 'cannot project a corrupted instance' },
    });
    expect(await counts()).toEqual([{ state: 'active', count: 3 }]);
    expect(await runner.position()).toBe(3);
    expect(projection.handled.filter((event) => event.type === 'InstanceCorrupted')).toHaveLength(1);
  });

  it('stops a subscription at an event it cannot apply and reports it', async () => {
    const store = await storeWithHistory();
    await append(store, 'i6', 'InstanceCorrupted');
    await append(store, 'i7', 'ProcessInstanceCreated');
    const errors: unknown[] = [];
    const runner = new ProjectionRunner(dataSource, new InstancesByState());
    const subscription = await runner.subscribe(store, { onError: (error) => errors.push(error) });
    await eventually(async () => errors.length === 1, 'the failure is reported');
    await subscription.close();

    expect(errors[0]).toMatchObject({ name: 'ProjectionError', event: { type: 'InstanceCorrupted', position: 10 } });
    expect(await runner.position()).toBe(9);
    expect(await counts()).toEqual(historyCounts);
  });

  it('rebuilds from position 0 to the same rows, pausing and resuming its own subscription', async () => {
    const store = await storeWithHistory();
    const projection = new InstancesByState();
    const runner = new ProjectionRunner(dataSource, projection, { replayBatchSize: 3 });
    const subscription = await runner.subscribe(store);
    await eventually(async () => (await runner.position()) === 9, 'caught up');

    await dataSource.query("UPDATE instance_counts SET count = 99 WHERE state = 'active'");
    await dataSource.query("INSERT INTO instance_counts (state, count) VALUES ('lost', 7)");
    await runner.rebuild(store);
    expect(await counts()).toEqual(historyCounts);
    expect(await runner.position()).toBe(9);

    await append(store, 'i4', 'ProcessInstanceCompleted');
    await eventually(async () => (await runner.position()) === 10, 'the subscription resumed');
    await subscription.close();
    expect(await counts()).toEqual([
      { state: 'active', count: 1 },
      { state: 'completed', count: 3 },
      { state: 'terminated', count: 1 },
    ]);
    // Once from the subscription, once from the replay, then the live event.
    expect(projection.handled.map((event) => event.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('refuses to rebuild a projection that cannot reset its rows', async () => {
    const store = await storeWithHistory();
    const { name, handle } = new InstancesByState();
    const runner = new ProjectionRunner(dataSource, { name, handle });
    await expect(runner.rebuild(store)).rejects.toThrow('Projection instances-by-state cannot be rebuilt: it has no reset');
  });

  it('applies each event once when two replicas of the projection receive the same events at the same time', async () => {
    const store = await storeWithHistory();
    const events = await store.readAll();
    const replicas = [new InstancesByState(), new InstancesByState()];

    await Promise.all(replicas.map((replica) => new ProjectionRunner(dataSource, replica).run(deliveries(...events))));

    expect(await counts()).toEqual(historyCounts);
    expect(replicas.flatMap((replica) => replica.handled).map((event) => event.position).sort((a, b) => a - b)).toEqual(
      events.map((event) => event.position),
    );
  });
});
