// Task listeners over the API (examples/task-listeners.bpmn): listener jobs are fetched and completed through
// /api/jobs with a `result`; a completion waits for the completing listener, which may deny it.
import { readFile } from 'node:fs/promises';
import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@trellis/platform';
import { TimerScheduler } from '@trellis/runtime';
import request from 'supertest';

import { deploy, memoryApp } from './testing/e2e.fixture.js';

const exampleBpmn = readFile(new URL('../../../examples/task-listeners.bpmn', import.meta.url), 'utf8');

describe('task listeners', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
    await deploy(app, ['task-listeners.bpmn', await exampleBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  const listenerJob = async (type: string) => {
    const jobs = (await http.get('/api/jobs').query({ type }).expect(200)).body;
    expect(jobs).toHaveLength(1);
    return jobs[0];
  };

  it('a creating listener assigns the task; a completing listener denies, then allows, the completion', async () => {
    const instanceId = (await http.post('/api/process-instances').send({ processId: 'order-approval', variables: { amount: 900 } }).expect(201)).body.id;

    const assign = await listenerJob('assign-approver');
    const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: instanceId }).expect(200)).body;
    expect(assign.customHeaders).toEqual({ userTaskId: task.id, eventType: 'creating', name: 'Approve order', candidateGroups: 'approvers' });
    expect(assign.variables).toEqual({ amount: 900 });
    await http.post(`/api/jobs/${assign.id}/complete`).send({ result: { corrections: { assignee: 'ann', priority: 70 } } }).expect(200);
    expect((await http.get(`/api/user-tasks/${task.id}`).expect(200)).body).toMatchObject({ assignee: 'ann', priority: 70, state: 'CREATED' });
    expect((await http.get('/api/user-tasks').query({ assignee: 'ann' }).expect(200)).body).toEqual([expect.objectContaining({ id: task.id })]);

    // The completion is asynchronous: it waits for the completing listener's worker.
    const asked = await http.post(`/api/user-tasks/${task.id}/complete`).send({ variables: { approved: true } }).expect(200);
    expect(asked.body.state).toBe('ACTIVE');
    expect((await http.get(`/api/user-tasks/${task.id}`).expect(200)).body).toMatchObject({ state: 'CREATED', completing: true });
    const again = await http.post(`/api/user-tasks/${task.id}/complete`).send({}).expect(409);
    expect(again.body.detail).toContain('waits for its completing listener');

    const check = await listenerJob('four-eyes-check');
    expect(check.retries).toBe(5);
    await http.post(`/api/jobs/${check.id}/complete`).send({ result: { denied: true, deniedReason: 'the requester cannot approve' } }).expect(200);
    const denied = (await http.get(`/api/user-tasks/${task.id}`).expect(200)).body;
    expect(denied).toMatchObject({ state: 'CREATED', deniedReason: 'the requester cannot approve' });
    expect(denied.completing).toBeUndefined();
    expect(denied.variables).toEqual({ amount: 900 });

    await http.post(`/api/user-tasks/${task.id}/complete`).send({ variables: { approved: true } }).expect(200);
    const allowed = await http.post(`/api/jobs/${(await listenerJob('four-eyes-check')).id}/complete`).send({}).expect(200);
    expect(allowed.body).toMatchObject({ id: instanceId, state: 'COMPLETED', variables: { amount: 900, approved: true } });
    expect((await http.get(`/api/user-tasks/${task.id}`).expect(200)).body.state).toBe('COMPLETED');
  });

  it('refuses a listener result that is not valid, naming the field', async () => {
    await http.post('/api/process-instances').send({ processId: 'order-approval' }).expect(201);
    const assign = await listenerJob('assign-approver');
    const bad = await http.post(`/api/jobs/${assign.id}/complete`).send({ result: { corrections: { priority: 'high' } } }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('priority');
    const denied = await http.post(`/api/jobs/${assign.id}/complete`).send({ result: { denied: true } }).expect(400);
    expect(denied.body.detail).toContain('only completing listeners can');
    const withVariables = await http.post(`/api/jobs/${assign.id}/complete`).send({ variables: { x: 1 } }).expect(400);
    expect(withVariables.body.detail).toContain('cannot be completed with variables');
  });
});

// A Camunda 7 timeout listener: the server's timer scheduler creates the listener's job when the timer is due.
const reminderBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="reminder-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="reminded-review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" camunda:assignee="ann">
      <bpmn:extensionElements>
        <camunda:taskListener event="timeout" id="remind" delegateExpression="\${escalateReview}">
          <bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>
        </camunda:taskListener>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('timeout task listeners (test clock)', () => {
  it('creates the listener job each time the timer is due while the task is open; the worker reassigns the task', async () => {
    const clock = new ManualClock('2026-03-01T09:00:00.000Z');
    const app = await memoryApp({ clock });
    try {
      const http = request(app.getHttpServer());
      const scheduler = app.get(TimerScheduler);
      await deploy(app, ['reminder.bpmn', reminderBpmn]).expect(201);
      const started = await http.post('/api/process-instances').send({ processId: 'reminded-review' }).expect(201);
      expect(started.body.timers).toEqual([expect.objectContaining({ elementId: 'review', dueAt: '2026-03-01T10:00:00.000Z' })]);

      clock.advance(60 * 60 * 1000);
      await scheduler.fireDue();
      const [job] = (await http.get('/api/jobs').query({ type: 'escalateReview' }).expect(200)).body;
      expect(job.customHeaders).toMatchObject({ eventType: 'timeout', assignee: 'ann' });
      await http.post(`/api/jobs/${job.id}/complete`).send({ result: { corrections: { assignee: 'lead' } } }).expect(200);
      const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: started.body.id }).expect(200)).body;
      expect(task).toMatchObject({ assignee: 'lead', state: 'CREATED' });

      // The second occurrence of the cycle: a new job, which now sees the corrected assignee.
      clock.advance(60 * 60 * 1000);
      await scheduler.fireDue();
      const [second] = (await http.get('/api/jobs').query({ type: 'escalateReview' }).expect(200)).body;
      expect(second.id).not.toBe(job.id);
      expect(second.customHeaders).toMatchObject({ eventType: 'timeout', assignee: 'lead' });

      // Completing the task cancels the open listener job.
      await http.post(`/api/user-tasks/${task.id}/complete`).send({}).expect(200);
      const instance = (await http.get(`/api/process-instances/${started.body.id}`).expect(200)).body;
      expect(instance).toMatchObject({ state: 'COMPLETED', timers: [] });
      expect((await http.get('/api/jobs').query({ type: 'escalateReview' }).expect(200)).body).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

// A Camunda 7 complete listener (delegateExpression) is a job of that type: an external-task worker fetches it by topic.
const camundaCompleteListenerBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="c7-listener-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="audited-review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review">
      <bpmn:extensionElements><camunda:taskListener event="complete" delegateExpression="\${auditCompletion}" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('Camunda 7 task listeners through external tasks', () => {
  it('a worker fetches the complete listener by topic; completing it completes the user task', async () => {
    const app = await memoryApp();
    try {
      const http = request(app.getHttpServer());
      await deploy(app, ['audited.bpmn', camundaCompleteListenerBpmn]).expect(201);
      const started = await http.post('/api/process-instances').send({ processId: 'audited-review' }).expect(201);
      const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: started.body.id }).expect(200)).body;
      await http.post(`/api/user-tasks/${task.id}/complete`).send({ variables: { approved: true } }).expect(200);

      const fetched = await http
        .post('/api/external-tasks/fetch-and-lock')
        .send({ workerId: 'auditor', maxTasks: 5, topics: [{ topicName: 'auditCompletion', lockDuration: 60_000 }] })
        .expect(200);
      expect(fetched.body).toHaveLength(1);
      const done = await http.post(`/api/external-tasks/${fetched.body[0].id}/complete`).send({ workerId: 'auditor' }).expect(200);
      expect(done.body).toMatchObject({ state: 'COMPLETED', variables: { approved: true } });
    } finally {
      await app.close();
    }
  });
});

// Canceling listeners: the task is canceled by an interrupting boundary message; the listener jobs outlive it.
const canceledReviewBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
                  id="canceled-review-definitions" targetNamespace="http://example.org/test">
  <bpmn:message id="withdrawn" name="order-withdrawn"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="withdrawable-review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review order">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition assignee="ann" />
        <zeebe:taskListeners><zeebe:taskListener eventType="canceling" type="notify-assignee" /></zeebe:taskListeners>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="on-withdrawn" attachedToRef="review"><bpmn:messageEventDefinition messageRef="withdrawn" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="on-withdrawn" targetRef="archive" />
    <bpmn:userTask id="archive"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>`;

describe('canceling task listeners', () => {
  it('a boundary event cancels the task: the canceling listener job is created with the task in its headers and completes on its own', async () => {
    const app = await memoryApp();
    try {
      const http = request(app.getHttpServer());
      await deploy(app, ['withdrawable.bpmn', canceledReviewBpmn]).expect(201);
      const started = await http.post('/api/process-instances').send({ processId: 'withdrawable-review', variables: { orderId: 'O-1' } }).expect(201);
      const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: started.body.id }).expect(200)).body;
      expect((await http.get('/api/jobs').query({ type: 'notify-assignee' }).expect(200)).body).toEqual([]);

      await http.post('/api/messages').send({ name: 'order-withdrawn', correlationKey: 'O-1' }).expect(200);
      expect((await http.get(`/api/user-tasks/${task.id}`).expect(200)).body.state).toBe('CANCELED');
      const jobs = (await http.get('/api/jobs').query({ type: 'notify-assignee' }).expect(200)).body;
      expect(jobs).toEqual([expect.objectContaining({ customHeaders: { userTaskId: task.id, eventType: 'canceling', name: 'Review order', assignee: 'ann' } })]);

      // The task is gone: a correction is refused, naming the field; a plain completion is accepted.
      const corrected = await http.post(`/api/jobs/${jobs[0].id}/complete`).send({ result: { corrections: { assignee: 'bob' } } }).expect(400);
      expect(corrected.body.detail).toContain('corrections');
      const done = await http.post(`/api/jobs/${jobs[0].id}/complete`).send({}).expect(200);
      expect(done.body.state).toBe('ACTIVE');
      expect((await http.get('/api/jobs').query({ type: 'notify-assignee' }).expect(200)).body).toEqual([]);
      const [archive] = (await http.get('/api/user-tasks').query({ processInstanceId: started.body.id, state: 'CREATED' }).expect(200)).body;
      expect(archive.elementId).toBe('archive');
    } finally {
      await app.close();
    }
  });

  it('canceling the instance drops its canceling listener jobs with it', async () => {
    const app = await memoryApp();
    try {
      const http = request(app.getHttpServer());
      await deploy(app, ['withdrawable.bpmn', canceledReviewBpmn]).expect(201);
      const started = await http.post('/api/process-instances').send({ processId: 'withdrawable-review', variables: { orderId: 'O-2' } }).expect(201);
      const canceled = (await http.post(`/api/process-instances/${started.body.id}/cancel`).expect(200)).body;
      expect(canceled.state).toBe('TERMINATED');
      expect((await http.get('/api/jobs').query({ type: 'notify-assignee' }).expect(200)).body).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

// A Camunda 7 delete listener: the task is canceled by a boundary timer; an external-task worker fetches the job.
const deletedReviewBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="c7-delete-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="expiring-review" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" camunda:assignee="ann">
      <bpmn:extensionElements><camunda:taskListener event="delete" delegateExpression="\${notifyExpired}" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="expired" attachedToRef="review">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="expired" targetRef="follow-up" />
    <bpmn:userTask id="follow-up" />
  </bpmn:process>
</bpmn:definitions>`;

describe('Camunda 7 delete task listeners (test clock)', () => {
  it('a boundary timer cancels the task; a worker fetches the delete listener by topic and completes it', async () => {
    const clock = new ManualClock('2026-03-01T09:00:00.000Z');
    const app = await memoryApp({ clock });
    try {
      const http = request(app.getHttpServer());
      await deploy(app, ['expiring.bpmn', deletedReviewBpmn]).expect(201);
      const started = await http.post('/api/process-instances').send({ processId: 'expiring-review', variables: { orderId: 'O-3' } }).expect(201);
      clock.advance(60 * 60 * 1000);
      await app.get(TimerScheduler).fireDue();

      const fetched = await http
        .post('/api/external-tasks/fetch-and-lock')
        .send({ workerId: 'notifier', maxTasks: 5, topics: [{ topicName: 'notifyExpired', lockDuration: 60_000 }] })
        .expect(200);
      expect(fetched.body).toHaveLength(1);
      // The task's scope is gone: the job sees the process instance's variables.
      expect(fetched.body[0].variables).toEqual({ orderId: 'O-3' });
      await http.post(`/api/external-tasks/${fetched.body[0].id}/complete`).send({ workerId: 'notifier' }).expect(200);
      const instance = (await http.get(`/api/process-instances/${started.body.id}`).expect(200)).body;
      expect(instance.state).toBe('ACTIVE');
      expect((await http.get('/api/jobs').query({ type: 'notifyExpired' }).expect(200)).body).toEqual([]);
      const open = (await http.get('/api/user-tasks').query({ processInstanceId: started.body.id, state: 'CREATED' }).expect(200)).body;
      expect(open.map((task: { elementId: string }) => task.elementId)).toEqual(['follow-up']);
    } finally {
      await app.close();
    }
  });
});
