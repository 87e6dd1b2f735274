// Camunda 7's external-task API at /engine-rest/external-task, proven with Camunda's own JavaScript client
// (camunda-external-task-client-js 3.1.0) against the standalone server on a random port: handlers complete with
// variables, fail until an incident, throw a BPMN error a boundary event catches, and two clients share 2,000 tasks.
// The routes' shapes and Camunda's error bodies are checked over plain HTTP as well. Real time throughout (the client
// long-polls); nothing is timed: waits end when the server shows the outcome (or the test's timeout fails them).
import type { AddressInfo } from 'node:net';

import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventStore } from '@trellis/event-store';
import { EVENT_STORE, ManualClock } from '@trellis/platform';
import { processInstanceStream } from '@trellis/runtime';
import { Client, type Task, type TaskService, Variables } from 'camunda-external-task-client-js';
import request from 'supertest';

import { deploy, memoryApp, oneTaskBpmn } from './testing/e2e.fixture.js';

/**
 * A card is charged by the topic `charge` (a worker completes, fails or declines it); `CARD_DECLINED` is caught by a
 * boundary event, after which the topic `notify` tells the customer.
 */
const paymentBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="c7-client-payment" targetNamespace="http://example.org/c7-client">
  <bpmn:error id="declined-error" name="Card declined" errorCode="CARD_DECLINED" />
  <bpmn:process id="card-payment" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
    <bpmn:serviceTask id="charge" camunda:type="external" camunda:topic="charge" />
    <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="paid" />
    <bpmn:endEvent id="paid" />
    <bpmn:boundaryEvent id="declined" attachedToRef="charge"><bpmn:errorEventDefinition errorRef="declined-error" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="declined" targetRef="notify" />
    <bpmn:serviceTask id="notify" camunda:type="external" camunda:topic="notify" />
    <bpmn:sequenceFlow id="f4" sourceRef="notify" targetRef="told" />
    <bpmn:endEvent id="told" />
  </bpmn:process>
</bpmn:definitions>`;

type Http = ReturnType<typeof request>;

/** Asks `check` again (after a short pause) until it holds: the test's timeout ends a wait for what never comes. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('camunda-external-task-client-js against /engine-rest', () => {
  let app: INestApplication;
  let http: Http;
  let baseUrl: string;
  const clients: Client[] = [];
  beforeEach(async () => {
    app = await memoryApp();
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/engine-rest`;
    http = request(app.getHttpServer());
    await deploy(app, ['card-payment.bpmn', paymentBpmn], ['one-task.bpmn', oneTaskBpmn]).expect(201);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.stop();
    // Held long polls are answered (with nothing) as the server closes.
    await app.close();
  });

  const client = (workerId: string, options: { readonly maxTasks?: number } = {}): Client => {
    const created = new Client({ baseUrl, workerId, autoPoll: true, asyncResponseTimeout: 5_000, interval: 20, lockDuration: 300_000, ...options });
    clients.push(created);
    return created;
  };
  const start = async (processId: string, variables: Record<string, unknown> = {}): Promise<string> =>
    (await http.post('/api/process-instances').send({ processId, variables }).expect(201)).body.id;
  const historicState = async (id: string): Promise<string> => (await http.get(`/engine-rest/history/process-instance/${id}`).expect(200)).body.state;
  /** The element ids of the instance in the order their element instances completed (or were terminated: `~id`). */
  const path = async (id: string): Promise<string[]> => {
    const elementOf = new Map<string, string>();
    const walked: string[] = [];
    for (const event of await app.get<EventStore>(EVENT_STORE).readStream(processInstanceStream(id))) {
      const data = event.data as { elementInstanceId?: string; elementId?: string };
      if (event.type === 'ElementActivating' && data.elementInstanceId !== undefined && data.elementId !== undefined) elementOf.set(data.elementInstanceId, data.elementId);
      if (event.type === 'ElementCompleted') walked.push(elementOf.get(data.elementInstanceId ?? '') ?? '?');
      if (event.type === 'ElementTerminated') walked.push(`~${elementOf.get(data.elementInstanceId ?? '') ?? '?'}`);
    }
    return walked;
  };

  it('completes with variables, fails with retries until an incident, and throws a BPMN error the boundary event catches', async () => {
    const paid = await start('card-payment', { outcome: 'pay', amount: 42.5 });
    const failing = await start('card-payment', { outcome: 'fail', amount: 10 });
    const declined = await start('card-payment', { outcome: 'decline', amount: 99 });

    /** What the failing task looked like each time it was handed out: its retries and the details of the last failure. */
    const attempts: { retries: number | null; errorDetails: string | null }[] = [];
    const charge = async ({ task, taskService }: { task: Task; taskService: TaskService }): Promise<void> => {
      const amount = task.variables.get('amount') as number;
      switch (task.variables.get('outcome')) {
        case 'pay':
          await taskService.complete(task, new Variables().set('receipt', `R-${amount}`).set('charge', { amount, currency: 'EUR' }));
          break;
        case 'fail':
          attempts.push({ retries: task.retries, errorDetails: task.errorDetails });
          await taskService.handleFailure(task, {
            errorMessage: 'Card service unreachable',
            errorDetails: `attempt ${attempts.length}`,
            retries: (task.retries ?? 3) - 1,
            retryTimeout: 0,
          });
          break;
        default:
          await taskService.handleBpmnError(task, 'CARD_DECLINED', 'Insufficient funds', new Variables().set('reason', 'insufficient funds'));
      }
    };
    const worker = client('payment-worker');
    worker.subscribe('charge', { variables: ['outcome', 'amount'] }, charge);
    worker.subscribe('notify', async ({ task, taskService }) => taskService.complete(task, new Variables().set('notified', task.variables.get('reason'))));

    await eventually(async () => (await historicState(paid)) === 'COMPLETED' && (await historicState(declined)) === 'COMPLETED');
    await eventually(async () => (await http.get('/engine-rest/incident').query({ processInstanceId: failing }).expect(200)).body.length === 1);

    // Completed with the worker's variables (a JSON object from the client arrives as an object) on the model's path.
    expect(await path(paid)).toEqual(['start', 'charge', 'paid']);
    expect((await http.get(`/api/process-instances/${paid}`).expect(200)).body.variables).toEqual({
      outcome: 'pay',
      amount: 42.5,
      receipt: 'R-42.5',
      charge: { amount: 42.5, currency: 'EUR' },
    });

    // Handed out again after each failure with one retry fewer and the last failure's details; at 0 an incident.
    expect(attempts).toEqual([
      { retries: 3, errorDetails: null },
      { retries: 2, errorDetails: 'attempt 1' },
      { retries: 1, errorDetails: 'attempt 2' },
    ]);
    const [incident] = (await http.get('/engine-rest/incident').query({ processInstanceId: failing }).expect(200)).body;
    expect(incident).toEqual(expect.objectContaining({ incidentType: 'failedJob', incidentMessage: 'Card service unreachable', activityId: 'charge' }));
    const [stuck] = (await http.get('/engine-rest/external-task').query({ processInstanceId: failing }).expect(200)).body;
    expect(stuck).toEqual(expect.objectContaining({ activityId: 'charge', topicName: 'charge', retries: 0, errorMessage: 'Card service unreachable', workerId: null }));
    const details = await http.get(`/engine-rest/external-task/${stuck.id}/errorDetails`).expect(200);
    expect(details.text).toBe('attempt 3');
    expect(await historicState(failing)).toBe('ACTIVE');

    // The BPMN error ended the charge through the boundary event; the notification got the error's variable.
    expect(await path(declined)).toEqual(['start', '~charge', 'declined', 'notify', 'told']);
    expect((await http.get(`/api/process-instances/${declined}`).expect(200)).body.variables).toEqual(
      expect.objectContaining({ reason: 'insufficient funds', notified: 'insufficient funds' }),
    );
  }, 120_000);

  it('shares 2,000 tasks between two clients of one topic: each completed exactly once, none lost, both got work', async () => {
    const total = 2_000;
    const handedTo = new Map<string, string[]>();
    const completed = new Map<string, number>();
    const work =
      (workerId: string) =>
      async ({ task, taskService }: { task: Task; taskService: TaskService }): Promise<void> => {
        handedTo.set(task.id, [...(handedTo.get(task.id) ?? []), workerId]);
        await taskService.complete(task);
        completed.set(task.id, (completed.get(task.id) ?? 0) + 1);
      };
    client('worker-a', { maxTasks: 20 }).subscribe('work', work('worker-a'));
    client('worker-b', { maxTasks: 20 }).subscribe('work', work('worker-b'));

    const instances: string[] = [];
    for (let started = 0; started < total; started += 50) {
      instances.push(...(await Promise.all(Array.from({ length: 50 }, () => start('one-task')))));
    }
    await eventually(async () => completed.size === total && (await http.get('/engine-rest/external-task/count').expect(200)).body.count === 0);

    expect([...handedTo.values()].filter((workers) => workers.length !== 1)).toEqual([]);
    expect([...completed.values()].every((times) => times === 1)).toBe(true);
    const byWorker = (workerId: string): number => [...handedTo.values()].filter(([first]) => first === workerId).length;
    expect(byWorker('worker-a') + byWorker('worker-b')).toBe(total);
    expect(byWorker('worker-a')).toBeGreaterThan(0);
    expect(byWorker('worker-b')).toBeGreaterThan(0);
    const finished = (await http.get('/engine-rest/history/process-instance/count').query({ processDefinitionKey: 'one-task', finished: true }).expect(200)).body;
    expect(finished).toEqual({ count: total });
    expect(new Set(instances).size).toBe(total);
  }, 600_000);
});

describe('/engine-rest/external-task over HTTP (test clock)', () => {
  let app: INestApplication;
  let http: Http;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock('2026-03-01T08:00:00.000Z');
    app = await memoryApp({ clock });
    http = request(app.getHttpServer());
    await deploy(app, ['card-payment.bpmn', paymentBpmn], ['one-task.bpmn', oneTaskBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  const start = async (processId: string, variables: Record<string, unknown> = {}, businessKey?: string): Promise<string> =>
    (await http.post('/api/process-instances').send({ processId, variables, ...(businessKey === undefined ? {} : { businessKey }) }).expect(201)).body.id;
  const fetchAndLock = (workerId: string, topic: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): request.Test =>
    http.post('/engine-rest/external-task/fetchAndLock').send({ workerId, maxTasks: 10, topics: [{ topicName: 'charge', lockDuration: 60_000, ...topic }], ...extra });

  it('hands out a task as Camunda’s LockedExternalTaskDto, typed variables, exactly application/json', async () => {
    const id = await start('card-payment', { amount: 42.5, outcome: 'pay', card: { last4: '4242' } }, 'order-7');
    const response = await fetchAndLock('worker-1', { includeExtensionProperties: true }, { usePriority: true }).expect(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.body).toEqual([
      {
        activityId: 'charge',
        activityInstanceId: expect.stringMatching(/^charge:/),
        errorMessage: null,
        errorDetails: null,
        executionId: expect.any(String),
        id: expect.any(String),
        lockExpirationTime: '2026-03-01T08:01:00.000+0000',
        createTime: '2026-03-01T08:00:00.000+0000',
        processDefinitionId: expect.any(String),
        processDefinitionKey: 'card-payment',
        processDefinitionVersionTag: null,
        processInstanceId: id,
        retries: 3,
        workerId: 'worker-1',
        topicName: 'charge',
        tenantId: null,
        variables: {
          amount: { type: 'Double', value: 42.5, valueInfo: {} },
          outcome: { type: 'String', value: 'pay', valueInfo: {} },
          card: { type: 'Json', value: '{"last4":"4242"}', valueInfo: {} },
        },
        priority: 0,
        businessKey: 'order-7',
        extensionProperties: {},
      },
    ]);
    const [task] = response.body;
    expect(Object.keys(task)).toEqual([
      'activityId', 'activityInstanceId', 'errorMessage', 'errorDetails', 'executionId', 'id', 'lockExpirationTime', 'createTime', 'processDefinitionId',
      'processDefinitionKey', 'processDefinitionVersionTag', 'processInstanceId', 'retries', 'workerId', 'topicName', 'tenantId', 'variables', 'priority',
      'businessKey', 'extensionProperties',
    ]);
    expect(task.executionId).toBe(task.activityInstanceId.slice('charge:'.length));
    // No failure yet: no details.
    await http.get(`/engine-rest/external-task/${task.id}/errorDetails`).expect(204);

    const single = await http.get(`/engine-rest/external-task/${task.id}`).expect(200);
    expect(single.headers['content-type']).toBe('application/json');
    expect(single.body).toEqual({
      activityId: 'charge',
      activityInstanceId: task.activityInstanceId,
      errorMessage: null,
      executionId: task.executionId,
      id: task.id,
      lockExpirationTime: '2026-03-01T08:01:00.000+0000',
      createTime: '2026-03-01T08:00:00.000+0000',
      processDefinitionId: task.processDefinitionId,
      processDefinitionKey: 'card-payment',
      processDefinitionVersionTag: null,
      processInstanceId: id,
      retries: 3,
      suspended: false,
      workerId: 'worker-1',
      topicName: 'charge',
      tenantId: null,
      priority: 0,
      businessKey: 'order-7',
    });
  });

  it('fetches only the variables asked for and only tasks whose topic filters hold; tenants and version tags match none', async () => {
    const first = await start('card-payment', { amount: 1, outcome: 'pay' }, 'order-1');
    await start('card-payment', { amount: 2, outcome: 'fail' }, 'order-2');
    const fetched = async (topic: Record<string, unknown>): Promise<string[]> => {
      const tasks = (await fetchAndLock('worker-1', topic).expect(200)).body as { id: string; processInstanceId: string }[];
      // Unlocked again so that the next question sees every task.
      for (const task of tasks) await http.post(`/engine-rest/external-task/${task.id}/unlock`).expect(204);
      return tasks.map((task) => task.processInstanceId);
    };
    expect(await fetched({ businessKey: 'order-1' })).toEqual([first]);
    expect(await fetched({ processVariables: { outcome: 'pay' } })).toEqual([first]);
    expect(await fetched({ processDefinitionKeyIn: ['card-payment'] })).toHaveLength(2);
    expect(await fetched({ processDefinitionKey: 'one-task' })).toEqual([]);
    expect(await fetched({ tenantIdIn: ['tenant-a'] })).toEqual([]);
    expect(await fetched({ withoutTenantId: true })).toHaveLength(2);
    expect(await fetched({ processDefinitionVersionTag: '1.0' })).toEqual([]);

    const [task] = (await fetchAndLock('worker-1', { businessKey: 'order-1', variables: ['amount'], deserializeValues: true }).expect(200)).body;
    expect(task.variables).toEqual({ amount: { type: 'Integer', value: 1, valueInfo: {} } });
  });

  it('completes with typed variables and local variables; refuses another worker’s report as Camunda does', async () => {
    const id = await start('card-payment', { amount: 5, outcome: 'pay' });
    const [task] = (await fetchAndLock('worker-1').expect(200)).body;

    const refused = await http.post(`/engine-rest/external-task/${task.id}/complete`).send({ workerId: 'worker-2' }).expect(400);
    expect(refused.headers['content-type']).toBe('application/json');
    expect(refused.body).toEqual({ type: 'RestException', message: `External Task ${task.id} cannot be completed by worker 'worker-2'. It is locked by worker 'worker-1'.` });
    expect((await http.post(`/engine-rest/external-task/${task.id}/failure`).send({ workerId: 'worker-2', retries: 1 }).expect(400)).body.message).toBe(
      `Failure of External Task ${task.id} cannot be reported by worker 'worker-2'. It is locked by worker 'worker-1'.`,
    );
    expect((await http.post(`/engine-rest/external-task/${task.id}/bpmnError`).send({ workerId: 'worker-2', errorCode: 'CARD_DECLINED' }).expect(400)).body.message).toBe(
      `Bpmn error of External Task ${task.id} cannot be reported by worker 'worker-2'. It is locked by worker 'worker-1'.`,
    );
    expect((await http.post(`/engine-rest/external-task/${task.id}/lock`).send({ workerId: 'worker-2', lockDuration: 1_000 }).expect(400)).body.message).toBe(
      `External Task ${task.id} cannot be locked by worker 'worker-2'. It is locked by worker 'worker-1'.`,
    );

    await http
      .post(`/engine-rest/external-task/${task.id}/complete`)
      .send({ workerId: 'worker-1', variables: { receipt: { value: 'R-5', type: 'String' }, total: { value: '5', type: 'Long' } }, localVariables: { attempt: { value: 1, type: 'Integer' } } })
      .expect(204);
    const instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(instance.state).toBe('COMPLETED');
    expect(instance.variables).toEqual({ amount: 5, outcome: 'pay', receipt: 'R-5', total: 5 });
    expect((await http.get(`/engine-rest/external-task/${task.id}`).expect(404)).body).toEqual({ type: 'RestException', message: `External task with id ${task.id} does not exist` });
  });

  it('takes a failure as Camunda does: retries and retryTimeout absent are 0 (an incident), retryTimeout 0 offers it again at once', async () => {
    await start('card-payment', { amount: 5, outcome: 'fail' });
    const [task] = (await fetchAndLock('worker-1').expect(200)).body;
    await http.post(`/engine-rest/external-task/${task.id}/failure`).send({ workerId: 'worker-1', errorMessage: 'down', errorDetails: 'trace 1', retries: 2, retryTimeout: 0 }).expect(204);
    const [again] = (await fetchAndLock('worker-2').expect(200)).body;
    expect(again).toEqual(expect.objectContaining({ id: task.id, retries: 2, errorMessage: 'down', errorDetails: 'trace 1', workerId: 'worker-2' }));

    await http.post(`/engine-rest/external-task/${task.id}/failure`).send({ workerId: 'worker-2', retries: 1, retryTimeout: 30_000 }).expect(204);
    expect((await fetchAndLock('worker-2').expect(200)).body).toEqual([]);
    clock.advance(30_000);
    expect((await fetchAndLock('worker-2').expect(200)).body).toEqual([expect.objectContaining({ id: task.id, retries: 1 })]);

    await http.post(`/engine-rest/external-task/${task.id}/failure`).send({ workerId: 'worker-2', errorMessage: 'gave up' }).expect(204);
    expect((await http.get('/engine-rest/incident').expect(200)).body).toEqual([expect.objectContaining({ incidentType: 'failedJob', incidentMessage: 'gave up' })]);
    expect((await http.get('/engine-rest/external-task').query({ noRetriesLeft: true }).expect(200)).body).toEqual([expect.objectContaining({ id: task.id, retries: 0 })]);
    expect((await http.get(`/engine-rest/external-task/${task.id}/errorDetails`).expect(200)).text).toBe('trace 1');

    // Retries given back resolve the incident: the task is offered again.
    await http.put(`/engine-rest/external-task/${task.id}/retries`).send({ retries: 2 }).expect(204);
    expect((await http.get('/engine-rest/incident').expect(200)).body).toEqual([]);
    expect((await fetchAndLock('worker-3').expect(200)).body).toEqual([expect.objectContaining({ id: task.id, retries: 2 })]);
    expect((await http.put(`/engine-rest/external-task/${task.id}/retries`).send({}).expect(400)).body).toEqual({ type: 'RestException', message: 'The number of retries cannot be null.' });
  });

  it('throws a BPMN error with variables: the boundary event catches it and the notification task is next', async () => {
    const id = await start('card-payment', { amount: 5, outcome: 'decline' });
    const [task] = (await fetchAndLock('worker-1').expect(200)).body;
    await http
      .post(`/engine-rest/external-task/${task.id}/bpmnError`)
      .send({ workerId: 'worker-1', errorCode: 'CARD_DECLINED', errorMessage: 'no funds', variables: { reason: { value: 'no funds', type: 'String' } } })
      .expect(204);
    const [notify] = (await fetchAndLock('worker-1', { topicName: 'notify' }).expect(200)).body;
    expect(notify).toEqual(expect.objectContaining({ activityId: 'notify', processInstanceId: id, variables: expect.objectContaining({ reason: { type: 'String', value: 'no funds', valueInfo: {} } }) }));
  });

  it('extends, locks and unlocks; a lock that expired cannot be extended', async () => {
    await start('card-payment', { amount: 5, outcome: 'pay' });
    const [task] = (await fetchAndLock('worker-1').expect(200)).body;
    await http.post(`/engine-rest/external-task/${task.id}/extendLock`).send({ workerId: 'worker-1', newDuration: 120_000 }).expect(204);
    expect((await http.get(`/engine-rest/external-task/${task.id}`).expect(200)).body.lockExpirationTime).toBe('2026-03-01T08:02:00.000+0000');
    expect((await http.post(`/engine-rest/external-task/${task.id}/extendLock`).send({ workerId: 'worker-2', newDuration: 1_000 }).expect(400)).body).toEqual({
      type: 'RestException',
      message: `The lock of the External Task ${task.id} cannot be extended by worker 'worker-2'. It is locked by worker 'worker-1'.`,
    });
    clock.advance(120_000);
    expect((await http.post(`/engine-rest/external-task/${task.id}/extendLock`).send({ workerId: 'worker-1', newDuration: 1_000 }).expect(400)).body).toEqual({
      type: 'RestException',
      message: 'Cannot extend a lock that expired',
    });

    await http.post(`/engine-rest/external-task/${task.id}/lock`).send({ workerId: 'worker-2', lockDuration: 10_000 }).expect(204);
    expect((await http.get(`/engine-rest/external-task/${task.id}`).expect(200)).body).toEqual(expect.objectContaining({ workerId: 'worker-2', lockExpirationTime: '2026-03-01T08:02:10.000+0000' }));
    expect((await fetchAndLock('worker-1').expect(200)).body).toEqual([]);
    // The client posts unlock without a body.
    await http.post(`/engine-rest/external-task/${task.id}/unlock`).expect(204);
    expect((await fetchAndLock('worker-1').expect(200)).body).toEqual([expect.objectContaining({ id: task.id })]);
  });

  it('lists and counts with Camunda’s filters, sorting and paging', async () => {
    const ids: string[] = [];
    for (const amount of [1, 2, 3]) {
      ids.push(await start('card-payment', { amount, outcome: 'pay' }));
      clock.advance(1_000);
    }
    await start('one-task');
    const [locked] = (await fetchAndLock('worker-1', {}, { maxTasks: 1 }).expect(200)).body;
    const list = async (query: Record<string, unknown>): Promise<string[]> =>
      ((await http.get('/engine-rest/external-task').query(query).expect(200)).body as { processInstanceId: string }[]).map((task) => task.processInstanceId);

    expect(await list({ topicName: 'charge' })).toHaveLength(3);
    expect(await list({ locked: true })).toEqual([locked.processInstanceId]);
    expect(await list({ workerId: 'worker-1' })).toEqual([locked.processInstanceId]);
    expect(await list({ notLocked: true, topicName: 'charge' })).toHaveLength(2);
    expect(await list({ externalTaskId: locked.id })).toEqual([locked.processInstanceId]);
    expect(await list({ processInstanceId: ids[2] })).toEqual([ids[2]]);
    expect(await list({ activityId: 'work' })).toHaveLength(1);
    expect(await list({ processDefinitionId: locked.processDefinitionId })).toHaveLength(3);
    expect(await list({ withRetriesLeft: true })).toHaveLength(4);
    expect(await list({ priorityHigherThanOrEquals: 1 })).toEqual([]);
    expect(await list({ priorityLowerThanOrEquals: 0 })).toHaveLength(4);
    expect(await list({ topicName: 'charge', sortBy: 'createTime', sortOrder: 'desc' })).toEqual([ids[2], ids[1], ids[0]]);
    expect(await list({ topicName: 'charge', sortBy: 'createTime', sortOrder: 'asc', firstResult: 1, maxResults: 1 })).toEqual([ids[1]]);
    expect((await http.get('/engine-rest/external-task/count').query({ topicName: 'charge', notLocked: true }).expect(200)).body).toEqual({ count: 2 });
    // The POST form: the same filters in a JSON body, sorting as a list, paging in the query string.
    const posted = await http
      .post('/engine-rest/external-task')
      .query({ maxResults: 2 })
      .send({ topicName: 'charge', notLocked: false, processInstanceIdIn: ids, sorting: [{ sortBy: 'createTime', sortOrder: 'desc' }] })
      .expect(200);
    expect(posted.body.map((task: { processInstanceId: string }) => task.processInstanceId)).toEqual([ids[2], ids[1]]);
    expect((await http.post('/engine-rest/external-task/count').send({ locked: true }).expect(200)).body).toEqual({ count: 1 });
    expect((await http.get('/engine-rest/external-task/topic-names').expect(200)).body).toEqual(['charge', 'work']);
    expect((await http.get('/engine-rest/external-task/topic-names').query({ withLockedTasks: true }).expect(200)).body).toEqual(['charge']);
    expect((await http.get('/engine-rest/external-task').query({ sortBy: 'createTime' }).expect(400)).body).toEqual({
      type: 'InvalidRequestException',
      message: 'Only a single sorting parameter specified. sortBy and sortOrder required',
    });
  });

  it('refuses bad fetch-and-lock requests and unknown tasks with Camunda’s error bodies', async () => {
    expect((await http.post('/engine-rest/external-task/fetchAndLock').send({ maxTasks: 1, topics: [] }).expect(400)).body).toEqual({
      type: 'InvalidRequestException',
      message: 'workerId is null',
    });
    expect((await fetchAndLock('worker-1', {}, { asyncResponseTimeout: 1_800_001 }).expect(400)).body).toEqual({
      type: 'InvalidRequestException',
      message: 'The asynchronous response timeout cannot be set to a value greater than 1800000 milliseconds',
    });
    expect((await fetchAndLock('worker-1', { lockDuration: 0 }).expect(400)).body).toEqual({ type: 'InvalidRequestException', message: 'lockDuration is not greater than 0' });
    const missing = await http.post('/engine-rest/external-task/no-such-task/complete').send({ workerId: 'worker-1' }).expect(404);
    expect(missing.headers['content-type']).toBe('application/json');
    expect(missing.body).toEqual({ type: 'RestException', message: 'External task with id no-such-task does not exist' });
    expect((await http.get('/engine-rest/external-task/no-such-task/errorDetails').expect(404)).body.type).toBe('RestException');
  });

  it('answers a long poll as soon as a task is created', async () => {
    const polled = fetchAndLock('worker-1', {}, { asyncResponseTimeout: 60_000 }).then((response) => response);
    // The request is held until the task exists.
    await eventually(async () => (await http.get('/api/workers').expect(200)).body.some((worker: { workerId: string; waiting: boolean }) => worker.workerId === 'worker-1' && worker.waiting));
    const id = await start('card-payment', { amount: 5, outcome: 'pay' });
    const response = await polled;
    expect(response.status).toBe(200);
    expect(response.body).toEqual([expect.objectContaining({ processInstanceId: id, workerId: 'worker-1' })]);
  });
});
