import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DEPLOYMENTS_STREAM } from '@trellis/deployment';
import { EVENT_STORE } from '@trellis/platform';
import {
  evolve,
  initialProcessInstanceState,
  type JobState,
  type JsonObject,
  type ProcessInstanceEvent,
  type ProcessInstanceState,
  type UserTaskCreated,
  visibleVariables,
} from '@trellis/engine';
import type { EventStore, RecordedEvent, Subscription } from '@trellis/event-store';

import { PROCESS_INSTANCE_STREAM_PREFIX } from './process-instance.repository.js';
import type {
  AsyncContinuationView,
  ElementInstanceStateName,
  IncidentView,
  JobView,
  Page,
  ProcessInstanceStateName,
  ProcessInstanceView,
  UserTaskStateName,
  UserTaskView,
  WaitingTimerView,
} from './runtime.views.js';

interface InstanceRecord {
  readonly id: string;
  state: ProcessInstanceState;
  /** The process variables as last seen, kept in case the ended state no longer holds them. */
  variables: JsonObject;
  readonly openJobIds: Set<string>;
  readonly openIncidentIds: Set<string>;
  readonly openUserTaskIds: Set<string>;
}

interface UserTaskRecord {
  /** As created, with the corrections of task listeners applied since. */
  data: UserTaskCreated['data'];
  readonly processInstanceId: string;
  state: UserTaskStateName;
  completedAt?: string;
}

export interface ProcessInstanceFilter {
  readonly processId?: string;
  readonly processDefinitionId?: string;
  readonly state?: ProcessInstanceStateName;
  readonly businessKey?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface JobFilter {
  readonly type?: string;
  readonly processInstanceId?: string;
  readonly limit?: number;
}

export interface UserTaskFilter {
  readonly assignee?: string;
  readonly candidateGroup?: string;
  readonly candidateUser?: string;
  readonly processInstanceId?: string;
  readonly state?: UserTaskStateName;
  readonly limit?: number;
}

/** An open job with the state of its process instance: what the external-task service builds its views from. */
export interface OpenJob {
  readonly job: JobState;
  readonly processInstanceId: string;
  readonly instance: ProcessInstanceState;
  /** ISO 8601 UTC date-time of its `JobCreated`. */
  readonly createdAt: string;
}

/** A timer waiting to be due, as the timer scheduler needs it. */
export interface WaitingTimer {
  readonly processInstanceId: string;
  readonly timerId: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  /** ISO 8601 UTC date-time. */
  readonly dueAt: string;
}

/** An asynchronous continuation the job executor may run (not one waiting for its incident), as it needs it. */
export interface WaitingContinuation {
  readonly processInstanceId: string;
  readonly continuationId: string;
  readonly elementId: string;
  /** ISO 8601 UTC date-time from which it may run. */
  readonly dueAt: string;
  /** Higher runs first. */
  readonly priority: number;
}

export interface AsyncContinuationFilter {
  readonly processInstanceId?: string;
  /** WAITING: to be run by the job executor; FAILED: no retries left, an incident waits. */
  readonly state?: AsyncContinuationView['state'];
  readonly limit?: number;
}

export type ProcessInstanceEventObserver = (processInstanceId: string, event: ProcessInstanceEvent, state: ProcessInstanceState, position: number) => void;

/**
 * The latest occurrence of a timer start event that started an instance (from the metadata of its
 * `ProcessInstanceCreated`): where the timer scheduler goes on from.
 */
export interface TimerStartRecord {
  readonly processDefinitionId: string;
  readonly startEventId: string;
  readonly dueAt: string;
  readonly cycle?: { readonly remaining: number | null; readonly interval?: string; readonly cron?: string };
}

/** The metadata key under which the timer scheduler records the occurrence a timer start event started an instance for. */
export const TIMER_START_METADATA = 'timerStart';

const CATCH_UP_PAGE = 5_000;
const DEFAULT_LIMIT = 100;

/**
 * The read side of the runtime: process instances, open jobs, user tasks and incidents, in memory,
 * fed by every event of the store. It is rebuilt from position 0 at startup, so a restarted server
 * serves the same views. Each instance's state is folded with the engine's own `evolve`, so the views
 * agree with the decider by construction.
 */
@Injectable()
export class RuntimeProjection implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RuntimeProjection.name);
  private readonly instances = new Map<string, InstanceRecord>();
  /** Open jobs: job id to process instance id, and job ids by job type. */
  private readonly jobInstance = new Map<string, string>();
  private readonly jobsByType = new Map<string, Set<string>>();
  /** The engine's job state has no creation time: it is kept here for open jobs. */
  private readonly jobCreatedAt = new Map<string, string>();
  private readonly userTasks = new Map<string, UserTaskRecord>();
  private readonly incidentInstance = new Map<string, string>();
  /** Every waiting timer of every instance, by timer id: what the timer scheduler fires (rebuilt with the rest at startup). */
  private readonly waitingTimerIndex = new Map<string, WaitingTimer>();
  private readonly timerListeners = new Set<(timer: WaitingTimer) => void>();
  /** Every live asynchronous continuation (waiting or failed), by id, to its process instance. */
  private readonly continuationInstance = new Map<string, string>();
  private readonly continuationListeners = new Set<(continuation: WaitingContinuation) => void>();
  /** The latest started occurrence of each timer start event, by process definition id and start event id. */
  private readonly timerStarts = new Map<string, TimerStartRecord>();
  /** Told when a deployment or a timer start's instance is seen: what timer starts are due next may have changed. */
  private readonly timerStartListeners = new Set<() => void>();
  /** Told of every process-instance event as it is applied (live events only, not the catch-up at startup). */
  private readonly eventObservers = new Set<ProcessInstanceEventObserver>();
  /** Told of every event of the streams whose id starts with a prefix (other runtime state kept in streams: messages). */
  private readonly streamObservers = new Set<{ readonly prefix: string; readonly observer: (recorded: RecordedEvent) => void }>();
  private processed = 0;
  private waiters: { readonly position: number; readonly resolve: () => void }[] = [];
  /** The lowest position a waiter waits for (Infinity: none): most events release nobody, and are not checked against each waiter. */
  private earliestWaiter = Number.POSITIVE_INFINITY;
  private subscription: Subscription | undefined;
  private closed = false;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onModuleInit(): Promise<void> {
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  /** Catches up on every stored event, then follows new ones live. Resolves once caught up. */
  async start(): Promise<void> {
    const started = performance.now();
    let count = 0;
    for (;;) {
      const page = await this.store.readAll({ afterPosition: this.processed, maxCount: CATCH_UP_PAGE });
      for (const event of page) this.apply(event);
      count += page.length;
      if (page.length < CATCH_UP_PAGE) break;
    }
    this.subscription = this.store.subscribeToAll((event) => this.apply(event), { afterPosition: this.processed });
    this.logger.log(
      `Runtime projection caught up with ${count} event(s) (${this.instances.size} process instance(s), position ${this.processed}) in ${Math.round(performance.now() - started)} ms`,
    );
  }

  async stop(): Promise<void> {
    this.closed = true;
    await this.subscription?.close();
    this.subscription = undefined;
    // Nobody will advance the position any more: let waiting callers go.
    for (const waiter of this.waiters) waiter.resolve();
    this.waiters = [];
    this.earliestWaiter = Number.POSITIVE_INFINITY;
  }

  /** The global position of the last event the views include. */
  get position(): number {
    return this.processed;
  }

  /** Resolves once the views include the event at `position` (read-your-writes for command callers). */
  waitForPosition(position: number): Promise<void> {
    if (this.processed >= position || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ position, resolve });
      if (position < this.earliestWaiter) this.earliestWaiter = position;
    });
  }

  apply(recorded: RecordedEvent): void {
    if (recorded.position <= this.processed) return;
    try {
      if (recorded.streamId.startsWith(PROCESS_INSTANCE_STREAM_PREFIX)) {
        this.applyProcessInstanceEvent(recorded.streamId.slice(PROCESS_INSTANCE_STREAM_PREFIX.length), recorded);
        if (recorded.type === 'ProcessInstanceCreated') this.recordTimerStart(recorded);
      } else if (recorded.streamId === DEPLOYMENTS_STREAM) {
        for (const listener of this.timerStartListeners) listener();
      }
      for (const { prefix, observer } of this.streamObservers) if (recorded.streamId.startsWith(prefix)) observer(recorded);
    } catch (error) {
      // One unreadable event must not stop the views: report it and go on.
      this.logger.error(`Cannot project event ${recorded.type} at position ${recorded.position} of ${recorded.streamId}: ${String(error)}`);
    }
    this.processed = recorded.position;
    if (this.processed >= this.earliestWaiter) {
      const ready = this.waiters.filter((waiter) => waiter.position <= this.processed);
      this.waiters = this.waiters.filter((waiter) => waiter.position > this.processed);
      this.earliestWaiter = this.waiters.reduce((earliest, waiter) => Math.min(earliest, waiter.position), Number.POSITIVE_INFINITY);
      for (const waiter of ready) waiter.resolve();
    }
  }

  private applyProcessInstanceEvent(processInstanceId: string, recorded: RecordedEvent): void {
    const event = { type: recorded.type, data: recorded.data } as unknown as ProcessInstanceEvent;
    let record = this.instances.get(processInstanceId);
    if (!record) {
      if (event.type !== 'ProcessInstanceCreated') return;
      record = {
        id: processInstanceId,
        state: initialProcessInstanceState(),
        variables: {},
        openJobIds: new Set(),
        openIncidentIds: new Set(),
        openUserTaskIds: new Set(),
      };
      this.instances.set(processInstanceId, record);
    }
    const before = record.state;
    record.state = evolve(record.state, event);
    for (const observer of this.eventObservers) observer(processInstanceId, event, record.state, recorded.position);
    const variables = record.state.variables[processInstanceId];
    if (variables) record.variables = variables;

    switch (event.type) {
      case 'JobCreated': {
        this.jobInstance.set(event.data.jobId, processInstanceId);
        this.jobCreatedAt.set(event.data.jobId, event.data.createdAt);
        let ofType = this.jobsByType.get(event.data.type);
        if (!ofType) this.jobsByType.set(event.data.type, (ofType = new Set()));
        ofType.add(event.data.jobId);
        record.openJobIds.add(event.data.jobId);
        break;
      }
      case 'JobCompleted':
      case 'JobCanceled':
        this.forgetJob(record, event.data.jobId, before.jobs[event.data.jobId]?.type);
        break;
      case 'UserTaskCreated':
        this.userTasks.set(event.data.userTaskId, { data: event.data, processInstanceId, state: 'CREATED' });
        record.openUserTaskIds.add(event.data.userTaskId);
        break;
      case 'UserTaskCorrected': {
        const task = this.userTasks.get(event.data.userTaskId);
        if (task) task.data = { ...task.data, ...event.data.corrections };
        break;
      }
      case 'UserTaskCompleted':
      case 'UserTaskCanceled': {
        const task = this.userTasks.get(event.data.userTaskId);
        if (task) {
          task.state = event.type === 'UserTaskCompleted' ? 'COMPLETED' : 'CANCELED';
          task.completedAt = recorded.recordedAt;
        }
        record.openUserTaskIds.delete(event.data.userTaskId);
        break;
      }
      case 'TimerCreated': {
        const timer: WaitingTimer = {
          processInstanceId,
          timerId: event.data.timerId,
          elementId: event.data.elementId,
          elementInstanceId: event.data.elementInstanceId,
          dueAt: event.data.dueAt,
        };
        this.waitingTimerIndex.set(timer.timerId, timer);
        for (const listener of this.timerListeners) listener(timer);
        break;
      }
      case 'TimerTriggered':
      case 'TimerCanceled':
        this.waitingTimerIndex.delete(event.data.timerId);
        break;
      case 'AsyncContinuationCreated':
      case 'AsyncContinuationFailed':
      case 'AsyncContinuationRetriesUpdated': {
        this.continuationInstance.set(event.data.continuationId, processInstanceId);
        const waiting = this.waitingContinuation(processInstanceId, event.data.continuationId);
        if (waiting !== undefined) for (const listener of this.continuationListeners) listener(waiting);
        break;
      }
      case 'AsyncContinuationExecuted':
      case 'AsyncContinuationCanceled':
        this.continuationInstance.delete(event.data.continuationId);
        break;
      case 'IncidentCreated':
        this.incidentInstance.set(event.data.incidentId, processInstanceId);
        record.openIncidentIds.add(event.data.incidentId);
        break;
      case 'IncidentResolved':
        this.incidentInstance.delete(event.data.incidentId);
        record.openIncidentIds.delete(event.data.incidentId);
        break;
      case 'ProcessInstanceCompleted':
      case 'ProcessInstanceTerminated':
        // An ended instance has nothing open any more, whatever the events said before.
        for (const jobId of [...record.openJobIds]) this.forgetJob(record, jobId, before.jobs[jobId]?.type);
        for (const incidentId of record.openIncidentIds) this.incidentInstance.delete(incidentId);
        record.openIncidentIds.clear();
        for (const userTaskId of record.openUserTaskIds) {
          const task = this.userTasks.get(userTaskId);
          if (task && task.state === 'CREATED') {
            task.state = 'CANCELED';
            task.completedAt = recorded.recordedAt;
          }
        }
        record.openUserTaskIds.clear();
        for (const timerId of Object.keys(before.timers ?? {})) this.waitingTimerIndex.delete(timerId);
        for (const continuationId of Object.keys(before.asyncContinuations ?? {})) this.continuationInstance.delete(continuationId);
        break;
      default:
        break;
    }
  }

  private forgetJob(record: InstanceRecord, jobId: string, type: string | undefined): void {
    this.jobInstance.delete(jobId);
    this.jobCreatedAt.delete(jobId);
    record.openJobIds.delete(jobId);
    const types = type !== undefined ? [type] : [...this.jobsByType.keys()];
    for (const candidate of types) {
      const ofType = this.jobsByType.get(candidate);
      if (ofType?.delete(jobId) && ofType.size === 0) this.jobsByType.delete(candidate);
    }
  }

  // Lookups for commands addressed by job, task or incident id.

  /**
   * Calls `observer` with each process-instance event applied from now on and the instance's state after it, while
   * the event is being applied: an observer only takes note and does its work later. Returns the function that stops it.
   */
  observeEvents(observer: ProcessInstanceEventObserver): () => void {
    this.eventObservers.add(observer);
    return () => this.eventObservers.delete(observer);
  }

  /**
   * Tells `observer` of every event of the streams whose id starts with `prefix`, in store order; one registered before
   * the projection starts sees the catch-up at startup too. Returns the function that stops it.
   */
  observeStreams(prefix: string, observer: (recorded: RecordedEvent) => void): () => void {
    const entry = { prefix, observer };
    this.streamObservers.add(entry);
    return () => this.streamObservers.delete(entry);
  }

  /** The engine's state of an instance as the views know it (ended instances included), for coordinators. */
  instanceState(processInstanceId: string): ProcessInstanceState | undefined {
    return this.instances.get(processInstanceId)?.state;
  }

  /** The state of every instance the views know. */
  instanceStates(): IterableIterator<ProcessInstanceState> {
    return [...this.instances.values()].map((record) => record.state).values();
  }

  processInstanceOfJob(jobId: string): string | undefined {
    return this.jobInstance.get(jobId);
  }

  /** An open job (activatable, or failed and waiting for its incident) with its instance; undefined: done or unknown. */
  openJob(jobId: string): OpenJob | undefined {
    const processInstanceId = this.jobInstance.get(jobId);
    const state = processInstanceId === undefined ? undefined : this.instances.get(processInstanceId)?.state;
    const job = state?.jobs[jobId];
    if (processInstanceId === undefined || state === undefined || job === undefined) return undefined;
    return { job, processInstanceId, instance: state, createdAt: this.jobCreatedAt.get(jobId) ?? '' };
  }

  /** The ids of the open jobs of one type (every open job without a type), in the order they were created. */
  openJobIds(type?: string): string[] {
    return [...(type === undefined ? this.jobInstance.keys() : (this.jobsByType.get(type) ?? []))];
  }

  processInstanceOfUserTask(userTaskId: string): string | undefined {
    const task = this.userTasks.get(userTaskId);
    return task?.processInstanceId;
  }

  processInstanceOfIncident(incidentId: string): string | undefined {
    return this.incidentInstance.get(incidentId);
  }

  // Timers, for the timer scheduler.

  /** The latest occurrence of a timer start event that started an instance; undefined: none yet. */
  lastTimerStart(processDefinitionId: string, startEventId: string): TimerStartRecord | undefined {
    return this.timerStarts.get(`${processDefinitionId}\n${startEventId}`);
  }

  /** Calls `listener` when a deployment or an instance started by a timer start event is seen; returns the unsubscribe function. */
  onTimerStartsChanged(listener: () => void): () => void {
    this.timerStartListeners.add(listener);
    return () => this.timerStartListeners.delete(listener);
  }

  private recordTimerStart(recorded: RecordedEvent): void {
    const metadata = recorded.metadata;
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return;
    const timerStart = (metadata as Record<string, unknown>)[TIMER_START_METADATA];
    const processDefinitionId = (metadata as Record<string, unknown>)['processDefinitionId'];
    if (typeof timerStart !== 'object' || timerStart === null || typeof processDefinitionId !== 'string') return;
    const { startEventId, dueAt, cycle } = timerStart as Partial<TimerStartRecord>;
    if (typeof startEventId !== 'string' || typeof dueAt !== 'string') return;
    const key = `${processDefinitionId}\n${startEventId}`;
    const known = this.timerStarts.get(key);
    if (known !== undefined && Date.parse(known.dueAt) >= Date.parse(dueAt)) return;
    this.timerStarts.set(key, { processDefinitionId, startEventId, dueAt, ...(cycle === undefined ? {} : { cycle }) });
    for (const listener of this.timerStartListeners) listener();
  }

  /** Every timer of every live instance that has not fired yet. */
  waitingTimers(): WaitingTimer[] {
    return [...this.waitingTimerIndex.values()];
  }

  /** Whether the timer is still waiting as far as these views know (not triggered, not canceled). */
  isTimerWaiting(timerId: string): boolean {
    return this.waitingTimerIndex.has(timerId);
  }

  /** Calls `listener` for each timer the views see created from now on; returns the unsubscribe function. */
  onTimerWaiting(listener: (timer: WaitingTimer) => void): () => void {
    this.timerListeners.add(listener);
    return () => this.timerListeners.delete(listener);
  }

  // Asynchronous continuations, for the job executor.

  private waitingContinuation(processInstanceId: string, continuationId: string): WaitingContinuation | undefined {
    const continuation = this.instances.get(processInstanceId)?.state.asyncContinuations?.[continuationId];
    if (continuation === undefined || continuation.state !== 'waiting') return undefined;
    return { processInstanceId, continuationId, elementId: continuation.elementId, dueAt: continuation.dueAt, priority: continuation.priority };
  }

  /** Every continuation of every live instance that the job executor may run (due or not), as these views know them. */
  waitingContinuations(): WaitingContinuation[] {
    const waiting: WaitingContinuation[] = [];
    for (const [continuationId, processInstanceId] of this.continuationInstance) {
      const continuation = this.waitingContinuation(processInstanceId, continuationId);
      if (continuation !== undefined) waiting.push(continuation);
    }
    return waiting;
  }

  /** Whether the continuation may still be run as far as these views know (not run, canceled, nor out of retries). */
  isContinuationWaiting(continuationId: string): boolean {
    const processInstanceId = this.continuationInstance.get(continuationId);
    return processInstanceId !== undefined && this.waitingContinuation(processInstanceId, continuationId) !== undefined;
  }

  processInstanceOfContinuation(continuationId: string): string | undefined {
    return this.continuationInstance.get(continuationId);
  }

  /** Calls `listener` for each continuation that becomes runnable from now on (created, failed with retries left, given retries). */
  onContinuationWaiting(listener: (continuation: WaitingContinuation) => void): () => void {
    this.continuationListeners.add(listener);
    return () => this.continuationListeners.delete(listener);
  }

  /** Live asynchronous continuations, highest priority first, then earliest due (the order the job executor runs them in). */
  asyncContinuations(filter: AsyncContinuationFilter = {}): AsyncContinuationView[] {
    const views: AsyncContinuationView[] = [];
    for (const [continuationId, processInstanceId] of this.continuationInstance) {
      if (filter.processInstanceId !== undefined && processInstanceId !== filter.processInstanceId) continue;
      const state = this.instances.get(processInstanceId)?.state;
      const continuation = state?.asyncContinuations?.[continuationId];
      if (state === undefined || continuation === undefined) continue;
      const view = asyncContinuationView(continuation, state, processInstanceId);
      if (filter.state !== undefined && view.state !== filter.state) continue;
      views.push(view);
    }
    views.sort(byExecutionOrder);
    return views.slice(0, filter.limit ?? DEFAULT_LIMIT);
  }

  // Views.

  processInstance(id: string): ProcessInstanceView | undefined {
    const record = this.instances.get(id);
    return record && record.state.status !== 'none' ? this.instanceView(record) : undefined;
  }

  processInstances(filter: ProcessInstanceFilter = {}): Page<ProcessInstanceView> {
    const matching: InstanceRecord[] = [];
    for (const record of this.instances.values()) {
      const state = record.state;
      if (state.status === 'none') continue;
      if (filter.processId !== undefined && state.processId !== filter.processId) continue;
      if (filter.processDefinitionId !== undefined && state.processDefinitionId !== filter.processDefinitionId) continue;
      if (filter.businessKey !== undefined && state.businessKey !== filter.businessKey) continue;
      if (filter.state !== undefined && stateName(state) !== filter.state) continue;
      matching.push(record);
    }
    const offset = filter.offset ?? 0;
    const limit = filter.limit ?? DEFAULT_LIMIT;
    return { items: matching.slice(offset, offset + limit).map((record) => this.instanceView(record)), total: matching.length };
  }

  /** Open jobs that a worker may take now (not failed without retries, not waiting for a retry back-off). */
  activatableJobs(filter: JobFilter = {}, now: string = new Date().toISOString()): JobView[] {
    const limit = filter.limit ?? DEFAULT_LIMIT;
    const candidates: Iterable<string> =
      filter.processInstanceId !== undefined
        ? (this.instances.get(filter.processInstanceId)?.openJobIds ?? [])
        : filter.type !== undefined
          ? (this.jobsByType.get(filter.type) ?? [])
          : this.jobInstance.keys();
    const jobs: JobView[] = [];
    for (const jobId of candidates) {
      if (jobs.length >= limit) break;
      const record = this.instances.get(this.jobInstance.get(jobId) ?? '');
      const job = record?.state.jobs[jobId];
      if (!record || !job) continue;
      if (filter.type !== undefined && job.type !== filter.type) continue;
      if (job.state !== 'activatable' || job.retries <= 0) continue;
      if (job.retryAt !== undefined && job.retryAt > now) continue;
      const state = record.state;
      jobs.push({
        id: job.id,
        type: job.type,
        retries: job.retries,
        processInstanceId: record.id,
        processDefinitionId: state.processDefinitionId,
        processId: state.processId,
        ...(state.businessKey !== undefined ? { businessKey: state.businessKey } : {}),
        elementId: job.elementId,
        elementInstanceId: job.elementInstanceId,
        customHeaders: job.customHeaders,
        ...(job.errorMessage !== undefined ? { errorMessage: job.errorMessage } : {}),
        createdAt: this.jobCreatedAt.get(jobId) ?? '',
        variables: visibleVariables(state, job.elementInstanceId),
      });
    }
    return jobs;
  }

  userTask(id: string): UserTaskView | undefined {
    const task = this.userTasks.get(id);
    return task ? this.userTaskView(task) : undefined;
  }

  userTaskList(filter: UserTaskFilter = {}): UserTaskView[] {
    const limit = filter.limit ?? DEFAULT_LIMIT;
    const tasks: UserTaskView[] = [];
    const candidates =
      filter.processInstanceId !== undefined
        ? [...this.userTasks.values()].filter((task) => task.processInstanceId === filter.processInstanceId)
        : this.userTasks.values();
    for (const task of candidates) {
      if (tasks.length >= limit) break;
      if (filter.state !== undefined && task.state !== filter.state) continue;
      if (filter.assignee !== undefined && task.data.assignee !== filter.assignee) continue;
      if (filter.candidateGroup !== undefined && !task.data.candidateGroups.includes(filter.candidateGroup)) continue;
      if (filter.candidateUser !== undefined && !task.data.candidateUsers.includes(filter.candidateUser)) continue;
      tasks.push(this.userTaskView(task));
    }
    return tasks;
  }

  incidents(filter: { readonly processInstanceId?: string } = {}): IncidentView[] {
    const incidents: IncidentView[] = [];
    for (const [incidentId, processInstanceId] of this.incidentInstance) {
      if (filter.processInstanceId !== undefined && processInstanceId !== filter.processInstanceId) continue;
      const incident = this.instances.get(processInstanceId)?.state.incidents[incidentId];
      if (incident) incidents.push(incidentView(incident, processInstanceId));
    }
    return incidents;
  }

  private instanceView(record: InstanceRecord): ProcessInstanceView {
    const state = record.state;
    const ended = state.status === 'completed' || state.status === 'terminated';
    return {
      id: record.id,
      processDefinitionId: state.processDefinitionId,
      processId: state.processId,
      version: state.version,
      ...(state.businessKey !== undefined ? { businessKey: state.businessKey } : {}),
      state: stateName(state),
      startedAt: state.startedAt ?? '',
      ...(state.endedAt !== undefined ? { endedAt: state.endedAt } : {}),
      ...(state.parent === undefined ? {} : { parentProcessInstanceId: state.parent.processInstanceId, parentElementInstanceId: state.parent.elementInstanceId }),
      activeElementInstances: ended
        ? []
        : Object.values(state.elementInstances)
            .filter((instance) => instance.state !== 'completed' && instance.state !== 'terminated')
            .map((instance) => ({
              id: instance.id,
              elementId: instance.elementId,
              elementType: instance.elementType,
              state: instance.state.toUpperCase() as ElementInstanceStateName,
            })),
      variables: state.variables[record.id] ?? record.variables,
      incidents: [...record.openIncidentIds]
        .map((incidentId) => state.incidents[incidentId])
        .filter((incident) => incident !== undefined)
        .map((incident) => incidentView(incident, record.id)),
      timers: ended ? [] : Object.values(state.timers ?? {}).map((timer): WaitingTimerView => ({ id: timer.id, elementId: timer.elementId, elementInstanceId: timer.elementInstanceId, dueAt: timer.dueAt })),
      messageSubscriptions: ended
        ? []
        : Object.values(state.messageSubscriptions ?? {}).map((subscription) => ({
            id: subscription.id,
            elementId: subscription.elementId,
            elementInstanceId: subscription.elementInstanceId,
            messageName: subscription.messageName,
            ...(subscription.correlationKey === undefined ? {} : { correlationKey: subscription.correlationKey }),
          })),
      asyncContinuations: ended
        ? []
        : Object.values(state.asyncContinuations ?? {})
            .map((continuation) => asyncContinuationView(continuation, state, record.id))
            .sort(byExecutionOrder),
      signalSubscriptions: ended
        ? []
        : Object.values(state.signalSubscriptions ?? {}).map((subscription) => ({
            id: subscription.id,
            elementId: subscription.elementId,
            elementInstanceId: subscription.elementInstanceId,
            signalName: subscription.signalName,
          })),
    };
  }

  private userTaskView(task: UserTaskRecord): UserTaskView {
    const state = this.instances.get(task.processInstanceId)?.state;
    const data = task.data;
    const live = task.state === 'CREATED' ? state?.userTasks[data.userTaskId] : undefined;
    return {
      id: data.userTaskId,
      ...(data.name !== undefined ? { name: data.name } : {}),
      state: task.state,
      processInstanceId: task.processInstanceId,
      processDefinitionId: state?.processDefinitionId ?? '',
      processId: state?.processId ?? '',
      elementId: data.elementId,
      elementInstanceId: data.elementInstanceId,
      ...(data.assignee !== undefined ? { assignee: data.assignee } : {}),
      candidateUsers: data.candidateUsers,
      candidateGroups: data.candidateGroups,
      ...(data.dueDate !== undefined ? { dueDate: data.dueDate } : {}),
      ...(data.followUpDate !== undefined ? { followUpDate: data.followUpDate } : {}),
      ...(data.priority !== undefined ? { priority: data.priority } : {}),
      ...(data.formKey !== undefined ? { formKey: data.formKey } : {}),
      ...(data.formId !== undefined ? { formId: data.formId } : {}),
      createdAt: data.createdAt,
      ...(task.completedAt !== undefined ? { completedAt: task.completedAt } : {}),
      // Task listeners: a completion waiting for its completing listeners, or the reason the last one was denied.
      ...(live?.completing !== undefined ? { completing: true } : {}),
      ...(live?.deniedReason !== undefined ? { deniedReason: live.deniedReason } : {}),
      ...(task.state === 'CREATED' && state ? { variables: visibleVariables(state, data.elementInstanceId) } : {}),
    };
  }
}

function stateName(state: ProcessInstanceState): ProcessInstanceStateName {
  return state.status === 'completed' ? 'COMPLETED' : state.status === 'terminated' ? 'TERMINATED' : 'ACTIVE';
}

function incidentView(incident: ProcessInstanceState['incidents'][string], processInstanceId: string): IncidentView {
  return {
    id: incident.id,
    type: incident.type,
    message: incident.message,
    elementId: incident.elementId,
    elementInstanceId: incident.elementInstanceId,
    ...(incident.jobId !== undefined ? { jobId: incident.jobId } : {}),
    createdAt: incident.createdAt,
    processInstanceId,
  };
}


type AsyncContinuationState = NonNullable<ProcessInstanceState['asyncContinuations']>[string];

function asyncContinuationView(continuation: AsyncContinuationState, state: ProcessInstanceState, processInstanceId: string): AsyncContinuationView {
  return {
    id: continuation.id,
    processInstanceId,
    processDefinitionId: state.processDefinitionId,
    processId: state.processId,
    elementId: continuation.elementId,
    elementInstanceId: continuation.elementInstanceId,
    phase: continuation.phase === 'before' ? 'BEFORE' : 'AFTER',
    state: continuation.state === 'waiting' ? 'WAITING' : 'FAILED',
    dueAt: continuation.dueAt,
    retries: continuation.retries,
    priority: continuation.priority,
    exclusive: continuation.exclusive,
    ...(continuation.retryTimeCycle === undefined ? {} : { retryTimeCycle: continuation.retryTimeCycle }),
    ...(continuation.errorMessage === undefined ? {} : { errorMessage: continuation.errorMessage }),
    createdAt: continuation.createdAt,
  };
}

/** Higher priority first, then the earlier due time, then the id (a stable order). */
export function byExecutionOrder(a: { priority: number; dueAt: string; id?: string; continuationId?: string }, b: typeof a): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const due = Date.parse(a.dueAt) - Date.parse(b.dueAt);
  if (due !== 0) return due;
  const idA = a.id ?? a.continuationId ?? '';
  const idB = b.id ?? b.continuationId ?? '';
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}
