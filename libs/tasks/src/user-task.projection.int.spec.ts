import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '@trellis/contracts';
import type { ExecutableProcess } from '@trellis/engine';
import { StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineInstance } from '@trellis/runtime/testing';
import type { DataSource } from 'typeorm';

import { TaskRepository } from './task.repository.js';
import { TASKS_MIGRATIONS } from './tasks.migrations.js';
import { compileProcesses } from './testing.js';
import { UnreadableEventError, UserTaskProjection } from './user-task.projection.js';

const schema = uniqueSchema('tasks_projection');
let dataSource: DataSource;
let runner: StreamProjectionRunner;
let tasks: TaskRepository;
let processes: Record<string, ExecutableProcess>;

beforeAll(async () => {
  await requirePostgres();
  processes = await compileProcesses();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: TASKS_MIGRATIONS });
  runner = new StreamProjectionRunner(dataSource, new UserTaskProjection(), { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  tasks = new TaskRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE user_tasks, task_process_instances, task_variable_scopes, task_outbox, projection_stream_checkpoints');
});

/** Delivers envelopes one message at a time, as the bus does. */
async function deliver(envelopes: readonly EventEnvelope[]): Promise<number> {
  let applied = 0;
  for (const envelope of envelopes) applied += await runner.apply([envelope]);
  return applied;
}

async function liveRows(processInstanceId: string): Promise<{ scopes: number; instances: number }> {
  const [{ scopes }]: { scopes: number }[] = await dataSource.query('SELECT count(*)::int AS scopes FROM task_variable_scopes WHERE process_instance_id = $1', [
    processInstanceId,
  ]);
  const [{ instances }]: { instances: number }[] = await dataSource.query('SELECT count(*)::int AS instances FROM task_process_instances WHERE id = $1', [
    processInstanceId,
  ]);
  return { scopes, instances };
}

const approvalVariables = {
  approver: 'ada',
  groups: ['sales', 'support'],
  users: ['bob'],
  due: '2030-07-01T12:00:00Z',
  priority: 70,
  customer: 'ACME',
};

describe('UserTaskProjection over the engine’s events', () => {
  it('shows a created task with what the model assigned and the variables it sees, then completed once the runtime completed it', async () => {
    const instance = new EngineInstance(processes.approval);
    await deliver(instance.start(approvalVariables));
    const taskId = instance.userTask('approve').id;

    expect(await tasks.get(taskId)).toEqual({
      id: taskId,
      name: 'Approve order',
      state: 'CREATED',
      processInstanceId: instance.id,
      processDefinitionId: 'approval:1',
      processId: 'approval',
      elementId: 'approve',
      elementInstanceId: instance.userTask('approve').elementInstanceId,
      assignee: 'ada',
      candidateUsers: ['bob'],
      candidateGroups: ['sales', 'support'],
      dueDate: '2030-07-01T12:00:00Z',
      followUpDate: '2031-01-01T09:00:00Z',
      priority: 70,
      formKey: 'camunda-forms:bpmn:approve-form',
      createdAt: '2030-06-01T08:00:00.000Z',
      variables: approvalVariables,
    });

    await deliver(instance.send({ type: 'CompleteUserTask', userTaskId: taskId, variables: { approved: true } }));

    const completed = await tasks.get(taskId);
    expect(completed).toMatchObject({ state: 'COMPLETED', completedAt: '2030-06-01T08:01:00.000Z' });
    expect(completed?.variables).toBeUndefined();
    // The instance ended: nothing of it is kept but its task.
    expect(await liveRows(instance.id)).toEqual({ scopes: 0, instances: 0 });
  });

  it('applies each event once when Kafka delivers them again, in overlapping batches and interleaved with other streams', async () => {
    const first = new EngineInstance(processes.approval);
    const second = new EngineInstance(processes.approval);
    const firstStart = first.start(approvalVariables);
    const secondStart = second.start({ ...approvalVariables, approver: 'grace', priority: 10 });
    const firstDone = first.send({ type: 'CompleteUserTask', userTaskId: first.userTask('approve').id });

    // A consumer that crashed before committing its offsets gets everything again, and the relay may publish twice.
    expect(await deliver([...firstStart.slice(0, 3), ...secondStart, ...firstStart])).toBe(firstStart.length + secondStart.length);
    expect(await runner.apply([...secondStart, ...firstStart, ...firstDone])).toBe(firstDone.length);
    expect(await deliver([...firstDone, ...secondStart, ...firstStart, ...firstDone])).toBe(0);

    const page = await tasks.list({});
    expect(page.total).toBe(2);
    expect(page.items.map((task) => [task.processInstanceId, task.assignee, task.state]).sort()).toEqual(
      [
        [first.id, 'ada', 'COMPLETED'],
        [second.id, 'grace', 'CREATED'],
      ].sort(),
    );
    expect(await runner.revision(first.streamId)).toBe(first.envelopes.length - 1);
  });

  it('cancels the open task of a cancelled instance, a completion in flight included, and forgets the instance', async () => {
    const instance = new EngineInstance(processes.approval);
    await deliver(instance.start(approvalVariables));
    const taskId = instance.userTask('approve').id;
    await tasks.requestCompletion({ taskId, commandId: 'command-1', issuedBy: 'test', issuedAt: new Date() });

    const cancelled = instance.send({ type: 'CancelProcessInstance' });
    expect(cancelled.map((envelope) => envelope.type)).toEqual(expect.arrayContaining(['UserTaskCanceled', 'ElementTerminated', 'ProcessInstanceTerminated']));
    await deliver(cancelled);

    const task = await tasks.get(taskId);
    expect(task).toMatchObject({ state: 'CANCELED', completedAt: cancelled[0].recordedAt });
    expect(task?.pendingCommandId).toBeUndefined();
    expect(await liveRows(instance.id)).toEqual({ scopes: 0, instances: 0 });
  });

  it('shows a task in a sub-process the variables of its own scope over those of the enclosing ones, as they change', async () => {
    const instance = new EngineInstance(processes.review);
    await deliver(instance.start({ amount: 10, customer: 'ACME' }));
    const taskId = instance.userTask('check').id;

    expect((await tasks.get(taskId))?.variables).toEqual({ amount: 10, customer: 'ACME', doubled: 20, share: 5 });

    await deliver(instance.send({ type: 'SetVariables', variables: { customer: 'Globex', share: 99 } }));
    // `share` is not visible from the process scope: it lands there, under the task's own `share`.
    expect((await tasks.get(taskId))?.variables).toEqual({ amount: 10, customer: 'Globex', doubled: 20, share: 5 });

    await deliver(instance.send({ type: 'CompleteUserTask', userTaskId: taskId }));
    expect(await tasks.get(taskId)).toMatchObject({ state: 'COMPLETED' });
    expect(await liveRows(instance.id)).toEqual({ scopes: 0, instances: 0 });
  });

  it('refuses an event it cannot read, without retries, and applies nothing of its batch', async () => {
    const instance = new EngineInstance(processes.approval);
    const started = instance.start(approvalVariables);
    const broken = started.map((envelope) =>
      envelope.type === 'UserTaskCreated' ? { ...envelope, data: { ...(envelope.data as object), candidateGroups: 'sales' } } : envelope,
    );

    const applying = runner.apply(broken);

    await expect(applying).rejects.toBeInstanceOf(UnreadableEventError);
    await expect(applying).rejects.toMatchObject({ nonRetriable: true, message: expect.stringContaining('data.candidateGroups must be a list of strings') });
    expect(await runner.revision(instance.streamId)).toBe(-1);
    expect((await tasks.list({})).total).toBe(0);
  });

  it('refuses an event type it handles in a schema version it does not know', async () => {
    const instance = new EngineInstance(processes.approval);
    const [created] = instance.start(approvalVariables);

    await expect(runner.apply([{ ...created, schemaVersion: 2 }])).rejects.toThrow('schema version 2 is not known');
  });

  it('rebuilds the same tasks after a reset and a replay of the streams', async () => {
    const instance = new EngineInstance(processes.approval);
    await deliver(instance.start(approvalVariables));
    const before = await tasks.list({});

    await runner.reset();
    expect((await tasks.list({})).total).toBe(0);
    await deliver(instance.envelopes);

    expect(await tasks.list({})).toEqual(before);
  });
});
