// External tasks over the API (Camunda 7's fetch-and-lock pattern on the runtime's jobs): a test clock (ManualClock)
// is moved for lock expiry and retry timeouts; long polling is measured in wall time.
import { readFileSync } from 'node:fs';

import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@trellis/platform';
import request from 'supertest';

import { deploy, memoryApp, oneTaskBpmn } from './testing/e2e.fixture.js';

const paymentBpmn = readFileSync(new URL('../../../examples/external-task-payment.bpmn', import.meta.url), 'utf8');

interface LockedTask {
  readonly id: string;
  readonly topicName: string;
  readonly workerId: string;
  readonly lockExpirationTime: string;
  readonly retries: number;
  readonly processInstanceId: string;
  readonly variables: Record<string, unknown>;
}

describe('external tasks', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock('2026-03-01T08:00:00.000Z');
    app = await memoryApp({ clock });
    http = request(app.getHttpServer());
    await deploy(app, ['external-task-payment.bpmn', paymentBpmn], ['one-task.bpmn', oneTaskBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  const startPayment = async (variables: Record<string, unknown> = { amount: 42.5 }): Promise<string> =>
    (await http.post('/api/process-instances').send({ processId: 'external-task-payment', businessKey: 'order-1', variables }).expect(201)).body.id;

  const fetch = async (workerId: string, topicName = 'payment', extra: Record<string, unknown> = {}): Promise<LockedTask[]> =>
    (await http.post('/api/external-tasks/fetch-and-lock').send({ workerId, maxTasks: 10, topics: [{ topicName, lockDuration: 60_000 }], ...extra }).expect(200))
      .body;

  it('hands a task to one worker with its variables, lists it as locked, and lets only that worker complete it', async () => {
    const instanceId = await startPayment();

    const [task, ...more] = await fetch('worker-1');
    expect(more).toEqual([]);
    expect(task).toEqual(
      expect.objectContaining({
        topicName: 'payment',
        workerId: 'worker-1',
        lockExpirationTime: '2026-03-01T08:01:00.000Z',
        retries: 3,
        processInstanceId: instanceId,
        processId: 'external-task-payment',
        businessKey: 'order-1',
        elementId: 'charge-card',
        variables: { amount: 42.5 },
      }),
    );
    // Locked: another worker gets nothing.
    expect(await fetch('worker-2')).toEqual([]);
    expect((await http.get('/api/external-tasks').query({ locked: true }).expect(200)).body).toEqual([
      expect.objectContaining({ id: task?.id, workerId: 'worker-1', lockExpirationTime: '2026-03-01T08:01:00.000Z' }),
    ]);
    expect((await http.get('/api/external-tasks').query({ notLocked: true }).expect(200)).body).toEqual([]);
    expect((await http.get('/api/external-tasks/count').query({ topicName: 'payment', workerId: 'worker-1' }).expect(200)).body).toEqual({ count: 1 });

    const refused = await http.post(`/api/external-tasks/${task?.id}/complete`).send({ workerId: 'worker-2' }).expect(400);
    expect(refused.body).toEqual(
      expect.objectContaining({
        detail: expect.stringContaining("locked by worker 'worker-1', not by 'worker-2'"),
        details: { externalTaskId: task?.id, workerId: 'worker-2' },
      }),
    );

    const completed = await http.post(`/api/external-tasks/${task?.id}/complete`).send({ workerId: 'worker-1', variables: { paid: true } }).expect(200);
    expect(completed.body).toEqual(expect.objectContaining({ id: instanceId, state: 'COMPLETED', variables: { amount: 42.5, paid: true } }));
    const gone = await http.post(`/api/external-tasks/${task?.id}/complete`).send({ workerId: 'worker-1' }).expect(404);
    expect(gone.body).toEqual(expect.objectContaining({ type: 'urn:trellis:problem:not-found', details: { externalTaskId: task?.id } }));
  });

  it('fetches only the variables asked for, and only tasks whose filters hold', async () => {
    await startPayment({ amount: 10, currency: 'EUR' });
    const fetchWith = (topic: Record<string, unknown>) =>
      http.post('/api/external-tasks/fetch-and-lock').send({ workerId: 'w', maxTasks: 1, topics: [{ topicName: 'payment', lockDuration: 1000, ...topic }] }).expect(200);
    expect((await fetchWith({ processVariables: { currency: 'USD' } })).body).toEqual([]);
    expect((await fetchWith({ businessKey: 'order-2' })).body).toEqual([]);
    expect((await fetchWith({ tenantIdIn: ['tenant-a'] })).body).toEqual([]);
    const [task] = (await fetchWith({ processVariables: { currency: 'EUR' }, processDefinitionKey: 'external-task-payment', variables: ['currency'] })).body;
    expect(task).toEqual(expect.objectContaining({ variables: { currency: 'EUR' } }));
  });

  it('offers a failed task again after its retryTimeout, keeps its error details, and raises an incident at 0 retries that setting retries resolves', async () => {
    const instanceId = await startPayment();
    const [task] = await fetch('worker-1');
    await http
      .post(`/api/external-tasks/${task?.id}/failure`)
      .send({ workerId: 'worker-1', errorMessage: 'Payment service unreachable', errorDetails: 'ECONNREFUSED 10.0.0.7:443', retries: 2, retryTimeout: 5_000 })
      .expect(200);

    // Unlocked, but not before its timeout is over.
    expect(await fetch('worker-2')).toEqual([]);
    clock.advance(5_000);
    const [again] = await fetch('worker-2');
    expect(again).toEqual(expect.objectContaining({ id: task?.id, retries: 2, errorMessage: 'Payment service unreachable', workerId: 'worker-2' }));
    expect((await http.get(`/api/external-tasks/${task?.id}/error-details`).expect(200)).body).toEqual({ errorDetails: 'ECONNREFUSED 10.0.0.7:443' });

    const failed = await http.post(`/api/external-tasks/${task?.id}/failure`).send({ workerId: 'worker-2', errorMessage: 'Card processor down', retries: 0 }).expect(200);
    expect(failed.body.incidents).toEqual([expect.objectContaining({ type: 'JOB_NO_RETRIES', message: 'Card processor down', elementId: 'charge-card', jobId: task?.id })]);
    expect((await http.get('/api/incidents').query({ processInstanceId: instanceId }).expect(200)).body).toEqual([
      expect.objectContaining({ type: 'JOB_NO_RETRIES', jobId: task?.id }),
    ]);
    expect((await http.get('/api/external-tasks').query({ noRetriesLeft: true }).expect(200)).body).toEqual([expect.objectContaining({ id: task?.id, retries: 0 })]);
    expect((await http.get('/api/external-tasks/count').query({ withRetriesLeft: true }).expect(200)).body).toEqual({ count: 0 });
    expect(await fetch('worker-1')).toEqual([]);

    const resolved = await http.put(`/api/external-tasks/${task?.id}/retries`).send({ retries: 1 }).expect(200);
    expect(resolved.body.incidents).toEqual([]);
    const [third] = await fetch('worker-1');
    expect(third).toEqual(expect.objectContaining({ id: task?.id, retries: 1 }));
  });

  it('offers a task failed with retryTimeout 0 again at once, although the model has a failedJobRetryTimeCycle (R3/PT10S)', async () => {
    await startPayment();
    const [task] = await fetch('worker-1');
    await http.post(`/api/external-tasks/${task?.id}/failure`).send({ workerId: 'worker-1', errorMessage: 'timeout', retries: 2, retryTimeout: 0 }).expect(200);
    expect(await fetch('worker-2')).toEqual([expect.objectContaining({ id: task?.id, retries: 2, workerId: 'worker-2' })]);
  });

  it('spends one retry and waits the model’s failedJobRetryTimeCycle (R3/PT10S) when the worker passes no retries', async () => {
    await startPayment();
    const [task] = await fetch('worker-1');
    await http.post(`/api/external-tasks/${task?.id}/failure`).send({ workerId: 'worker-1', errorMessage: 'timeout' }).expect(200);
    clock.advance(9_999);
    expect(await fetch('worker-1')).toEqual([]);
    clock.advance(1);
    expect(await fetch('worker-1')).toEqual([expect.objectContaining({ id: task?.id, retries: 2 })]);
  });

  it('throws a BPMN error caught by the boundary event: the instance goes on to the notification task', async () => {
    const instanceId = await startPayment();
    const [task] = await fetch('worker-1');
    const caught = await http
      .post(`/api/external-tasks/${task?.id}/bpmn-error`)
      .send({ workerId: 'worker-1', errorCode: 'CARD_DECLINED', errorMessage: 'Insufficient funds', variables: { reason: 'funds' } })
      .expect(200);
    expect(caught.body.incidents).toEqual([]);
    expect(caught.body.activeElementInstances).toEqual([expect.objectContaining({ elementId: 'notify-customer' })]);
    expect((await http.get('/api/external-tasks').query({ topicName: 'payment' }).expect(200)).body).toEqual([]);
    const [notify] = await fetch('mailer', 'notification');
    expect(notify).toEqual(expect.objectContaining({ processInstanceId: instanceId, elementId: 'notify-customer', variables: expect.objectContaining({ reason: 'funds' }) }));
    const done = await http.post(`/api/external-tasks/${notify?.id}/complete`).send({ workerId: 'mailer' }).expect(200);
    expect(done.body.state).toBe('COMPLETED');
  });

  it('lets a second worker take a task whose lock expired, and refuses the first one’s completion and lock extension', async () => {
    const instanceId = await startPayment();
    const [task] = (
      await http.post('/api/external-tasks/fetch-and-lock').send({ workerId: 'slow', maxTasks: 1, topics: [{ topicName: 'payment', lockDuration: 1_000 }] }).expect(200)
    ).body as LockedTask[];
    await http.post(`/api/external-tasks/${task?.id}/extend-lock`).send({ workerId: 'slow', newDuration: 2_000 }).expect(200);
    clock.advance(2_000);

    const [taken] = await fetch('fast');
    expect(taken).toEqual(expect.objectContaining({ id: task?.id, workerId: 'fast' }));
    const refused = await http.post(`/api/external-tasks/${task?.id}/complete`).send({ workerId: 'slow', variables: { paid: 'twice' } }).expect(400);
    expect(refused.body.detail).toContain("locked by worker 'fast', not by 'slow'");
    await http.post(`/api/external-tasks/${task?.id}/extend-lock`).send({ workerId: 'slow', newDuration: 60_000 }).expect(400);

    clock.advance(60_000);
    const expired = await http.post(`/api/external-tasks/${task?.id}/complete`).send({ workerId: 'fast' }).expect(400);
    expect(expired.body.detail).toContain("The lock of worker 'fast'");
    expect(expired.body.detail).toContain('expired');
    await http.post(`/api/external-tasks/${task?.id}/lock`).send({ workerId: 'fast', lockDuration: 10_000 }).expect(200);
    await http.post(`/api/external-tasks/${task?.id}/lock`).send({ workerId: 'slow', lockDuration: 10_000 }).expect(400);
    const completed = await http.post(`/api/external-tasks/${task?.id}/complete`).send({ workerId: 'fast' }).expect(200);
    expect(completed.body).toEqual(expect.objectContaining({ id: instanceId, state: 'COMPLETED', variables: { amount: 42.5 } }));
  });

  it('unlocks a task so that another worker may fetch it at once', async () => {
    await startPayment();
    const [task] = await fetch('worker-1');
    await http.post(`/api/external-tasks/${task?.id}/unlock`).expect(204);
    expect(await fetch('worker-2')).toEqual([expect.objectContaining({ id: task?.id, workerId: 'worker-2' })]);
  });

  it('answers a long poll as soon as a task is created during the wait, and with [] when the time runs out', async () => {
    const waiting = http
      .post('/api/external-tasks/fetch-and-lock')
      .send({ workerId: 'poller', maxTasks: 5, asyncResponseTimeout: 10_000, topics: [{ topicName: 'payment', lockDuration: 60_000 }] })
      .then((response) => ({ response, at: performance.now() }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const workers = (await http.get('/api/workers').expect(200)).body;
    expect(workers).toEqual([expect.objectContaining({ workerId: 'poller', topics: ['payment'], waiting: true, healthy: true, tasksHeld: 0 })]);

    const instanceId = await startPayment();
    // The start is answered once its job exists: the held poll is answered within 50 ms of that (woken, not polling).
    const startAnsweredAt = performance.now();
    const { response, at } = await waiting;
    expect(response.status).toBe(200);
    expect(response.body).toEqual([expect.objectContaining({ processInstanceId: instanceId, workerId: 'poller' })]);
    expect(at - startAnsweredAt).toBeLessThan(50);

    const emptyStarted = performance.now();
    const empty = await http
      .post('/api/external-tasks/fetch-and-lock')
      .send({ workerId: 'poller', maxTasks: 5, asyncResponseTimeout: 300, topics: [{ topicName: 'payment', lockDuration: 60_000 }] })
      .expect(200);
    expect(empty.body).toEqual([]);
    expect(performance.now() - emptyStarted).toBeGreaterThanOrEqual(290);
  });

  it('lists the workers that polled, the tasks they hold, and marks a silent one unhealthy', async () => {
    await startPayment();
    await fetch('worker-1');
    await fetch('mailer', 'notification');
    expect((await http.get('/api/workers').expect(200)).body).toEqual([
      { workerId: 'mailer', topics: ['notification'], lastPollAt: '2026-03-01T08:00:00.000Z', tasksHeld: 0, waiting: false, healthy: true },
      { workerId: 'worker-1', topics: ['payment'], lastPollAt: '2026-03-01T08:00:00.000Z', tasksHeld: 1, waiting: false, healthy: true },
    ]);
    clock.advance(30_000);
    await fetch('mailer', 'notification');
    clock.advance(30_001);
    expect((await http.get('/api/workers').expect(200)).body).toEqual([
      expect.objectContaining({ workerId: 'mailer', healthy: true }),
      // Its lock (60 s) is over too.
      expect.objectContaining({ workerId: 'worker-1', healthy: false, tasksHeld: 0 }),
    ]);
  });

  it('hands out the higher camunda:taskPriority first with usePriority, shows it, and filters the list by it', async () => {
    const urgentBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="urgent-definitions" targetNamespace="http://trellis.example/urgent">
  <bpmn:process id="urgent-shipping" isExecutable="true" camunda:taskPriority="1">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ship" />
    <bpmn:serviceTask id="ship" camunda:type="external" camunda:topic="shipping" camunda:taskPriority="\${urgency}" />
    <bpmn:sequenceFlow id="f2" sourceRef="ship" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
    await deploy(app, ['urgent-shipping.bpmn', urgentBpmn]).expect(201);
    for (const urgency of [2, 50, 20]) {
      await http.post('/api/process-instances').send({ processId: 'urgent-shipping', variables: { urgency } }).expect(201);
      clock.advance(1_000);
    }
    const listed = await http.get('/api/external-tasks').query({ topicName: 'shipping', priorityHigherThanOrEquals: '20' }).expect(200);
    expect(listed.body.map((task: { priority: number }) => task.priority)).toEqual([50, 20]);
    expect((await http.get('/api/external-tasks/count').query({ priorityLowerThanOrEquals: '2', topicName: 'shipping' }).expect(200)).body).toEqual({ count: 1 });

    const byPriority = await fetch('worker-1', 'shipping', { usePriority: true, maxTasks: 2 });
    expect(byPriority.map((task) => task.variables['urgency'])).toEqual([50, 20]);
    for (const task of byPriority) await http.post(`/api/external-tasks/${task.id}/unlock`).expect(204);
    const inOrder = await fetch('worker-2', 'shipping', { usePriority: false });
    expect(inOrder.map((task) => task.variables['urgency'])).toEqual([2, 50, 20]);

    const bad = await http.get('/api/external-tasks').query({ priorityHigherThanOrEquals: 'high' }).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toEqual(['priorityHigherThanOrEquals']);
  });

  it('refuses bad requests with the fields named, and unknown tasks with 404', async () => {
    const bad = await http.post('/api/external-tasks/fetch-and-lock').send({ maxTasks: 0, asyncResponseTimeout: 3_600_000, topics: [{ topicName: 'payment' }] }).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field)).toEqual(
      expect.arrayContaining(['workerId', 'maxTasks', 'asyncResponseTimeout', 'topics.0.lockDuration']),
    );
    const missing = await http.post('/api/external-tasks/no-such-task/failure').send({ workerId: 'w' }).expect(404);
    expect(missing.body).toEqual(expect.objectContaining({ type: 'urn:trellis:problem:not-found', details: { externalTaskId: 'no-such-task' } }));
    await http.get('/api/external-tasks/no-such-task/error-details').expect(404);
  });

  it('shares 2,000 tasks between two long-polling workers of one topic: each completed exactly once, both got work', async () => {
    const total = 2_000;
    const completedBy = new Map<string, string>();
    const duplicates: string[] = [];
    const counts = { 'worker-a': 0, 'worker-b': 0 };
    // The workers stop by themselves should a task never come, so that a failure ends the test instead of hanging it.
    const deadline = Date.now() + 100_000;
    const work = async (workerId: 'worker-a' | 'worker-b'): Promise<void> => {
      while (completedBy.size < total && Date.now() < deadline) {
        const response = await http
          .post('/api/external-tasks/fetch-and-lock')
          .send({ workerId, maxTasks: 20, asyncResponseTimeout: 1_000, topics: [{ topicName: 'work', lockDuration: 600_000 }] })
          .expect(200);
        for (const task of response.body as LockedTask[]) {
          if (completedBy.has(task.id)) duplicates.push(task.id);
          completedBy.set(task.id, workerId);
          counts[workerId]++;
          await http.post(`/api/external-tasks/${task.id}/complete`).send({ workerId }).expect(200);
        }
      }
    };
    const workers = Promise.all([work('worker-a'), work('worker-b')]);
    for (let started = 0; started < total; started += 50) {
      await Promise.all(Array.from({ length: 50 }, () => http.post('/api/process-instances').send({ processId: 'one-task' }).expect(201)));
    }
    await workers;

    expect(duplicates).toEqual([]);
    expect(completedBy.size).toBe(total);
    expect(counts['worker-a'] + counts['worker-b']).toBe(total);
    expect(counts['worker-a']).toBeGreaterThan(total / 4);
    expect(counts['worker-b']).toBeGreaterThan(total / 4);
    expect((await http.get('/api/process-instances').query({ processId: 'one-task', state: 'ACTIVE' }).expect(200)).body.total).toBe(0);
    expect((await http.get('/api/external-tasks/count').expect(200)).body).toEqual({ count: 0 });
  }, 120_000);
});
