import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '@trellis/contracts';
import { createPostgresDataSource, StreamProjectionRunner } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineDriver } from '@trellis/runtime/testing';
import type { DataSource, EntityManager } from 'typeorm';

import { PerEventHistoryProjection } from './history-batch-reference.fixture.js';
import { historyEntities } from './history.entities.js';
import { historyMigrations } from './history.migrations.js';
import { HistoryProjection } from './history.projection.js';
import { decisionBpmn, errorBpmn, orderBpmn, parallelBpmn } from './testing/history-models.js';

// `HistoryProjection.handleBatch` applies a transaction's events with a few set-based statements; the read model must
// end exactly as the per-event statements (`PerEventHistoryProjection`, the projection as it was) leave it, whatever
// the batches and however the partitions interleave the streams.

/** A parallel multi-instance service task over `items`: one job per item, each iteration with its loop counter and local `item`. */
const packBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="pack-definitions" targetNamespace="http://example.org/history">
  <bpmn:process id="pack" name="Pack" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-pack" sourceRef="start" targetRef="pack-item" />
    <bpmn:serviceTask id="pack-item" name="Pack an item">
      <bpmn:extensionElements><zeebe:taskDefinition type="pack" retries="2" /></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" /></bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="pack-item" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

const schema = uniqueSchema('history_batch');
let dataSource: DataSource;
const warnings: string[] = [];

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, entities: historyEntities, migrations: historyMigrations });
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

/** A deterministic pseudo-random sequence (mulberry32), so that a failing split can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What many users do at once, driven through the engine: three deployments (one a new version), orders charged after
 * failures, incidents and retries, shipped or cancelled at the user task, parallel instances completed or cancelled in
 * their sub-process, decisions stuck on an incident until a variable is set, multi-instance packing with local
 * variables. The commands go round-robin over the instances, so their events interleave in the store as on a busy
 * runtime.
 */
async function busyRuntime(): Promise<EventEnvelope[]> {
  const engine = new EngineDriver('2026-05-01T08:00:00.000Z');
  await engine.deploy(orderBpmn, 'order.bpmn');
  await engine.deploy(parallelBpmn, 'parallel.bpmn');
  await engine.deploy(decisionBpmn, 'decision.bpmn');
  await engine.deploy(packBpmn, 'pack.bpmn');
  await engine.deploy(errorBpmn, 'errors.bpmn');
  const throwError = async (instance: string, errorCode: string) => {
    const [job] = Object.values((await engine.state(instance)).jobs);
    await engine.send(instance, { type: 'ThrowError', jobId: job?.id ?? '', errorCode, errorMessage: 'lookup failed' });
  };
  const scripts: (() => Promise<void>)[][] = [];
  for (let index = 0; index < 6; index++) {
    if (index === 3) await engine.deploy(orderBpmn, 'order.bpmn');
    const order = await engine.start('order', { variables: { amount: 100 + index, customer: `c-${index}`, tags: ['a', { nested: index }] }, businessKey: `o-${index}` });
    scripts.push([
      async () => (index % 2 === 0 ? engine.failJob(order, 'charge', 2, 'card declined') : undefined),
      async () => (index % 2 === 0 ? engine.failJob(order, 'charge', 0, 'card declined again') : undefined),
      async () => (index % 2 === 0 ? engine.resolveIncident(order, 'charge', 1) : undefined),
      async () => engine.completeJob(order, 'charge', { charged: true, amount: 200 + index }),
      async () => engine.setVariables(order, { amount: 300 + index, note: null }),
      async () => (index === 5 ? engine.cancel(order) : engine.completeUserTask(order, 'ship', { trackingNumber: `T-${index}` })),
    ]);
    const parallel = await engine.start('parallel');
    scripts.push([async () => (index % 3 === 0 ? engine.cancel(parallel) : engine.completeJob(parallel, 'check', { checked: index }))]);
    const decision = await engine.start('decision');
    scripts.push([
      async () => engine.setVariables(decision, { amount: index * 40 }),
      async () => engine.resolveIncident(decision, 'gate'),
    ]);
    const lookup = await engine.start('errors');
    // A caught error ends the job; an uncaught one leaves it on its incident, which resolving offers again.
    scripts.push([
      async () => throwError(lookup, index % 2 === 0 ? 'NOT_FOUND' : 'OTHER'),
      async () => (index % 2 === 0 ? engine.completeUserTask(lookup, 'handle') : engine.resolveIncident(lookup, 'lookup', 1)),
    ]);
        const pack = await engine.start('pack', { variables: { items: ['cup', 'plate', 'fork'].slice(0, 1 + (index % 3)) } });
    scripts.push([
      async () => engine.failJob(pack, 'pack-item', 1, 'jammed'),
      ...Array.from({ length: 1 + (index % 3) }, (_, item) => async () => engine.completeJob(pack, 'pack-item', { packed: item })),
    ]);
  }
  for (let step = 0; scripts.some((script) => step < script.length); step++) {
    for (const script of scripts) {
      engine.advance(1_250);
      if (step < script.length) await script[step]();
    }
  }
  return engine.envelopes();
}

/** The same events with times as the Postgres event store records them: microseconds, which a `Date` would drop. */
function withMicroseconds(envelopes: readonly EventEnvelope[]): EventEnvelope[] {
  return envelopes.map((envelope, index) => ({ ...envelope, recordedAt: envelope.recordedAt.replace(/\.(\d{3})Z$/, `.$1${String(index % 1000).padStart(3, '0')}Z`) }));
}

/** Mixes the streams as partitions deliver them: any order that keeps each stream's events in revision order. */
function interleave(envelopes: readonly EventEnvelope[], next: () => number): EventEnvelope[] {
  const streams = new Map<string, EventEnvelope[]>();
  for (const envelope of envelopes) streams.set(envelope.streamId, [...(streams.get(envelope.streamId) ?? []), envelope]);
  const queues = [...streams.values()];
  const mixed: EventEnvelope[] = [];
  while (queues.length > 0) {
    const index = Math.floor(next() * queues.length);
    mixed.push(queues[index].shift() as EventEnvelope);
    if (queues[index].length === 0) queues.splice(index, 1);
  }
  return mixed;
}

/** Cuts the events into batches of random sizes between 1 and `largest`. */
function randomBatches(envelopes: readonly EventEnvelope[], largest: number, next: () => number): EventEnvelope[][] {
  const batches: EventEnvelope[][] = [];
  for (let start = 0; start < envelopes.length; ) {
    const size = 1 + Math.floor(next() * largest);
    batches.push(envelopes.slice(start, start + size));
    start += size;
  }
  return batches;
}

const inBatchesOf = (envelopes: readonly EventEnvelope[], size: number): EventEnvelope[][] =>
  Array.from({ length: Math.ceil(envelopes.length / size) }, (_, index) => envelopes.slice(index * size, (index + 1) * size));

interface ReadModel {
  readonly tables: Record<string, string[]>;
  readonly ignored: Readonly<Record<string, number>>;
  readonly malformed: number;
}

/** Every row of every history table as Postgres renders it (times to the microsecond), in a fixed order. */
async function rows(): Promise<Record<string, string[]>> {
  const tables = {
    process_definitions: 'id',
    element_definitions: 'process_definition_id, element_id',
    process_instances: 'id',
    element_instances: 'id',
    variables: 'scope_instance_id, name',
    variable_updates: 'scope_instance_id, name, revision',
    jobs: 'id',
    incidents: 'id',
    user_tasks: 'id',
  };
  const snapshot: Record<string, string[]> = {};
  for (const [table, order] of Object.entries(tables)) {
    const found: { row: string }[] = await dataSource.query(`SELECT row_to_json(t)::text AS row FROM ${table} AS t ORDER BY ${order}`);
    snapshot[table] = found.map(({ row }) => row);
  }
  const checkpoints: { row: string }[] = await dataSource.query(
    "SELECT stream_id || '@' || revision AS row FROM projection_stream_checkpoints WHERE projection = 'history' ORDER BY stream_id",
  );
  snapshot['checkpoints'] = checkpoints.map(({ row }) => row);
  return snapshot;
}

/**
 * The read model after the per-event projection applied the envelopes. It has no `handleBatch`, so the runner calls its
 * `handle` (its statements) event by event; one transaction for them all only spares the commits.
 */
async function perEvent(envelopes: readonly EventEnvelope[]): Promise<ReadModel> {
  const projection = new PerEventHistoryProjection({ warn: (message) => warnings.push(message) });
  const runner = new StreamProjectionRunner(dataSource, projection);
  await runner.reset();
  await runner.apply(envelopes);
  return { tables: await rows(), ignored: projection.ignored, malformed: projection.malformed };
}

/** The read model after `HistoryProjection` applied the batches, one transaction (one `handleBatch`) each. */
async function batched(batches: readonly (readonly EventEnvelope[])[]): Promise<ReadModel> {
  const projection = new HistoryProjection({ warn: (message) => warnings.push(message) });
  const runner = new StreamProjectionRunner(dataSource, projection);
  await runner.reset();
  for (const batch of batches) await runner.apply(batch);
  return { tables: await rows(), ignored: projection.ignored, malformed: projection.malformed };
}

let workload: EventEnvelope[];
let reference: ReadModel;

describe('HistoryProjection.handleBatch leaves the rows the per-event statements leave', () => {
  beforeAll(async () => {
    workload = await busyRuntime();
    reference = await perEvent(workload);
  });

  it('runs on a workload that touches every table and every kind of change', () => {
    const count = (table: string): number => reference.tables[table].length;
    expect(workload.length).toBeGreaterThan(700);
    expect(new Set(workload.map((envelope) => envelope.type))).toEqual(
      new Set([
        'DeploymentCreated',
        'ProcessInstanceCreated',
        'ProcessInstanceCompleted',
        'ProcessInstanceTerminated',
        'ElementActivating',
        'ElementActivated',
        'ElementCompleting',
        'ElementCompleted',
        'ElementTerminating',
        'ElementTerminated',
        'SequenceFlowTaken',
        'VariablesSet',
        'JobCreated',
        'JobErrorThrown',
        'JobFailed',
        'JobRetriesUpdated',
        'JobCompleted',
        'JobCanceled',
        'UserTaskCreated',
        'UserTaskCompleted',
        'UserTaskCanceled',
        'IncidentCreated',
        'IncidentResolved',
      ]),
    );
    expect(count('process_definitions')).toBe(6);
    expect(count('process_instances')).toBe(30);
    expect(count('variable_updates')).toBeGreaterThan(count('variables'));
    expect(reference.tables['element_instances'].some((row) => JSON.parse(row).loop_counter === 3)).toBe(true);
    expect(reference.tables['variables'].some((row) => JSON.parse(row).name === 'item')).toBe(true);
  });

  it('with every instance’s whole life, interleaved with the others, in one batch', async () => {
    expect(await batched([workload])).toEqual(reference);
  });

  it.each([5, 50, 500])('with each instance’s events split across batches of %i', async (size) => {
    expect(await batched(inBatchesOf(workload, size))).toEqual(reference);
  });

  it.each([1, 2, 3])('with the streams interleaved as partitions deliver them, in batches of random sizes (seed %i)', async (seed) => {
    const next = random(seed);
    const mixed = interleave(workload, next);

    const [byEvent, byBatch] = [await perEvent(mixed), await batched(randomBatches(mixed, 120, next))];

    expect(byBatch).toEqual(byEvent);
  });

  it('with times to the microsecond, as the Postgres event store records them, kept through rows read back', async () => {
    const precise = withMicroseconds(workload);
    const next = random(7);

    const [byEvent, byBatch] = [await perEvent(precise), await batched(randomBatches(precise, 40, next))];

    expect(byBatch).toEqual(byEvent);
    expect(byBatch.tables['jobs'].some((row) => /\.\d{6}\+00:00/.test(JSON.parse(row).last_failure_time ?? ''))).toBe(true);
  });

  it('with malformed events, unknown types and newer schema versions among them: the same skipped, counted and logged', async () => {
    const next = random(11);
    // The damaged events keep their place in their streams, so what follows refers to rows that may not exist.
    const damaged = workload.map((envelope): EventEnvelope => {
      const draw = next();
      if (draw < 0.04) return { ...envelope, data: { damaged: true } };
      if (draw < 0.06) return { ...envelope, data: 'not an object' };
      if (draw < 0.08) return { ...envelope, type: 'ElementMigrated' };
      if (draw < 0.09) return { ...envelope, schemaVersion: 2 };
      return envelope;
    });
    warnings.length = 0;
    const byEvent = await perEvent(damaged);
    const eventWarnings = warnings.splice(0);

    const byBatch = await batched(randomBatches(damaged, 80, next));

    expect(byBatch).toEqual(byEvent);
    expect(byBatch.malformed).toBeGreaterThan(10);
    expect(Object.keys(byBatch.ignored).length).toBeGreaterThan(2);
    expect([...warnings].sort()).toEqual([...eventWarnings].sort());
  });

  it('with events said twice (creations of rows that exist, a second resolution) and retries updated to 0', async () => {
    const next = random(13);
    // The engine does neither; the statements had an answer for both (the first creation wins, a resolved incident
    // stays resolved, no retries left keeps the state), and the batch must give the same.
    const retriesToZero = workload.map((envelope) =>
      envelope.type === 'JobRetriesUpdated' ? { ...envelope, data: { ...(envelope.data as object), retries: 0 } } : envelope,
    );
    // Said again at the end of their streams, after their rows changed.
    const again = retriesToZero
      .filter((envelope) => ['ProcessInstanceCreated', 'JobCreated', 'JobRetriesUpdated', 'IncidentCreated', 'IncidentResolved'].includes(envelope.type) || next() < 0.15)
      .map((envelope) => ({ ...envelope, eventId: `${envelope.eventId}-again`, recordedAt: new Date(Date.parse(envelope.recordedAt) + 3_600_000).toISOString() }));
    const repeated = [...retriesToZero, ...again];
    const revisions = new Map<string, number>();
    const renumbered = repeated.map((envelope) => {
      const revision = revisions.get(envelope.streamId) ?? 0;
      revisions.set(envelope.streamId, revision + 1);
      return { ...envelope, revision };
    });

    const [byEvent, byBatch] = [await perEvent(renumbered), await batched(randomBatches(renumbered, 60, next))];

    expect(byBatch).toEqual(byEvent);
  });
});

describe('HistoryProjection.handleBatch statements', () => {
  /** Counts the statements the projection sends through the transaction's manager (the real one; only counted). */
  async function statementsFor(events: readonly EventEnvelope[]): Promise<number> {
    const projection = new HistoryProjection({ warn: () => undefined });
    await new StreamProjectionRunner(dataSource, projection).reset();
    let statements = 0;
    await dataSource.transaction(async (manager) => {
      const counting = new Proxy(manager, {
        get(target, property, receiver) {
          if (property !== 'query') return Reflect.get(target, property, receiver);
          return (query: string, parameters?: unknown[]) => {
            statements++;
            return target.query(query, parameters);
          };
        },
      }) as EntityManager;
      await projection.handleBatch(events, counting);
    });
    return statements;
  }

  it('reads the rows a batch touches in one statement and writes them in one, however many events it holds', async () => {
    const one = await statementsFor(workload.filter((envelope) => envelope.type === 'ProcessInstanceCreated').slice(0, 1));
    const all = await statementsFor(workload);

    expect([one, all]).toEqual([2, 2]);
  });
});
