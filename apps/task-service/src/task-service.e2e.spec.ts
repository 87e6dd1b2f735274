// The task-service as it runs: the app on real Postgres and the real Kafka broker. No runtime-service exists yet, so
// the test plays the runtime's part honestly: the REAL engine decides each command it reads from the commands topic,
// and what the engine decided goes back on the events and results topics, as the runtime and its relay would send it.
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type DeadLetterEnvelope,
  type EventEnvelope,
  type RuntimeCommandMessage,
  type RuntimeCommandResult,
  eventMessageOf,
  runtimeCommandResultMessageOf,
  validateRuntimeCommand,
} from '@trellis/contracts';
import type { ExecutableProcess } from '@trellis/engine';
import { KafkaMessageBus, type MessageSubscription, type ReceivedMessage, asDeadLetterEnvelope, asJson, silentMessagingLogger } from '@trellis/messaging';
import { Collected, kafkaBrokers, testTopics } from '@trellis/messaging/testing';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineInstance } from '@trellis/runtime/testing';
import { compileProcesses, rejectionOf } from '@trellis/tasks/testing';
import request from 'supertest';

import { createTaskServiceApp } from './create-task-service-app.js';
import { loadTaskServiceSettings } from './task-service.settings.js';

const schema = uniqueSchema('task_service');
const topics = testTopics();
let bus: KafkaMessageBus;
let app: INestApplication;
let http: ReturnType<typeof request>;
let processes: Record<string, ExecutableProcess>;
let runtime: RuntimeStandIn;
const groupId = `task-service-e2e.${randomUUID()}`;
let startApp: () => Promise<void>;
const subscriptions: MessageSubscription[] = [];

/**
 * The runtime's part: reads the commands topic (a group of its own), decides each command on its instance with the
 * engine, publishes the events (as the relay would) and then the result; a command the engine refuses gets a rejected
 * result with the engine's reason. `holdEvents` keeps events back, as a relay that lags would.
 */
class RuntimeStandIn {
  readonly commands = new Collected<{ command: RuntimeCommandMessage; message: ReceivedMessage }>();
  readonly results: RuntimeCommandResult[] = [];
  private readonly instances = new Map<string, EngineInstance>();

  async start(): Promise<void> {
    subscriptions.push(
      await bus.subscribe<RuntimeCommandMessage>({
        topics: topics.runtimeCommands,
        groupId: `task-service-e2e.runtime.${randomUUID()}`,
        fromBeginning: true,
        decode: asJson(validateRuntimeCommand),
        deadLetterTopic: topics.deadLetter,
        handler: async (command, message) => {
          this.commands.handler({ command, message });
          await this.handle(command);
        },
      }),
    );
  }

  /** Starts an instance in the engine and publishes its events. */
  async startInstance(process: ExecutableProcess, variables: { [name: string]: string | number | string[] }): Promise<EngineInstance> {
    const instance = new EngineInstance(process);
    this.instances.set(instance.id, instance);
    await publishEvents(instance.start(variables));
    return instance;
  }

  private async handle(command: RuntimeCommandMessage): Promise<void> {
    const instance = this.instances.get(command.processInstanceId);
    if (!instance || command.type !== 'CompleteUserTask') throw new Error(`The stand-in runtime does not handle ${command.type} for ${command.processInstanceId}`);
    const decided = instance.decide({ type: 'CompleteUserTask', userTaskId: command.userTaskId, ...(command.variables ? { variables: command.variables } : {}) });
    const result: RuntimeCommandResult = decided.ok
      ? { commandId: command.commandId, commandType: command.type, processInstanceId: instance.id, outcome: 'accepted', revision: instance.envelopes.length - 1, handledAt: new Date().toISOString() }
      : {
          commandId: command.commandId,
          commandType: command.type,
          processInstanceId: instance.id,
          outcome: 'rejected',
          rejection: rejectionOf(decided.failure),
          detail: decided.failure.message,
          handledAt: new Date().toISOString(),
        };
    if (decided.ok) await publishEvents(decided.envelopes);
    this.results.push(result);
    await bus.publish(topics.runtimeCommandResults, [runtimeCommandResultMessageOf(result)]);
  }
}

async function publishEvents(envelopes: readonly EventEnvelope[]): Promise<void> {
  await bus.publish(topics.processInstanceEvents, envelopes.map(eventMessageOf));
}

/** Waits for a condition on what the API answers; fails with the last answer. */
async function eventually<T>(read: () => Promise<T>, test: (value: T) => boolean, what: string, deadlineMs = 30_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const task = (id: string) => http.get(`/api/tasks/${id}`).then((response) => response.body);

beforeAll(async () => {
  await requirePostgres();
  processes = await compileProcesses();
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: 'task-service-e2e', logger: silentMessagingLogger });
  await bus.ensureTopics([
    { topic: topics.processInstanceEvents, partitions: 3 },
    { topic: topics.runtimeCommands, partitions: 3 },
    { topic: topics.runtimeCommandResults, partitions: 3 },
    { topic: topics.deadLetter, partitions: 1 },
  ]);
  const settings = loadTaskServiceSettings({
    TRELLIS_ENV: 'test',
    TRELLIS_LOG_LEVEL: 'silent',
    TRELLIS_POSTGRES_URL: postgresUrl,
    TRELLIS_KAFKA_BROKERS: kafkaBrokers.join(','),
    TRELLIS_KAFKA_CLIENT_ID: 'task-service-e2e',
    TRELLIS_TASKS_SCHEMA: schema,
    TRELLIS_TASKS_OUTBOX_POLL_INTERVAL_MS: '200',
  });
  startApp = async () => {
    app = await createTaskServiceApp({ settings, topics, groupId });
    await app.listen(0, '127.0.0.1');
    http = request(app.getHttpServer());
  };
  await startApp();
  runtime = new RuntimeStandIn();
  await runtime.start();
}, 90_000);

afterAll(async () => {
  await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
  await app?.close();
  await bus?.close();
  await dropSchema(schema);
}, 60_000);

describe('task-service', () => {
  it('shows the task the runtime created, claims it, and completes it through the runtime: COMPLETING at once, COMPLETED once the runtime has', async () => {
    const instance = await runtime.startInstance(processes.approval, { groups: ['sales'], users: [], priority: 40, customer: 'ACME' });
    const taskId = instance.userTask('approve').id;

    const listed = await eventually(
      () => http.get('/api/tasks').query({ processInstanceId: instance.id }).then((response) => response.body),
      (page) => page.total === 1,
      'the task in the list',
    );
    expect(listed.items[0]).toMatchObject({ id: taskId, state: 'CREATED', processDefinitionId: 'approval:1', candidateGroups: ['sales'], priority: 40 });
    expect(await task(taskId)).toMatchObject({ state: 'CREATED', variables: { customer: 'ACME', groups: ['sales'], users: [], priority: 40 } });

    // Only a candidate may claim: ada is not in `sales` by the body's word, but is by the gateway's headers.
    const refused = await http.post(`/api/tasks/${taskId}/claim`).send({ userId: 'ada', groups: ['support'] }).expect(403);
    expect(refused.body).toMatchObject({ type: 'urn:trellis:problem:forbidden', status: 403, details: { taskId, userId: 'ada' } });
    const claimed = await http.post(`/api/tasks/${taskId}/claim`).set('X-Trellis-User', 'ada').set('X-Trellis-User-Groups', 'support,sales').expect(200);
    expect(claimed.headers['content-type']).toBe('application/json');
    expect(claimed.body).toMatchObject({ id: taskId, assignee: 'ada' });
    const taken = await http.post(`/api/tasks/${taskId}/claim`).send({ userId: 'grace', groups: ['sales'] }).expect(409);
    expect(taken.headers['content-type']).toBe('application/problem+json');
    expect(taken.body).toMatchObject({ type: 'urn:trellis:problem:conflict', status: 409, details: { taskId, assignee: 'ada' }, instance: `/api/tasks/${taskId}/claim` });

    const completing = await http
      .post(`/api/tasks/${taskId}/complete`)
      .set('X-Trellis-User', 'ada')
      .set('Idempotency-Key', `complete-${taskId}`)
      .send({ variables: { approved: true } })
      .expect(202);
    expect(completing.body).toMatchObject({ id: taskId, state: 'COMPLETING', pendingCommandId: expect.any(String) });
    // A repeat of the same request (a retry after a lost answer) answers the same, and sends nothing more.
    const repeat = await http.post(`/api/tasks/${taskId}/complete`).send({ requestId: `complete-${taskId}`, variables: { approved: true } }).expect(202);
    expect(repeat.body).toEqual(completing.body);

    await runtime.commands.until((items) => items.some((item) => item.command.commandId === completing.body.pendingCommandId), 'the command at the runtime');
    const received = runtime.commands.items.find((item) => item.command.commandId === completing.body.pendingCommandId);
    expect(received?.command).toEqual({
      type: 'CompleteUserTask',
      commandId: completing.body.pendingCommandId,
      processInstanceId: instance.id,
      issuedBy: 'task-service',
      issuedAt: expect.any(String),
      userTaskId: taskId,
      variables: { approved: true },
    });
    expect(received?.message.key).toBe(instance.id);

    const completed = await eventually(() => task(taskId), (body) => body.state === 'COMPLETED', 'the task COMPLETED');
    expect(completed.completedAt).toEqual(expect.any(String));
    expect(completed.pendingCommandId).toBeUndefined();
    expect(instance.state.status).toBe('completed');
    expect(instance.state.variables[instance.id]).toMatchObject({ approved: true });

    const again = await http.post(`/api/tasks/${taskId}/complete`).send({}).expect(409);
    expect(again.body).toMatchObject({ type: 'urn:trellis:problem:invalid-state', detail: `User task ${taskId} cannot be completed: it is completed` });
    expect(runtime.commands.items.filter((item) => item.command.type === 'CompleteUserTask' && item.command.userTaskId === taskId)).toHaveLength(1);

    const history = await http.get(`/api/tasks/${taskId}/history`).expect(200);
    expect(history.body.map((event: { type: string; actor?: string }) => [event.type, event.actor])).toEqual([
      ['CREATED', undefined],
      ['CLAIMED', 'ada'],
      ['COMPLETION_REQUESTED', 'ada'],
      ['COMPLETED', undefined],
    ]);
  });

  it('assigns, delegates and resolves, changes dates, priority, category and candidates, keeps comments and the history, and refuses all that once completed', async () => {
    const customer = `c-${randomUUID()}`;
    const instance = await runtime.startInstance(processes.approval, { groups: ['sales'], users: [], priority: 10, customer });
    const taskId = instance.userTask('approve').id;
    await eventually(() => task(taskId), (body) => body.state === 'CREATED', 'the task');
    const as = (user: string) => ({ 'X-Trellis-User': user });

    expect((await http.post(`/api/tasks/${taskId}/assign`).set(as('boss')).send({ assignee: 'ada' }).expect(200)).body).toMatchObject({ assignee: 'ada' });
    expect((await http.post(`/api/tasks/${taskId}/delegate`).set(as('ada')).send({ delegate: 'bob' }).expect(200)).body).toMatchObject({
      assignee: 'bob',
      owner: 'ada',
      delegationState: 'PENDING',
    });
    const pending = await http.post(`/api/tasks/${taskId}/complete`).send({}).expect(409);
    expect(pending.body.details).toEqual({ taskId, delegationState: 'PENDING' });
    expect((await http.post(`/api/tasks/${taskId}/resolve`).set(as('bob')).expect(200)).body).toMatchObject({ assignee: 'ada', delegationState: 'RESOLVED' });

    const patched = await http
      .patch(`/api/tasks/${taskId}`)
      .set(as('ada'))
      .send({ dueDate: '2030-07-01T12:00:00Z', followUpDate: '2030-06-20T09:00:00Z', priority: 80, category: 'approvals' })
      .expect(200);
    expect(patched.body).toMatchObject({ dueDate: '2030-07-01T12:00:00Z', followUpDate: '2030-06-20T09:00:00Z', priority: 80, category: 'approvals' });
    const badDate = await http.patch(`/api/tasks/${taskId}`).send({ dueDate: 'tomorrow' }).expect(400);
    expect(badDate.body.errors.map((error: { field: string }) => error.field)).toEqual(['dueDate']);

    await http.post(`/api/tasks/${taskId}/candidate-users`).send({ userId: 'carol' }).expect(200);
    await http.post(`/api/tasks/${taskId}/candidate-groups`).send({ groupId: 'support' }).expect(200);
    const removed = await http.delete(`/api/tasks/${taskId}/candidate-groups/sales`).expect(200);
    expect(removed.body).toMatchObject({ candidateUsers: ['carol'], candidateGroups: ['support'] });

    const comment = await http.post(`/api/tasks/${taskId}/comments`).set(as('ada')).send({ message: 'Called the customer' }).expect(201);
    expect(comment.body).toMatchObject({ taskId, author: 'ada', message: 'Called the customer', id: expect.any(String), createdAt: expect.any(String) });
    expect((await http.get(`/api/tasks/${taskId}/comments`).expect(200)).body).toEqual([comment.body]);

    // The list finds it by what was changed and by its process variables.
    const found = await http
      .get('/api/tasks')
      // A repeated parameter: every condition must hold.
      .query(
        new URLSearchParams([
          ['category', 'approvals'],
          ['dueBefore', '2030-07-02T00:00:00Z'],
          ['minPriority', '80'],
          ['processVariables', `customer:eq:${customer}`],
          ['processVariables', 'priority:lt:11'],
        ]).toString(),
      )
      .expect(200);
    expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([taskId]);
    const mine = await http.get('/api/tasks').set('X-Trellis-User', 'carol').query({ candidateOfCaller: true, category: 'approvals' }).expect(200);
    expect(mine.body.items.map((item: { id: string }) => item.id)).toContain(taskId);
    const anonymous = await http.get('/api/tasks').query({ candidateOfCaller: true }).expect(400);
    expect(anonymous.body.errors).toEqual([{ field: 'X-Trellis-User', message: expect.any(String) }]);
    const badCondition = await http.get('/api/tasks').query({ processVariables: 'customer:is:ada' }).expect(400);
    expect(badCondition.body.errors.map((error: { field: string }) => error.field)).toEqual(['processVariables']);

    await http.post(`/api/tasks/${taskId}/complete`).set(as('ada')).send({}).expect(202);
    await eventually(() => task(taskId), (body) => body.state === 'COMPLETED', 'the task COMPLETED');
    const closed = await http.post(`/api/tasks/${taskId}/assign`).send({ assignee: 'bob' }).expect(409);
    expect(closed.body).toMatchObject({ type: 'urn:trellis:problem:invalid-state', details: { taskId, state: 'COMPLETED' } });
    await http.patch(`/api/tasks/${taskId}`).send({ priority: 1 }).expect(409);
    await http.post(`/api/tasks/${taskId}/candidate-users`).send({ userId: 'dave' }).expect(409);

    const history = await http.get(`/api/tasks/${taskId}/history`).expect(200);
    expect(history.body.map((event: { type: string }) => event.type)).toEqual([
      'CREATED',
      'ASSIGNED',
      'DELEGATED',
      'RESOLVED',
      'UPDATED',
      'CANDIDATE_USER_ADDED',
      'CANDIDATE_GROUP_ADDED',
      'CANDIDATE_GROUP_REMOVED',
      'COMMENTED',
      'COMPLETION_REQUESTED',
      'COMPLETED',
    ]);
    expect(history.body[1]).toMatchObject({ taskId, actor: 'boss', data: { assignee: 'ada' }, at: expect.any(String) });
  });

  it('serves Camunda 7’s /engine-rest/task over the same tasks: list, count, get, claim, unclaim, assignee, delegate, resolve, complete', async () => {
    const key = `order-${randomUUID()}`;
    const instance = await runtime.startInstance(processes.approval, { groups: ['c7'], users: [], priority: 60, due: '2030-07-01T12:00:00Z' });
    const taskId = instance.userTask('approve').id;
    await eventually(() => task(taskId), (body) => body.state === 'CREATED', 'the task');
    const engine = (path: string) => `/engine-rest/task${path}`;

    const listed = await http.get(engine('')).query({ processInstanceId: instance.id }).expect(200);
    expect(listed.headers['content-type']).toBe('application/json');
    expect(listed.body).toEqual([
      expect.objectContaining({
        id: taskId,
        name: 'Approve order',
        assignee: null,
        due: '2030-07-01T12:00:00.000+0000',
        followUp: '2031-01-01T09:00:00.000+0000',
        priority: 60,
        processInstanceId: instance.id,
        processDefinitionId: 'approval:1',
        taskDefinitionKey: 'approve',
        formKey: 'camunda-forms:bpmn:approve-form',
        suspended: false,
      }),
    ]);
    expect((await http.get(engine('/count')).query({ candidateGroup: 'c7', taskDefinitionKey: 'approve' }).expect(200)).body.count).toBeGreaterThanOrEqual(1);
    const byBody = await http
      .post(engine(''))
      .send({ processInstanceId: instance.id, processVariables: [{ name: 'priority', operator: 'gteq', value: 60 }], sorting: [{ sortBy: 'dueDate', sortOrder: 'asc' }] })
      .expect(200);
    expect(byBody.body.map((item: { id: string }) => item.id)).toEqual([taskId]);
    expect((await http.post(engine('/count')).send({ processInstanceId: instance.id, processVariables: [{ name: 'priority', operator: 'lt', value: 60 }] }).expect(200)).body).toEqual({ count: 0 });

    // A claim needs a candidate, as in the native API: the caller's groups come from the header.
    const refused = await http.post(engine(`/${taskId}/claim`)).send({ userId: 'ada' }).expect(403);
    expect(refused.body).toEqual({ type: 'InvalidRequestException', message: expect.stringContaining('cannot claim') });
    await http.post(engine(`/${taskId}/claim`)).set('X-Trellis-User-Groups', 'c7').send({ userId: 'ada' }).expect(204);
    expect((await http.get(engine(`/${taskId}`)).expect(200)).body).toMatchObject({ id: taskId, assignee: 'ada' });
    await http.post(engine(`/${taskId}/unclaim`)).expect(204);
    await http.post(engine(`/${taskId}/assignee`)).send({ userId: 'grace' }).expect(204);
    await http.post(engine(`/${taskId}/delegate`)).send({ userId: 'bob' }).expect(204);
    expect((await http.get(engine(`/${taskId}`)).expect(200)).body).toMatchObject({ assignee: 'bob', owner: 'grace', delegationState: 'PENDING' });
    await http.post(engine(`/${taskId}/resolve`)).send({}).expect(204);
    expect((await http.get(engine(`/${taskId}`)).expect(200)).body).toMatchObject({ assignee: 'grace', delegationState: 'RESOLVED' });

    const completed = await http
      .post(engine(`/${taskId}/complete`))
      .send({ variables: { approved: { value: true, type: 'Boolean' }, businessKey: { value: key, type: 'String' } }, withVariablesInReturn: true })
      .expect(200);
    expect(completed.body).toMatchObject({ approved: { value: true, type: 'Boolean' }, priority: { value: 60, type: 'Integer' } });
    await eventually(() => task(taskId), (body) => body.state === 'COMPLETED', 'the task COMPLETED');
    expect(instance.state.variables[instance.id]).toMatchObject({ approved: true, businessKey: key });
    expect((await http.get(engine('')).query({ processInstanceId: instance.id }).expect(200)).body).toEqual([]);

    expect((await http.get(engine('/no-such-task')).expect(404)).body).toEqual({ type: 'InvalidRequestException', message: 'No matching task with id no-such-task' });
    expect((await http.post(engine('/no-such-task/claim')).send({ userId: 'ada' }).expect(404)).body.message).toBe('No matching task with id no-such-task');
    expect((await http.get(engine('')).query({ sortBy: 'dueDate' }).expect(400)).body).toEqual({
      type: 'InvalidRequestException',
      message: 'Only a single sorting parameter specified. sortBy and sortOrder required',
    });
    // Without withVariablesInReturn: 204, as Camunda answers.
    const plain = await runtime.startInstance(processes.approval, { groups: [], users: [], priority: 1 });
    const plainId = plain.userTask('approve').id;
    await eventually(() => task(plainId), (body) => body.state === 'CREATED', 'the second task');
    const noContent = await http.post(engine(`/${plainId}/complete`)).send({ variables: { approved: { value: false, type: 'Boolean' } } }).expect(204);
    expect(noContent.text).toBe('');
    await eventually(() => task(plainId), (body) => body.state === 'COMPLETED', 'the second task COMPLETED');
    const closed = await http.post(engine(`/${taskId}/assignee`)).send({ userId: 'ada' }).expect(409);
    expect(closed.body).toEqual({ type: 'InvalidRequestException', message: `User task ${taskId} cannot be assigned: it is completed` });
  });

  it('serves Camunda 8’s /v2/user-tasks over the same tasks: search, get, assignment, unassignment, changeset, completion, with problem details', async () => {
    const instance = await runtime.startInstance(processes.approval, { groups: ['c8'], users: [], priority: 70, due: '2030-07-01T12:00:00Z' });
    const taskId = instance.userTask('approve').id;
    await eventually(() => task(taskId), (body) => body.state === 'CREATED', 'the task');
    const v2 = (path: string) => `/v2/user-tasks${path}`;

    const found = await http
      .post(v2('/search'))
      .send({ filter: { processInstanceKey: instance.id, state: 'CREATED', candidateGroup: 'c8', elementId: 'approve', priority: { $gte: 70 } }, sort: [{ field: 'dueDate', order: 'ASC' }], page: { from: 0, limit: 5 } })
      .expect(200);
    expect(found.headers['content-type']).toBe('application/json');
    expect(found.body).toEqual({
      items: [
        expect.objectContaining({
          userTaskKey: taskId,
          name: 'Approve order',
          state: 'CREATED',
          assignee: null,
          elementId: 'approve',
          candidateGroups: ['c8'],
          processDefinitionId: 'approval',
          processDefinitionKey: 'approval:1',
          processInstanceKey: instance.id,
          formKey: 'camunda-forms:bpmn:approve-form',
          dueDate: expect.stringMatching(/^2030-07-01T12:00:00/),
          priority: 70,
        }),
      ],
      page: { totalItems: 1 },
    });
    expect((await http.post(v2('/search')).send({ filter: { processInstanceKey: instance.id, priority: { $lt: 70 } } }).expect(200)).body).toEqual({ items: [], page: { totalItems: 0 } });
    expect((await http.post(v2('/search')).send({ filter: { userTaskKey: taskId } }).expect(200)).body.items.map((item: { userTaskKey: string }) => item.userTaskKey)).toEqual([taskId]);

    await http.post(v2(`/${taskId}/assignment`)).send({ assignee: 'ada', action: 'claim' }).expect(204);
    expect((await http.get(v2(`/${taskId}`)).expect(200)).body).toMatchObject({ userTaskKey: taskId, assignee: 'ada' });
    // allowOverride: false refuses a task someone holds; by default it is reassigned.
    const held = await http.post(v2(`/${taskId}/assignment`)).send({ assignee: 'grace', allowOverride: false }).expect(409);
    expect(held.headers['content-type']).toBe('application/problem+json');
    expect(held.body).toEqual({ type: 'about:blank', title: 'INVALID_STATE', status: 409, detail: expect.stringContaining('already assigned to ada'), instance: `/v2/user-tasks/${taskId}/assignment` });
    await http.post(v2(`/${taskId}/assignment`)).send({ assignee: 'grace' }).expect(204);
    await http.delete(v2(`/${taskId}/assignee`)).expect(204);
    expect((await http.get(v2(`/${taskId}`)).expect(200)).body.assignee).toBeNull();

    await http
      .patch(v2(`/${taskId}`))
      .send({ changeset: { dueDate: '2031-01-01T00:00:00Z', followUpDate: null, priority: 90, candidateUsers: ['bob'], candidateGroups: ['c8b'] }, action: 'escalate' })
      .expect(204);
    expect((await http.get(v2(`/${taskId}`)).expect(200)).body).toMatchObject({
      dueDate: expect.stringMatching(/^2031-01-01T00:00:00/),
      followUpDate: null,
      priority: 90,
      candidateUsers: ['bob'],
      candidateGroups: ['c8b'],
    });
    expect((await http.post(v2('/search')).send({ filter: { processInstanceKey: instance.id, candidateGroup: 'c8' } }).expect(200)).body.page).toEqual({ totalItems: 0 });

    const completion = await http.post(v2(`/${taskId}/completion`)).send({ variables: { approved: true }, action: 'complete' }).expect(204);
    expect(completion.text).toBe('');
    await eventually(() => http.get(v2(`/${taskId}`)).then((response) => response.body), (body) => body.state === 'COMPLETED', 'the task COMPLETED');
    expect(instance.state.variables[instance.id]).toMatchObject({ approved: true });
    expect((await http.get(v2(`/${taskId}`)).expect(200)).body.completionDate).toEqual(expect.any(String));

    const closed = await http.post(v2(`/${taskId}/assignment`)).send({ assignee: 'ada' }).expect(409);
    expect(closed.body).toMatchObject({ title: 'INVALID_STATE', status: 409, detail: `User task ${taskId} cannot be assigned: it is completed` });
    expect((await http.post(v2(`/${taskId}/completion`)).send({}).expect(409)).body.title).toBe('INVALID_STATE');
    const unknown = await http.get(v2('/no-such-task')).expect(404);
    expect(unknown.body).toEqual({ type: 'about:blank', title: 'NOT_FOUND', status: 404, detail: 'User task with key no-such-task not found', instance: '/v2/user-tasks/no-such-task' });
    expect((await http.delete(v2('/no-such-task/assignee')).expect(404)).body.title).toBe('NOT_FOUND');
    // No form: the task-service has no access to deployed forms.
    expect((await http.get(v2(`/${taskId}/form`)).expect(404)).body).toMatchObject({ type: 'about:blank', title: 'NOT_FOUND', status: 404 });
    const bad = await http.post(v2('/search')).send({ sort: [{ field: 'completionDate' }] }).expect(400);
    expect(bad.body).toMatchObject({ type: 'about:blank', title: 'INVALID_ARGUMENT', status: 400, detail: expect.stringContaining('sort[0].field') });
    expect((await http.post(v2(`/${taskId}/assignment`)).send({}).expect(400)).body.detail).toBe('assignee must not be empty or null');
  });

  it('puts the task back to CREATED with the runtime’s reason when the runtime rejects the completion, and CANCELED once the cancellation arrives', async () => {
    const instance = await runtime.startInstance(processes.approval, { groups: [], users: [], priority: 1 });
    const taskId = instance.userTask('approve').id;
    await eventually(() => task(taskId), (body) => body.state === 'CREATED', 'the task');
    // The instance is cancelled at the runtime; its events lag behind (they are held back).
    const cancellation = instance.send({ type: 'CancelProcessInstance' });

    const completing = await http.post(`/api/tasks/${taskId}/complete`).expect(202);
    expect(completing.body.state).toBe('COMPLETING');

    const reopened = await eventually(() => task(taskId), (body) => body.state !== 'COMPLETING', 'the answer of the runtime');
    expect(reopened).toMatchObject({ state: 'CREATED', lastError: 'The process instance is terminated' });
    expect(reopened.pendingCommandId).toBeUndefined();
    expect(runtime.results.find((result) => result.commandId === completing.body.pendingCommandId)).toMatchObject({ outcome: 'rejected', rejection: 'invalid-state' });

    await publishEvents(cancellation);
    const cancelled = await eventually(() => task(taskId), (body) => body.state === 'CANCELED', 'the task CANCELED');
    expect(cancelled.completedAt).toEqual(expect.any(String));
    await http.post(`/api/tasks/${taskId}/claim`).send({ userId: 'ada' }).expect(409);
  });

  it('filters, sorts and pages the list', async () => {
    const group = `group-${randomUUID()}`;
    const started = [];
    for (const priority of [20, 80, 50]) started.push(await runtime.startInstance(processes.approval, { groups: [group], users: [], priority }));
    const ids = started.map((instance) => instance.userTask('approve').id);
    await eventually(() => http.get('/api/tasks').query({ candidateGroup: group }).then((response) => response.body), (page) => page.total === 3, 'three tasks');

    const page = await http.get('/api/tasks').query({ candidateGroup: group, sort: 'priority:desc', limit: 2, offset: 0 }).expect(200);

    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(page.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1], ids[2]]);
    const rest = await http.get('/api/tasks').query({ candidateGroup: group, sort: 'priority:desc', limit: 2, offset: 2 }).expect(200);
    expect(rest.body.items.map((item: { id: string }) => item.id)).toEqual([ids[0]]);
    expect((await http.get('/api/tasks').query({ candidateGroup: group, state: 'COMPLETED' }).expect(200)).body.total).toBe(0);
  });

  it('names the bad field of a request in a problem+json 400, and answers 404 for an unknown task', async () => {
    const problem = async (response: request.Response, field: string) => {
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.body).toMatchObject({ type: 'urn:trellis:problem:validation', status: 400 });
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    };

    await problem(await http.post('/api/tasks/some-task/claim').send({}).expect(400), 'userId');
    await problem(await http.post('/api/tasks/some-task/claim').send({ assignee: 7 }).expect(400), 'assignee');
    await problem(await http.post('/api/tasks/some-task/complete').send({ variables: ['approved'] }).expect(400), 'variables');
    await problem(await http.post('/api/tasks/some-task/complete').send({ variabels: {} }).expect(400), 'variabels');
    await problem(await http.get('/api/tasks').query({ sort: 'colour' }).expect(400), 'sort');
    await problem(await http.get('/api/tasks').query({ dueBefore: 'soon' }).expect(400), 'dueBefore');
    await problem(await http.get('/api/tasks').query({ unassigned: 'yes' }).expect(400), 'unassigned');
    await problem(await http.get('/api/tasks').query({ state: 'OPEN' }).expect(400), 'state');
    await problem(await http.get('/api/tasks').query({ limit: 0 }).expect(400), 'limit');

    const missing = await http.get('/api/tasks/no-such-task').expect(404);
    expect(missing.body).toMatchObject({ type: 'urn:trellis:problem:not-found', detail: 'No user task with id no-such-task', details: { taskId: 'no-such-task' } });
    await http.post('/api/tasks/no-such-task/complete').send({}).expect(404);
    await http.post('/api/tasks/no-such-task/unclaim').expect(404);
  });

  it('sends a malformed event to the dead-letter topic with the reason, and goes on with the next', async () => {
    const dead = new Collected<DeadLetterEnvelope>();
    subscriptions.push(
      await bus.subscribe({
        topics: topics.deadLetter,
        groupId: `task-service-e2e.dead.${randomUUID()}`,
        fromBeginning: true,
        decode: asDeadLetterEnvelope,
        deadLetterTopic: `${topics.deadLetter}.dead`,
        handler: dead.handler,
      }),
    );
    const marker = randomUUID();
    await bus.publish(topics.processInstanceEvents, [{ key: marker, value: JSON.stringify({ type: 'UserTaskCreated', marker }) }]);

    const instance = await runtime.startInstance(processes.approval, { groups: [], users: [], priority: 1 });
    await eventually(() => task(instance.userTask('approve').id), (body) => body.state === 'CREATED', 'the task after the malformed event');
    await dead.until((items) => items.some((item) => item.key === marker), 'the dead letter');

    expect(dead.items.find((item) => item.key === marker)).toMatchObject({
      reason: 'invalid-message',
      originalTopic: topics.processInstanceEvents,
      error: expect.stringContaining('eventId: is required'),
    });
  });

  it('is ready with its database, Kafka, its consumer and its outbox publisher, shows its pool and lag, and documents its API', async () => {
    const ready = await eventually(() => http.get('/health/ready'), (response) => response.status === 200, 'readiness');
    expect(ready.body.details).toMatchObject({
      [`postgres:${schema}`]: { status: 'up' },
      kafka: { status: 'up' },
      taskOutbox: { status: 'up', state: 'running' },
      taskConsumer: { status: 'up', state: 'consuming' },
    });

    const metrics = await http.get('/metrics').expect(200);
    expect(metrics.text).toContain(`trellis_db_pool_connections{pool="${schema}"}`);
    expect(metrics.text).toMatch(/trellis_kafka_consumer_lag_messages\{group="task-service-e2e\.[^"]+",topic="[^"]+process-instance-events\.v1"/);

    const openApi = await http.get('/docs-json').expect(200);
    expect(Object.keys(openApi.body.paths).sort()).toEqual([
      '/api/tasks',
      '/api/tasks/{id}',
      '/api/tasks/{id}/assign',
      '/api/tasks/{id}/candidate-groups',
      '/api/tasks/{id}/candidate-groups/{groupId}',
      '/api/tasks/{id}/candidate-users',
      '/api/tasks/{id}/candidate-users/{userId}',
      '/api/tasks/{id}/claim',
      '/api/tasks/{id}/comments',
      '/api/tasks/{id}/complete',
      '/api/tasks/{id}/delegate',
      '/api/tasks/{id}/history',
      '/api/tasks/{id}/resolve',
      '/api/tasks/{id}/unclaim',
    ]);
    expect(openApi.body.paths['/api/tasks/{id}/complete'].post.responses['202']).toBeDefined();
  });

  it('keeps its tasks across a restart and goes on from where it stopped', async () => {
    const before = await http.get('/api/tasks').query({ limit: 1000 }).expect(200);
    const open = await runtime.startInstance(processes.approval, { groups: ['restart'], users: [], priority: 1 });
    const openId = open.userTask('approve').id;
    await eventually(() => task(openId), (body) => body.state === 'CREATED', 'the task before the restart');

    await app.close();
    // While the service is down, the runtime goes on: a new task, and the open one completed elsewhere.
    const later = await runtime.startInstance(processes.approval, { groups: ['restart'], users: [], priority: 2 });
    await publishEvents(open.send({ type: 'CompleteUserTask', userTaskId: openId }));
    await startApp();

    await eventually(() => task(openId), (body) => body.state === 'COMPLETED', 'the completion made while it was down');
    await eventually(() => task(later.userTask('approve').id), (body) => body.state === 'CREATED', 'the task created while it was down');
    const after = await http.get('/api/tasks').query({ limit: 1000 }).expect(200);
    expect(after.body.total).toBe(before.body.total + 2);
    expect(new Set(after.body.items.map((item: { id: string }) => item.id)).size).toBe(after.body.total);
  });
});
