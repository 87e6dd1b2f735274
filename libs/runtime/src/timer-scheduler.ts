import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { CLOCK, type Clock, systemClock } from '@trellis/platform';

import { ProcessInstanceCommandRunner } from './commands/process-instance-command.runner.js';
import { ProcessInstanceCommandRejectedError, ProcessInstanceContendedError } from './process-instance-command-rejected.error.js';
import { RuntimeProjection, type WaitingTimer } from './runtime.projection.js';
import { RUNTIME_OPTIONS, type RuntimeOptions, type TimerSchedulerOptions } from './runtime.options.js';

const defaults: Required<TimerSchedulerOptions> = {
  enabled: true,
  maxSleepMs: 60_000,
  concurrency: 8,
  retryBackoffMs: { initial: 200, max: 30_000 },
};

interface Retry {
  readonly attempts: number;
  /** `performance.now()` time before which the timer is not sent again: a back-off is wall time, whatever the clock says. */
  readonly retryAt: number;
}

/**
 * Fires due timers: sends `TriggerTimer` for every waiting timer (as the `RuntimeProjection` knows them: every timer of
 * the store, since the views fold every event at startup) whose due time has come by the injected `CLOCK`.
 *
 * - It sleeps until the earliest due time (re-armed when an earlier timer is created), but never longer than
 *   `maxSleepMs`, so that a wall clock set forward is noticed; a `ManualClock` wakes it when it is moved.
 * - At startup it fires at once every timer that fell due while no scheduler ran.
 * - Every replica runs one. A timer fires once all the same: the engine refuses `TriggerTimer` for a timer that is no
 *   longer waiting, and the append with the expected revision lets only one replica's decision through. That refusal
 *   (NOT_FOUND, INVALID_STATE: another replica fired it, or its element left meanwhile) is logged at debug.
 * - Any other failure (the store away, an instance that kept changing) is tried again with a back-off, for as long as
 *   the timer waits: a timer is never dropped, only the views' `TimerTriggered`/`TimerCanceled` remove it.
 */
@Injectable()
export class TimerScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TimerScheduler.name);
  private readonly options: Required<TimerSchedulerOptions>;
  private readonly clock: Clock;
  private readonly retries = new Map<string, Retry>();
  private readonly unsubscribes: (() => void)[] = [];
  private sleeper: NodeJS.Timeout | undefined;
  /** The clock time (ms) the sleeper wakes at: a timer due before it needs the sleeper set again. */
  private wakeAt: number | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private firedCount = 0;

  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
    @Optional() @Inject(RUNTIME_OPTIONS) options?: Partial<RuntimeOptions>,
    @Optional() @Inject(CLOCK) clock?: Clock,
  ) {
    this.options = { ...defaults, ...options?.timers };
    this.clock = clock ?? systemClock;
  }

  /** Timers this scheduler fired since it started (a timer another replica fired is not counted). */
  get fired(): number {
    return this.firedCount;
  }

  onApplicationBootstrap(): void {
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
    const onChange = this.clock.onChange?.(() => void this.fireDue());
    if (onChange !== undefined) this.unsubscribes.push(onChange);
    const waiting = this.projection.waitingTimers().length;
    if (waiting > 0) this.logger.log(`Timer scheduler started with ${waiting} waiting timer(s)`);
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
   * behind), and resolves once they were fired and the views show it. Called by the scheduler itself; tests call it
   * after moving a `ManualClock`. Calls during a pass are served by one pass after it.
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

  private async pass(): Promise<void> {
    const attempted = new Set<string>();
    for (;;) {
      if (this.stopped) return;
      const now = this.clock.now().getTime();
      const wall = performance.now();
      const due = this.projection
        .waitingTimers()
        .filter((timer) => !attempted.has(timer.timerId) && Date.parse(timer.dueAt) <= now && (this.retries.get(timer.timerId)?.retryAt ?? 0) <= wall)
        .sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
      if (due.length === 0) return;
      for (const timer of due) attempted.add(timer.timerId);
      await eachConcurrently(due, this.options.concurrency, (timer) => this.fire(timer));
    }
  }

  private async fire(timer: WaitingTimer): Promise<void> {
    try {
      const outcome = await this.runner.execute(timer.processInstanceId, { type: 'TriggerTimer', timerId: timer.timerId });
      this.retries.delete(timer.timerId);
      this.firedCount++;
      // The next look at the timers must not find this one still waiting.
      if (outcome.position !== undefined) await this.projection.waitForPosition(outcome.position);
    } catch (error) {
      const retry = this.retryLater(timer.timerId);
      if (error instanceof ProcessInstanceCommandRejectedError && !(error instanceof ProcessInstanceContendedError)) {
        // Another replica fired it or its element left: the views will drop it; until they do, it is not sent at once.
        this.logger.debug(`Timer ${timer.timerId} (${timer.elementId}) of process instance ${timer.processInstanceId} not fired: ${error.failure.message}`);
        return;
      }
      this.logger.warn(
        `Timer ${timer.timerId} (${timer.elementId}) of process instance ${timer.processInstanceId} could not be fired (attempt ${retry.attempts}), trying again in ${Math.round(retry.retryAt - performance.now())} ms: ${String(error)}`,
      );
    }
  }

  private retryLater(timerId: string): Retry {
    const attempts = (this.retries.get(timerId)?.attempts ?? 0) + 1;
    const { initial, max } = this.options.retryBackoffMs;
    const retry = { attempts, retryAt: performance.now() + Math.min(max, initial * 2 ** Math.min(attempts - 1, 30)) };
    this.retries.set(timerId, retry);
    return retry;
  }

  /** Sets the sleeper to the earliest due time or retry, at most `maxSleepMs` away. */
  private arm(): void {
    clearTimeout(this.sleeper);
    this.sleeper = undefined;
    this.wakeAt = undefined;
    if (!this.started || this.stopped) return;
    for (const timerId of this.retries.keys()) if (!this.projection.isTimerWaiting(timerId)) this.retries.delete(timerId);
    const now = this.clock.now().getTime();
    const wall = performance.now();
    let delay = this.options.maxSleepMs;
    for (const timer of this.projection.waitingTimers()) {
      const retryAt = this.retries.get(timer.timerId)?.retryAt;
      const dueAt = Date.parse(timer.dueAt);
      const wait = Math.max(dueAt - now, retryAt === undefined ? 0 : retryAt - wall);
      if (wait < delay) delay = wait;
    }
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
