// Camunda 7's external-task API at /engine-rest/external-task, proven with Camunda's own JavaScript client
// (camunda-external-task-client-js 3.1.0) against the standalone server on a random port: handlers complete with
// variables, fail until an incident, throw a BPMN error a boundary event catches, and two clients share 2,000 tasks.
// The routes' shapes and Camunda's error bodies are checked over plain HTTP as well. Real time throughout (the client
// long-polls); nothing is timed: waits end when the server shows the outcome (or the test's timeout fails them).
import type { AddressInfo } from 'node:net';

import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { EventStore } from '@trellis/event-store';
import { EVENT_STORE } from '@trellis/platform';
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
