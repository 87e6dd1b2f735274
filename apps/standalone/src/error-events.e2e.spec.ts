import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CallActivityCoordinator } from '@trellis/runtime';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp, oneTaskBpmn } from './testing/e2e.fixture.js';

const errorHandlingBpmn = readFileSync(new URL('../../../examples/error-handling.bpmn', import.meta.url), 'utf8');

interface ElementInstanceView {
  readonly elementId: string;
}

const activeElements = (instance: { activeElementInstances: readonly ElementInstanceView[] }): string[] =>
  instance.activeElementInstances.map((element) => element.elementId).sort();

describe('errors and escalations over the API (examples/error-handling.bpmn)', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
    await deploy(app, ['error-handling.bpmn', errorHandlingBpmn], ['one-task.bpmn', oneTaskBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  const start = async (processId: string, variables: Record<string, unknown> = {}): Promise<string> =>
    (await http.post('/api/process-instances').send({ processId, variables }).expect(201)).body.id;
  const jobOf = async (processInstanceId: string): Promise<{ id: string }> => {
    const jobs = (await http.get('/api/jobs').query({ processInstanceId }).expect(200)).body;
    expect(jobs).toHaveLength(1);
    return jobs[0];
  };

  it('a worker’s error is caught by the boundary event for its code: the payment ends, the customer is told why', async () => {
    const id = await start('error-handling', { amount: 50, fraudSuspected: false });
    const job = await jobOf(id);

    const thrown = await http
      .post(`/api/jobs/${job.id}/error`)
      .send({ errorCode: 'CARD_DECLINED', errorMessage: 'insufficient funds', variables: { attempt: 1 } })
      .expect(200);
    expect(thrown.body.incidents).toEqual([]);
    expect(activeElements(thrown.body)).toEqual(['tell-customer']);
    // The boundary event has output mappings: they decide what leaves it (the worker's `attempt` does not).
    expect(thrown.body.variables).toEqual({ amount: 50, fraudSuspected: false, declineReason: 'insufficient funds' });
    expect((await http.get('/api/jobs').query({ processInstanceId: id }).expect(200)).body).toEqual([]);
    // The job is gone: throwing again is a 404, as completing it would be.
    await http.post(`/api/jobs/${job.id}/error`).send({ errorCode: 'CARD_DECLINED' }).expect(404);

    const [task] = (await http.get('/api/user-tasks').query({ processInstanceId: id, state: 'CREATED' }).expect(200)).body;
    expect(task.elementId).toBe('tell-customer');
    const ended = await http.post(`/api/user-tasks/${task.id}/complete`).send({}).expect(200);
    expect(ended.body.state).toBe('COMPLETED');
  });

  it('any other code a worker reports goes to the catch-all boundary event, with the code stored (camunda:errorCodeVariable)', async () => {
    const id = await start('error-handling', { amount: 50, fraudSuspected: false });
    const thrown = await http.post(`/api/jobs/${(await jobOf(id)).id}/error`).send({ errorCode: 'GATEWAY_TIMEOUT' }).expect(200);
    expect(activeElements(thrown.body)).toEqual(['investigate']);
    expect(thrown.body.variables).toEqual(expect.objectContaining({ paymentErrorCode: 'GATEWAY_TIMEOUT' }));
  });

  it('an error end event (fraud) ends the sub-process and is caught by the catch-all', async () => {
    const id = await start('error-handling', { amount: 50, fraudSuspected: false });
    const completed = await http.post(`/api/jobs/${(await jobOf(id)).id}/complete`).send({ variables: { fraudSuspected: true } }).expect(200);
    expect(activeElements(completed.body)).toEqual(['investigate']);
    expect(completed.body.variables).toEqual(expect.objectContaining({ paymentErrorCode: 'FRAUD' }));
    expect(completed.body.incidents).toEqual([]);
  });

  it('an escalation (large amount) is caught without interrupting: approval and shipping both follow', async () => {
    const id = await start('error-handling', { amount: 5000, fraudSuspected: false });
    const completed = await http.post(`/api/jobs/${(await jobOf(id)).id}/complete`).send({}).expect(200);
    expect(activeElements(completed.body)).toEqual(['approve-payment', 'ship-order']);

    const small = await start('error-handling', { amount: 10, fraudSuspected: false });
    const plain = await http.post(`/api/jobs/${(await jobOf(small)).id}/complete`).send({}).expect(200);
    expect(activeElements(plain.body)).toEqual(['ship-order']);
  });

  it('an error nothing catches is an UNHANDLED_ERROR_EVENT incident; resolving it offers the job again', async () => {
    const id = await start('one-task');
    const job = await jobOf(id);

    const thrown = await http.post(`/api/jobs/${job.id}/error`).send({ errorCode: 'NOT_MY_JOB', errorMessage: 'wrong warehouse' }).expect(200);
    expect(thrown.body.state).toBe('ACTIVE');
    expect(activeElements(thrown.body)).toEqual(['work']);
    expect(thrown.body.incidents).toEqual([
      expect.objectContaining({ type: 'UNHANDLED_ERROR_EVENT', elementId: 'work', jobId: job.id, message: expect.stringContaining("'NOT_MY_JOB'") }),
    ]);
    expect((await http.get('/api/jobs').query({ processInstanceId: id }).expect(200)).body).toEqual([]);
    await http.post(`/api/jobs/${job.id}/error`).send({ errorCode: 'AGAIN' }).expect(409);

    await http.post(`/api/incidents/${thrown.body.incidents[0].id}/resolve`).send({}).expect(200);
    expect(await jobOf(id)).toEqual(expect.objectContaining({ id: job.id }));
    const done = await http.post(`/api/jobs/${job.id}/complete`).send({}).expect(200);
    expect(done.body.state).toBe('COMPLETED');
  });

  it('answers 400 naming errorCode when it is missing or empty, and 404 for an unknown job', async () => {
    const id = await start('one-task');
    const job = await jobOf(id);
    for (const body of [{}, { errorCode: '' }, { errorCode: 7 }]) {
      const refused = await http.post(`/api/jobs/${job.id}/error`).send(body).expect(400);
      expect(JSON.stringify(refused.body)).toContain('errorCode');
    }
    await http.post(`/api/jobs/${job.id}/error`).send({ errorCode: 'X', variables: [1] }).expect(400);
    const unknown = await http.post('/api/jobs/00000000-0000-4000-8000-000000000000/error').send({ errorCode: 'X' }).expect(404);
    expect(unknown.body).toEqual(expect.objectContaining({ type: 'urn:trellis:problem:not-found' }));
    expect((await jobOf(id)).id).toBe(job.id);
  });
});

describe('errors and escalations used wrongly', () => {
  it('a deployment is refused with every problem listed, by element, field and line', async () => {
    const app = await memoryApp();
    try {
      const broken = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://example.org/errors">
  <bpmn:error id="no-code" name="No code" />
  <bpmn:process id="broken-errors" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:task id="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="fail" />
    <bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="no-code" /></bpmn:endEvent>
    <bpmn:boundaryEvent id="soft" attachedToRef="work" cancelActivity="false"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="nowhere" attachedToRef="work"><bpmn:escalationEventDefinition escalationRef="missing" /></bpmn:boundaryEvent>
  </bpmn:process>
</bpmn:definitions>`;
      const refused = await deploy(app, ['broken-errors.bpmn', broken]).expect(400);
      expect(refused.body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ resource: 'broken-errors.bpmn', elementId: 'fail', code: 'MISSING_ATTRIBUTE', field: 'errorCode', line: 9 }),
          expect.objectContaining({ resource: 'broken-errors.bpmn', elementId: 'soft', code: 'INVALID_ATTRIBUTE', field: 'cancelActivity', line: 10 }),
          expect.objectContaining({ resource: 'broken-errors.bpmn', elementId: 'nowhere', code: 'INVALID_ATTRIBUTE', field: 'escalationRef', line: 11 }),
        ]),
      );
      expect((await request(app.getHttpServer()).get('/api/process-definitions').expect(200)).body).toEqual([]);
    } finally {
      await app.close();
    }
  });
});

describe('errors and escalations across a restart (embedded store)', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trellis-error-events-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });

  it('an instance escalated before the restart, and a job whose worker reports an error after it, go on as before', async () => {
    const first = await open();
    let escalated: string;
    let waiting: string;
    let uncaught: string;
    try {
      const http = request(first.getHttpServer());
      await deploy(first, ['error-handling.bpmn', errorHandlingBpmn], ['one-task.bpmn', oneTaskBpmn]).expect(201);
      escalated = (await http.post('/api/process-instances').send({ processId: 'error-handling', variables: { amount: 5000, fraudSuspected: false } }).expect(201)).body.id;
      const [job] = (await http.get('/api/jobs').query({ processInstanceId: escalated }).expect(200)).body;
      await http.post(`/api/jobs/${job.id}/complete`).send({}).expect(200);
      waiting = (await http.post('/api/process-instances').send({ processId: 'error-handling', variables: { amount: 5, fraudSuspected: false } }).expect(201)).body.id;
      uncaught = (await http.post('/api/process-instances').send({ processId: 'one-task' }).expect(201)).body.id;
      const [oneJob] = (await http.get('/api/jobs').query({ processInstanceId: uncaught }).expect(200)).body;
      await http.post(`/api/jobs/${oneJob.id}/error`).send({ errorCode: 'NOT_MY_JOB' }).expect(200);
    } finally {
      await first.close();
    }

    const second = await open();
    try {
      const http = request(second.getHttpServer());
      const afterEscalation = await http.get(`/api/process-instances/${escalated}`).expect(200);
      expect(activeElements(afterEscalation.body)).toEqual(['approve-payment', 'ship-order']);

      const [job] = (await http.get('/api/jobs').query({ processInstanceId: waiting }).expect(200)).body;
      const declined = await http.post(`/api/jobs/${job.id}/error`).send({ errorCode: 'CARD_DECLINED', errorMessage: 'expired' }).expect(200);
      expect(activeElements(declined.body)).toEqual(['tell-customer']);
      expect(declined.body.variables).toEqual(expect.objectContaining({ declineReason: 'expired' }));

      const stuck = await http.get(`/api/process-instances/${uncaught}`).expect(200);
      expect(stuck.body.incidents).toEqual([expect.objectContaining({ type: 'UNHANDLED_ERROR_EVENT', elementId: 'work' })]);
      await http.post(`/api/incidents/${stuck.body.incidents[0].id}/resolve`).send({}).expect(200);
      expect((await http.get('/api/jobs').query({ processInstanceId: uncaught }).expect(200)).body).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe('errors thrown in a called process reach the call activity', () => {
  const definitions = (content: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  id="d" targetNamespace="http://example.org/errors">
  <bpmn:error id="not-found" errorCode="NOT_FOUND" />
  <bpmn:escalation id="late" escalationCode="LATE" />
${content}
</bpmn:definitions>`;
  /** order: start → charge-customer (call activity of `charging`, error boundary NOT_FOUND → register-customer) → end */
  const orderBpmn = definitions(`<bpmn:process id="order" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge-customer" />
    <bpmn:callActivity id="charge-customer"><bpmn:extensionElements><zeebe:calledElement processId="charging" /></bpmn:extensionElements></bpmn:callActivity>
    <bpmn:sequenceFlow id="f2" sourceRef="charge-customer" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="unknown-customer" attachedToRef="charge-customer"><bpmn:errorEventDefinition errorRef="not-found" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="unknown-customer" targetRef="register-customer" />
    <bpmn:userTask id="register-customer" />
  </bpmn:process>`);
  /** charging: start → charge (service task, job type charge) → end */
  const chargingBpmn = definitions(`<bpmn:process id="charging" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="g1" sourceRef="s" targetRef="charge" />
    <bpmn:serviceTask id="charge"><bpmn:extensionElements><zeebe:taskDefinition type="charge" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="g2" sourceRef="charge" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>`);

  let app: INestApplication;
  let http: ReturnType<typeof request>;
  beforeEach(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
    await deploy(app, ['order.bpmn', orderBpmn], ['charging.bpmn', chargingBpmn]).expect(201);
  });
  afterEach(async () => {
    await app.close();
  });

  const settled = () => app.get(CallActivityCoordinator).idle();
  const instance = async (id: string) => (await http.get(`/api/process-instances/${id}`).expect(200)).body;
  const startOrder = async (): Promise<{ orderId: string; job: { id: string; processInstanceId: string } }> => {
    const orderId = (await http.post('/api/process-instances').send({ processId: 'order' }).expect(201)).body.id;
    await settled();
    const [job] = (await http.get('/api/jobs').query({ type: 'charge' }).expect(200)).body;
    expect(job).toBeDefined();
    return { orderId, job };
  };

  it('caught by the boundary event of the call activity: the caller goes on there and the child is canceled', async () => {
    const { orderId, job } = await startOrder();
    await http.post(`/api/jobs/${job.id}/error`).send({ errorCode: 'NOT_FOUND', variables: { customer: 'Ada' } }).expect(200);
    await settled();

    const order = await instance(orderId);
    expect(activeElements(order)).toEqual(['register-customer']);
    expect(order.variables).toEqual({ customer: 'Ada' });
    expect((await instance(job.processInstanceId)).state).toBe('TERMINATED');
    expect((await http.get('/api/jobs').query({ type: 'charge' }).expect(200)).body).toEqual([]);
  });

  it('caught by nobody: the incident is on the child’s task, where resolving it offers the job again', async () => {
    const { orderId, job } = await startOrder();
    await http.post(`/api/jobs/${job.id}/error`).send({ errorCode: 'CARD_DECLINED' }).expect(200);
    await settled();

    const child = await instance(job.processInstanceId);
    expect(child.state).toBe('ACTIVE');
    expect(child.incidents).toEqual([expect.objectContaining({ type: 'UNHANDLED_ERROR_EVENT', elementId: 'charge', jobId: job.id })]);
    const order = await instance(orderId);
    expect(activeElements(order)).toEqual(['charge-customer']);
    expect(order.incidents).toEqual([]);

    await http.post(`/api/incidents/${child.incidents[0].id}/resolve`).send({}).expect(200);
    await http.post(`/api/jobs/${job.id}/complete`).send({}).expect(200);
    await settled();
    expect((await instance(orderId)).state).toBe('COMPLETED');
  });

  it('an escalation of the child caught without interrupting by the call activity: both go on', async () => {
    const projectBpmn = definitions(`<bpmn:process id="project" isExecutable="true">
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="do-work" />
      <bpmn:callActivity id="do-work"><bpmn:extensionElements><zeebe:calledElement processId="working" /></bpmn:extensionElements></bpmn:callActivity>
      <bpmn:sequenceFlow id="f2" sourceRef="do-work" targetRef="end" />
      <bpmn:endEvent id="end" />
      <bpmn:boundaryEvent id="running-late" attachedToRef="do-work" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="late" /></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="f3" sourceRef="running-late" targetRef="tell-manager" />
      <bpmn:userTask id="tell-manager" />
    </bpmn:process>`);
    const workingBpmn = definitions(`<bpmn:process id="working" isExecutable="true">
      <bpmn:startEvent id="s" />
      <bpmn:sequenceFlow id="g1" sourceRef="s" targetRef="say-late" />
      <bpmn:intermediateThrowEvent id="say-late"><bpmn:escalationEventDefinition escalationRef="late" /></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="g2" sourceRef="say-late" targetRef="finish" />
      <bpmn:userTask id="finish" />
      <bpmn:sequenceFlow id="g3" sourceRef="finish" targetRef="e" />
      <bpmn:endEvent id="e" />
    </bpmn:process>`);
    await deploy(app, ['project.bpmn', projectBpmn], ['working.bpmn', workingBpmn]).expect(201);
    const projectId = (await http.post('/api/process-instances').send({ processId: 'project' }).expect(201)).body.id;
    await settled();

    expect(activeElements(await instance(projectId))).toEqual(['do-work', 'tell-manager']);
    const [finish] = (await http.get('/api/user-tasks').query({ state: 'CREATED' }).expect(200)).body.filter((task: { elementId: string }) => task.elementId === 'finish');
    expect(finish).toBeDefined();
    await http.post(`/api/user-tasks/${finish.id}/complete`).send({}).expect(200);
    await settled();
    expect(activeElements(await instance(projectId))).toEqual(['tell-manager']);
  });

  it('an error passed up while no runtime carried it on reaches the call activity once the server is restarted', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trellis-child-error-'));
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, logger: false });
    try {
      let orderId: string;
      let childId: string;
      const first = await open();
      try {
        const before = request(first.getHttpServer());
        await deploy(first, ['order.bpmn', orderBpmn], ['charging.bpmn', chargingBpmn]).expect(201);
        orderId = (await before.post('/api/process-instances').send({ processId: 'order' }).expect(201)).body.id;
        await first.get(CallActivityCoordinator).idle();
        const [job] = (await before.get('/api/jobs').query({ type: 'charge' }).expect(200)).body;
        childId = job.processInstanceId;
        // The coordinator stops, as when the server goes down right after the child took the error.
        await first.get(CallActivityCoordinator).onModuleDestroy();
        await before.post(`/api/jobs/${job.id}/error`).send({ errorCode: 'NOT_FOUND' }).expect(200);
        expect(activeElements((await before.get(`/api/process-instances/${orderId}`).expect(200)).body)).toEqual(['charge-customer']);
      } finally {
        await first.close();
      }

      const second = await open();
      try {
        const after = request(second.getHttpServer());
        await second.get(CallActivityCoordinator).idle();
        expect(activeElements((await after.get(`/api/process-instances/${orderId}`).expect(200)).body)).toEqual(['register-customer']);
        expect((await after.get(`/api/process-instances/${childId}`).expect(200)).body.state).toBe('TERMINATED');
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
