import { createHash } from 'node:crypto';

import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { DefinitionRegistry } from '@trellis/deployment';
import { firstTimerStart, latestDueTimerStart, nextTimerStart, timerStartEvents, type TimerSchedule } from '@trellis/engine';
import { CLOCK, type Clock, systemClock } from '@trellis/platform';
import { Counter, Gauge, Registry } from 'prom-client';

import { ProcessInstanceCommandRunner } from './commands/process-instance-command.runner.js';
import { ProcessInstanceCommandRejectedError, ProcessInstanceContendedError } from './process-instance-command-rejected.error.js';
import { RuntimeProjection, TIMER_START_METADATA, type WaitingTimer } from './runtime.projection.js';
import { RUNTIME_OPTIONS, type RuntimeOptions, type TimerSchedulerOptions } from './runtime.options.js';

const defaults: Required<TimerSchedulerOptions> = {
  enabled: true,
  maxSleepMs: 60_000,
  concurrency: 8,
  retryBackoffMs: { initial: 200, max: 30_000 },
};

/** The next occurrence of a timer start event of the latest version of a process. */
interface PlannedStart {
  /** `processDefinitionId` and `startEventId`: one plan per timer start event. */
  readonly key: string;
  readonly processDefinitionId: string;
  readonly version: number;
  readonly startEventId: string;
  readonly next: TimerSchedule;
}

/**
 * The id of the instance a timer start event starts for one due time: the same on every replica, so that the second
 * replica to start it finds the stream there (its create is answered as a duplicate) and an occurrence starts once.
 */
export function timerStartInstanceId(processDefinitionId: string, startEventId: string, dueAt: string): string {
  const hex = createHash('sha256').update(`${processDefinitionId}\n${startEventId}\n${dueAt}`, 'utf8').digest('hex');
  // UUID layout, version 8 (custom, name-based) and the RFC 4122 variant.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The `kind` and `outcome` labels of `trellis_timers_total`. */
type TimerKind = 'timer' | 'start';
type TimerOutcome = 'fired' | 'refused' | 'failed';

interface Retry {
  readonly attempts: number;
  /** `performance.now()` time before which the timer is not sent again: a back-off is wall time, whatever the clock says. */
  readonly retryAt: number;
}

/**
 * Fires due timers: sends `TriggerTimer` for every waiting timer (as the `RuntimeProjection` knows them: every timer of
 * the store, since the views fold every event at startup) whose due time has come by the injected `CLOCK`, and starts
 * an instance at each due time of the timer start events of the latest version of every process.
 *
 * - It sleeps until the earliest due time (re-armed when an earlier timer is created), but never longer than
 *   `maxSleepMs`, so that a wall clock set forward is noticed; a `ManualClock` wakes it when it is moved.
 * - At startup it fires at once every timer that fell due while no scheduler ran; a timer start event whose
 *   occurrences fell due meanwhile starts one instance, for the latest of them, and its cycle goes on from there.
 * - Every replica runs one. A timer fires once all the same: the engine refuses `TriggerTimer` for a timer that is no
 *   longer waiting, and the append with the expected revision lets only one replica's decision through. That refusal
 *   (NOT_FOUND, INVALID_STATE: another replica fired it, or its element left meanwhile) is logged at debug. A timer
 *   start's instance has an id made of its definition, start event and due time, so a second start of it finds the
 *   stream there and is answered as a duplicate.
 * - Any other failure (the store away, an instance that kept changing) is tried again with a back-off, for as long as
 *   the timer waits: a timer is never dropped, only the views' `TimerTriggered`/`TimerCanceled` remove it.
 */
@Injectable()
export class TimerScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TimerScheduler.name);
  private readonly options: Required<TimerSchedulerOptions>;
  private readonly clock: Clock;
  /** Back-offs by `timer:<timer id>` and `start:<plan key>`. */
  private readonly retries = new Map<string, Retry>();
  private readonly unsubscribes: (() => void)[] = [];
  /** The timer starts' next occurrences; undefined: to be computed again (a deployment or a timer start was seen). */
  private plan: PlannedStart[] | undefined;
  /** The registry's revision the plan was computed at: a deployment applied since makes it stale. */
  private planRevision: number | undefined;
  /** Timer start events whose timer cannot be evaluated, already reported. */
  private readonly reported = new Set<string>();
  private sleeper: NodeJS.Timeout | undefined;
  /** The clock time (ms) the sleeper wakes at: a timer due before it needs the sleeper set again. */
  private wakeAt: number | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private firedCount = 0;
  private startedCount = 0;
  private counter: Counter<'kind' | 'outcome'> | undefined;

  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
    private readonly registry: DefinitionRegistry,
    @Optional() @Inject(RUNTIME_OPTIONS) options?: Partial<RuntimeOptions>,
    @Optional() @Inject(CLOCK) clock?: Clock,
    @Optional() private readonly metrics?: Registry,
  ) {
    this.options = { ...defaults, ...options?.timers };
    this.clock = clock ?? systemClock;
  }

  /** `trellis_timers_total` and the gauges of waiting and overdue timers, read from the views at each scrape. */
  private registerMetrics(): void {
    const metrics = this.metrics;
    if (metrics === undefined) return;
    this.counter =
      (metrics.getSingleMetric('trellis_timers_total') as Counter<'kind' | 'outcome'> | undefined) ??
      new Counter({
        name: 'trellis_timers_total',
        help: 'Timers this process sent (kind timer: TriggerTimer; kind start: an instance of a timer start event), by outcome: fired, refused (another replica did it, or its element left), failed (tried again).',
        labelNames: ['kind', 'outcome'] as const,
        registers: [metrics],
      });
    if (metrics.getSingleMetric('trellis_timers_waiting') === undefined) {
      const projection = this.projection;
      const clock = this.clock;
      new Gauge({
        name: 'trellis_timers_waiting',
        help: 'Timers of live process instances waiting to be due, as this process knows them.',
        registers: [metrics],
        collect() {
          this.set(projection.waitingTimers().length);
        },
      });
      new Gauge({
        name: 'trellis_timers_overdue_seconds',
        help: 'How long the most overdue waiting timer has been due (0: none is due): above a few seconds, timers are not being fired.',
        registers: [metrics],
        collect() {
          const now = clock.now().getTime();
          let overdue = 0;
          for (const timer of projection.waitingTimers()) overdue = Math.max(overdue, now - Date.parse(timer.dueAt));
          this.set(overdue / 1000);
        },
      });
    }
  }

  private count(kind: TimerKind, outcome: TimerOutcome): void {
    this.counter?.inc({ kind, outcome });
  }

  /** Timers this scheduler fired since it started (a timer another replica fired is not counted). */
  get fired(): number {
    return this.firedCount;
  }

  /** Whether it fires timers by itself (started, not stopped; not with `timers.enabled: false`). */
  get active(): boolean {
    return this.started && !this.stopped;
  }

  /** Instances this scheduler started for timer start events (one another replica started is not counted). */
  get startedByTimers(): number {
    return this.startedCount;
  }

  onApplicationBootstrap(): void {
    // Also where timers are not fired: the gauges show timers left waiting.
    this.registerMetrics();
    if (!this.options.enabled) {
      this.logger.log('Timer scheduler disabled: this process fires no timers');
      return;
    }
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Starts firing timers: at once those already due, then each when it falls due. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unsubscribes.push(this.projection.onTimerWaiting((timer) => this.timerWaiting(timer)));
    this.unsubscribes.push(this.projection.onTimerStartsChanged(() => this.timerStartsChanged()));
    const onChange = this.clock.onChange?.(() => void this.fireDue());
    if (onChange !== undefined) this.unsubscribes.push(onChange);
    const waiting = this.projection.waitingTimers().length;
    const starts = this.plannedStarts().length;
    if (waiting + starts > 0) this.logger.log(`Timer scheduler started with ${waiting} waiting timer(s) and ${starts} timer start event(s)`);
    void this.fireDue();
  }

  /** Stops: no timer is sent after the pass in progress (awaited) ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.sleeper);
    this.sleeper = undefined;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    await this.queued;
    await this.running;
  }

  /**
   * Fires every timer that is due now by the clock, the timers those firings make due included (a cycle that is
   * behind), starts the instances of the timer start events that are due, and resolves once that is done and the
   * views show it. Called by the scheduler itself; tests call it after moving a `ManualClock`. Calls during a pass are
   * served by one pass after it.
   */
  fireDue(): Promise<void> {
    if (this.stopped) return this.running ?? Promise.resolve();
    if (this.running !== undefined) {
      this.queued ??= this.running.then(() => {
        this.queued = undefined;
        return this.fireDue();
      });
      return this.queued;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      this.arm();
    });
    return this.running;
  }

  private timerWaiting(timer: WaitingTimer): void {
    if (this.stopped) return;
    const dueAt = Date.parse(timer.dueAt);
    if (dueAt <= this.clock.now().getTime()) {
      void this.fireDue();
    } else if (this.running === undefined && (this.wakeAt === undefined || dueAt < this.wakeAt)) {
      this.arm();
    }
  }

  /** A deployment (maybe made by another service) or a timer start's instance: the plan is computed again. */
  private timerStartsChanged(): void {
    this.plan = undefined;
    if (this.stopped) return;
    void this.registry
      .catchUp()
      .catch((error: unknown) => this.logger.warn(`Cannot read the deployments to plan timer start events: ${String(error)}`))
      .then(() => {
        this.plan = undefined;
        if (this.running === undefined) this.arm();
      });
  }

  private async pass(): Promise<void> {
    const attempted = new Set<string>();
    // The deployments made since the last pass (by another service, or not yet applied here) decide which versions'
    // timer start events are due: a version just replaced starts nothing.
    await this.catchUpDeployments();
    for (;;) {
      if (this.stopped) return;
      const now = this.clock.now().getTime();
      const wall = performance.now();
      const ready = (key: string): boolean => !attempted.has(key) && (this.retries.get(key)?.retryAt ?? 0) <= wall;
      const timers = this.projection
        .waitingTimers()
        .filter((timer) => Date.parse(timer.dueAt) <= now && ready(`timer:${timer.timerId}`))
        .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
      const starts = this.plannedStarts().filter(
        (planned) => Date.parse(planned.next.dueAt) <= now && ready(`start:${planned.key}`) && !attempted.has(`start:${planned.key}:${planned.next.dueAt}`),
      );
      if (timers.length === 0 && starts.length === 0) return;
      for (const timer of timers) attempted.add(`timer:${timer.timerId}`);
      for (const planned of starts) attempted.add(`start:${planned.key}:${planned.next.dueAt}`);
      const tasks = [...starts.map((planned) => () => this.startInstance(planned, now)), ...timers.map((timer) => () => this.fire(timer))];
      await eachConcurrently(tasks, this.options.concurrency, (task) => task());
    }
  }

  private async fire(timer: WaitingTimer): Promise<void> {
    const retryKey = `timer:${timer.timerId}`;
    try {
      const outcome = await this.runner.execute(timer.processInstanceId, { type: 'TriggerTimer', timerId: timer.timerId });
      this.retries.delete(retryKey);
      this.firedCount++;
      this.count('timer', 'fired');
      // The next look at the timers must not find this one still waiting.
      if (outcome.position !== undefined) await this.projection.waitForPosition(outcome.position);
    } catch (error) {
      const retry = this.retryLater(retryKey);
      if (error instanceof ProcessInstanceCommandRejectedError && !(error instanceof ProcessInstanceContendedError)) {
        // Another replica fired it or its element left: the views will drop it; until they do, it is not sent at once.
        this.count('timer', 'refused');
        this.logger.debug(`Timer ${timer.timerId} (${timer.elementId}) of process instance ${timer.processInstanceId} not fired: ${error.failure.message}`);
        return;
      }
      this.count('timer', 'failed');
      this.logger.warn(
        `Timer ${timer.timerId} (${timer.elementId}) of process instance ${timer.processInstanceId} could not be fired (attempt ${retry.attempts}), trying again in ${Math.round(retry.retryAt - performance.now())} ms: ${String(error)}`,
      );
    }
  }

  /** Starts the instance of a timer start event's due occurrence (the latest one, when several fell due). */
  private async startInstance(planned: PlannedStart, now: number): Promise<void> {
    const retryKey = `start:${planned.key}`;
    const occurrence = latestDueTimerStart(planned.next, new Date(now).toISOString());
    const processInstanceId = timerStartInstanceId(planned.processDefinitionId, planned.startEventId, occurrence.dueAt);
    const what = `timer start event ${planned.startEventId} of ${planned.processDefinitionId} due at ${occurrence.dueAt}`;
    try {
      const outcome = await this.runner.execute(
        processInstanceId,
        {
          type: 'CreateProcessInstance',
          processInstanceId,
          processDefinitionId: planned.processDefinitionId,
          version: planned.version,
          startElementId: planned.startEventId,
        },
        {
          commandId: processInstanceId,
          metadata: {
            [TIMER_START_METADATA]: {
              startEventId: planned.startEventId,
              dueAt: occurrence.dueAt,
              ...(occurrence.cycle === undefined ? {} : { cycle: { ...occurrence.cycle } }),
            },
          },
        },
      );
      this.retries.delete(retryKey);
      if (outcome.duplicate) {
        // Another replica started it: its instance's event moves the plan on once these views see it.
        this.retryLater(retryKey);
        this.count('start', 'refused');
        this.logger.debug(`Instance ${processInstanceId} of the ${what} was started by another replica`);
        return;
      }
      this.startedCount++;
      this.count('start', 'fired');
      if (outcome.position !== undefined) await this.projection.waitForPosition(outcome.position);
    } catch (error) {
      const retry = this.retryLater(retryKey);
      const rejected = error instanceof ProcessInstanceCommandRejectedError && !(error instanceof ProcessInstanceContendedError);
      const message = `Instance ${processInstanceId} of the ${what} not started (attempt ${retry.attempts}), trying again in ${Math.round(retry.retryAt - performance.now())} ms: ${String(error)}`;
      this.count('start', rejected ? 'refused' : 'failed');
      if (rejected) this.logger.debug(message);
      else this.logger.warn(message);
    }
  }

  /** Reads the deployments made since the registry's last read (by another service, or not yet seen here). */
  private async catchUpDeployments(): Promise<void> {
    try {
      await this.registry.catchUp();
    } catch (error) {
      this.logger.warn(`Cannot read the deployments to plan timer start events: ${String(error)}`);
    }
  }

  /** The next occurrence of every timer start event of the latest version of each process. */
  private plannedStarts(): PlannedStart[] {
    if (this.plan !== undefined && this.planRevision === this.registry.revision) return this.plan;
    const plan: PlannedStart[] = [];
    for (const definition of this.registry.list({ latest: true })) {
      const executable = this.registry.executableProcess(definition.id);
      if (executable === undefined || !('process' in executable)) continue;
      for (const { startEventId, timer } of timerStartEvents(executable.process)) {
        const key = `${definition.id}\n${startEventId}`;
        const last = this.projection.lastTimerStart(definition.id, startEventId);
        let next: TimerSchedule | undefined;
        if (last !== undefined) {
          next = nextTimerStart(last.dueAt, last.cycle);
        } else {
          const first = firstTimerStart(timer, this.registry.deployedAt(definition.id) ?? this.clock.now().toISOString());
          if (!first.ok) {
            if (!this.reported.has(key)) this.logger.warn(`Timer start event ${startEventId} of ${definition.id} never starts an instance: ${first.error}`);
            this.reported.add(key);
            continue;
          }
          next = first.value;
        }
        if (next !== undefined) plan.push({ key, processDefinitionId: definition.id, version: definition.version, startEventId, next });
      }
    }
    this.plan = plan;
    this.planRevision = this.registry.revision;
    return plan;
  }

  private retryLater(key: string): Retry {
    const attempts = (this.retries.get(key)?.attempts ?? 0) + 1;
    const { initial, max } = this.options.retryBackoffMs;
    const retry = { attempts, retryAt: performance.now() + Math.min(max, initial * 2 ** Math.min(attempts - 1, 30)) };
    this.retries.set(key, retry);
    return retry;
  }

  /** Sets the sleeper to the earliest due time or retry, at most `maxSleepMs` away. */
  private arm(): void {
    clearTimeout(this.sleeper);
    this.sleeper = undefined;
    this.wakeAt = undefined;
    if (!this.started || this.stopped) return;
    const planned = this.plannedStarts();
    const plannedKeys = new Set(planned.map((start) => `start:${start.key}`));
    for (const key of this.retries.keys()) {
      const gone = key.startsWith('timer:') ? !this.projection.isTimerWaiting(key.slice('timer:'.length)) : !plannedKeys.has(key);
      if (gone) this.retries.delete(key);
    }
    const now = this.clock.now().getTime();
    const wall = performance.now();
    let delay = this.options.maxSleepMs;
    const consider = (dueAt: number, retryKey: string): void => {
      const retryAt = this.retries.get(retryKey)?.retryAt;
      const wait = Math.max(dueAt - now, retryAt === undefined ? 0 : retryAt - wall);
      if (wait < delay) delay = wait;
    };
    for (const timer of this.projection.waitingTimers()) consider(Date.parse(timer.dueAt), `timer:${timer.timerId}`);
    for (const start of planned) consider(Date.parse(start.next.dueAt), `start:${start.key}`);
    this.wakeAt = now + delay;
    this.sleeper = setTimeout(() => void this.fireDue(), Math.max(0, delay));
    // A sleeping scheduler does not keep the process alive.
    this.sleeper.unref();
  }
}

/** Runs `task` on every item, at most `concurrency` at a time; resolves when all have settled (tasks do not throw). */
async function eachConcurrently<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
