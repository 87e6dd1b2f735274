// Link events and the event-based gateway over the API, with the repository's example models (messages published
// through POST /api/messages): a test clock
// (ManualClock) is moved instead of waiting, and the server's timer scheduler fires what fell due; the gateway's
// wait survives a restart on the embedded store.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@trellis/platform';
import { TimerScheduler } from '@trellis/runtime';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const DAY = 24 * 3_600_000;
const T0 = '2026-03-02T08:00:00.000Z';
const at = (offsetMs: number): string => new Date(Date.parse(T0) + offsetMs).toISOString();

const linkEventsBpmn = readFile(new URL('../../../examples/link-events.bpmn', import.meta.url), 'utf8');
const eventBasedGatewayBpmn = readFile(new URL('../../../examples/event-based-gateway.bpmn', import.meta.url), 'utf8');

interface ElementView {
  readonly elementId: string;
}

const activeElements = (body: { activeElementInstances: readonly ElementView[] }): string[] =>
  body.activeElementInstances.map((instance) => instance.elementId).sort();

async function completeOnlyJob(http: request.Agent | ReturnType<typeof request>, type: string): Promise<void> {
  const jobs = (await http.get('/api/jobs').query({ type }).expect(200)).body;
  expect(jobs).toHaveLength(1);
  await http.post(`/api/jobs/${jobs[0].id}/complete`).send({}).expect(200);
}

async function completeUserTask(http: ReturnType<typeof request>, processInstanceId: string, elementId: string, variables: object = {}) {
  const tasks = (await http.get('/api/user-tasks').query({ processInstanceId }).expect(200)).body as { id: string; elementId: string; state: string; assignee?: string }[];
  const task = tasks.find((candidate) => candidate.elementId === elementId && candidate.state === 'CREATED');
  expect(task).toBeDefined();
  return (await http.post(`/api/user-tasks/${task?.id ?? ''}/complete`).send({ variables }).expect(200)).body;
}

describe('link events and event-based gateways over the API (memory store, test clock)', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('runs the link-events example: a rejected draft crosses the rework link, an approved one the publishing link', async () => {
    const app = await memoryApp();
    apps.push(app);
    const http = request(app.getHttpServer());
    await deploy(app, ['link-events.bpmn', await linkEventsBpmn]).expect(201);

    const started = await http.post('/api/process-instances').send({ processId: 'link-events', variables: { author: 'ada' } }).expect(201);
    const id: string = started.body.id;
    expect(activeElements(started.body)).toEqual(['review-draft']);

    let instance = await completeUserTask(http, id, 'review-draft', { approved: false });
    expect(activeElements(instance)).toEqual(['revise-draft']);
    const [revise] = (await http.get('/api/user-tasks').query({ processInstanceId: id, assignee: 'ada' }).expect(200)).body;
    expect(revise).toEqual(expect.objectContaining({ elementId: 'revise-draft', assignee: 'ada' }));

    instance = await completeUserTask(http, id, 'revise-draft');
    expect(activeElements(instance)).toEqual(['review-draft']);
    instance = await completeUserTask(http, id, 'review-draft', { approved: true });
    expect(activeElements(instance)).toEqual(['publish-article']);

    await completeOnlyJob(http, 'publish-article');
    instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(instance).toEqual(expect.objectContaining({ state: 'COMPLETED', activeElementInstances: [], variables: { author: 'ada', approved: true } }));
  });

  it('runs the event-based gateway example: a week passes first, sales calls, and the wait starts again', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock });
    apps.push(app);
    const http = request(app.getHttpServer());
    const scheduler = app.get(TimerScheduler);
    await deploy(app, ['event-based-gateway.bpmn', await eventBasedGatewayBpmn]).expect(201);

    const started = await http.post('/api/process-instances').send({ processId: 'event-based-gateway', variables: { quoteId: 'Q-1' } }).expect(201);
    const id: string = started.body.id;
    await completeOnlyJob(http, 'send-quote');
    let instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(activeElements(instance)).toEqual(['await-answer']);
    // The gateway's instance waits for the timer of the catch event after it.
    const gateway = instance.activeElementInstances[0].id;
    expect(instance.timers).toEqual([{ id: expect.any(String), elementId: 'a-week-passed', elementInstanceId: gateway, dueAt: at(7 * DAY) }]);

    clock.advance(7 * DAY - 1);
    await scheduler.fireDue();
    expect(activeElements((await http.get(`/api/process-instances/${id}`).expect(200)).body)).toEqual(['await-answer']);
    clock.advance(1);
    await scheduler.fireDue();
    instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(activeElements(instance)).toEqual(['call-customer']);
    expect(instance.timers).toEqual([]);

    instance = await completeUserTask(http, id, 'call-customer');
    expect(activeElements(instance)).toEqual(['await-answer']);
    expect(instance.timers).toEqual([expect.objectContaining({ elementId: 'a-week-passed', dueAt: at(14 * DAY) })]);

    const canceled = (await http.post(`/api/process-instances/${id}/cancel`).expect(200)).body;
    expect(canceled).toEqual(expect.objectContaining({ state: 'TERMINATED', timers: [] }));
  });

  it('runs the event-based gateway example: the customer accepts first, with the price; the timer is canceled', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock });
    apps.push(app);
    const http = request(app.getHttpServer());
    const scheduler = app.get(TimerScheduler);
    await deploy(app, ['event-based-gateway.bpmn', await eventBasedGatewayBpmn]).expect(201);

    const id: string = (await http.post('/api/process-instances').send({ processId: 'event-based-gateway', variables: { quoteId: 'Q-3' } }).expect(201)).body.id;
    await completeOnlyJob(http, 'send-quote');
    // Another quote's answer does not concern this instance.
    expect((await http.post('/api/messages').send({ name: 'quote-accepted', correlationKey: 'Q-4', variables: { price: 1 } }).expect(200)).body.processInstanceIds).toEqual([]);

    const accepted = await http.post('/api/messages').send({ name: 'quote-accepted', correlationKey: 'Q-3', variables: { price: 1200 } }).expect(200);
    expect(accepted.body.processInstanceIds).toEqual([id]);
    const instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(activeElements(instance)).toEqual(['prepare-order']);
    expect(instance.timers).toEqual([]);
    expect(instance.variables).toEqual({ quoteId: 'Q-3', agreedPrice: 1200 });

    // The decline and the week come too late: nothing waits for them any more.
    expect((await http.post('/api/messages').send({ name: 'quote-declined', correlationKey: 'Q-3' }).expect(200)).body.processInstanceIds).toEqual([]);
    clock.advance(8 * DAY);
    await scheduler.fireDue();
    expect(activeElements((await http.get(`/api/process-instances/${id}`).expect(200)).body)).toEqual(['prepare-order']);
  });
});

describe('an event-based gateway across a restart (embedded store)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trellis-event-gateway-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('still waits after a restart, and the timer that fell due meanwhile wins at once', async () => {
    const clock = new ManualClock(T0);
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, clock, logger: false });
    const first = await open();
    let id: string;
    try {
      await deploy(first, ['event-based-gateway.bpmn', await eventBasedGatewayBpmn]).expect(201);
      const http = request(first.getHttpServer());
      id = (await http.post('/api/process-instances').send({ processId: 'event-based-gateway', variables: { quoteId: 'Q-2' } }).expect(201)).body.id;
      await completeOnlyJob(http, 'send-quote');
      expect(activeElements((await http.get(`/api/process-instances/${id}`).expect(200)).body)).toEqual(['await-answer']);
    } finally {
      await first.close();
    }

    clock.advance(8 * DAY);
    const second = await open();
    try {
      await second.get(TimerScheduler).fireDue();
      const instance = (await request(second.getHttpServer()).get(`/api/process-instances/${id}`).expect(200)).body;
      expect(activeElements(instance)).toEqual(['call-customer']);
      expect(instance.timers).toEqual([]);
      expect(instance.variables).toEqual({ quoteId: 'Q-2' });
    } finally {
      await second.close();
    }
  });
});
