import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '@trellis/contracts';
import { type StreamProjection, StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineInstance } from '@trellis/runtime/testing';
import type { DataSource, EntityManager } from 'typeorm';

import { TaskRepository } from './task.repository.js';
import { TASKS_MIGRATIONS } from './tasks.migrations.js';
import { type WorkloadProcesses, type WorkloadStep, envelopesOf, runWorkload, userTaskWorkload, workloadProcesses } from './user-task-batch-workload.js';
import { UnreadableEventError, UserTaskProjection } from './user-task.projection.js';

const schema = uniqueSchema('tasks_batch');
let dataSource: DataSource;
let tasks: TaskRepository;
let processes: WorkloadProcesses;

beforeAll(async () => {
  await requirePostgres();
  processes = await workloadProcesses();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: TASKS_MIGRATIONS });
  tasks = new TaskRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

/**
 * The statements the projection ran for each event before it applied batches, kept as the reference the batches must
 * match (the data is the engine's, so it is read without checks).
 */
const perEventStatements: StreamProjection = {
  name: 'user-tasks',
  async handle(event: EventEnvelope, manager: EntityManager): Promise<void> {
    const pi = event.processInstanceId;
    const data = event.data as { readonly [field: string]: unknown };
    const text = (field: string): string | null => (data[field] === undefined ? null : String(data[field]));
    const cancel = (where: string, key: unknown): Promise<unknown> =>
      manager.query(
        `UPDATE user_tasks SET state = 'CANCELED', completed_at = $2, pending_command_id = NULL WHERE ${where} AND state IN ('CREATED', 'COMPLETING')`,
        [key, event.recordedAt],
      );
    const insertScope = (scopeId: unknown, parent: unknown): Promise<unknown> =>
      manager.query('INSERT INTO task_variable_scopes (scope_id, process_instance_id, parent_scope_id) VALUES ($1, $2, $3) ON CONFLICT (scope_id) DO NOTHING', [scopeId, pi, parent]);
    switch (event.type) {
      case 'ProcessInstanceCreated':
        await manager.query('INSERT INTO task_process_instances (id, process_definition_id, process_id) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
          pi,
          data.processDefinitionId,
          data.processId,
        ]);
        await insertScope(pi, null);
        return;
      case 'ElementActivating':
        await insertScope(data.elementInstanceId, data.flowScopeInstanceId);
        return;
      case 'ElementCompleted':
        await manager.query('DELETE FROM task_variable_scopes WHERE scope_id = $1', [data.elementInstanceId]);
        return;
      case 'ElementTerminated':
        await manager.query('DELETE FROM task_variable_scopes WHERE scope_id = $1', [data.elementInstanceId]);
        await cancel('element_instance_id = $1', data.elementInstanceId);
        return;
      case 'VariablesSet':
        await manager.query('UPDATE task_variable_scopes SET variables = variables || $2::jsonb WHERE scope_id = $1', [data.scopeInstanceId, JSON.stringify(data.variables)]);
        return;
      case 'UserTaskCreated': {
        const [instance]: { process_definition_id: string; process_id: string }[] = await manager.query(
          'SELECT process_definition_id, process_id FROM task_process_instances WHERE id = $1',
          [pi],
        );
        const due = text('dueDate');
        await manager.query(
          `INSERT INTO user_tasks (id, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, name, assignee,
             candidate_users, candidate_groups, due_date, due_at, follow_up_date, priority, form_key, form_id, state, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'CREATED', $17) ON CONFLICT (id) DO NOTHING`,
          [
            data.userTaskId,
            pi,
            instance.process_definition_id,
            instance.process_id,
            data.elementId,
            data.elementInstanceId,
            text('name'),
            text('assignee'),
            data.candidateUsers ?? [],
            data.candidateGroups ?? [],
            due,
            due === null || Number.isNaN(Date.parse(due)) ? null : new Date(due).toISOString(),
            text('followUpDate'),
            data.priority ?? null,
            text('formKey'),
            text('formId'),
            data.createdAt,
          ],
        );
        return;
      }
      case 'UserTaskCompleted':
        await manager.query(
          `UPDATE user_tasks SET state = 'COMPLETED', completed_at = $2, pending_command_id = NULL, last_error = NULL WHERE id = $1 AND state <> 'COMPLETED'`,
          [data.userTaskId, event.recordedAt],
        );
        return;
      case 'UserTaskCanceled':
        await cancel('id = $1', data.userTaskId);
        return;
      case 'ProcessInstanceCompleted':
      case 'ProcessInstanceTerminated':
        await cancel('process_instance_id = $1', pi);
        await manager.query('DELETE FROM task_variable_scopes WHERE process_instance_id = $1', [pi]);
        await manager.query('DELETE FROM task_process_instances WHERE id = $1', [pi]);
        return;
    }
  },
};

const projection = new UserTaskProjection();
/** The projection as the runner drives one without `handleBatch`: `handle`, once per event. */
const eventByEvent: StreamProjection = { name: projection.name, handle: (event, manager) => projection.handle(event, manager) };

interface ReadModel {
  readonly tasks: unknown[];
  readonly instances: unknown[];
  readonly scopes: unknown[];
  readonly outbox: unknown[];
  /** What the task-service shows: each task as `GET /tasks/{id}` returns it (an open one with its variables). */
  readonly views: unknown[];
}

async function readModel(): Promise<ReadModel> {
  const rows: { id: string }[] = await dataSource.query(
    `SELECT id, process_instance_id, process_definition_id, process_id, element_id, element_instance_id, name, assignee, candidate_users,
       candidate_groups, due_date, due_at, follow_up_date, priority, form_key, form_id, state, created_at, completed_at, pending_command_id, last_error
     FROM user_tasks ORDER BY created_at, seq`,
  );
  return {
    tasks: rows,
    instances: await dataSource.query('SELECT * FROM task_process_instances ORDER BY id'),
    scopes: await dataSource.query('SELECT * FROM task_variable_scopes ORDER BY scope_id'),
    outbox: await dataSource.query('SELECT command_id, message FROM task_outbox ORDER BY seq'),
    views: await Promise.all(rows.map((row) => tasks.get(row.id))),
  };
}

/** Empties the read model, runs the workload through `projection` in batches of `batchSize`, and reads the result. */
async function project(steps: readonly WorkloadStep[], streamProjection: StreamProjection, batchSize: number): Promise<ReadModel> {
  await dataSource.query('TRUNCATE user_tasks, task_process_instances, task_variable_scopes, task_outbox, projection_stream_checkpoints');
  const runner = new StreamProjectionRunner(dataSource, streamProjection, { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  await runWorkload(steps, (batch) => runner.apply(batch), tasks, batchSize);
  return readModel();
}

/** Counts the statements `handleBatch` issues for `events`, in a transaction of its own. */
async function statementsOf(events: readonly EventEnvelope[]): Promise<number> {
  let statements = 0;
  await dataSource.transaction(async (manager) => {
    const counting = new Proxy(manager, {
      get: (target, property, receiver) =>
        property === 'query'
          ? (query: string, parameters?: unknown[]) => {
              statements++;
              return target.query(query, parameters);
            }
          : Reflect.get(target, property, receiver),
    });
    await projection.handleBatch(events, counting);
  });
  return statements;
}

/** Waits until a statement starting with `prefix` waits for a row lock. */
async function waitForLockWait(prefix: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const [{ waiting }]: { waiting: number }[] = await dataSource.query(
      "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND left(query, $1) = $2",
      [prefix.length, prefix],
    );
    if (waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`No statement starting with ${prefix} waited for a lock`);
}

const ALL_AT_ONCE = Number.MAX_SAFE_INTEGER;
/** Event by event, a few thousand statements: room for a machine other test runs share. */
const SLOW = 180_000;

describe('UserTaskProjection.handleBatch', () => {
  let steps: WorkloadStep[];
  let reference: ReadModel;

  beforeAll(async () => {
    // 32 instances, four of each life, in waves of 16: their events interleave and users act between them.
    steps = userTaskWorkload(processes, 32, 16);
    reference = await project(steps, perEventStatements, 1);
  }, SLOW);

  it('runs a workload that reaches every task state, rejections, completions in flight and variables in several scopes', () => {
    const states = reference.tasks.map((task) => (task as { state: string }).state);
    expect(new Set(states)).toEqual(new Set(['CREATED', 'COMPLETING', 'COMPLETED', 'CANCELED']));
    expect(reference.tasks).toEqual(expect.arrayContaining([expect.objectContaining({ state: 'CANCELED', last_error: 'The task was changed meanwhile' })]));
    expect(reference.views).toEqual(
      expect.arrayContaining([expect.objectContaining({ state: 'CREATED', variables: expect.objectContaining({ customer: expect.stringMatching(/^renamed-/), mine: true }) })]),
    );
    expect(reference.outbox.length).toBeGreaterThan(0);
    expect(reference.scopes.length).toBeGreaterThan(0);
  });

  it('leaves the rows the per-event statements left when each event is handled on its own', async () => {
    expect(await project(steps, eventByEvent, 1)).toEqual(reference);
  }, SLOW);

  it.each([
    ['500 events (several whole lives in one batch)', 500],
    ['37 events (lives split across batches)', 37],
    ['2 events', 2],
    ['everything between two user actions', ALL_AT_ONCE],
  ])('leaves the same rows in batches of %s', async (_, batchSize) => {
    expect(await project(steps, projection, batchSize)).toEqual(reference);
  }, SLOW);

  it('leaves the same rows when whole lives of many instances come in one batch, without user actions', async () => {
    const events: WorkloadStep[] = [{ kind: 'events', envelopes: envelopesOf(steps) }];
    const expected = await project(events, perEventStatements, 1);
    expect(await project(events, projection, ALL_AT_ONCE)).toEqual(expected);
  }, SLOW);

  it('issues no statement for events that concern no task, and two (a load, a write) for a batch of 16 lives as for one of 160', async () => {
    const irrelevant = envelopesOf(userTaskWorkload(processes, 16)).filter((envelope) =>
      ['SequenceFlowTaken', 'ElementActivated', 'ElementCompleting', 'ElementTerminating', 'JobCreated', 'JobCompleted'].includes(envelope.type),
    );
    expect(irrelevant.length).toBeGreaterThan(50);
    expect(await statementsOf(irrelevant)).toBe(0);

    const small = await statementsOf(envelopesOf(userTaskWorkload(processes, 16)));
    const large = await statementsOf(envelopesOf(userTaskWorkload(processes, 160)));
    // One statement loads the rows of the three tables, one writes them.
    expect(small).toBe(2);
    expect(large).toBe(2);
  });

  it('refuses a batch with the error of the first event that cannot be applied, as event by event', async () => {
    const orphan = new EngineInstance(processes.approval);
    // Its ProcessInstanceCreated never reached the projection (a type it does not know, so no gap either).
    const orphaned = orphan.start({ approver: 'ada', groups: [], users: [], due: '2030-07-01', priority: 1 }).map((envelope) =>
      envelope.type === 'ProcessInstanceCreated' ? { ...envelope, type: 'ProcessInstanceImported' } : envelope,
    );
    const broken = new EngineInstance(processes.approval)
      .start({ approver: 'ada', groups: [], users: [], due: '2030-07-01', priority: 1 })
      .map((envelope) => (envelope.type === 'UserTaskCreated' ? { ...envelope, data: { ...(envelope.data as object), candidateGroups: 'sales' } } : envelope));

    for (const batch of [
      [...orphaned, ...broken],
      [...broken, ...orphaned],
    ]) {
      await dataSource.query('TRUNCATE user_tasks, task_process_instances, task_variable_scopes, projection_stream_checkpoints');
      const eventByEventError = await new StreamProjectionRunner(dataSource, eventByEvent, { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).apply(batch).catch((error: unknown) => error);
      const batchError = await new StreamProjectionRunner(dataSource, projection, { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).apply(batch).catch((error: unknown) => error);
      expect(batchError).toBeInstanceOf(UnreadableEventError);
      expect((batchError as Error).message).toBe((eventByEventError as Error).message);
    }
  });

  it('keeps what the task-service wrote while a batch waited for the task, as the per-event statements did', async () => {
    await dataSource.query('TRUNCATE user_tasks, task_process_instances, task_variable_scopes, task_outbox, projection_stream_checkpoints');
    const runner = new StreamProjectionRunner(dataSource, projection);
    const instance = new EngineInstance(processes.approval);
    await runner.apply(instance.start({ approver: 'ada', groups: [], users: [], due: '2030-07-01', priority: 1 }));
    const taskId = instance.userTask('approve').id;
    const cancelled = instance.send({ type: 'CancelProcessInstance' });

    // The task-service holds the task (a rejection being recorded) while the cancellation arrives.
    const service = dataSource.createQueryRunner();
    await service.connect();
    try {
      await service.startTransaction();
      await service.query('SELECT id FROM user_tasks WHERE id = $1 FOR UPDATE', [taskId]);
      const applying = runner.apply(cancelled);
      await waitForLockWait('WITH locked AS');
      await service.query("UPDATE user_tasks SET assignee = 'grace', last_error = 'rejected meanwhile' WHERE id = $1", [taskId]);
      await service.commitTransaction();
      await applying;
    } finally {
      await service.release();
    }

    expect(await tasks.get(taskId)).toMatchObject({ state: 'CANCELED', assignee: 'grace', lastError: 'rejected meanwhile' });
  });
});
