import type { TaskListener, TaskListenerEventType, UserTaskNode } from '../model/executable-model.js';
import type { JsonObject } from '../model/json.js';
import { err, ok, type Result } from '../result.js';
import type { DecisionRun } from './decision-run.js';
import type { Failure } from './decision.js';
import type { Problem } from './element-lifecycle.js';
import { firstOccurrence, type TimerSchedule } from './timers/timer-schedule.js';
import { rearmTimer } from './timers/timer-subscription.js';
import type { UserTaskCorrections } from './process-instance-events.js';
import type { CompleteJob, TaskListenerJobResult } from './process-instance-commands.js';
import type { ElementInstance, JobState, TimerState, UserTaskState } from './process-instance-state.js';

/**
 * Task listeners (Zeebe-style job listeners). A transition of a user task that has listeners for it waits: the
 * engine creates the first listener's job; completing it creates the next one, and completing the last one finishes
 * the transition (a completion then completes the task). Listeners of one transition run one after the other, in
 * model order, so each sees the corrections of the ones before.
 */

/** Custom headers of a listener job: the task as it is now, so the worker decides without another look-up. */
export const TASK_LISTENER_HEADERS = {
  userTaskId: 'userTaskId',
  eventType: 'eventType',
  name: 'name',
  assignee: 'assignee',
  candidateUsers: 'candidateUsers',
  candidateGroups: 'candidateGroups',
  dueDate: 'dueDate',
  followUpDate: 'followUpDate',
  priority: 'priority',
  formKey: 'formKey',
  formId: 'formId',
} as const;

function listenersFor(run: DecisionRun, task: UserTaskState, eventType: TaskListenerEventType): readonly TaskListener[] {
  const node = run.node(task.elementId);
  if (node.kind !== 'userTask') return [];
  return (node.taskListeners ?? []).filter((listener) => listener.eventType === eventType);
}

/** The listener job a task's transition waits for, if any (a timeout or canceling listener's job holds nothing up). */
export function pendingListenerJob(run: DecisionRun, userTaskId: string): JobState | undefined {
  return Object.values(run.state.jobs).find(
    (job) => job.taskListener?.userTaskId === userTaskId && job.taskListener.eventType !== 'timeout' && job.taskListener.eventType !== 'canceling',
  );
}

/**
 * The task is terminated with its element (interrupting boundary event, instance canceled): the jobs of all its
 * canceling listeners are created at once, in model order. Nothing waits for them (the termination cannot be held
 * up here), so they do not run one after the other; they outlive the task while the process instance runs.
 */
export function startCancelingListeners(run: DecisionRun, task: UserTaskState): void {
  listenersFor(run, task, 'canceling').forEach((_listener, index) => startTaskListener(run, task, 'canceling', index));
}

/**
 * The first due times of the task's timeout listeners, evaluated in the task's scope before the task is created: a
 * timer that does not evaluate is an EXPRESSION_ERROR incident on the activating task (resolving it tries again).
 */
export function timeoutSchedules(run: DecisionRun, instance: ElementInstance, node: UserTaskNode): Result<TimerSchedule[], Problem> {
  const schedules: TimerSchedule[] = [];
  for (const listener of (node.taskListeners ?? []).filter((candidate) => candidate.eventType === 'timeout')) {
    if (listener.timer === undefined) continue;
    const value = run.evaluate(listener.timer.expression, instance.id, 'EXPRESSION_ERROR');
    if (!value.ok) return err({ incidentType: 'EXPRESSION_ERROR', message: `Failed to evaluate the ${listener.timer.kind} of the timeout listener of '${node.id}': ${value.error.message}` });
    const schedule = firstOccurrence(listener.timer.kind, value.value, run.now);
    if (!schedule.ok) return err({ incidentType: 'EXPRESSION_ERROR', message: `The ${listener.timer.kind} of the timeout listener of '${node.id}' is invalid: ${schedule.error}` });
    schedules.push(schedule.value);
  }
  return ok(schedules);
}

/** Starts the timers of the task's timeout listeners (one per listener, in model order). */
export function openTimeoutTimers(run: DecisionRun, task: UserTaskState, schedules: readonly TimerSchedule[]): void {
  schedules.forEach((schedule, index) => {
    run.emit({
      type: 'TimerCreated',
      data: {
        timerId: run.newId(),
        elementInstanceId: task.elementInstanceId,
        elementId: task.elementId,
        dueAt: schedule.dueAt,
        ...(schedule.cycle === undefined ? {} : { cycle: schedule.cycle }),
        taskListener: { userTaskId: task.id, eventType: 'timeout', index },
      },
    });
  });
}

/** A timeout listener's timer is due: its job is created (once per due time); a cycle starts its next occurrence. */
export function triggerTimeoutListener(run: DecisionRun, timer: TimerState): Failure | undefined {
  const listener = timer.taskListener;
  const task = listener === undefined ? undefined : run.state.userTasks[listener.userTaskId];
  if (listener === undefined || task === undefined) {
    return { code: 'INVALID_STATE', message: `The user task of timer '${timer.id}' is not open`, details: { timerId: timer.id } };
  }
  run.emit({ type: 'TimerTriggered', data: { timerId: timer.id } });
  rearmTimer(run, timer);
  startTaskListener(run, task, 'timeout', listener.index);
  return undefined;
}

/**
 * The process instance ends: canceling listener jobs still open are dropped with it (commands on an ended instance
 * are refused, so no worker could complete them; the history shows them canceled rather than open forever).
 */
export function dropCancelingListenerJobs(run: DecisionRun): void {
  for (const job of Object.values(run.state.jobs)) {
    if (job.taskListener?.eventType === 'canceling') run.emit({ type: 'JobCanceled', data: { jobId: job.id } });
  }
}

/** Creates the job of the transition's listener at `index`; false when there is none (the transition is done). */
export function startTaskListener(run: DecisionRun, task: UserTaskState, eventType: TaskListenerEventType, index: number): boolean {
  const listener = listenersFor(run, task, eventType)[index];
  if (listener === undefined) return false;
  run.emit({
    type: 'JobCreated',
    data: {
      jobId: run.newId(),
      type: listener.type,
      retries: listener.retries,
      elementInstanceId: task.elementInstanceId,
      elementId: task.elementId,
      customHeaders: listenerHeaders(task, eventType),
      taskListener: { userTaskId: task.id, eventType, index },
      createdAt: run.now,
    },
  });
  return true;
}

function listenerHeaders(task: UserTaskState, eventType: TaskListenerEventType): Record<string, string> {
  const H = TASK_LISTENER_HEADERS;
  const headers: Record<string, string> = { [H.userTaskId]: task.id, [H.eventType]: eventType };
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') headers[key] = value;
  };
  put(H.name, task.name);
  put(H.assignee, task.assignee);
  put(H.candidateUsers, task.candidateUsers.join(','));
  put(H.candidateGroups, task.candidateGroups.join(','));
  put(H.dueDate, task.dueDate);
  put(H.followUpDate, task.followUpDate);
  put(H.priority, task.priority === undefined ? undefined : String(task.priority));
  put(H.formKey, task.formKey);
  put(H.formId, task.formId);
  return headers;
}

/**
 * A completion request: with completing listeners the task starts completing (the completion takes effect when the
 * last one is done); without, it completes at once.
 */
export function requestUserTaskCompletion(run: DecisionRun, task: UserTaskState, instance: ElementInstance, variables: JsonObject): Failure | undefined {
  const pending = pendingListenerJob(run, task.id);
  if (pending !== undefined) {
    return {
      code: 'INVALID_STATE',
      message: `User task '${task.id}' waits for its ${pending.taskListener?.eventType} listener (job '${pending.id}' of type '${pending.type}')`,
      details: { userTaskId: task.id, jobId: pending.id },
    };
  }
  if (listenersFor(run, task, 'completing').length > 0) {
    run.emit({ type: 'UserTaskCompleting', data: { userTaskId: task.id, variables } });
    const completing = run.state.userTasks[task.id];
    if (completing !== undefined) startTaskListener(run, completing, 'completing', 0);
    return undefined;
  }
  finishCompletion(run, task, instance, variables);
  return undefined;
}

function finishCompletion(run: DecisionRun, task: UserTaskState, instance: ElementInstance, variables: JsonObject): void {
  // A timeout listener's job still open has nothing left to act on.
  for (const job of Object.values(run.state.jobs)) {
    if (job.taskListener?.userTaskId === task.id) run.emit({ type: 'JobCanceled', data: { jobId: job.id } });
  }
  run.emit({ type: 'UserTaskCompleted', data: { userTaskId: task.id, variables } });
  run.setCompletionVariables(instance, run.node(instance.elementId), variables);
  run.complete(instance);
}

/** A worker completed a listener job: apply its corrections or denial, then run the next listener or finish. */
export function completeTaskListenerJob(run: DecisionRun, job: JobState, command: CompleteJob): Failure | undefined {
  const listener = job.taskListener;
  if (listener === undefined) return undefined;
  if (listener.eventType === 'canceling') return completeCancelingListenerJob(run, job, command);
  const task = run.state.userTasks[listener.userTaskId];
  const instance = run.state.elementInstances[job.elementInstanceId];
  if (task === undefined || instance === undefined || instance.state !== 'activated') {
    return { code: 'INVALID_STATE', message: `The user task of listener job '${job.id}' is not waiting for it`, details: { jobId: job.id } };
  }
  if (command.variables !== undefined && Object.keys(command.variables).length > 0) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `Task listener job '${job.id}' cannot be completed with variables: give a result (corrections or a denial) instead`,
      details: { jobId: job.id },
    };
  }
  const result: TaskListenerJobResult = command.result ?? {};
  // Results may come over Kafka as plain JSON: their types are checked here too.
  const denied: unknown = result.denied;
  const deniedReason: unknown = result.deniedReason;
  if ((denied !== undefined && typeof denied !== 'boolean') || (deniedReason !== undefined && typeof deniedReason !== 'string')) {
    const field = denied !== undefined && typeof denied !== 'boolean' ? 'denied' : 'deniedReason';
    return {
      code: 'INVALID_ARGUMENT',
      message: `The ${field} of listener job '${job.id}' must be ${field === 'denied' ? 'true or false' : 'a string'}`,
      details: { jobId: job.id, field },
    };
  }
  if (result.denied === true && listener.eventType !== 'completing') {
    return {
      code: 'INVALID_ARGUMENT',
      message: `A ${listener.eventType} listener cannot deny: only completing listeners can`,
      details: { jobId: job.id },
    };
  }
  const corrections = checkCorrections(result.corrections, job.id);
  if ('code' in corrections) return corrections;
  run.emit({ type: 'JobCompleted', data: { jobId: job.id, variables: {} } });
  if (Object.keys(corrections).length > 0) run.emit({ type: 'UserTaskCorrected', data: { userTaskId: task.id, corrections } });
  if (result.denied === true) {
    const deniedReason = result.deniedReason ?? '';
    run.emit({ type: 'UserTaskCompletionDenied', data: { userTaskId: task.id, deniedReason } });
    return undefined;
  }
  // A timeout listener holds no transition up: its corrections are all it does.
  if (listener.eventType === 'timeout') return undefined;
  const current = run.state.userTasks[task.id] ?? task;
  if (startTaskListener(run, current, listener.eventType, listener.index + 1)) return undefined;
  if (listener.eventType === 'completing') finishCompletion(run, current, instance, current.completing?.variables ?? {});
  return undefined;
}

/** A canceling listener's job: the task is gone, so there is nothing to correct or deny; the job is just done. */
function completeCancelingListenerJob(run: DecisionRun, job: JobState, command: CompleteJob): Failure | undefined {
  const result = command.result ?? {};
  const given = (command.variables !== undefined && Object.keys(command.variables).length > 0 ? ['variables'] : []).concat(
    Object.keys(result).filter((field) => (result as Record<string, unknown>)[field] !== undefined),
  );
  if (given.length > 0) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `Canceling listener job '${job.id}' cannot be completed with ${given.join(', ')}: the task is canceled, there is nothing left to change`,
      details: { jobId: job.id, field: given[0] },
    };
  }
  run.emit({ type: 'JobCompleted', data: { jobId: job.id, variables: {} } });
  return undefined;
}

/** Corrections as stored: only known fields, of the right types (a worker's mistake is refused, not half-applied). */
function checkCorrections(corrections: UserTaskCorrections | undefined, jobId: string): UserTaskCorrections | Failure {
  if (corrections === undefined) return {};
  const invalid = (field: string, expected: string): Failure => ({
    code: 'INVALID_ARGUMENT',
    message: `The correction '${field}' of listener job '${jobId}' must be ${expected}`,
    details: { jobId, field },
  });
  const known = new Set(['assignee', 'dueDate', 'followUpDate', 'priority', 'candidateUsers', 'candidateGroups']);
  for (const field of Object.keys(corrections)) {
    if (!known.has(field)) return invalid(field, `one of ${[...known].join(', ')}`);
  }
  const checked: { -readonly [K in keyof UserTaskCorrections]: UserTaskCorrections[K] } = {};
  for (const field of ['assignee', 'dueDate', 'followUpDate'] as const) {
    const value: unknown = corrections[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') return invalid(field, 'a string');
    if (field !== 'assignee' && Number.isNaN(Date.parse(value))) return invalid(field, 'an ISO 8601 date-time');
    checked[field] = value;
  }
  const priority: unknown = corrections.priority;
  if (priority !== undefined) {
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > 100) return invalid('priority', 'a whole number from 0 to 100');
    checked.priority = priority;
  }
  for (const field of ['candidateUsers', 'candidateGroups'] as const) {
    const value: unknown = corrections[field];
    if (value === undefined) continue;
    if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) return invalid(field, 'a list of strings');
    checked[field] = value as string[];
  }
  return checked;
}
