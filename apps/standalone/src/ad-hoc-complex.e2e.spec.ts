// The complex gateway, the ad-hoc sub-process and multi-instance behavior events over the API, with the repository's
// example models: deploy, start, complete jobs and user tasks, and activate ad-hoc elements through
// POST /api/process-instances/{id}/ad-hoc-sub-processes/{elementInstanceId}/activation. Each waits across a restart on
// the embedded store: the gateway's reset, the ad-hoc sub-process's queue and condition, the body's counters are
// state rebuilt from events.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SignalBroadcaster } from '@trellis/runtime';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const example = (file: string) => readFile(new URL(`../../../examples/${file}`, import.meta.url), 'utf8');

interface ElementView {
  readonly id: string;
  readonly elementId: string;
  readonly elementType: string;
}

const activeElements = (body: { activeElementInstances: readonly ElementView[] }): string[] =>
  body.activeElementInstances.map((instance) => instance.elementId).sort();

async function completeOnlyJob(http: ReturnType<typeof request>, type: string, variables: object = {}): Promise<void> {
  const jobs = (await http.get('/api/jobs').query({ type }).expect(200)).body as { id: string }[];
  expect(jobs).toHaveLength(1);
  await http.post(`/api/jobs/${jobs[0]?.id ?? ''}/complete`).send({ variables }).expect(200);
}

async function completeUserTask(http: ReturnType<typeof request>, processInstanceId: string, match: (task: { elementId: string; assignee?: string }) => boolean, variables: object = {}) {
  const tasks = (await http.get('/api/user-tasks').query({ processInstanceId, state: 'CREATED' }).expect(200)).body as { id: string; elementId: string; assignee?: string }[];
  const task = tasks.find(match);
  expect(task).toBeDefined();
  return (await http.post(`/api/user-tasks/${task?.id ?? ''}/complete`).send({ variables }).expect(200)).body;
}

describe('complex gateway, ad-hoc sub-process and multi-instance behavior over the API (embedded store, restarts)', () => {
  let dataDir: string;
  const apps: INestApplication[] = [];
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trellis-ad-hoc-complex-'));
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  const open = async (directory: string): Promise<ReturnType<typeof request>> => {
    const app = await createStandaloneApp({ eventStore: 'embedded', dataDir: directory, logger: false });
    apps.push(app);
    return request(app.getHttpServer());
  };
  const restart = async (directory: string): Promise<ReturnType<typeof request>> => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    return open(directory);
  };

  it('the complex gateway fires at two of three reviews, and swallows the third after a restart', async () => {
    const directory = join(dataDir, 'complex');
    let http = await open(directory);
    await http.post('/api/deployments').attach('resources', Buffer.from(await example('complex-gateway.bpmn')), 'complex-gateway.bpmn').expect(201);
    const started = await http.post('/api/process-instances').send({ processId: 'proposal-review', variables: { budget: 500, public: false } }).expect(201);
    const id: string = started.body.id;
    await completeOnlyJob(http, 'finance-review');
    await completeOnlyJob(http, 'legal-review');
    let instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(activeElements(instance)).toEqual(['decide', 'tech-review']);

    http = await restart(directory);
    await completeOnlyJob(http, 'tech-review', { tech: 'late' });
    instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    // The late review reset the gateway: one decision, not two.
    expect(activeElements(instance)).toEqual(['decide']);
    instance = await completeUserTask(http, id, (task) => task.elementId === 'decide');
    expect(activeElements(instance)).toEqual(['inform-author']);
    await completeOnlyJob(http, 'inform');
    instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(instance).toEqual(expect.objectContaining({ state: 'COMPLETED', variables: { budget: 500, public: false, tech: 'late' } }));
  });

  it('the ad-hoc sub-process starts its first steps, one more through the API after a restart, and ends when solved', async () => {
    const directory = join(dataDir, 'ad-hoc');
    let http = await open(directory);
    await http.post('/api/deployments').attach('resources', Buffer.from(await example('ad-hoc-sub-process.bpmn')), 'ad-hoc-sub-process.bpmn').expect(201);
    const started = await http
      .post('/api/process-instances')
      .send({ processId: 'support-case', variables: { firstSteps: ['check-logs', 'search-known-issues'], solved: false } })
      .expect(201);
    const id: string = started.body.id;
    expect(activeElements(started.body)).toEqual(['check-logs', 'investigate', 'search-known-issues']);
    const adHoc = (started.body.activeElementInstances as ElementView[]).find((element) => element.elementId === 'investigate');
    expect(adHoc?.elementType).toBe('adHocSubProcess');
    await completeOnlyJob(http, 'check-logs');

    http = await restart(directory);
    const activation = `/api/process-instances/${id}/ad-hoc-sub-processes/${adHoc?.id ?? ''}/activation`;
    const refused = await http.post(activation).send({ elements: [{ elementId: 'write-notes' }] }).expect(400);
    expect(refused.body.detail).toContain("'write-notes' is not an element of 'investigate' that can be started");
    await http.post(activation).send({ elements: [] }).expect(400);
    const activated = await http.post(activation).send({ elements: [{ elementId: 'call-customer' }] }).expect(200);
    expect(activeElements(activated.body)).toEqual(['call-customer', 'investigate', 'search-known-issues']);

    await completeUserTask(http, id, (task) => task.elementId === 'call-customer');
    const solved = await completeUserTask(http, id, (task) => task.elementId === 'write-notes', { solved: true });
    // Solved: the remaining search was terminated and the case goes on.
    expect(activeElements(solved)).toEqual(['answer-customer']);
    expect((await http.get('/api/jobs').query({ type: 'search-known-issues' }).expect(200)).body).toEqual([]);
    await http.post(`/api/process-instances/${id}/ad-hoc-sub-processes/${adHoc?.id ?? ''}/activation`).send({ elements: [{ elementId: 'check-logs' }] }).expect(404);
  });

  it('a refused signature throws the escalation of the multi-instance signing, caught by its boundary event, across a restart', async () => {
    const directory = join(dataDir, 'behavior');
    let http = await open(directory);
    await http.post('/api/deployments').attach('resources', Buffer.from(await example('multi-instance-behavior.bpmn')), 'multi-instance-behavior.bpmn').expect(201);
    const started = await http.post('/api/process-instances').send({ processId: 'contract-signing', variables: { parties: ['acme', 'globex'] } }).expect(201);
    const id: string = started.body.id;
    let instance = await completeUserTask(http, id, (task) => task.assignee === 'globex', { signed: false });
    expect(activeElements(instance)).toEqual(['sign', 'sign', 'talk-to-party']);

    http = await restart(directory);
    instance = await completeUserTask(http, id, (task) => task.assignee === 'acme', { signed: true });
    expect(activeElements(instance)).toEqual(['file-contract', 'talk-to-party']);
    expect(instance.variables).toEqual(expect.objectContaining({ signatures: [true, false] }));
  });
});

describe('multi-instance behavior throwing a signal, delivered by the runtime (memory store)', () => {
  // Each completed check (behavior None) broadcasts "check-done" with the iteration's variables; the activity's own
  // non-interrupting signal boundary event receives each broadcast (in the decision that threw it) and records the
  // progress; the runtime delivers it to the other instances.
  const bpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://example.org/test">
  <bpmn:signal id="check-done" name="check-done" />
  <bpmn:signalEventDefinition id="throw-check-done" signalRef="check-done" />
  <bpmn:process id="checks" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="check" />
    <bpmn:userTask id="check">
      <bpmn:multiInstanceLoopCharacteristics behavior="None" noneBehaviorEventRef="throw-check-done">
        <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items" inputElement="item" /></bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="check" targetRef="report" />
    <bpmn:userTask id="report" />
    <bpmn:boundaryEvent id="progress" attachedToRef="check" cancelActivity="false"><bpmn:signalEventDefinition signalRef="check-done" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="progress" targetRef="note" />
    <bpmn:userTask id="note" />
  </bpmn:process>
</bpmn:definitions>`;

  it('the body broadcasts at each completed iteration: its own boundary event receives each once, the last one too, and other instances get it', async () => {
    const app = await memoryApp();
    try {
      const http = request(app.getHttpServer());
      await deploy(app, ['checks.bpmn', bpmn]).expect(201);
      const id: string = (await http.post('/api/process-instances').send({ processId: 'checks', variables: { items: ['brakes', 'lights'] } }).expect(201)).body.id;
      const other: string = (await http.post('/api/process-instances').send({ processId: 'checks', variables: { items: ['tyres'] } }).expect(201)).body.id;
      let instance = await completeUserTask(http, id, (task) => task.elementId === 'check');
      // Its own boundary event received the signal in the same decision: the answer already shows the note.
      expect(activeElements(instance)).toEqual(['check', 'check', 'note']);
      await app.get(SignalBroadcaster).idle();
      instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
      // The broadcaster left this instance out: the boundary event ran once, not twice.
      expect(activeElements(instance)).toEqual(['check', 'check', 'note']);
      expect(activeElements((await http.get(`/api/process-instances/${other}`).expect(200)).body)).toEqual(['check', 'check', 'note']);

      instance = await completeUserTask(http, id, (task) => task.elementId === 'check');
      // The last iteration's signal reached the boundary event before the activity left.
      expect(activeElements(instance)).toEqual(['note', 'note', 'report']);
      expect(instance.signalSubscriptions).toEqual([]);
      await app.get(SignalBroadcaster).idle();
      expect(activeElements((await http.get(`/api/process-instances/${id}`).expect(200)).body)).toEqual(['note', 'note', 'report']);
      expect(activeElements((await http.get(`/api/process-instances/${other}`).expect(200)).body)).toEqual(['check', 'check', 'note', 'note']);
      expect(app.get(SignalBroadcaster).pendingBroadcasts()).toBe(0);
    } finally {
      await app.close();
    }
  });
});
