// Timers over the API: a test clock (ManualClock) is moved instead of waiting, and the server's own timer scheduler
// fires what fell due; on the embedded store across a restart, and with two servers on one Postgres event store.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventStore } from '@trellis/event-store';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EVENT_STORE, ManualClock } from '@trellis/platform';
import { processInstanceStream, RuntimeProjection, TimerScheduler } from '@trellis/runtime';
import request from 'supertest';

import { createStandaloneApp } from './create-standalone-app.js';
import { deploy, memoryApp } from './testing/e2e.fixture.js';

const HOUR = 3_600_000;
const T0 = '2026-03-02T08:00:00.000Z';
const at = (offsetMs: number): string => new Date(Date.parse(T0) + offsetMs).toISOString();

const timerEscalationBpmn = readFile(new URL('../../../examples/timer-escalation.bpmn', import.meta.url), 'utf8');

/** start → wait (intermediate timer, `timeDate` from the variable `deadline` by FEEL, or a duration) → review-it (user task) → end */
const waitBpmn = (processId: string, timer: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="${processId}-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="${processId}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to-wait" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>${timer}</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="to-review" sourceRef="wait" targetRef="review-it" />
    <bpmn:userTask id="review-it"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="review-it" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;
const untilDeadlineBpmn = waitBpmn('until-deadline', '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">=date and time(deadline)</bpmn:timeDate>');
const anHourBpmn = waitBpmn('wait-an-hour', '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1H</bpmn:timeDuration>');

/** Started every hour by its timer start event `hourly`, and at `manual` over the API: check (user task) → end. */
const hourlyBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="hourly-definitions" targetNamespace="http://example.org/test">
  <bpmn:process id="hourly-check" isExecutable="true">
    <bpmn:startEvent id="hourly">
      <bpmn:timerEventDefinition><bpmn:timeCycle xsi:type="bpmn:tFormalExpression">R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="to-check" sourceRef="hourly" targetRef="check" />
    <bpmn:userTask id="check"><bpmn:extensionElements><zeebe:userTask /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="to-end" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

interface InstanceView {
  readonly id: string;
  readonly startedAt: string;
  readonly activeElementInstances: readonly ElementView[];
}

const hourlyInstances = async (app: INestApplication): Promise<InstanceView[]> =>
  (await request(app.getHttpServer()).get('/api/process-instances').query({ processId: 'hourly-check' }).expect(200)).body.items;

interface ElementView {
  readonly elementId: string;
}

const activeElements = (body: { activeElementInstances: readonly ElementView[] }): string[] =>
  body.activeElementInstances.map((instance) => instance.elementId).sort();

describe('timers over the API (memory store, test clock)', () => {
  const apps: INestApplication[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('runs the timer-escalation example: reminders while the approval waits, escalation after 48 h, the payment run an hour later', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock });
    apps.push(app);
    const http = request(app.getHttpServer());
    const scheduler = app.get(TimerScheduler);
    await deploy(app, ['timer-escalation.bpmn', await timerEscalationBpmn]).expect(201);

    const started = await http.post('/api/process-instances').send({ processId: 'timer-escalation', variables: { amount: 420 } }).expect(201);
    const id: string = started.body.id;
    expect(started.body.timers).toEqual([
      { id: expect.any(String), elementId: 'remind-approver', elementInstanceId: expect.any(String), dueAt: at(20 * HOUR) },
      { id: expect.any(String), elementId: 'escalate', elementInstanceId: expect.any(String), dueAt: at(48 * HOUR) },
    ]);

    // 20 hours: the first reminder; the manager's approval goes on.
    clock.advance(20 * HOUR);
    await scheduler.fireDue();
    let instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(activeElements(instance)).toEqual(['approve-expense', 'send-reminder']);
    expect(instance.timers.map((timer: { elementId: string; dueAt: string }) => [timer.elementId, timer.dueAt])).toEqual(
      expect.arrayContaining([
        ['remind-approver', at(40 * HOUR)],
        ['escalate', at(48 * HOUR)],
      ]),
    );
    expect((await http.get('/api/jobs').query({ type: 'send-reminder' }).expect(200)).body).toHaveLength(1);

    // 48 hours: the second reminder (due at 40 h) and the escalation: the manager's task is withdrawn.
    clock.advance(28 * HOUR);
    await scheduler.fireDue();
    instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(activeElements(instance)).toEqual(['approve-as-director', 'send-reminder', 'send-reminder']);
    expect(instance.timers).toEqual([]);
    const managerTask = (await http.get('/api/user-tasks').query({ processInstanceId: id, candidateGroup: 'managers' }).expect(200)).body;
    expect(managerTask).toEqual([expect.objectContaining({ elementId: 'approve-expense', state: 'CANCELED' })]);

    const reminders = (await http.get('/api/jobs').query({ type: 'send-reminder' }).expect(200)).body;
    expect(reminders).toHaveLength(2);
    for (const job of reminders) await http.post(`/api/jobs/${job.id}/complete`).send({}).expect(200);
    const [directorTask] = (await http.get('/api/user-tasks').query({ processInstanceId: id, candidateGroup: 'directors' }).expect(200)).body;
    // Approved: it waits an hour for the payment run, then ends.
    instance = (await http.post(`/api/user-tasks/${directorTask.id}/complete`).send({ variables: { approved: true } }).expect(200)).body;
    expect(activeElements(instance)).toEqual(['wait-for-payment-run']);
    expect(instance.timers).toEqual([expect.objectContaining({ elementId: 'wait-for-payment-run', dueAt: at(49 * HOUR) })]);
    clock.advance(HOUR - 1);
    await scheduler.fireDue();
    expect((await http.get(`/api/process-instances/${id}`).expect(200)).body.state).toBe('ACTIVE');
    clock.advance(1);
    await scheduler.fireDue();
    instance = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
    expect(instance).toEqual(expect.objectContaining({ state: 'COMPLETED', timers: [], activeElementInstances: [] }));
  });

  it('takes an intermediate timer date from a FEEL expression, and cancels the timer with its instance', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock });
    apps.push(app);
    const http = request(app.getHttpServer());
    await deploy(app, ['until-deadline.bpmn', untilDeadlineBpmn]).expect(201);

    const started = await http
      .post('/api/process-instances')
      .send({ processId: 'until-deadline', variables: { deadline: '2026-03-05T12:00:00+01:00' } })
      .expect(201);
    expect(started.body.timers).toEqual([expect.objectContaining({ elementId: 'wait', dueAt: '2026-03-05T11:00:00.000Z' })]);
    const canceled = await http.post(`/api/process-instances/${started.body.id}/cancel`).expect(200);
    expect(canceled.body).toEqual(expect.objectContaining({ state: 'TERMINATED', timers: [] }));

    const other = await http
      .post('/api/process-instances')
      .send({ processId: 'until-deadline', variables: { deadline: '2026-03-05T12:00:00+01:00' } })
      .expect(201);
    clock.set('2026-03-05T11:00:00.000Z');
    await app.get(TimerScheduler).fireDue();
    expect(activeElements((await http.get(`/api/process-instances/${other.body.id}`).expect(200)).body)).toEqual(['review-it']);
    const fired = (await http.get('/metrics').expect(200)).text;
    expect(fired).toMatch(/^trellis_timers_total\{kind="timer",outcome="fired"\} 1$/m);
    expect(fired).toMatch(/^trellis_timers_waiting 0$/m);
    expect(fired).toMatch(/^trellis_timers_overdue_seconds 0$/m);
    const events = await app.get<EventStore>(EVENT_STORE).readStream(processInstanceStream(started.body.id));
    expect(events.map((event) => event.type)).not.toContain('TimerTriggered');
  });
});

describe('TRELLIS_TIMERS_ENABLED', () => {
  it('false: the server fires no timer by itself; the timers wait, shown, until a scheduler fires them', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock, env: { TRELLIS_TIMERS_ENABLED: 'false' } });
    try {
      const http = request(app.getHttpServer());
      const scheduler = app.get(TimerScheduler);
      expect(scheduler.active).toBe(false);
      await deploy(app, ['wait-an-hour.bpmn', anHourBpmn]).expect(201);
      const { id } = (await http.post('/api/process-instances').send({ processId: 'wait-an-hour' }).expect(201)).body;
      clock.advance(2 * HOUR);
      const waiting = (await http.get(`/api/process-instances/${id}`).expect(200)).body;
      expect(activeElements(waiting)).toEqual(['wait']);
      expect(waiting.timers).toEqual([expect.objectContaining({ elementId: 'wait', dueAt: at(HOUR) })]);
      expect(scheduler.fired).toBe(0);
      // What an alert watches: a timer an hour overdue.
      const metrics = (await http.get('/metrics').expect(200)).text;
      expect(metrics).toMatch(/^trellis_timers_waiting 1$/m);
      expect(metrics).toMatch(/^trellis_timers_overdue_seconds 3600$/m);
    } finally {
      await app.close();
    }
    await expect(memoryApp({ env: { TRELLIS_TIMERS_ENABLED: 'yes' } })).rejects.toThrow(/TRELLIS_TIMERS_ENABLED/);
  });
});

describe('job back-offs by the test clock', () => {
  it('offers a failed job again once the clock has passed its back-off', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock });
    try {
      const http = request(app.getHttpServer());
      await deploy(app, ['timer-escalation.bpmn', await timerEscalationBpmn]).expect(201);
      await http.post('/api/process-instances').send({ processId: 'timer-escalation' }).expect(201);
      clock.advance(20 * HOUR);
      await app.get(TimerScheduler).fireDue();
      const [reminder] = (await http.get('/api/jobs').query({ type: 'send-reminder' }).expect(200)).body;
      await http.post(`/api/jobs/${reminder.id}/fail`).send({ retries: 2, errorMessage: 'mail server busy', retryBackoffMs: 60_000 }).expect(200);

      expect((await http.get('/api/jobs').query({ type: 'send-reminder' }).expect(200)).body).toEqual([]);
      clock.advance(60_000);
      expect((await http.get('/api/jobs').query({ type: 'send-reminder' }).expect(200)).body).toEqual([
        expect.objectContaining({ id: reminder.id, retries: 2, errorMessage: 'mail server busy' }),
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('timer start events over the API (memory store, test clock)', () => {
  it('starts an instance every hour from the deployment, and refuses a start over the API without a none start event', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock });
    try {
      const http = request(app.getHttpServer());
      await deploy(app, ['hourly-check.bpmn', hourlyBpmn]).expect(201);
      const refused = await http.post('/api/process-instances').send({ processId: 'hourly-check' }).expect(400);
      expect(refused.body.detail).toBe("Process 'hourly-check' has no none start event to start at");

      clock.advance(HOUR - 1);
      await app.get(TimerScheduler).fireDue();
      expect(await hourlyInstances(app)).toEqual([]);
      clock.advance(1);
      await app.get(TimerScheduler).fireDue();
      clock.advance(HOUR);
      await app.get(TimerScheduler).fireDue();
      const started = await hourlyInstances(app);
      expect(started.map((instance) => instance.startedAt)).toEqual([at(HOUR), at(2 * HOUR)]);
      for (const instance of started) expect(activeElements(instance)).toEqual(['check']);
    } finally {
      await app.close();
    }
  });
});

describe('the nightly-reconciliation example (a cron timer start event)', () => {
  it('starts by itself at 02:00 UTC each night, and the worker finishes each night\'s instance', async () => {
    const clock = new ManualClock(T0);
    const app = await memoryApp({ clock });
    try {
      const http = request(app.getHttpServer());
      const bpmn = await readFile(new URL('../../../examples/nightly-reconciliation.bpmn', import.meta.url), 'utf8');
      await deploy(app, ['nightly-reconciliation.bpmn', bpmn]).expect(201);
      const nightly = async (): Promise<InstanceView[]> =>
        (await http.get('/api/process-instances').query({ processId: 'nightly-reconciliation' }).expect(200)).body.items;

      // Deployed at 08:00: the first night is the next day's 02:00.
      clock.set('2026-03-03T01:59:59.000Z');
      await app.get(TimerScheduler).fireDue();
      expect(await nightly()).toEqual([]);
      for (const night of ['2026-03-03T02:00:00.000Z', '2026-03-04T02:00:00.000Z']) {
        clock.set(night);
        await app.get(TimerScheduler).fireDue();
        const [job] = (await http.get('/api/jobs').query({ type: 'reconcile-accounts' }).expect(200)).body;
        expect(job).toEqual(expect.objectContaining({ elementId: 'reconcile-accounts' }));
        await http.post(`/api/jobs/${job.id}/complete`).send({ variables: { reconciledAt: night } }).expect(200);
      }
      const instances = await nightly();
      expect(instances.map((instance) => [instance.startedAt, (instance as unknown as { state: string }).state])).toEqual([
        ['2026-03-03T02:00:00.000Z', 'COMPLETED'],
        ['2026-03-04T02:00:00.000Z', 'COMPLETED'],
      ]);
    } finally {
      await app.close();
    }
  });
});

describe('timers across a restart (embedded store)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trellis-timers-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fires at once, after a restart, a timer that fell due while the server was down', async () => {
    const clock = new ManualClock(T0);
    const open = (): Promise<INestApplication> => createStandaloneApp({ eventStore: 'embedded', dataDir, clock, logger: false });
    const first = await open();
    let id: string;
    try {
      await deploy(first, ['wait-an-hour.bpmn', anHourBpmn], ['hourly-check.bpmn', hourlyBpmn]).expect(201);
      const started = await request(first.getHttpServer()).post('/api/process-instances').send({ processId: 'wait-an-hour' }).expect(201);
      id = started.body.id;
      expect(started.body.timers).toEqual([expect.objectContaining({ elementId: 'wait', dueAt: at(HOUR) })]);
    } finally {
      await first.close();
    }

    clock.advance(3 * HOUR);
    const second = await open();
    try {
      // The scheduler fired what was due as the server started; fireDue() waits for that pass.
      await second.get(TimerScheduler).fireDue();
      expect(second.get(TimerScheduler).fired).toBe(1);
      const instance = (await request(second.getHttpServer()).get(`/api/process-instances/${id}`).expect(200)).body;
      expect(activeElements(instance)).toEqual(['review-it']);
      expect(instance.timers).toEqual([]);
      // The hourly start missed 09:00, 10:00 and 11:00: one instance, for 11:00; the next is due at 12:00.
      expect((await hourlyInstances(second)).map((started) => started.startedAt)).toEqual([at(3 * HOUR)]);
      expect(second.get(TimerScheduler).startedByTimers).toBe(1);
    } finally {
      await second.close();
    }
  });
});

describe('timers with two servers on one Postgres event store', () => {
  const schema = uniqueSchema('timer_replicas');
  beforeAll(async () => {
    await requirePostgres();
  });
  afterAll(async () => {
    await dropSchema(schema);
  });

  it('fires each due timer once, whichever server sends it first', async () => {
    const clock = new ManualClock(T0);
    const open = (): Promise<INestApplication> =>
      createStandaloneApp({
        env: { TRELLIS_EVENT_STORE: 'postgres', TRELLIS_POSTGRES_URL: postgresUrl, TRELLIS_EVENT_STORE_SCHEMA: schema },
        clock,
        logger: false,
      });
    const one = await open();
    const two = await open();
    try {
      await deploy(one, ['wait-an-hour.bpmn', anHourBpmn]).expect(201);
      const ids: string[] = [];
      for (let index = 0; index < 4; index++) {
        ids.push((await request(one.getHttpServer()).post('/api/process-instances').send({ processId: 'wait-an-hour' }).expect(201)).body.id);
      }
      const [projectionOne, projectionTwo] = [one.get(RuntimeProjection), two.get(RuntimeProjection)];
      await projectionTwo.waitForPosition(projectionOne.position);
      expect(projectionTwo.waitingTimers()).toHaveLength(4);

      // Moving the clock wakes both schedulers at once; fireDue() waits for each one's pass.
      clock.advance(2 * HOUR);
      await Promise.all([one.get(TimerScheduler).fireDue(), two.get(TimerScheduler).fireDue()]);
      await projectionOne.waitForPosition(projectionTwo.position);
      await projectionTwo.waitForPosition(projectionOne.position);

      const store = one.get<EventStore>(EVENT_STORE);
      for (const id of ids) {
        const types = (await store.readStream(processInstanceStream(id))).map((event) => event.type);
        expect(types.filter((type) => type === 'TimerTriggered')).toHaveLength(1);
        expect(types.filter((type) => type === 'UserTaskCreated')).toHaveLength(1);
        for (const app of [one, two]) {
          expect(activeElements((await request(app.getHttpServer()).get(`/api/process-instances/${id}`).expect(200)).body)).toEqual(['review-it']);
        }
      }
      expect(one.get(TimerScheduler).fired + two.get(TimerScheduler).fired).toBe(4);

      // A timer start event: each hour's instance is started once, whichever server starts it.
      await deploy(two, ['hourly-check.bpmn', hourlyBpmn]).expect(201);
      await projectionOne.waitForPosition(projectionTwo.position);
      for (let hour = 1; hour <= 2; hour++) {
        clock.advance(HOUR);
        await Promise.all([one.get(TimerScheduler).fireDue(), two.get(TimerScheduler).fireDue()]);
        await projectionOne.waitForPosition(projectionTwo.position);
        await projectionTwo.waitForPosition(projectionOne.position);
      }
      const hourly = await hourlyInstances(one);
      expect(hourly.map((instance) => instance.startedAt)).toEqual([at(3 * HOUR), at(4 * HOUR)]);
      expect((await hourlyInstances(two)).map((instance) => instance.id)).toEqual(hourly.map((instance) => instance.id));
      for (const { id } of hourly) {
        expect((await store.readStream(processInstanceStream(id))).filter((event) => event.type === 'ProcessInstanceCreated')).toHaveLength(1);
      }
      expect(one.get(TimerScheduler).startedByTimers + two.get(TimerScheduler).startedByTimers).toBe(2);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
