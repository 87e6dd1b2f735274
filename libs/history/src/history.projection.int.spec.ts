import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '@trellis/contracts';
import { createPostgresDataSource, StreamProjectionGapError, StreamProjectionRunner } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineDriver } from '@trellis/runtime/testing';
import type { DataSource } from 'typeorm';

import { GroupCommit } from './group-commit.js';
import { historyEntities } from './history.entities.js';
import { historyMigrations } from './history.migrations.js';
import { HistoryProjection } from './history.projection.js';
import { HistoryQueries } from './history.queries.js';
import { decisionBpmn, errorBpmn, orderBpmn, parallelBpmn } from './testing/history-models.js';

const schema = uniqueSchema('history_projection');
let dataSource: DataSource;
let projection: HistoryProjection;
let runner: StreamProjectionRunner;
let queries: HistoryQueries;
const warnings: string[] = [];

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, entities: historyEntities, migrations: historyMigrations });
  projection = new HistoryProjection({ warn: (message) => warnings.push(message) });
  runner = new StreamProjectionRunner(dataSource, projection);
  queries = new HistoryQueries(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

beforeEach(async () => {
  await runner.reset();
  warnings.length = 0;
});

/** Every row of every history table, in a fixed order: equal snapshots mean equal read models. */
async function snapshot(): Promise<Record<string, unknown[]>> {
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
  const rows: Record<string, unknown[]> = {};
  for (const [table, order] of Object.entries(tables)) rows[table] = await dataSource.query(`SELECT * FROM ${table} ORDER BY ${order}`);
  return rows;
}

async function applyAll(envelopes: readonly EventEnvelope[], batch = 50): Promise<number> {
  let applied = 0;
  for (let start = 0; start < envelopes.length; start += batch) applied += await runner.apply(envelopes.slice(start, start + batch));
  return applied;
}

describe('HistoryProjection on what the engine emits', () => {
  it('creates tables that the entities describe exactly (migrations and entities agree)', async () => {
    const pending = await dataSource.driver.createSchemaBuilder().log();

    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('records an order from start to end: instance, elements in order with names, job failures, incident, variables, user task', async () => {
    const engine = new EngineDriver('2026-03-01T09:00:00.000Z');
    await engine.deploy(orderBpmn, 'order.bpmn');
    const order = await engine.start('order', { variables: { amount: 120, customer: 'Ada' }, businessKey: 'order-4711' });
    engine.advance(60_000);
    await engine.failJob(order, 'charge', 2, 'card declined');
    await engine.failJob(order, 'charge', 0, 'card declined again');
    engine.advance(60_000);
    await engine.resolveIncident(order, 'charge', 1);
    await engine.completeJob(order, 'charge', { charged: true, amount: 125 });
    engine.advance(3_600_000);
    await engine.completeUserTask(order, 'ship', { trackingNumber: 'T-1' });

    await applyAll(await engine.envelopes());

    const instance = await queries.processInstance(order);
    expect(instance).toMatchObject({
      id: order,
      processDefinitionId: 'order:1',
      processId: 'order',
      processName: 'Order',
      version: 1,
      businessKey: 'order-4711',
      state: 'COMPLETED',
      openIncidents: 0,
      startTime: '2026-03-01T09:00:01.000Z',
    });
    expect(Date.parse(instance?.endTime ?? '') - Date.parse(instance?.startTime ?? '')).toBe(instance?.durationMs);
    expect(instance?.durationMs).toBeGreaterThan(3_720_000);
    expect(instance?.elementInstances.map((element) => [element.elementId, element.elementName, element.elementType, element.state])).toEqual([
      ['received', 'Order received', 'startEvent', 'COMPLETED'],
      ['charge', 'Charge the card', 'serviceTask', 'COMPLETED'],
      ['ship', 'Ship the parcel', 'userTask', 'COMPLETED'],
      ['shipped', 'Order shipped', 'endEvent', 'COMPLETED'],
    ]);
    const charge = instance?.elementInstances[1];
    expect(charge?.flowScopeInstanceId).toBe(order);
    expect(charge?.durationMs).toBeGreaterThanOrEqual(120_000);

    const jobs = await queries.jobs({ processInstanceId: order });
    expect(jobs.items).toEqual([
      expect.objectContaining({
        type: 'charge',
        state: 'COMPLETED',
        retries: 1,
        failures: 2,
        errorMessage: 'card declined again',
        processId: 'order',
        processDefinitionId: 'order:1',
        elementId: 'charge',
        elementInstanceId: charge?.id,
        customHeaders: { provider: 'acme-pay' },
      }),
    ]);
    expect(jobs.items[0]?.endTime).toBeDefined();

    const incidents = await queries.incidents({ processInstanceId: order });
    expect(incidents.items).toEqual([
      expect.objectContaining({
        type: 'JOB_NO_RETRIES',
        state: 'RESOLVED',
        message: 'card declined again',
        elementId: 'charge',
        jobId: jobs.items[0]?.id,
        processId: 'order',
      }),
    ]);
    expect(Date.parse(incidents.items[0]?.resolveTime ?? '') - Date.parse(incidents.items[0]?.createTime ?? '')).toBe(61_000);

    const variables = await queries.variables({ processInstanceId: order });
    expect(variables.items.map((variable) => [variable.name, variable.value, variable.revision, variable.scopeInstanceId])).toEqual([
      ['amount', 125, 2, order],
      ['charged', true, 1, order],
      ['customer', 'Ada', 1, order],
      ['trackingNumber', 'T-1', 1, order],
    ]);
    const amountUpdates = await queries.variableUpdates({ processInstanceId: order, name: 'amount' });
    expect(amountUpdates.items.map((update) => [update.value, update.revision])).toEqual([
      [120, 1],
      [125, 2],
    ]);

    const [task] = (await queries.userTasks({ processInstanceId: order })).items;
    expect(task).toEqual({
      id: expect.any(String),
      name: 'Ship the parcel',
      state: 'COMPLETED',
      processInstanceId: order,
      processDefinitionId: 'order:1',
      processId: 'order',
      elementId: 'ship',
      elementInstanceId: instance?.elementInstances[2]?.id,
      assignee: 'ada',
      candidateGroups: ['sales', 'warehouse'],
      candidateUsers: ['bob'],
      dueDate: '2026-03-08T17:00:00Z',
      followUpDate: '2026-03-05T09:00:00Z',
      priority: 70,
      formKey: 'forms:ship',
      createTime: expect.any(String),
      endTime: expect.any(String),
      // Created when the job completed; the driver's clock moves a second per command.
      durationMs: 3_601_000,
    });
    expect(warnings).toEqual([]);
  });

  it('records a cancelled instance: nested element instances and the job end terminated, the instance TERMINATED', async () => {
    const engine = new EngineDriver();
    await engine.deploy(parallelBpmn);
    const instance = await engine.start('parallel');
    await engine.cancel(instance);

    await applyAll(await engine.envelopes());

    const detail = await queries.processInstance(instance);
    expect(detail?.state).toBe('TERMINATED');
    const byElement = new Map(detail?.elementInstances.map((element) => [element.elementId, element]));
    expect(byElement.get('note')?.state).toBe('COMPLETED');
    expect(byElement.get('sub')?.state).toBe('TERMINATED');
    expect(byElement.get('check')).toMatchObject({ state: 'TERMINATED', elementName: 'Check it', flowScopeInstanceId: byElement.get('sub')?.id });
    expect(byElement.has('join')).toBe(false);
    expect((await queries.jobs({ processInstanceId: instance })).items.map((job) => job.state)).toEqual(['CANCELED']);
    const children = await queries.elementInstances({ flowScopeInstanceId: byElement.get('sub')?.id });
    expect(children.items.map((element) => element.elementId)).toEqual(['sub-start', 'check']);
  });

  it("records a worker's BPMN error on its job: ERROR_THROWN, ended when an error boundary event caught it, open while uncaught", async () => {
    const engine = new EngineDriver();
    await engine.deploy(errorBpmn);
    const throwError = async (instance: string, errorCode: string, errorMessage?: string) => {
      const [job] = Object.values((await engine.state(instance)).jobs);
      await engine.send(instance, { type: 'ThrowError', jobId: job?.id ?? '', errorCode, ...(errorMessage === undefined ? {} : { errorMessage }) });
    };
    const caught = await engine.start('errors');
    await throwError(caught, 'NOT_FOUND', 'no such customer');
    const uncaught = await engine.start('errors');
    await throwError(uncaught, 'OTHER');

    await applyAll(await engine.envelopes());

    const [caughtJob] = (await queries.jobs({ processInstanceId: caught })).items;
    expect(caughtJob).toMatchObject({ state: 'ERROR_THROWN', errorMessage: 'BPMN error NOT_FOUND: no such customer', endTime: expect.any(String) });
    const [uncaughtJob] = (await queries.jobs({ processInstanceId: uncaught })).items;
    expect(uncaughtJob).toMatchObject({ state: 'ERROR_THROWN', errorMessage: 'BPMN error OTHER' });
    expect(uncaughtJob?.endTime).toBeUndefined();
    expect((await queries.jobs({ state: 'ERROR_THROWN' })).items).toHaveLength(2);
  });

  it('records the compensation handlers of a cancelled transaction as element instances, in the order they ran', async () => {
    const engine = new EngineDriver();
    await engine.deploy(readFileSync(new URL('../../../examples/saga-booking.bpmn', import.meta.url), 'utf8'), 'saga-booking.bpmn');
    const saga = await engine.start('saga-booking');
    await engine.completeJob(saga, 'book-hotel');
    await engine.completeJob(saga, 'book-flight');
    const car = Object.values((await engine.state(saga)).jobs).find((job) => job.elementId === 'book-car');
    await engine.send(saga, { type: 'ThrowError', jobId: car?.id ?? '', errorCode: 'NO_CAR' });
    await engine.completeJob(saga, 'cancel-flight');
    await engine.completeJob(saga, 'cancel-hotel');

    await applyAll(await engine.envelopes());

    const instance = await queries.processInstance(saga);
    expect(instance?.elementInstances.map((element) => [element.elementId, element.state])).toEqual([
      ['trip-requested', 'COMPLETED'],
      ['book-trip', 'TERMINATED'],
      ['booking-started', 'COMPLETED'],
      ['book-hotel', 'COMPLETED'],
      ['book-flight', 'COMPLETED'],
      ['book-car', 'TERMINATED'],
      ['no-car', 'COMPLETED'],
      ['cancel-booking', 'TERMINATED'],
      ['cancel-flight', 'COMPLETED'],
      ['cancel-hotel', 'COMPLETED'],
      ['booking-cancelled', 'COMPLETED'],
      ['inform-customer', 'ACTIVATED'],
    ]);
    expect((await queries.jobs({ processInstanceId: saga })).items.map((job) => [job.type, job.state])).toEqual(
      expect.arrayContaining([
        ['cancel-flight', 'COMPLETED'],
        ['cancel-hotel', 'COMPLETED'],
      ]),
    );
    expect(projection.ignored).toEqual({});
    expect(warnings).toEqual([]);
  });

  it('shows an instance with an open incident as INCIDENT until the incident is resolved', async () => {
    const engine = new EngineDriver();
    await engine.deploy(decisionBpmn);
    const instance = await engine.start('decision');
    await applyAll(await engine.envelopes());

    expect(await queries.processInstance(instance)).toMatchObject({ state: 'INCIDENT', openIncidents: 1 });
    expect((await queries.processInstances({ state: 'INCIDENT' })).items.map((item) => item.id)).toEqual([instance]);
    expect((await queries.processInstances({ state: 'ACTIVE' })).total).toBe(0);
    expect((await queries.incidents({ state: 'ACTIVE' })).items).toEqual([
      expect.objectContaining({ type: 'CONDITION_ERROR', elementId: 'gate', processInstanceId: instance }),
    ]);

    await engine.setVariables(instance, { amount: 10 });
    await engine.resolveIncident(instance, 'gate');
    await applyAll(await engine.envelopesOf(instance));

    const detail = await queries.processInstance(instance);
    expect(detail).toMatchObject({ state: 'COMPLETED', openIncidents: 0 });
    expect(detail?.elementInstances.map((element) => element.elementId)).toEqual(['start', 'gate', 'small-end']);
    expect((await queries.incidents({ processInstanceId: instance })).items.map((incident) => incident.state)).toEqual(['RESOLVED']);
  });

  it('applies each event once however the envelopes are redelivered and batched', async () => {
    const engine = new EngineDriver();
    await engine.deploy(orderBpmn);
    await engine.deploy(parallelBpmn);
    const first = await engine.start('order', { variables: { amount: 1 } });
    const second = await engine.start('parallel');
    await engine.failJob(first, 'charge', 0, 'down');
    await engine.resolveIncident(first, 'charge', 2);
    await engine.completeJob(first, 'charge', { amount: 2 });
    await engine.completeJob(second, 'check', { checked: true });
    const envelopes = await engine.envelopes();

    expect(await applyAll(envelopes, 7)).toBe(envelopes.length);
    const once = await snapshot();
    // Redelivered one by one, all at once, and from the middle of the log: nothing is applied twice.
    for (const envelope of envelopes) expect(await runner.apply([envelope])).toBe(0);
    expect(await runner.apply(envelopes)).toBe(0);
    expect(await applyAll(envelopes.slice(envelopes.length / 2), 3)).toBe(0);

    expect(await snapshot()).toEqual(once);
    expect(once['variable_updates']).toHaveLength(3);
    expect(once['jobs']).toHaveLength(2);
    expect((await queries.processInstance(second))?.state).toBe('COMPLETED');
  });

  it('skips event types it does not know, and newer schema versions, logging each type once and counting them', async () => {
    const engine = new EngineDriver();
    await engine.deploy(orderBpmn);
    const instance = await engine.start('order');
    const [created, ...rest] = await engine.envelopesOf(instance);
    const unknown = (revision: number, type: string, schemaVersion = 1): EventEnvelope => ({
      ...created,
      eventId: `unknown-${revision}`,
      type,
      schemaVersion,
      revision,
      data: { whatever: true },
    });
    const shifted = rest.map((envelope, index) => ({ ...envelope, revision: index + 4 }));
    const deployment = (await engine.envelopes()).filter((envelope) => envelope.streamId === 'deployments');

    await runner.apply([...deployment, created, unknown(1, 'ElementMigrated'), unknown(2, 'ElementMigrated'), unknown(3, 'ElementActivating', 2), ...shifted]);

    expect(projection.ignored).toMatchObject({ ElementMigrated: 2, 'ElementActivating@v2': 1 });
    expect(warnings.filter((warning) => warning.includes('ElementMigrated'))).toHaveLength(1);
    expect((await queries.processInstance(instance))?.elementInstances.map((element) => element.elementId)).toEqual(['received', 'charge']);
    expect(await runner.revision(`process-instance-${instance}`)).toBe(shifted.length + 3);
  });

  it('skips an event of a known type whose data lacks a field, and goes on with the stream', async () => {
    const engine = new EngineDriver();
    await engine.deploy(orderBpmn);
    const instance = await engine.start('order');
    const envelopes = await engine.envelopesOf(instance);
    const jobCreated = envelopes.findIndex((envelope) => envelope.type === 'JobCreated');
    const broken = envelopes.map((envelope, index) => (index === jobCreated ? { ...envelope, data: { jobId: 'j-1' } } : envelope));
    const malformedBefore = projection.malformed;

    expect(await runner.apply(broken)).toBe(envelopes.length);

    expect(projection.malformed).toBe(malformedBefore + 1);
    expect(warnings.some((warning) => warning.includes('JobCreated') && warning.includes('customHeaders is not an object'))).toBe(true);
    expect((await queries.jobs({ processInstanceId: instance })).total).toBe(0);
    expect((await queries.processInstance(instance))?.elementInstances).toHaveLength(2);
  });
});

describe('history queries', () => {
  /** Six instances, a minute apart: order ×4 (business keys, two completed, one at its user task), parallel ×2 (one cancelled). */
  async function sixInstances(): Promise<{ engine: EngineDriver; ids: string[] }> {
    const engine = new EngineDriver('2026-04-01T08:00:00.000Z');
    await engine.deploy(orderBpmn);
    await engine.deploy(parallelBpmn);
    const ids: string[] = [];
    for (let index = 0; index < 6; index++) {
      engine.advance(60_000);
      ids.push(index < 4 ? await engine.start('order', { businessKey: `key-${index % 2}` }) : await engine.start('parallel'));
    }
    engine.advance(600_000);
    await engine.completeJob(ids[1], 'charge');
    await engine.completeUserTask(ids[1], 'ship');
    engine.advance(60_000);
    await engine.completeJob(ids[0], 'charge');
    await engine.completeUserTask(ids[0], 'ship');
    await engine.completeJob(ids[2], 'charge');
    await engine.cancel(ids[5]);
    await applyAll(await engine.envelopes());
    return { engine, ids };
  }

  it('filters process instances by process, definition, state, business key and start and end windows', async () => {
    const { ids } = await sixInstances();

    expect((await queries.processInstances({ processId: 'parallel' })).items.map((item) => item.id)).toEqual([ids[5], ids[4]]);
    expect((await queries.processInstances({ processDefinitionId: 'order:1' })).total).toBe(4);
    expect((await queries.processInstances({ state: 'COMPLETED' })).items.map((item) => item.id)).toEqual([ids[1], ids[0]]);
    expect((await queries.processInstances({ state: 'TERMINATED' })).items.map((item) => item.id)).toEqual([ids[5]]);
    expect((await queries.processInstances({ state: 'ACTIVE' })).total).toBe(3);
    expect((await queries.processInstances({ businessKey: 'key-1' })).items.map((item) => item.id)).toEqual([ids[3], ids[1]]);
    const third = await queries.processInstance(ids[2]);
    const fourth = await queries.processInstance(ids[3]);
    expect((await queries.processInstances({ startedAfter: third?.startTime, startedBefore: fourth?.startTime })).items.map((item) => item.id)).toEqual([ids[2]]);
    const firstEnd = (await queries.processInstance(ids[1]))?.endTime;
    expect((await queries.processInstances({ endedAfter: firstEnd })).items.map((item) => item.id).sort()).toEqual([ids[0], ids[1], ids[5]].sort());
    expect((await queries.processInstances({ endedBefore: firstEnd })).total).toBe(0);
  });

  it('links the instance a call activity started to its caller, and lists a caller\'s children', async () => {
    const engine = new EngineDriver('2026-04-02T08:00:00.000Z');
    await engine.deploy(parallelBpmn);
    const caller = await engine.start('parallel');
    const child = await engine.start('parallel', { id: 'child-1' });
    await engine.send('child-2', {
      type: 'CreateProcessInstance',
      processInstanceId: 'child-2',
      processDefinitionId: 'parallel:1',
      version: 1,
      parent: { processInstanceId: caller, elementInstanceId: 'call-1' },
    });
    await applyAll(await engine.envelopes());

    const children = await queries.processInstances({ parentProcessInstanceId: caller });
    expect(children.items).toEqual([expect.objectContaining({ id: 'child-2', parentProcessInstanceId: caller, parentElementInstanceId: 'call-1' })]);
    expect((await queries.processInstances({ processId: 'parallel' })).items.find((item) => item.id === child)).not.toHaveProperty('parentProcessInstanceId');
  });

  it('sorts by start time, end time or process id, either way, and pages with a total', async () => {
    const { ids } = await sixInstances();

    expect((await queries.processInstances({ sort: 'startTime:asc' })).items.map((item) => item.id)).toEqual(ids);
    expect((await queries.processInstances({})).items.map((item) => item.id)).toEqual([...ids].reverse());
    const byEnd = (await queries.processInstances({ sort: 'endTime:asc' })).items.map((item) => item.id);
    expect(byEnd.slice(0, 3)).toEqual([ids[1], ids[0], ids[5]]);
    const byEndDescending = (await queries.processInstances({ sort: 'endTime:desc' })).items.map((item) => item.id);
    expect(byEndDescending.slice(0, 3)).toEqual([ids[5], ids[0], ids[1]]);
    expect((await queries.processInstances({ sort: 'processId:desc' })).items.slice(0, 2).map((item) => item.processId)).toEqual(['parallel', 'parallel']);

    const pages = [];
    for (let offset = 0; offset < 6; offset += 4) pages.push(await queries.processInstances({ sort: 'startTime', limit: 4, offset }));
    expect(pages.map((page) => [page.items.length, page.total, page.limit, page.offset])).toEqual([
      [4, 6, 4, 0],
      [2, 6, 4, 4],
    ]);
    expect(pages.flatMap((page) => page.items.map((item) => item.id))).toEqual(ids);
  });

  it('filters element instances, jobs, user tasks and variables', async () => {
    const { ids } = await sixInstances();

    expect((await queries.elementInstances({ elementId: 'ship', state: 'COMPLETED' })).total).toBe(2);
    expect((await queries.elementInstances({ elementType: 'userTask' })).total).toBe(3);
    expect((await queries.elementInstances({ processInstanceId: ids[0] })).items.map((element) => element.elementId)).toEqual([
      'received',
      'charge',
      'ship',
      'shipped',
    ]);
    expect((await queries.jobs({ type: 'charge', state: 'CREATED' })).items.map((job) => job.processInstanceId)).toEqual([ids[3]]);
    expect((await queries.jobs({ processId: 'parallel' })).items.map((job) => job.state)).toEqual(['CREATED', 'CANCELED']);
    expect((await queries.jobs({ sort: 'createTime:desc', limit: 1 })).items[0]?.processInstanceId).toBe(ids[5]);
    expect((await queries.userTasks({ candidateGroup: 'warehouse', state: 'CREATED' })).items.map((task) => task.processInstanceId)).toEqual([ids[2]]);
    expect((await queries.userTasks({ candidateUser: 'bob' })).total).toBe(3);
    expect((await queries.userTasks({ candidateGroup: 'nobody' })).total).toBe(0);
    expect((await queries.userTasks({ assignee: 'ada', state: 'COMPLETED' })).total).toBe(2);
    expect((await queries.userTasks({ dueAfter: '2026-03-08T17:00:00Z' })).total).toBe(3);
    expect((await queries.userTasks({ dueBefore: '2026-03-08T17:00:00Z' })).total).toBe(0);
    expect(await queries.userTask('no-such-task')).toBeUndefined();
    expect(await queries.processInstance('no-such-instance')).toBeUndefined();
  });
});

describe('GroupCommit', () => {
  it('applies the envelopes that arrive while a transaction runs together in the next one', async () => {
    const engine = new EngineDriver();
    await engine.deploy(orderBpmn);
    const firsts: EventEnvelope[] = [];
    for (let index = 0; index < 10; index++) firsts.push((await engine.envelopesOf(await engine.start('order')))[0]);
    const groupCommit = new GroupCommit(runner);

    // As ten partitions hand over their next message at once.
    await Promise.all(firsts.map((envelope) => groupCommit.apply(envelope)));

    expect(groupCommit.stats).toEqual({ batches: 2, largestBatch: 9 });
    expect((await queries.processInstances({ processId: 'order' })).total).toBe(10);
  });

  it('fails only the envelope at fault when a batch cannot be applied, and applies the others', async () => {
    const engine = new EngineDriver();
    await engine.deploy(orderBpmn);
    const [a, b, c] = [await engine.start('order'), await engine.start('order'), await engine.start('order')];
    const [aEvents, bEvents, cEvents] = [await engine.envelopesOf(a), await engine.envelopesOf(b), await engine.envelopesOf(c)];
    const groupCommit = new GroupCommit(runner);
    await groupCommit.apply(bEvents[0]);

    const outcomes = await Promise.allSettled([groupCommit.apply(aEvents[0]), groupCommit.apply(aEvents[1]), groupCommit.apply(bEvents[2]), groupCommit.apply(cEvents[0])]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(StreamProjectionGapError);
    expect(await runner.revision(`process-instance-${a}`)).toBe(1);
    expect(await runner.revision(`process-instance-${b}`)).toBe(0);
    expect(await runner.revision(`process-instance-${c}`)).toBe(0);
  });
});
