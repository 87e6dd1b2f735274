import { afterEach, describe, expect, it } from '@jest/globals';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { type EventStore, InMemoryEventStore, type RecordedEvent } from '@trellis/event-store';
import { type Clock, ManualClock, systemClock } from '@trellis/platform';

import { ProcessInstanceCommandRunner } from './commands/process-instance-command.runner.js';
import { ProcessInstanceRepository, processInstanceStream } from './process-instance.repository.js';
import { RuntimeProjection } from './runtime.projection.js';
import type { TimerSchedulerOptions } from './runtime.options.js';
import { TimerScheduler, timerStartInstanceId } from './timer-scheduler.js';
import { timerStartedBpmn, waitThenReviewBpmn } from './timer-models.fixture.js';

const MINUTE = 60_000;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function deployed(store: EventStore): Promise<void> {
  const registry = new DefinitionRegistry(store);
  await new DeployResourcesHandler(store, registry).execute(
    new DeployResourcesCommand([
      { name: 'wait-an-hour.bpmn', content: waitThenReviewBpmn('PT1H', 'wait-an-hour') },
      { name: 'wait-a-moment.bpmn', content: waitThenReviewBpmn('PT0.2S', 'wait-a-moment') },
    ]),
  );
}

/** One runtime replica on `store`: its repository, views and scheduler (not started unless asked). */
async function replica(store: EventStore, clock: Clock, timers: TimerSchedulerOptions = {}) {
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  const repository = new ProcessInstanceRepository(store, registry, undefined, clock);
  const projection = new RuntimeProjection(store);
  await projection.start();
  const scheduler = new TimerScheduler(projection, new ProcessInstanceCommandRunner(repository, projection), registry, { timers }, clock);
  stops.push(() => projection.stop(), () => scheduler.stop());
  const start = async (id: string, processDefinitionId: string) => {
    const outcome = await repository.execute(id, { type: 'CreateProcessInstance', processInstanceId: id, processDefinitionId, version: 1 });
    await projection.waitForPosition(outcome.position ?? 0);
  };
  const active = (id: string) => projection.processInstance(id)?.activeElementInstances.map((instance) => instance.elementId);
  return { repository, projection, scheduler, start, active };
}

const eventTypes = async (store: EventStore, id: string, type: string): Promise<RecordedEvent[]> =>
  (await store.readStream(processInstanceStream(id))).filter((event) => event.type === type);

/** Resolves with the first event of `type` the store records from now on. */
function nextEvent(store: EventStore, type: string): Promise<RecordedEvent> {
  return new Promise((resolve) => {
    const subscription = store.subscribeToAll(
      (event) => {
        if (event.type !== type) return;
        void subscription.close();
        resolve(event);
      },
      { afterPosition: 0 },
    );
  });
}

describe('TimerScheduler', () => {
  it('fires a timer once its due time has come by the clock, and not before', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const { projection, scheduler, start, active } = await replica(store, clock);
    await start('pi-1', 'wait-an-hour:1');
    expect(projection.waitingTimers()).toEqual([expect.objectContaining({ processInstanceId: 'pi-1', elementId: 'wait', dueAt: '2026-03-01T09:00:00.000Z' })]);
    expect(projection.processInstance('pi-1')?.timers).toEqual([expect.objectContaining({ elementId: 'wait', dueAt: '2026-03-01T09:00:00.000Z' })]);

    clock.advance(59 * MINUTE);
    await scheduler.fireDue();
    expect(active('pi-1')).toEqual(['wait']);

    clock.advance(MINUTE);
    await scheduler.fireDue();
    expect(active('pi-1')).toEqual(['review-it']);
    expect(projection.processInstance('pi-1')?.timers).toEqual([]);
    expect(projection.waitingTimers()).toEqual([]);
    expect(await eventTypes(store, 'pi-1', 'TimerTriggered')).toHaveLength(1);
    expect(scheduler.fired).toBe(1);
  });

  it('is woken by a manual clock that is moved, without being asked to fire', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const { scheduler, start, active } = await replica(store, clock);
    scheduler.start();
    await start('pi-1', 'wait-an-hour:1');

    const triggered = nextEvent(store, 'TimerTriggered');
    clock.advance(61 * MINUTE);
    expect((await triggered).streamId).toBe(processInstanceStream('pi-1'));
    await scheduler.fireDue();
    expect(active('pi-1')).toEqual(['review-it']);
  });

  it('wakes by itself at the due time of the earliest timer (the system clock)', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    // The longest sleep is far longer than the test may take: only the sleeper set for the due time can fire it.
    const { scheduler, start, active } = await replica(store, systemClock, { maxSleepMs: 3_600_000 });
    scheduler.start();
    const triggered = nextEvent(store, 'TimerTriggered');
    await start('pi-1', 'wait-a-moment:1');
    expect((await triggered).streamId).toBe(processInstanceStream('pi-1'));
    await scheduler.fireDue();
    expect(active('pi-1')).toEqual(['review-it']);
  });

  it('fires at once, when it starts, a timer that fell due while no scheduler ran', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const before = await replica(store, clock);
    await before.start('pi-1', 'wait-an-hour:1');
    clock.advance(24 * 60 * MINUTE);

    // A new replica on the same store: its views know the timer from the store alone.
    const after = await replica(store, clock);
    expect(after.projection.waitingTimers()).toHaveLength(1);
    after.scheduler.start();
    await after.scheduler.fireDue();
    expect(after.active('pi-1')).toEqual(['review-it']);
    expect(after.scheduler.fired).toBe(1);
  });

  it('fires a timer once when two replicas fire it at the same time', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const one = await replica(store, clock);
    const two = await replica(store, clock);
    for (const id of ['pi-1', 'pi-2', 'pi-3']) await one.start(id, 'wait-an-hour:1');
    await two.projection.waitForPosition(one.projection.position);

    clock.advance(2 * 60 * MINUTE);
    await Promise.all([one.scheduler.fireDue(), two.scheduler.fireDue()]);
    await two.projection.waitForPosition(one.projection.position);
    await one.projection.waitForPosition(two.projection.position);

    for (const id of ['pi-1', 'pi-2', 'pi-3']) {
      expect(await eventTypes(store, id, 'TimerTriggered')).toHaveLength(1);
      expect(await eventTypes(store, id, 'UserTaskCreated')).toHaveLength(1);
      expect(one.active(id)).toEqual(['review-it']);
    }
    expect(one.scheduler.fired + two.scheduler.fired).toBe(3);
  });

  it('does not fire a timer whose instance was canceled', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    const { repository, projection, scheduler, start } = await replica(store, clock);
    await start('pi-1', 'wait-an-hour:1');
    const canceled = await repository.execute('pi-1', { type: 'CancelProcessInstance' });
    await projection.waitForPosition(canceled.position ?? 0);
    expect(projection.waitingTimers()).toEqual([]);

    clock.advance(2 * 60 * MINUTE);
    await scheduler.fireDue();
    expect(scheduler.fired).toBe(0);
    expect(await eventTypes(store, 'pi-1', 'TimerCanceled')).toHaveLength(1);
    expect(await eventTypes(store, 'pi-1', 'TimerTriggered')).toHaveLength(0);
  });

  it('keeps a timer it could not fire (the store failed) and fires it on a later pass', async () => {
    const store = new InMemoryEventStore();
    await deployed(store);
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    let failing = 0;
    // The same store, whose appends fail while `failing` is above 0.
    const flaky: EventStore = {
      appendToStream: (...args) => {
        if (failing > 0) {
          failing--;
          return Promise.reject(new Error('connection terminated unexpectedly'));
        }
        return store.appendToStream(...args);
      },
      readStream: (...args) => store.readStream(...args),
      readAll: (...args) => store.readAll(...args),
      subscribeToAll: (...args) => store.subscribeToAll(...args),
      streamRevision: (...args) => store.streamRevision(...args),
      close: () => store.close(),
    };
    const { projection, scheduler, start, active } = await replica(flaky, clock, { retryBackoffMs: { initial: 0, max: 0 } });
    await start('pi-1', 'wait-an-hour:1');
    clock.advance(2 * 60 * MINUTE);

    failing = 1;
    await scheduler.fireDue();
    expect(active('pi-1')).toEqual(['wait']);
    expect(projection.waitingTimers()).toHaveLength(1);

    await scheduler.fireDue();
    expect(active('pi-1')).toEqual(['review-it']);
    expect(await eventTypes(store, 'pi-1', 'TimerTriggered')).toHaveLength(1);
  });
});

const HOUR = 60 * MINUTE;
const T0 = '2026-03-01T08:00:00.000Z';
const at = (offsetMs: number): string => new Date(Date.parse(T0) + offsetMs).toISOString();
const cycle = (text: string): string => `<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">${text}</bpmn:timeCycle>`;

/** Deploys a timer-started process at the clock's time (where its timer starts count from). */
async function deployAt(store: EventStore, clock: Clock, content: string): Promise<void> {
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  await new DeployResourcesHandler(store, registry, clock).execute(new DeployResourcesCommand([{ name: 'timer-started.bpmn', content }]));
}

describe('TimerScheduler: timer start events', () => {
  const startedIds = (projection: RuntimeProjection): string[] =>
    projection.processInstances({ processId: 'timer-started' }).items.map((instance) => instance.id);

  it('starts an instance at each occurrence of a cycle, counted from the deployment, as many as the cycle says', async () => {
    const store = new InMemoryEventStore();
    const clock = new ManualClock(T0);
    await deployAt(store, clock, timerStartedBpmn(cycle('R2/PT1H')));
    const { projection, scheduler } = await replica(store, clock);
    scheduler.start();

    clock.advance(HOUR - 1);
    await scheduler.fireDue();
    expect(startedIds(projection)).toEqual([]);

    clock.advance(1);
    await scheduler.fireDue();
    expect(startedIds(projection)).toEqual([timerStartInstanceId('timer-started:1', 'tick', at(HOUR))]);
    const [first] = projection.processInstances({ processId: 'timer-started' }).items;
    expect(first?.activeElementInstances.map((instance) => instance.elementId)).toEqual(['check']);
    expect(first?.startedAt).toBe(at(HOUR));

    clock.advance(5 * HOUR);
    await scheduler.fireDue();
    // R2: the second occurrence is the last one.
    expect(startedIds(projection)).toEqual([timerStartInstanceId('timer-started:1', 'tick', at(HOUR)), timerStartInstanceId('timer-started:1', 'tick', at(2 * HOUR))]);
    expect(scheduler.startedByTimers).toBe(2);
  });

  it('after a restart, starts one instance for the occurrences missed, then goes on with the cycle', async () => {
    const store = new InMemoryEventStore();
    const clock = new ManualClock(T0);
    await deployAt(store, clock, timerStartedBpmn(cycle('R/PT1H')));
    const before = await replica(store, clock);
    clock.advance(HOUR);
    await before.scheduler.fireDue();
    expect(startedIds(before.projection)).toHaveLength(1);
    await before.scheduler.stop();

    // Down from 09:00 to 13:30: the occurrences of 10:00 to 13:00 start one instance, for 13:00.
    clock.set(at(5 * HOUR + 30 * MINUTE));
    const after = await replica(store, clock);
    after.scheduler.start();
    await after.scheduler.fireDue();
    expect(startedIds(after.projection)).toEqual([timerStartInstanceId('timer-started:1', 'tick', at(HOUR)), timerStartInstanceId('timer-started:1', 'tick', at(5 * HOUR))]);

    clock.advance(30 * MINUTE);
    await after.scheduler.fireDue();
    expect(startedIds(after.projection)).toHaveLength(3);
    expect(startedIds(after.projection)[2]).toBe(timerStartInstanceId('timer-started:1', 'tick', at(6 * HOUR)));
  });

  it('starts each occurrence once when two replicas start it at the same time', async () => {
    const store = new InMemoryEventStore();
    const clock = new ManualClock(T0);
    await deployAt(store, clock, timerStartedBpmn(cycle('R/PT1H')));
    const one = await replica(store, clock);
    const two = await replica(store, clock);
    for (let hour = 1; hour <= 3; hour++) {
      clock.advance(HOUR);
      await Promise.all([one.scheduler.fireDue(), two.scheduler.fireDue()]);
      await one.projection.waitForPosition(two.projection.position);
      await two.projection.waitForPosition(one.projection.position);
    }
    expect(startedIds(one.projection)).toEqual([1, 2, 3].map((hour) => timerStartInstanceId('timer-started:1', 'tick', at(hour * HOUR))));
    expect(startedIds(two.projection)).toEqual(startedIds(one.projection));
    for (const id of startedIds(one.projection)) expect(await eventTypes(store, id, 'ProcessInstanceCreated')).toHaveLength(1);
    expect(one.scheduler.startedByTimers + two.scheduler.startedByTimers).toBe(3);
  });

  it('follows the latest version: a new version replaces the timers of the one before', async () => {
    const store = new InMemoryEventStore();
    const clock = new ManualClock(T0);
    await deployAt(store, clock, timerStartedBpmn(cycle('R/PT1H')));
    const { projection, scheduler } = await replica(store, clock);
    scheduler.start();
    clock.advance(HOUR);
    await scheduler.fireDue();

    // Version 2 at 09:30, every 2 hours: version 1 starts nothing more, version 2 first at 11:30.
    clock.advance(30 * MINUTE);
    await deployAt(store, clock, timerStartedBpmn(cycle('R/PT2H')));
    clock.advance(HOUR + 30 * MINUTE);
    await scheduler.fireDue();
    expect(projection.processInstances({ processId: 'timer-started' }).items.map((instance) => instance.processDefinitionId)).toEqual(['timer-started:1']);
    clock.advance(30 * MINUTE);
    await scheduler.fireDue();
    expect(projection.processInstances({ processId: 'timer-started' }).items.map((instance) => [instance.processDefinitionId, instance.startedAt])).toEqual([
      ['timer-started:1', at(HOUR)],
      ['timer-started:2', at(3 * HOUR + 30 * MINUTE)],
    ]);
  });

  it('starts once at a date, at once when the date has passed', async () => {
    const store = new InMemoryEventStore();
    const clock = new ManualClock(T0);
    await deployAt(store, clock, timerStartedBpmn('<bpmn:timeDate xsi:type="bpmn:tFormalExpression">2026-01-01T00:00:00Z</bpmn:timeDate>'));
    const { projection, scheduler } = await replica(store, clock);
    scheduler.start();
    await scheduler.fireDue();
    clock.advance(24 * HOUR);
    await scheduler.fireDue();
    expect(startedIds(projection)).toEqual([timerStartInstanceId('timer-started:1', 'tick', '2026-01-01T00:00:00.000Z')]);
  });
});
