import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { CLOCK, type Clock, systemClock } from '@trellis/platform';
import { Counter, Gauge, Registry } from 'prom-client';

import { ProcessInstanceCommandRunner } from './commands/process-instance-command.runner.js';
import { ProcessInstanceCommandRejectedError, ProcessInstanceContendedError } from './process-instance-command-rejected.error.js';
import { byExecutionOrder, RuntimeProjection, type WaitingContinuation } from './runtime.projection.js';
import { RUNTIME_OPTIONS, type JobExecutorOptions, type RuntimeOptions } from './runtime.options.js';

const defaults: Required<JobExecutorOptions> = {
  enabled: true,
  maxSleepMs: 60_000,
  concurrency: 4,
  retryBackoffMs: { initial: 200, max: 30_000 },
};

/** The `outcome` label of `trellis_async_continuations_total`. */
type RunOutcome = 'ran' | 'failed' | 'refused' | 'error';

interface Retry {
  readonly attempts: number;
  /** `performance.now()` time before which it is not sent again: a back-off is wall time, whatever the clock says. */
  readonly retryAt: number;
}

/**
 * The job executor: runs asynchronous continuations (Camunda 7 `asyncBefore` / `asyncAfter`) by sending
 * `RunAsyncContinuation` for each one the `RuntimeProjection` knows (every continuation of the store: the views fold
 * every event at startup) that is due by the injected `CLOCK`.
 *
 * - Acquisition order: higher `priority` first, then the earlier due time. Of one process instance, one continuation
 *   at a time (the next one in a later round), so exclusive jobs of an instance never run side by side; the engine
 *   would serialise them anyway, as every command of an instance is appended at the revision it was decided on.
 * - It sleeps until the earliest due time (re-armed when a continuation becomes runnable), but never longer than
 *   `maxSleepMs`; a `ManualClock` wakes it when moved. At startup it runs at once what fell due while none ran.
 * - Every replica runs one, and no continuation runs twice: the engine refuses `RunAsyncContinuation` for one that no
 *   longer waits (NOT_FOUND) or is not due (INVALID_STATE), and the append with the expected revision lets only one
 *   replica's decision through; the loser decides again on the new state and is refused. That refusal is logged at
 *   debug. A problem while the continuation runs is not an error here: the engine rolls it back and spends a retry
 *   (the retry's due time then wakes this executor again), or raises the JOB_NO_RETRIES incident.
 * - Any other failure (the store away, an instance that kept changing) is tried again with a back-off, for as long as
 *   the continuation waits: it is never dropped, only the views' events remove it.
 */
@Injectable()
export class JobExecutor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobExecutor.name);
  private readonly options: Required<JobExecutorOptions>;
  private readonly clock: Clock;
  private readonly retries = new Map<string, Retry>();
  private readonly unsubscribes: (() => void)[] = [];
  private sleeper: NodeJS.Timeout | undefined;
  private wakeAt: number | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private started = false;
  private stopped = false;
  private ranCount = 0;
  private counter: Counter<'outcome'> | undefined;

  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
    @Optional() @Inject(RUNTIME_OPTIONS) options?: Partial<RuntimeOptions>,
    @Optional() @Inject(CLOCK) clock?: Clock,
    @Optional() private readonly metrics?: Registry,
  ) {
    this.options = { ...defaults, ...options?.jobExecutor };
    this.clock = clock ?? systemClock;
  }

  /** Continuations this executor sent and the engine accepted since it started (one whose run failed and spent a retry included). */
  get ran(): number {
    return this.ranCount;
  }

  /** Whether it runs continuations by itself (started, not stopped; not with `jobExecutor.enabled: false`). */
  get active(): boolean {
    return this.started && !this.stopped;
  }

  private registerMetrics(): void {
    const metrics = this.metrics;
    if (metrics === undefined) return;
    this.counter =
      (metrics.getSingleMetric('trellis_async_continuations_total') as Counter<'outcome'> | undefined) ??
      new Counter({
        name: 'trellis_async_continuations_total',
        help: 'Asynchronous continuations this process sent (RunAsyncContinuation), by outcome: ran, failed (the run met a problem and spent a retry), refused (another replica ran it, or it no longer waits), error (not appended; tried again).',
        labelNames: ['outcome'] as const,
        registers: [metrics],
      });
    if (metrics.getSingleMetric('trellis_async_continuations_waiting') === undefined) {
      const projection = this.projection;
      const clock = this.clock;
      new Gauge({
        name: 'trellis_async_continuations_waiting',
        help: 'Asynchronous continuations of live process instances waiting to be run (due or not), as this process knows them.',
        registers: [metrics],
        collect() {
          this.set(projection.waitingContinuations().length);
        },
      });
      new Gauge({
        name: 'trellis_async_continuations_overdue_seconds',
        help: 'How long the most overdue waiting continuation has been due (0: none is due): above a few seconds, the job executor is behind or off.',
        registers: [metrics],
        collect() {
          const now = clock.now().getTime();
          let overdue = 0;
          for (const continuation of projection.waitingContinuations()) overdue = Math.max(overdue, now - Date.parse(continuation.dueAt));
          this.set(overdue / 1000);
        },
      });
    }
  }

  onApplicationBootstrap(): void {
    this.registerMetrics();
    if (!this.options.enabled) {
      this.logger.log('Job executor disabled: this process runs no asynchronous continuations');
      return;
    }
    this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unsubscribes.push(this.projection.onContinuationWaiting((continuation) => this.continuationWaiting(continuation)));
    const onChange = this.clock.onChange?.(() => void this.runDue());
    if (onChange !== undefined) this.unsubscribes.push(onChange);
    const waiting = this.projection.waitingContinuations().length;
    if (waiting > 0) this.logger.log(`Job executor started with ${waiting} waiting asynchronous continuation(s)`);
    void this.runDue();
  }

  /** Stops: nothing is sent after the round in progress (awaited) ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.sleeper);
    this.sleeper = undefined;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    await this.queued;
    await this.running;
  }

  /**
   * Runs every continuation that is due now by the clock, those its runs make due included (a retry without a wait),
   * and resolves once that is done and the views show it. Tests call it after moving a `ManualClock`. Calls during a
   * pass are served by one pass after it.
   */
  runDue(): Promise<void> {
    if (this.stopped) return this.running ?? Promise.resolve();
    if (this.running !== undefined) {
      this.queued ??= this.running.then(() => {
        this.queued = undefined;
        return this.runDue();
      });
      return this.queued;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      this.arm();
    });
    return this.running;
  }

  private continuationWaiting(continuation: WaitingContinuation): void {
    if (this.stopped) return;
    const dueAt = Date.parse(continuation.dueAt);
    if (dueAt <= this.clock.now().getTime()) {
      void this.runDue();
    } else if (this.running === undefined && (this.wakeAt === undefined || dueAt < this.wakeAt)) {
      this.arm();
    }
  }

  private async pass(): Promise<void> {
    // Sent in this pass, by continuation id and due time: a continuation that failed and is due again at once (no
    // retry cycle) is sent again in the same pass, one that was refused is not.
    const attempted = new Set<string>();
    for (;;) {
      if (this.stopped) return;
      const now = this.clock.now().getTime();
      const wall = performance.now();
      const due = this.projection
        .waitingContinuations()
        .filter(
          (continuation) =>
            Date.parse(continuation.dueAt) <= now &&
            !attempted.has(`${continuation.continuationId}@${continuation.dueAt}`) &&
            (this.retries.get(continuation.continuationId)?.retryAt ?? 0) <= wall,
        )
        .sort(byExecutionOrder);
      if (due.length === 0) return;
      // One continuation per process instance in a round: the first in acquisition order.
      const round: WaitingContinuation[] = [];
      const instances = new Set<string>();
      for (const continuation of due) {
        if (instances.has(continuation.processInstanceId)) continue;
        instances.add(continuation.processInstanceId);
        round.push(continuation);
        attempted.add(`${continuation.continuationId}@${continuation.dueAt}`);
      }
      await eachConcurrently(round, this.options.concurrency, (continuation) => this.run(continuation));
    }
  }

  private async run(continuation: WaitingContinuation): Promise<void> {
    const { continuationId, processInstanceId, elementId } = continuation;
    try {
      const outcome = await this.runner.execute(processInstanceId, { type: 'RunAsyncContinuation', continuationId });
      this.retries.delete(continuationId);
      this.ranCount++;
      const failed = outcome.events.find((event) => event.type === 'AsyncContinuationFailed');
      this.count(failed === undefined ? 'ran' : 'failed');
      if (failed !== undefined) {
        this.logger.warn(`Asynchronous continuation ${continuationId} (${elementId}) of process instance ${processInstanceId} failed: ${failed.data.errorMessage} (${failed.data.retries} retries left)`);
      }
      // The next look at the continuations must not find this one waiting as before.
      if (outcome.position !== undefined) await this.projection.waitForPosition(outcome.position);
    } catch (error) {
      const retry = this.retryLater(continuationId);
      if (error instanceof ProcessInstanceCommandRejectedError && !(error instanceof ProcessInstanceContendedError)) {
        this.count('refused');
        this.logger.debug(`Asynchronous continuation ${continuationId} (${elementId}) of process instance ${processInstanceId} not run: ${error.failure.message}`);
        return;
      }
      this.count('error');
      this.logger.warn(
        `Asynchronous continuation ${continuationId} (${elementId}) of process instance ${processInstanceId} could not be run (attempt ${retry.attempts}), trying again in ${Math.round(retry.retryAt - performance.now())} ms: ${String(error)}`,
      );
    }
  }

  private count(outcome: RunOutcome): void {
    this.counter?.inc({ outcome });
  }

  private retryLater(key: string): Retry {
    const attempts = (this.retries.get(key)?.attempts ?? 0) + 1;
    const { initial, max } = this.options.retryBackoffMs;
    const retry = { attempts, retryAt: performance.now() + Math.min(max, initial * 2 ** Math.min(attempts - 1, 30)) };
    this.retries.set(key, retry);
    return retry;
  }

  /** Sets the sleeper to the earliest due time or back-off, at most `maxSleepMs` away. */
  private arm(): void {
    clearTimeout(this.sleeper);
    this.sleeper = undefined;
    this.wakeAt = undefined;
    if (!this.started || this.stopped) return;
    for (const key of this.retries.keys()) if (!this.projection.isContinuationWaiting(key)) this.retries.delete(key);
    const now = this.clock.now().getTime();
    const wall = performance.now();
    let delay = this.options.maxSleepMs;
    for (const continuation of this.projection.waitingContinuations()) {
      const retryAt = this.retries.get(continuation.continuationId)?.retryAt;
      const wait = Math.max(Date.parse(continuation.dueAt) - now, retryAt === undefined ? 0 : retryAt - wall);
      if (wait < delay) delay = wait;
    }
    this.wakeAt = now + delay;
    this.sleeper = setTimeout(() => void this.runDue(), Math.max(0, delay));
    // A sleeping executor does not keep the process alive.
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
