import { isDeepStrictEqual } from 'node:util';

import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { DefinitionRegistry } from '@trellis/deployment';
import { DECISION_JOB_TYPE, type JsonObject, parseRetryCycle, type RetryCycle, retryIntervalMs, visibleVariables } from '@trellis/engine';
import { CLOCK, type Clock, systemClock } from '@trellis/platform';

import { ProcessInstanceCommandRunner } from '../commands/process-instance-command.runner.js';
import { notFound, ProcessInstanceCommandRejectedError } from '../process-instance-command-rejected.error.js';
import { type OpenJob, RuntimeProjection } from '../runtime.projection.js';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '../runtime.options.js';
import type { ProcessInstanceView } from '../runtime.views.js';
import { EXTERNAL_TASK_LOCK_STORE, type ExternalTaskLock, type ExternalTaskLockStore } from './external-task-lock-store.js';
import type { ExternalTaskBpmnError, ExternalTaskFailure, ExternalTaskFilter, FetchAndLockRequest, FetchTopic } from './external-task.requests.js';
import type { ExternalTaskView, ExternalTaskWorkerView, LockedExternalTaskView } from './external-task.views.js';
import { shareOut } from './fair-share.js';
import { InMemoryExternalTaskLockStore } from './in-memory-external-task-lock-store.js';
import { WorkerRegistry } from './worker-registry.js';

/** Default of `RuntimeOptions.externalTasks.workerUnhealthyAfterMs` (`TRELLIS_WORKER_UNHEALTHY_AFTER_MS`). */
export const DEFAULT_WORKER_UNHEALTHY_AFTER_MS = 60_000;
/** The longest a fetch-and-lock request is held open (Camunda 7's limit: 30 minutes). */
export const MAX_ASYNC_RESPONSE_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_LIMIT = 100;
const FINISHED_KEPT_MS = 3_600_000;
const PURGE_INTERVAL_MS = 600_000;
/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2_147_483_647;

/** A fetch-and-lock request waiting for tasks (at most until its timeout). */
interface PendingFetch {
  readonly id: string;
  readonly request: FetchAndLockRequest;
  /** Answer after the next distribution, tasks or not (no `asyncResponseTimeout`). */
  readonly immediate: boolean;
  readonly resolve: (tasks: LockedExternalTaskView[]) => void;
  timer?: NodeJS.Timeout;
  done: boolean;
}

interface Candidate {
  readonly open: OpenJob;
  readonly createdAt: number;
}

/** The order of a fetch with `usePriority` (Camunda 7): higher `camunda:taskPriority` first. */
function higherPriorityFirst(a: Candidate, b: Candidate): number {
  return priorityOf(b.open) - priorityOf(a.open);
}

function priorityOf(open: OpenJob): number {
  return open.job.priority ?? 0;
}

/**
 * External tasks (Camunda 7's pattern) on the runtime's jobs: an external task is an open job, its topic the job's
 * type. Locks (worker and expiry) live in the `ExternalTaskLockStore`, shared by the replicas; what the worker reports
 * becomes the job commands of the engine (complete, fail, throw a BPMN error), so incidents, boundary events and history
 * work as for any job.
 *
 * Fetch-and-lock requests wait here (long polling) and are answered by a distribution that runs whenever a task may have
 * become available: a job created, failed with retries left or given retries back, a task unlocked, a lock expired or a
 * retry back-off over (a timer set for the earliest of these), the clock moved. It shares the available tasks among all
 * waiting requests round-robin (`shareOut`), so workers polling one topic all get work. The HTTP layer (this library's
 * controller, or a Camunda 7 REST layer) only translates.
 */
@Injectable()
export class ExternalTaskService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ExternalTaskService.name);
  private readonly store: ExternalTaskLockStore;
  private readonly clock: Clock;
  private readonly workers: WorkerRegistry;
  private pending: PendingFetch[] = [];
  private sequence = 0;
  /** Where the next distribution's round-robin starts. */
  private rotation = 0;
  private distributing = false;
  private distributeAgain = false;
  private wakeQueued = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt: number | undefined;
  private readonly stops: (() => void)[] = [];
  private closed = false;
  /** Tasks whose completion `complete` is reporting: it marks them finished itself. */
  private readonly completing = new Set<string>();

  constructor(
    private readonly projection: RuntimeProjection,
    private readonly runner: ProcessInstanceCommandRunner,
    private readonly definitions: DefinitionRegistry,
    @Optional() @Inject(EXTERNAL_TASK_LOCK_STORE) store?: ExternalTaskLockStore,
    @Optional() @Inject(RUNTIME_OPTIONS) options?: Partial<RuntimeOptions>,
    @Optional() @Inject(CLOCK) clock?: Clock,
  ) {
    this.store = store ?? new InMemoryExternalTaskLockStore();
    this.clock = clock ?? systemClock;
    this.workers = new WorkerRegistry(options?.externalTasks?.workerUnhealthyAfterMs ?? DEFAULT_WORKER_UNHEALTHY_AFTER_MS);
  }

  onModuleInit(): void {
    this.stops.push(
      this.projection.observeEvents((_processInstanceId, event) => {
        switch (event.type) {
          case 'JobCreated':
          case 'JobFailed':
          case 'JobRetriesUpdated':
            this.wake();
            break;
          case 'JobCompleted':
          case 'JobCanceled':
            // A completion reported here marks the task itself (`complete`), once: no second write for the same task.
            if (this.completing.has(event.data.jobId)) break;
            // Never to be locked again, even by a replica whose views lag (every replica may do this: it is idempotent).
            this.store
              .finish(event.data.jobId, this.clock.now())
              .catch((error: unknown) => this.logger.warn(`Cannot mark external task ${event.data.jobId} finished: ${String(error)}`));
            break;
          default:
            break;
        }
      }),
    );
    const stopClock = this.clock.onChange?.(() => this.wake());
    if (stopClock !== undefined) this.stops.push(stopClock);
    // The marks of finished tasks are kept for an hour: far longer than any replica's views lag behind the store.
    const purge = setInterval(() => {
      this.store
        .purgeFinished(new Date(this.clock.now().getTime() - FINISHED_KEPT_MS))
        .catch((error: unknown) => this.logger.warn(`Cannot purge finished external tasks: ${String(error)}`));
    }, PURGE_INTERVAL_MS);
    purge.unref();
    this.stops.push(() => clearInterval(purge));
  }

  onModuleDestroy(): void {
    this.closed = true;
    for (const stop of this.stops.splice(0)) stop();
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    // Held requests are answered with nothing: no task was locked for them, so none is lost.
    for (const pending of this.pending) this.answer(pending, []);
    this.pending = [];
  }

  // Fetch and lock.

  /**
   * Locks up to `maxTasks` available tasks of the request's topics for the worker and returns them. With an
   * `asyncResponseTimeout` it waits until a task is there (answering as soon as one is) or the time is up (`[]`).
   * `signal`: the client went away; its request stops waiting (nothing is locked for it any more).
   */
  fetchAndLock(request: FetchAndLockRequest, signal?: AbortSignal): Promise<LockedExternalTaskView[]> {
    if (this.closed) return Promise.resolve([]);
    this.workers.polled(
      request.workerId,
      request.topics.map((topic) => topic.topicName),
      this.clock.now(),
    );
    const timeout = Math.min(request.asyncResponseTimeout ?? 0, MAX_ASYNC_RESPONSE_TIMEOUT_MS);
    return new Promise((resolve) => {
      const pending: PendingFetch = { id: String(++this.sequence), request, immediate: timeout <= 0, resolve, done: false };
      if (timeout > 0) {
        pending.timer = setTimeout(() => this.answer(pending, []), timeout);
        this.workers.waiting(request.workerId, 1);
      }
      signal?.addEventListener('abort', () => this.answer(pending, []), { once: true });
      this.pending.push(pending);
      this.wake();
    });
  }

  private answer(pending: PendingFetch, tasks: LockedExternalTaskView[]): void {
    if (pending.done) return;
    pending.done = true;
    if (pending.timer !== undefined) {
      clearTimeout(pending.timer);
      this.workers.waiting(pending.request.workerId, -1);
    }
    this.pending = this.pending.filter((other) => other !== pending);
    pending.resolve(tasks);
  }

  /** A task may have become available: distribute soon (once for all the events of this turn). */
  private wake(): void {
    if (this.wakeQueued || this.closed) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      void this.distribute();
    });
  }

  /** Runs distributions one at a time; one asked for while another runs follows it. */
  private async distribute(): Promise<void> {
    if (this.distributing) {
      this.distributeAgain = true;
      return;
    }
    this.distributing = true;
    try {
      do {
        this.distributeAgain = false;
        await this.distributeOnce();
      } while (this.distributeAgain && !this.closed);
    } catch (error) {
      this.logger.error(`Cannot hand out external tasks: ${String(error)}`);
      // The store may be back soon: the waiting requests are tried again rather than left until their timeout.
      this.scheduleWake(this.clock.now().getTime() + 1_000);
    } finally {
      this.distributing = false;
    }
  }

  private async distributeOnce(): Promise<void> {
    const waiting = this.pending.filter((pending) => !pending.done);
    if (waiting.length === 0) return;
    const now = this.clock.now();
    let nextDue = Number.POSITIVE_INFINITY;
    const topicNames = new Set(waiting.flatMap((pending) => pending.request.topics.map((topic) => topic.topicName)));
    const candidates: Candidate[] = [];
    for (const topicName of topicNames) {
      if (topicName === DECISION_JOB_TYPE) continue;
      for (const jobId of this.projection.openJobIds(topicName)) {
        const open = this.projection.openJob(jobId);
        if (open === undefined || open.job.state !== 'activatable' || open.job.retries <= 0) continue;
        if (open.job.retryAt !== undefined && Date.parse(open.job.retryAt) > now.getTime()) {
          nextDue = Math.min(nextDue, Date.parse(open.job.retryAt));
          continue;
        }
        candidates.push({ open, createdAt: Date.parse(open.createdAt) });
      }
    }
    const locks = await this.store.locksOf(candidates.map((candidate) => candidate.open.job.id));
    const available = candidates.filter((candidate) => {
      const lock = locks.get(candidate.open.job.id);
      if (lock === undefined || Date.parse(lock.expiresAt) <= now.getTime()) return true;
      nextDue = Math.min(nextDue, Date.parse(lock.expiresAt));
      return false;
    });
    // Oldest first; a request with `usePriority` takes them by priority (`shareOut` keeps this order among equals). The
    // sort is stable: tasks created in one millisecond stay in the order the views saw them created.
    available.sort((a, b) => a.createdAt - b.createdAt);

    const shares = shareOut(
      waiting.map((pending) => ({
        id: pending.id,
        maxTasks: pending.request.maxTasks,
        accepts: (candidate: Candidate) => topicFor(pending.request, candidate.open) !== undefined,
        ...(pending.request.usePriority === true ? { compare: higherPriorityFirst } : {}),
      })),
      available,
      this.rotation++,
    );
    for (const pending of waiting) {
      const share = shares.get(pending.id);
      if (share === undefined || pending.done) continue;
      // The share's tasks by the topic they are fetched under (its lock duration): one `tryLockAll` each, so a fetch of
      // one topic is one round trip to the store however many tasks it gets.
      const byTopic = new Map<FetchTopic, Candidate[]>();
      for (const candidate of share) {
        const topic = topicFor(pending.request, candidate.open);
        if (topic === undefined) continue;
        const ofTopic = byTopic.get(topic);
        if (ofTopic === undefined) byTopic.set(topic, [candidate]);
        else ofTopic.push(candidate);
      }
      const lockedIds = new Map<string, { topic: FetchTopic; expiresAt: Date }>();
      for (const [topic, candidates] of byTopic) {
        // Its time ran out (or its client left) while tasks were being locked for it: lock no more.
        if (pending.done) break;
        const expiresAt = new Date(now.getTime() + topic.lockDuration);
        // Another replica may have locked some since they were read: those are simply not this request's.
        const taken = await this.store.tryLockAll(
          candidates.map((candidate) => candidate.open.job.id),
          pending.request.workerId,
          expiresAt,
          now,
        );
        if (taken.size > 0) nextDue = Math.min(nextDue, expiresAt.getTime());
        for (const taskId of taken) lockedIds.set(taskId, { topic, expiresAt });
      }
      // In the share's order (oldest or highest priority first), as they were handed out.
      const locked: LockedExternalTaskView[] = [];
      for (const candidate of share) {
        const lock = lockedIds.get(candidate.open.job.id);
        if (lock !== undefined) locked.push(lockedView(candidate.open, lock.topic, pending.request.workerId, lock.expiresAt));
      }
      if (locked.length === 0) continue;
      if (!pending.done) {
        this.answer(pending, locked);
        continue;
      }
      // Answered with [] meanwhile: what was locked for it goes back at once, rather than when its locks expire.
      for (const task of locked) await this.store.unlock(task.id);
      this.distributeAgain = true;
    }
    for (const pending of waiting) if (pending.immediate) this.answer(pending, []);
    if (this.pending.length > 0 && Number.isFinite(nextDue)) this.scheduleWake(nextDue);
  }

  /** Distributes again at `at` (epoch ms by the clock): when a lock expires or a retry back-off is over. */
  private scheduleWake(at: number): void {
    if (this.closed) return;
    if (this.wakeAt !== undefined && this.wakeAt <= at && this.wakeTimer !== undefined) return;
    if (this.wakeTimer !== undefined) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    const delay = Math.min(Math.max(at - this.clock.now().getTime(), 0), MAX_TIMER_MS);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = undefined;
      this.wake();
    }, delay);
    this.wakeTimer.unref();
  }

  // What a worker reports.

  /** Completes the task the worker holds: the variables are set as for a job (`localVariables` on the task's own scope). */
  async complete(taskId: string, workerId: string, variables?: JsonObject, localVariables?: JsonObject): Promise<ProcessInstanceView> {
    const open = this.openTask(taskId);
    await this.requireLockedBy(taskId, workerId);
    if (localVariables !== undefined && Object.keys(localVariables).length > 0) {
      await this.runner.run(open.processInstanceId, { type: 'SetVariables', scopeInstanceId: open.job.elementInstanceId, variables: localVariables, local: true });
    }
    this.completing.add(taskId);
    try {
      const view = await this.runner.run(open.processInstanceId, { type: 'CompleteJob', jobId: taskId, ...(variables === undefined ? {} : { variables }) });
      await this.store.finish(taskId, this.clock.now());
      return view;
    } catch (error) {
      // Refused by the engine the task stays open; but should it have ended all the same, it is marked as the views would.
      if (this.projection.openJob(taskId) === undefined) await this.store.finish(taskId, this.clock.now()).catch(() => undefined);
      throw error;
    } finally {
      this.completing.delete(taskId);
    }
  }

  /**
   * The worker failed: with retries left the task is unlocked and may be fetched again after `retryTimeout`; with 0 the
   * engine raises a JOB_NO_RETRIES incident. Without `retries`, one is spent, and the wait is the model's
   * `camunda:failedJobRetryTimeCycle` interval (none: at once).
   */
  async handleFailure(taskId: string, failure: ExternalTaskFailure): Promise<ProcessInstanceView> {
    const open = this.openTask(taskId);
    await this.requireLockedBy(taskId, failure.workerId);
    let retries = failure.retries;
    let retryTimeout = failure.retryTimeout;
    if (retries === undefined) {
      retries = Math.max(open.job.retries - 1, 0);
      const cycle = this.retryCycleOf(open);
      if (retryTimeout === undefined && cycle !== undefined && retries > 0) retryTimeout = retryIntervalMs(cycle, retries);
    }
    if (failure.errorDetails !== undefined) await this.store.setErrorDetails(taskId, failure.errorDetails);
    const view = await this.runner.run(open.processInstanceId, {
      type: 'FailJob',
      jobId: taskId,
      retries,
      ...(failure.errorMessage === undefined ? {} : { errorMessage: failure.errorMessage }),
      // An explicit 0 means at once: left out, the engine would wait the model's camunda:failedJobRetryTimeCycle.
      ...(retryTimeout === undefined ? {} : { retryBackoffMs: Math.max(retryTimeout, 0) }),
    });
    await this.store.unlock(taskId);
    this.wake();
    return view;
  }

  /** The worker reports a business error: thrown at the task's element, caught by an error boundary event or an incident. */
  async handleBpmnError(taskId: string, error: ExternalTaskBpmnError): Promise<ProcessInstanceView> {
    const open = this.openTask(taskId);
    await this.requireLockedBy(taskId, error.workerId);
    const view = await this.runner.run(open.processInstanceId, {
      type: 'ThrowError',
      jobId: taskId,
      errorCode: error.errorCode,
      ...(error.errorMessage === undefined ? {} : { errorMessage: error.errorMessage }),
      ...(error.variables === undefined ? {} : { variables: error.variables }),
    });
    // Uncaught, the task waits for its incident; resolved, it is fetched again, by anyone.
    await this.store.unlock(taskId);
    return view;
  }

  /** Moves the worker's lock to `newDuration` ms from now; refused when the worker does not hold it (any more). */
  async extendLock(taskId: string, workerId: string, newDuration: number): Promise<ExternalTaskView> {
    this.openTask(taskId);
    const now = this.clock.now();
    if (!(await this.store.extendLock(taskId, workerId, new Date(now.getTime() + newDuration), now))) {
      await this.requireLockedBy(taskId, workerId);
      throw invalid(`The lock of worker '${workerId}' on external task ${taskId} could not be extended`, taskId, workerId);
    }
    return this.task(taskId);
  }

  /** Locks one task by id for the worker (without fetching); refused when another worker holds it. */
  async lock(taskId: string, workerId: string, lockDuration: number): Promise<ExternalTaskView> {
    const open = this.openTask(taskId);
    if (open.job.state !== 'activatable' || open.job.retries <= 0) {
      throw invalid(`External task ${taskId} has no retries left: set its retries before it is locked`, taskId, workerId);
    }
    const now = this.clock.now();
    if (!(await this.store.tryLock(taskId, workerId, new Date(now.getTime() + lockDuration), now))) {
      const lock = await this.store.lockOf(taskId);
      throw invalid(`External task ${taskId} is locked by worker '${lock?.workerId ?? '?'}' until ${lock?.expiresAt ?? '?'}`, taskId, workerId);
    }
    return this.task(taskId);
  }

  /** Frees the task whoever holds it (an operator's action): it may be fetched at once. */
  async unlock(taskId: string): Promise<void> {
    this.openTask(taskId);
    await this.store.unlock(taskId);
    this.wake();
  }

  /**
   * Sets the retries of a task. A task out of retries (its JOB_NO_RETRIES or UNHANDLED_ERROR_EVENT incident waits)
   * gets them back: the incident is resolved and the task may be fetched again. 0 on a task with retries raises the
   * incident, as a failure would.
   */
  async setRetries(taskId: string, retries: number): Promise<ProcessInstanceView> {
    const open = this.openTask(taskId);
    if (open.job.state === 'failed') {
      const incident = Object.values(open.instance.incidents).find((candidate) => candidate.jobId === taskId);
      if (retries === 0 || incident === undefined) return this.requireInstanceView(open.processInstanceId);
      const view = await this.runner.run(open.processInstanceId, { type: 'ResolveIncident', incidentId: incident.id, retries });
      this.wake();
      return view;
    }
    if (retries === 0) {
      return this.runner.run(open.processInstanceId, {
        type: 'FailJob',
        jobId: taskId,
        retries: 0,
        errorMessage: open.job.errorMessage ?? `The retries of external task ${taskId} were set to 0`,
      });
    }
    if (retries === open.job.retries) return this.requireInstanceView(open.processInstanceId);
    throw invalid(
      `External task ${taskId} still has ${open.job.retries} retries: only a task out of retries gets new ones (or 0 to raise its incident)`,
      taskId,
    );
  }

  // Queries.

  async task(taskId: string): Promise<ExternalTaskView> {
    const open = this.openTask(taskId);
    return taskView(open, await this.store.lockOf(taskId), this.clock.now());
  }

  async list(filter: ExternalTaskFilter = {}): Promise<ExternalTaskView[]> {
    return (await this.matching(filter)).slice(0, filter.limit ?? DEFAULT_LIMIT);
  }

  async count(filter: ExternalTaskFilter = {}): Promise<number> {
    return (await this.matching(filter)).length;
  }

  async errorDetails(taskId: string): Promise<string | undefined> {
    this.openTask(taskId);
    return this.store.errorDetailsOf(taskId);
  }

  async workerList(): Promise<ExternalTaskWorkerView[]> {
    const now = this.clock.now();
    return this.workers.list(now, await this.store.activeLocks(now));
  }

  private async matching(filter: ExternalTaskFilter): Promise<ExternalTaskView[]> {
    const now = this.clock.now();
    const opens = this.projection
      .openJobIds(filter.topicName)
      .map((jobId) => this.projection.openJob(jobId))
      .filter((open): open is OpenJob => open !== undefined && open.job.type !== DECISION_JOB_TYPE)
      .filter((open) => filter.processInstanceId === undefined || open.processInstanceId === filter.processInstanceId);
    const locks = await this.store.locksOf(opens.map((open) => open.job.id));
    return opens
      .map((open) => taskView(open, locks.get(open.job.id), now))
      .filter(
        (view) =>
          (filter.workerId === undefined || view.workerId === filter.workerId) &&
          (filter.locked !== true || view.workerId !== undefined) &&
          (filter.notLocked !== true || view.workerId === undefined) &&
          (filter.withRetriesLeft !== true || view.retries > 0) &&
          (filter.noRetriesLeft !== true || view.retries <= 0) &&
          (filter.priorityHigherThanOrEquals === undefined || view.priority >= filter.priorityHigherThanOrEquals) &&
          (filter.priorityLowerThanOrEquals === undefined || view.priority <= filter.priorityLowerThanOrEquals),
      );
  }

  private openTask(taskId: string): OpenJob {
    const open = this.projection.openJob(taskId);
    if (open === undefined || open.job.type === DECISION_JOB_TYPE) throw notFound(`No external task with id ${taskId}`, { externalTaskId: taskId });
    return open;
  }

  private requireInstanceView(processInstanceId: string): ProcessInstanceView {
    const view = this.projection.processInstance(processInstanceId);
    if (view === undefined) throw notFound(`No process instance with id ${processInstanceId}`, { processInstanceId });
    return view;
  }

  /** Refuses a worker's report on a task it does not hold: never locked, unlocked, another worker's, or expired. */
  private async requireLockedBy(taskId: string, workerId: string): Promise<void> {
    const lock = await this.store.lockOf(taskId);
    if (lock === undefined) throw invalid(`External task ${taskId} is not locked: fetch and lock it first`, taskId, workerId);
    if (lock.workerId !== workerId) {
      throw invalid(`External task ${taskId} is locked by worker '${lock.workerId}', not by '${workerId}'`, taskId, workerId);
    }
    if (Date.parse(lock.expiresAt) <= this.clock.now().getTime()) {
      throw invalid(`The lock of worker '${workerId}' on external task ${taskId} expired at ${lock.expiresAt}`, taskId, workerId);
    }
  }

  private retryCycleOf(open: OpenJob): RetryCycle | undefined {
    const executable = this.definitions.executableProcess(open.instance.processDefinitionId);
    if (executable === undefined || !('process' in executable)) return undefined;
    const node = executable.process.elements[open.job.elementId];
    const text = node !== undefined && 'job' in node ? node.job?.retryTimeCycle : undefined;
    if (text === undefined) return undefined;
    const parsed = parseRetryCycle(text);
    return parsed.ok ? parsed.value : undefined;
  }
}

function invalid(message: string, externalTaskId: string, workerId?: string): ProcessInstanceCommandRejectedError {
  return new ProcessInstanceCommandRejectedError({
    code: 'INVALID_ARGUMENT',
    message,
    details: { externalTaskId, ...(workerId === undefined ? {} : { workerId }) },
  });
}

/** The first topic of the request the task passes the filters of, or undefined. */
function topicFor(request: FetchAndLockRequest, open: OpenJob): FetchTopic | undefined {
  const { instance, job } = open;
  return request.topics.find(
    (topic) =>
      topic.topicName === job.type &&
      (topic.businessKey === undefined || topic.businessKey === instance.businessKey) &&
      (topic.processDefinitionId === undefined || topic.processDefinitionId === instance.processDefinitionId) &&
      (topic.processDefinitionIdIn === undefined || topic.processDefinitionIdIn.includes(instance.processDefinitionId)) &&
      (topic.processDefinitionKey === undefined || topic.processDefinitionKey === instance.processId) &&
      (topic.processDefinitionKeyIn === undefined || topic.processDefinitionKeyIn.includes(instance.processId)) &&
      // No task has a tenant: asking for some tenants matches none, `withoutTenantId` every one.
      (topic.tenantIdIn === undefined || topic.tenantIdIn.length === 0) &&
      (topic.processVariables === undefined || matchesVariables(visibleVariables(instance, job.elementInstanceId), topic.processVariables)),
  );
}

function matchesVariables(visible: JsonObject, wanted: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(wanted).every(([name, value]) => name in visible && isDeepStrictEqual(visible[name], value));
}

function taskView(open: OpenJob, lock: ExternalTaskLock | undefined, now: Date): ExternalTaskView {
  const { job, instance } = open;
  const held = lock !== undefined && Date.parse(lock.expiresAt) > now.getTime();
  return {
    id: job.id,
    topicName: job.type,
    ...(held ? { workerId: lock.workerId, lockExpirationTime: lock.expiresAt } : {}),
    retries: job.retries,
    ...(job.errorMessage === undefined ? {} : { errorMessage: job.errorMessage }),
    processInstanceId: open.processInstanceId,
    processDefinitionId: instance.processDefinitionId,
    processId: instance.processId,
    ...(instance.businessKey === undefined ? {} : { businessKey: instance.businessKey }),
    elementId: job.elementId,
    elementInstanceId: job.elementInstanceId,
    priority: priorityOf(open),
    customHeaders: job.customHeaders,
    createdAt: open.createdAt,
  };
}

function lockedView(open: OpenJob, topic: FetchTopic, workerId: string, expiresAt: Date): LockedExternalTaskView {
  const { instance, job } = open;
  const all = topic.localVariables === true ? (instance.variables[job.elementInstanceId] ?? {}) : visibleVariables(instance, job.elementInstanceId);
  const variables: JsonObject = {};
  if (topic.variables === undefined) Object.assign(variables, all);
  else for (const name of topic.variables) if (name in all) variables[name] = all[name] as JsonObject[string];
  const lockExpirationTime = expiresAt.toISOString();
  return {
    // Seen from the moment it was locked: the lock is held (the fields come in the list's order).
    ...taskView(open, { taskId: job.id, workerId, expiresAt: lockExpirationTime }, new Date(0)),
    workerId,
    lockExpirationTime,
    variables,
  };
}
