import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventEnvelope } from '@trellis/contracts';
import type { ExecutableProcess, TaskListenerJobResult } from '@trellis/engine';
import { StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineInstance, compileProcess } from '@trellis/runtime/testing';
import type { DataSource } from 'typeorm';

import { TaskRepository } from './task.repository.js';
import { TASKS_MIGRATIONS } from './tasks.migrations.js';
import { UnreadableEventError, UserTaskProjection } from './user-task.projection.js';

/** `review`: a user task assigned to `ada` with a completing listener (`four-eyes`) that may correct or deny. */
const REVIEW_MODEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="definitions" targetNamespace="http://example.org/tasks">
  <bpmn:process id="review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:userTask id="check" name="Check invoice">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition assignee="ada" candidateGroups="accounting" />
        <zeebe:taskSchedule dueDate="2030-07-01T12:00:00Z" />
        <zeebe:priorityDefinition priority="40" />
        <zeebe:taskListeners>
          <zeebe:taskListener eventType="completing" type="four-eyes" />
        </zeebe:taskListeners>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

const schema = uniqueSchema('tasks_listeners');
let dataSource: DataSource;
let runner: StreamProjectionRunner;
let tasks: TaskRepository;
let process: ExecutableProcess;

beforeAll(async () => {
  await requirePostgres();
  process = await compileProcess(REVIEW_MODEL);
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: TASKS_MIGRATIONS });
  runner = new StreamProjectionRunner(dataSource, new UserTaskProjection(), { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  tasks = new TaskRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE user_tasks, task_process_instances, task_variable_scopes, task_outbox, task_events, projection_stream_checkpoints');
});

/** Delivers envelopes one message at a time, as the bus does. */
async function deliver(envelopes: readonly EventEnvelope[]): Promise<void> {
  for (const envelope of envelopes) await runner.apply([envelope]);
}

/** The worker of the `four-eyes` listener job completes it with a result. */
function completeListener(instance: EngineInstance, result?: TaskListenerJobResult): EventEnvelope[] {
  const job = Object.values(instance.state.jobs).find((candidate) => candidate.type === 'four-eyes');
  if (job === undefined) throw new Error('No four-eyes listener job is open');
  return instance.send({ type: 'CompleteJob', jobId: job.id, ...(result === undefined ? {} : { result }) });
}

const historyTypes = async (taskId: string): Promise<string[]> => (await tasks.history(taskId)).map((entry) => entry.type);

describe('UserTaskProjection over task listener events', () => {
  it('keeps a completion of the task-service COMPLETING while the listener runs, and reopens the task with the reason when it denies', async () => {
    const instance = new EngineInstance(process);
    await deliver(instance.start());
    const taskId = instance.userTask('check').id;

    await tasks.requestCompletion({ taskId, commandId: 'command-1', issuedBy: 'test', issuedAt: new Date(), actor: 'ada', variables: { approved: true } });
    // The runtime handles the command: the listener's job starts and the task waits for it.
    await deliver(instance.send({ type: 'CompleteUserTask', userTaskId: taskId, variables: { approved: true } }));
    expect(await tasks.get(taskId)).toMatchObject({ state: 'COMPLETING', pendingCommandId: 'command-1' });

    await deliver(completeListener(instance, { denied: true, deniedReason: 'A second approver must check invoices over 10k' }));
    const denied = await tasks.get(taskId);
    expect(denied).toMatchObject({ state: 'CREATED', assignee: 'ada', candidateGroups: ['accounting'], deniedReason: 'A second approver must check invoices over 10k' });
    expect(denied).not.toHaveProperty('pendingCommandId');
    expect(denied).not.toHaveProperty('completedAt');
    expect(await historyTypes(taskId)).toEqual(['CREATED', 'COMPLETION_REQUESTED', 'COMPLETION_DENIED']);
    expect((await tasks.history(taskId))[2].data).toEqual({ deniedReason: 'A second approver must check invoices over 10k' });

    // Open again: the task-service can complete it again, and this time the listener lets it through.
    expect(await tasks.requestCompletion({ taskId, commandId: 'command-2', issuedBy: 'test', issuedAt: new Date() })).not.toHaveProperty('deniedReason');
    await deliver(instance.send({ type: 'CompleteUserTask', userTaskId: taskId }));
    await deliver(completeListener(instance));
    const completed = await tasks.get(taskId);
    expect(completed).toMatchObject({ state: 'COMPLETED' });
    expect(completed).not.toHaveProperty('deniedReason');
    expect(await historyTypes(taskId)).toEqual(['CREATED', 'COMPLETION_REQUESTED', 'COMPLETION_DENIED', 'COMPLETION_REQUESTED', 'COMPLETED']);
  });

  it('shows a completion asked elsewhere as COMPLETING, and a denial without reason as an open task', async () => {
    const instance = new EngineInstance(process);
    await deliver(instance.start());
    const taskId = instance.userTask('check').id;

    await deliver(instance.send({ type: 'CompleteUserTask', userTaskId: taskId }));
    expect(await tasks.get(taskId)).toMatchObject({ state: 'COMPLETING' });
    expect(await tasks.list({ state: 'COMPLETING' })).toMatchObject({ items: [{ id: taskId }] });

    await deliver(completeListener(instance, { denied: true }));
    expect(await tasks.get(taskId)).toMatchObject({ state: 'CREATED', deniedReason: '' });
  });

  it('shows the corrections of a listener on the task and in its history, one event at a time or as one batch', async () => {
    const corrections = {
      assignee: 'grace',
      dueDate: '2030-07-03T09:00:00Z',
      followUpDate: '2030-07-02T09:00:00Z',
      priority: 90,
      candidateUsers: ['linus'],
      candidateGroups: ['audit'],
    };
    const runInstance = (): { instance: EngineInstance; envelopes: EventEnvelope[] } => {
      const instance = new EngineInstance(process);
      const envelopes = instance.start();
      envelopes.push(...instance.send({ type: 'CompleteUserTask', userTaskId: instance.userTask('check').id }));
      envelopes.push(...completeListener(instance, { corrections, denied: true, deniedReason: 'Reassigned to audit' }));
      return { instance, envelopes };
    };
    const oneByOne = runInstance();
    await deliver(oneByOne.envelopes);
    const batched = runInstance();
    // The whole stream in one batch: the task is created, corrected and reopened before its row is first written.
    await runner.apply(batched.envelopes);

    for (const { instance } of [oneByOne, batched]) {
      const taskId = instance.userTask('check').id;
      expect(await tasks.get(taskId)).toMatchObject({
        state: 'CREATED',
        assignee: 'grace',
        dueDate: '2030-07-03T09:00:00Z',
        followUpDate: '2030-07-02T09:00:00Z',
        priority: 90,
        candidateUsers: ['linus'],
        candidateGroups: ['audit'],
        deniedReason: 'Reassigned to audit',
      });
      const history = await tasks.history(taskId);
      expect(history.map((entry) => entry.type)).toEqual(['CREATED', 'CORRECTED', 'COMPLETION_DENIED']);
      expect(history[1].data).toEqual(corrections);
      // The corrected assignee, due and follow-up times are what the list filters by.
      const listed = await tasks.list({ assignee: 'grace', dueAfter: '2030-07-02T00:00:00Z', followUpAfter: '2030-07-01T23:00:00Z', sort: 'due' });
      expect(listed.items.map((task) => task.id)).toContain(taskId);
    }
    expect((await tasks.list({ assignee: 'ada' })).items).toEqual([]);
  });

  it('leaves a correction that names only some fields to change only those', async () => {
    const instance = new EngineInstance(process);
    await deliver(instance.start());
    const taskId = instance.userTask('check').id;
    await deliver(instance.send({ type: 'CompleteUserTask', userTaskId: taskId }));
    await deliver(completeListener(instance, { corrections: { priority: 10 }, denied: true, deniedReason: 'later' }));

    expect(await tasks.get(taskId)).toMatchObject({
      state: 'CREATED',
      assignee: 'ada',
      candidateGroups: ['accounting'],
      dueDate: '2030-07-01T12:00:00Z',
      priority: 10,
    });
  });

  it('refuses a correction it cannot read, naming the field, and applies nothing of its batch', async () => {
    const instance = new EngineInstance(process);
    const envelopes = instance.start();
    envelopes.push(...instance.send({ type: 'CompleteUserTask', userTaskId: instance.userTask('check').id }));
    envelopes.push(...completeListener(instance, { corrections: { priority: 10 } }));
    const broken = envelopes.map((envelope) =>
      envelope.type === 'UserTaskCorrected'
        ? { ...envelope, data: { ...(envelope.data as object), corrections: { priority: 'high' } } }
        : envelope,
    );

    const applying = runner.apply(broken);

    await expect(applying).rejects.toBeInstanceOf(UnreadableEventError);
    await expect(applying).rejects.toMatchObject({ nonRetriable: true, message: expect.stringContaining('data.corrections.priority must be a number') });
    expect(await runner.revision(instance.streamId)).toBe(-1);
    expect((await tasks.list({})).total).toBe(0);
  });

  it('rebuilds the same tasks and listener history after a reset and a replay, keeping what people did', async () => {
    const instance = new EngineInstance(process);
    await deliver(instance.start());
    const taskId = instance.userTask('check').id;
    await tasks.requestCompletion({ taskId, commandId: 'command-1', issuedBy: 'test', issuedAt: new Date(), actor: 'ada' });
    await deliver(instance.send({ type: 'CompleteUserTask', userTaskId: taskId }));
    await deliver(completeListener(instance, { corrections: { assignee: 'grace' }, denied: true, deniedReason: 'Reassigned' }));
    const before = await tasks.get(taskId);

    await runner.reset();
    await deliver(instance.envelopes);

    expect(await tasks.get(taskId)).toEqual(before);
    // The runtime's part is written again once; the completion the service asked for stays.
    expect((await historyTypes(taskId)).sort()).toEqual(['COMPLETION_DENIED', 'COMPLETION_REQUESTED', 'CORRECTED', 'CREATED']);
  });
});
