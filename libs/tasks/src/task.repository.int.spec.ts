import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type RuntimeCommandResult, validateRuntimeCommand } from '@trellis/contracts';
import type { ExecutableProcess } from '@trellis/engine';
import { StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineInstance } from '@trellis/runtime/testing';
import type { DataSource } from 'typeorm';

import { TaskRepository } from './task.repository.js';
import { TASKS_MIGRATIONS } from './tasks.migrations.js';
import { compileProcesses, rejectionOf } from './testing.js';
import { UserTaskProjection } from './user-task.projection.js';

const schema = uniqueSchema('tasks_repository');
let dataSource: DataSource;
let runner: StreamProjectionRunner;
let tasks: TaskRepository;
let processes: Record<string, ExecutableProcess>;

beforeAll(async () => {
  await requirePostgres();
  processes = await compileProcesses();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: TASKS_MIGRATIONS });
  runner = new StreamProjectionRunner(dataSource, new UserTaskProjection());
  tasks = new TaskRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE user_tasks, task_process_instances, task_variable_scopes, task_outbox, projection_stream_checkpoints, task_events, task_comments, task_completion_requests');
});

interface Assignment {
  readonly approver?: string;
  readonly groups?: string[];
  readonly users?: string[];
  readonly due?: string;
  /** The model's priority expression needs a number: 50 unless given. */
  readonly priority?: number;
}

/** Starts an `approval` instance in the engine and projects its events; returns it and its task's id. */
async function approval(assignment: Assignment = {}): Promise<{ instance: EngineInstance; taskId: string }> {
  const instance = new EngineInstance(processes.approval);
  for (const envelope of instance.start({ groups: [], users: [], due: null, priority: 50, approver: null, ...assignment })) await runner.apply([envelope]);
  return { instance, taskId: instance.userTask('approve').id };
}

async function outbox(): Promise<{ command_id: string; message: unknown }[]> {
  return dataSource.query('SELECT command_id, message FROM task_outbox ORDER BY seq');
}

function completion(taskId: string, commandId: string, variables?: { [name: string]: boolean | string }) {
  return { taskId, commandId, issuedBy: 'task-service', issuedAt: new Date('2030-06-01T09:00:00.000Z'), ...(variables ? { variables } : {}) };
}

function rejected(commandId: string, processInstanceId: string, detail?: string): RuntimeCommandResult {
  return {
    commandId,
    commandType: 'CompleteUserTask',
    processInstanceId,
    outcome: 'rejected',
    rejection: 'not-found',
    ...(detail === undefined ? {} : { detail }),
    handledAt: '2030-06-01T09:00:01.000Z',
  };
}

describe('task list', () => {
  it('filters by state, assignee, candidate user and group, instance, definition and element', async () => {
    const ada = await approval({ approver: 'ada', groups: ['sales'], users: ['bob'] });
    const grace = await approval({ approver: 'grace', groups: ['sales', 'support'] });
    const open = await approval({ groups: ['support'], users: ['bob', 'carol'] });
    const review = new EngineInstance(processes.review);
    for (const envelope of review.start({ amount: 1 })) await runner.apply([envelope]);
    for (const envelope of ada.instance.send({ type: 'CompleteUserTask', userTaskId: ada.taskId })) await runner.apply([envelope]);

    const ids = async (filter: Parameters<TaskRepository['list']>[0]) => (await tasks.list(filter)).items.map((task) => task.id).sort();

    expect(await ids({ state: 'COMPLETED' })).toEqual([ada.taskId]);
    expect(await ids({ state: 'CREATED' })).toEqual([grace.taskId, open.taskId, review.userTask('check').id].sort());
    expect(await ids({ assignee: 'grace' })).toEqual([grace.taskId]);
    expect(await ids({ candidateUser: 'bob' })).toEqual([ada.taskId, open.taskId].sort());
    expect(await ids({ candidateGroup: 'support' })).toEqual([grace.taskId, open.taskId].sort());
    expect(await ids({ candidateGroup: 'sales', state: 'CREATED' })).toEqual([grace.taskId]);
    expect(await ids({ processInstanceId: open.instance.id })).toEqual([open.taskId]);
    expect(await ids({ processDefinitionId: 'review:1' })).toEqual([review.userTask('check').id]);
    expect(await ids({ elementId: 'approve' })).toEqual([ada.taskId, grace.taskId, open.taskId].sort());
    expect(await ids({ assignee: 'nobody' })).toEqual([]);
  });

  it('sorts by creation, due date and priority, either way, and pages with the total of all pages', async () => {
    const created = [
      await approval({ due: '2030-09-01T00:00:00Z', priority: 50 }),
      await approval({ due: '2030-07-01T00:00:00Z' }),
      await approval({ priority: 90 }),
      await approval({ due: '2030-08-01T00:00:00Z', priority: 10 }),
    ].map((task) => task.taskId);
    const order = async (sort: Parameters<TaskRepository['list']>[0]['sort']) => (await tasks.list({ sort })).items.map((task) => created.indexOf(task.id));

    expect(await order(undefined)).toEqual([0, 1, 2, 3]);
    expect(await order('created:desc')).toEqual([3, 2, 1, 0]);
    expect(await order('due')).toEqual([1, 3, 0, 2]);
    expect(await order('due:desc')).toEqual([0, 3, 1, 2]);
    // Equal priorities keep the creation order.
    expect(await order('priority:desc')).toEqual([2, 0, 1, 3]);
    expect(await order('priority:asc')).toEqual([3, 0, 1, 2]);

    const page = await tasks.list({ limit: 2, offset: 1 });
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.items.map((task) => task.id)).toEqual([created[1], created[2]]);
    expect(page.items[0].variables).toBeUndefined();
    expect(await tasks.list({ offset: 10 })).toEqual({ items: [], total: 4, limit: 100, offset: 10 });
  });
});

describe('claims', () => {
  it('claims an open task, again for the same person, and refuses someone else until it is unclaimed', async () => {
    const { taskId } = await approval();

    expect(await tasks.claim(taskId, { userId: 'ada', groups: [] })).toMatchObject({ id: taskId, assignee: 'ada', state: 'CREATED', variables: expect.any(Object) });
    expect(await tasks.claim(taskId, { userId: 'ada', groups: [] })).toMatchObject({ assignee: 'ada' });
    await expect(tasks.claim(taskId, { userId: 'grace', groups: [] })).rejects.toMatchObject({
      problem: { status: 409, type: 'urn:trellis:problem:conflict', detail: `User task ${taskId} is already claimed by ada: unclaim it first`, details: { taskId, assignee: 'ada' } },
    });

    expect((await tasks.unclaim(taskId)).assignee).toBeUndefined();
    expect(await tasks.claim(taskId, { userId: 'grace', groups: [] })).toMatchObject({ assignee: 'grace' });
    expect((await tasks.get(taskId))?.assignee).toBe('grace');
  });

  it('answers 404 for an unknown task and 409 for a task that is not open', async () => {
    const { instance, taskId } = await approval();
    for (const envelope of instance.send({ type: 'CompleteUserTask', userTaskId: taskId })) await runner.apply([envelope]);

    await expect(tasks.claim('no-such-task', { userId: 'ada', groups: [] })).rejects.toMatchObject({ problem: { status: 404, type: 'urn:trellis:problem:not-found', details: { taskId: 'no-such-task' } } });
    await expect(tasks.unclaim('no-such-task')).rejects.toMatchObject({ problem: { status: 404 } });
    await expect(tasks.claim(taskId, { userId: 'ada', groups: [] })).rejects.toMatchObject({
      problem: { status: 409, type: 'urn:trellis:problem:invalid-state', detail: `User task ${taskId} cannot be claimed: it is completed` },
    });
    await expect(tasks.unclaim(taskId)).rejects.toMatchObject({ problem: { status: 409, details: { taskId, state: 'COMPLETED' } } });
  });
});

describe('completion requests', () => {
  it('mark the task COMPLETING and put exactly its CompleteUserTask command in the outbox, in one commit', async () => {
    const { instance, taskId } = await approval({ approver: 'ada' });

    const task = await tasks.requestCompletion(completion(taskId, 'command-1', { approved: true }));

    expect(task).toMatchObject({ id: taskId, state: 'COMPLETING', pendingCommandId: 'command-1', assignee: 'ada' });
    const rows = await outbox();
    expect(rows).toEqual([
      {
        command_id: 'command-1',
        message: {
          type: 'CompleteUserTask',
          commandId: 'command-1',
          processInstanceId: instance.id,
          issuedBy: 'task-service',
          issuedAt: '2030-06-01T09:00:00.000Z',
          userTaskId: taskId,
          variables: { approved: true },
        },
      },
    ]);
    expect(validateRuntimeCommand(rows[0].message).ok).toBe(true);
  });

  it('change nothing when the outbox row cannot be written: the state and the command commit together or not at all', async () => {
    const first = await approval();
    const second = await approval();
    await tasks.requestCompletion(completion(first.taskId, 'command-1'));

    // The same command id again: the outbox insert fails after the task's update.
    await expect(tasks.requestCompletion(completion(second.taskId, 'command-1'))).rejects.toThrow(/duplicate key/);

    expect(await tasks.get(second.taskId)).toMatchObject({ state: 'CREATED' });
    expect((await tasks.get(second.taskId))?.pendingCommandId).toBeUndefined();
    expect((await outbox()).map((row) => row.command_id)).toEqual(['command-1']);
  });

  it('refuse a task whose completion is in flight, completed or cancelled, and an unknown one', async () => {
    const pending = await approval();
    const cancelled = await approval();
    await tasks.requestCompletion(completion(pending.taskId, 'command-1'));
    for (const envelope of cancelled.instance.send({ type: 'CancelProcessInstance' })) await runner.apply([envelope]);

    await expect(tasks.requestCompletion(completion(pending.taskId, 'command-2'))).rejects.toMatchObject({
      problem: {
        status: 409,
        detail: `User task ${pending.taskId} cannot be completed: its completion was sent to the runtime and is not answered yet`,
      },
    });
    await expect(tasks.claim(pending.taskId, { userId: 'ada', groups: [] })).rejects.toMatchObject({ problem: { status: 409, details: { state: 'COMPLETING' } } });
    await expect(tasks.requestCompletion(completion(cancelled.taskId, 'command-3'))).rejects.toMatchObject({
      problem: { status: 409, detail: `User task ${cancelled.taskId} cannot be completed: it was cancelled` },
    });
    await expect(tasks.requestCompletion(completion('no-such-task', 'command-4'))).rejects.toMatchObject({ problem: { status: 404 } });
    expect((await outbox()).map((row) => row.command_id)).toEqual(['command-1']);
  });

  it('reopen the task with the runtime’s reason when the runtime rejects the command, and ignore answers to other commands', async () => {
    const { instance, taskId } = await approval();
    await tasks.requestCompletion(completion(taskId, 'command-1'));
    // At the runtime the instance was cancelled meanwhile, and its events have not reached the task-service yet:
    // the engine refuses the completion.
    const cancellation = instance.send({ type: 'CancelProcessInstance' });
    const refusal = instance.decide({ type: 'CompleteUserTask', userTaskId: taskId });
    if (refusal.ok) throw new Error('the engine accepted the completion of a task of a cancelled instance');
    expect(refusal.failure.message).toBe('The process instance is terminated');

    expect(await tasks.applyCommandResult(rejected('other-command', instance.id, 'not ours'))).toBe(false);
    expect(await tasks.applyCommandResult({ ...rejected('command-1', instance.id, refusal.failure.message), commandType: 'CompleteJob' })).toBe(false);
    expect(await tasks.applyCommandResult({ ...rejected('command-1', instance.id), outcome: 'accepted', rejection: undefined })).toBe(false);
    expect(await tasks.get(taskId)).toMatchObject({ state: 'COMPLETING', pendingCommandId: 'command-1' });

    expect(await tasks.applyCommandResult({ ...rejected('command-1', instance.id, refusal.failure.message), rejection: rejectionOf(refusal.failure) })).toBe(true);

    const reopened = await tasks.get(taskId);
    expect(reopened).toMatchObject({ state: 'CREATED', lastError: 'The process instance is terminated' });
    expect(reopened?.pendingCommandId).toBeUndefined();
    // The same answer again (a redelivery) changes nothing; a new completion clears the error.
    expect(await tasks.applyCommandResult(rejected('command-1', instance.id, refusal.failure.message))).toBe(false);
    const retried = await tasks.requestCompletion(completion(taskId, 'command-2'));
    expect(retried).toMatchObject({ state: 'COMPLETING', pendingCommandId: 'command-2' });
    expect(retried.lastError).toBeUndefined();
    // Then the cancellation arrives.
    for (const envelope of cancellation) await runner.apply([envelope]);
    expect(await tasks.get(taskId)).toMatchObject({ state: 'CANCELED' });
  });

  it('name the rejection when the runtime gives no detail', async () => {
    const { instance, taskId } = await approval();
    await tasks.requestCompletion(completion(taskId, 'command-1'));

    await tasks.applyCommandResult(rejected('command-1', instance.id));

    expect((await tasks.get(taskId))?.lastError).toBe('The runtime rejected the completion (not-found)');
  });

  it('show COMPLETED once the runtime’s UserTaskCompleted is projected', async () => {
    const { instance, taskId } = await approval();
    await tasks.requestCompletion(completion(taskId, 'command-1', { approved: true }));

    for (const envelope of instance.send({ type: 'CompleteUserTask', userTaskId: taskId, variables: { approved: true } })) await runner.apply([envelope]);

    const task = await tasks.get(taskId);
    expect(task).toMatchObject({ state: 'COMPLETED', completedAt: expect.any(String) });
    expect(task?.pendingCommandId).toBeUndefined();
    // A late rejection of that command (the runtime answered a duplicate) does not reopen it.
    expect(await tasks.applyCommandResult(rejected('command-1', instance.id, 'duplicate'))).toBe(false);
    expect((await tasks.get(taskId))?.state).toBe('COMPLETED');
  });
});
