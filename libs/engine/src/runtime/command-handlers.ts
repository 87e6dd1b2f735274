import type { JsonObject } from '../model/json.js';
import type { Failure } from './decision.js';
import type { DecisionRun } from './decision-run.js';
import type {
  CancelProcessInstance,
  CompleteJob,
  CompleteUserTask,
  CreateProcessInstance,
  FailJob,
  ProcessInstanceCommand,
  ResolveIncident,
  SetVariables,
  TriggerTimer,
  CorrelateMessage,
  CompleteCallActivity,
  FailCallActivity,
} from './process-instance-commands.js';
import { activateAdHocElements } from './behaviors/ad-hoc-sub-process.behavior.js';
import { isAsyncContinuationIncident, resolveAsyncContinuationIncident, runAsyncContinuation, workerRetryBackoffMs } from './async/async-continuations.js';
import { childResult, requestChild } from './behaviors/call-activity.behavior.js';
import { eventBasedGatewayEventOccurred } from './behaviors/event-based-gateway.behavior.js';
import { catchEventOccurred, closeCatchSubscriptions, isCatchEventNode, openEventSubProcessSubscriptions } from './catch-events.js';
import { waitingOwner } from './event-sub-processes.js';
import { rearmTimer } from './timers/timer-subscription.js';
import {
  handleContinueAfterEscalation,
  handleReturnUncaughtError,
  handleThrowChildError,
  handleThrowChildEscalation,
  handleThrowError,
} from './throw-events.js';
import { receiveSignal } from './signals/signal-subscription.js';
import type { ElementInstance } from './process-instance-state.js';
import { completeTaskListenerJob, dropCancelingListenerJobs, requestUserTaskCompletion, triggerTimeoutListener } from './task-listeners.js';

/**
 * Checks a command against the state and emits its first events into the run; follow-up steps are queued and run
 * by the caller. Returns the failure that rejects the command, if any (nothing is emitted then).
 */
export function handleCommand(run: DecisionRun, command: ProcessInstanceCommand): Failure | undefined {
  if (command.type === 'CreateProcessInstance') return createProcessInstance(run, command);
  const status = run.state.status;
  if (status === 'none') return { code: 'NOT_FOUND', message: 'The process instance does not exist' };
  if (status !== 'active') {
    return { code: 'INVALID_STATE', message: `The process instance is ${status}`, details: { processInstanceId: run.state.processInstanceId } };
  }
  switch (command.type) {
    case 'CompleteJob':
      return completeJob(run, command);
    case 'FailJob':
      return failJob(run, command);
    case 'ThrowError':
      if (run.state.jobs[command.jobId]?.taskListener !== undefined) {
        return { code: 'INVALID_ARGUMENT', message: `Job '${command.jobId}' is a task listener's: it cannot throw a BPMN error`, details: { jobId: command.jobId } };
      }
      return handleThrowError(run, command);
    case 'ThrowChildError':
      return handleThrowChildError(run, command);
    case 'ReturnUncaughtError':
      return handleReturnUncaughtError(run, command);
    case 'ThrowChildEscalation':
      return handleThrowChildEscalation(run, command);
    case 'ContinueAfterEscalation':
      return handleContinueAfterEscalation(run, command);
    case 'CompleteUserTask':
      return completeUserTask(run, command);
    case 'SetVariables':
      return setVariables(run, command);
    case 'ResolveIncident':
      return resolveIncident(run, command);
    case 'CancelProcessInstance':
      return cancelProcessInstance(run, command);
    case 'TriggerTimer':
      return triggerTimer(run, command);
    case 'CorrelateMessage':
      return correlateMessage(run, command);
    case 'ReceiveSignal':
      return receiveSignal(run, command);
    case 'CompleteCallActivity':
      return completeCallActivity(run, command);
    case 'FailCallActivity':
      return failCallActivity(run, command);
    case 'ActivateAdHocElements':
      return activateAdHocElements(run, command);
    case 'RunAsyncContinuation':
      return runAsyncContinuation(run, command);
    default:
      return { code: 'INVALID_ARGUMENT', message: `Unknown command '${(command as { type: string }).type}'` };
  }
}

function createProcessInstance(run: DecisionRun, command: CreateProcessInstance): Failure | undefined {
  if (run.state.status !== 'none') {
    return { code: 'ALREADY_EXISTS', message: `Process instance '${command.processInstanceId}' already exists` };
  }
  const startEventId = command.startElementId ?? run.process.startEventIds[0];
  if (startEventId === undefined) {
    return { code: 'INVALID_ARGUMENT', message: `Process '${run.process.id}' has no none start event to start at` };
  }
  if (![...run.process.startEventIds, ...(run.process.timerStartEventIds ?? []), ...(run.process.signalStartEventIds ?? []), ...(run.process.messageStartEventIds ?? []), ...(run.process.conditionalStartEventIds ?? [])].includes(startEventId)) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `'${startEventId}' is not a start event of process '${run.process.id}' to start an instance at`,
      details: { startElementId: startEventId },
    };
  }
  run.emit({
    type: 'ProcessInstanceCreated',
    data: {
      processInstanceId: command.processInstanceId,
      processDefinitionId: command.processDefinitionId,
      processId: run.process.id,
      version: command.version,
      ...(command.businessKey === undefined ? {} : { businessKey: command.businessKey }),
      ...(command.correlationKey === undefined ? {} : { correlationKey: command.correlationKey }),
      startedAt: run.now,
      ...(command.parent === undefined
        ? {}
        : { parentProcessInstanceId: command.parent.processInstanceId, parentElementInstanceId: command.parent.elementInstanceId }),
    },
  });
  if (command.variables !== undefined) run.setLocal(command.processInstanceId, command.variables);
  // The process level's event sub-processes wait from the start; one that cannot (its message's correlation key does
  // not evaluate, say) refuses the start, as there is no element yet to hold an incident.
  const opened = openEventSubProcessSubscriptions(run, command.processInstanceId, run.process.eventSubProcessIds);
  if (opened !== undefined) {
    return { code: 'INVALID_ARGUMENT', message: `The process instance cannot start: ${opened.message}`, details: { incidentType: opened.incidentType } };
  }
  run.enter(run.node(startEventId), command.processInstanceId);
  return undefined;
}

/** The element instance a job or user task belongs to, which must be waiting for it. */
function waitingInstance(run: DecisionRun, elementInstanceId: string, what: string): ElementInstance | Failure {
  const instance = run.state.elementInstances[elementInstanceId];
  if (instance === undefined || instance.state !== 'activated') {
    return { code: 'INVALID_STATE', message: `The element of ${what} is not waiting for it`, details: { elementInstanceId } };
  }
  return instance;
}

function isFailure(value: ElementInstance | Failure): value is Failure {
  return 'code' in value;
}

function completeJob(run: DecisionRun, command: CompleteJob): Failure | undefined {
  const job = run.state.jobs[command.jobId];
  if (job === undefined) return { code: 'NOT_FOUND', message: `Job '${command.jobId}' does not exist`, details: { jobId: command.jobId } };
  if (job.state !== 'activatable') {
    return { code: 'INVALID_STATE', message: `Job '${command.jobId}' is ${job.state}: resolve its incident first`, details: { jobId: command.jobId } };
  }
  if (job.taskListener !== undefined) return completeTaskListenerJob(run, job, command);
  if (command.result !== undefined) {
    return { code: 'INVALID_ARGUMENT', message: `Job '${job.id}' is not a task listener's: it takes variables, not a result`, details: { jobId: job.id } };
  }
  const instance = waitingInstance(run, job.elementInstanceId, `job '${job.id}'`);
  if (isFailure(instance)) return instance;
  const variables: JsonObject = command.variables ?? {};
  run.emit({ type: 'JobCompleted', data: { jobId: job.id, variables } });
  run.setCompletionVariables(instance, run.node(instance.elementId), variables);
  run.complete(instance);
  return undefined;
}

function failJob(run: DecisionRun, command: FailJob): Failure | undefined {
  const job = run.state.jobs[command.jobId];
  if (job === undefined) return { code: 'NOT_FOUND', message: `Job '${command.jobId}' does not exist`, details: { jobId: command.jobId } };
  if (job.state !== 'activatable') {
    return { code: 'INVALID_STATE', message: `Job '${command.jobId}' is ${job.state}: resolve its incident first`, details: { jobId: command.jobId } };
  }
  if (!Number.isInteger(command.retries) || command.retries < 0) {
    return { code: 'INVALID_ARGUMENT', message: `Retries must be a whole number of at least 0, not ${command.retries}` };
  }
  // Without a back-off from the worker, the model's camunda:failedJobRetryTimeCycle gives it (as for Camunda 7 jobs).
  const backoff = command.retryBackoffMs ?? workerRetryBackoffMs(run, job.elementId, command.retries);
  if (!Number.isFinite(backoff) || backoff < 0) {
    return { code: 'INVALID_ARGUMENT', message: `The retry backoff must be at least 0 milliseconds, not ${backoff}` };
  }
  const instance = run.state.elementInstances[job.elementInstanceId];
  const errorMessage = command.errorMessage ?? '';
  const retryAt = command.retries > 0 && backoff > 0 ? new Date(Date.parse(run.now) + backoff).toISOString() : undefined;
  if (instance === undefined && job.taskListener?.eventType === 'canceling') {
    // The canceled task's element is gone: there is nothing to raise an incident on, and nothing waits for the job,
    // so a canceling listener job failed with no retries left is dropped.
    run.emit({ type: 'JobFailed', data: { jobId: job.id, retries: command.retries, errorMessage, ...(retryAt === undefined ? {} : { retryAt }) } });
    if (command.retries === 0) run.emit({ type: 'JobCanceled', data: { jobId: job.id } });
    return undefined;
  }
  if (instance === undefined) return { code: 'INVALID_STATE', message: `The element of job '${job.id}' is not waiting for it` };
  run.emit({
    type: 'JobFailed',
    data: { jobId: job.id, retries: command.retries, errorMessage, ...(retryAt === undefined ? {} : { retryAt }) },
  });
  if (command.retries === 0) {
    const what = job.taskListener === undefined ? 'Job' : `The ${job.taskListener.eventType} task listener job`;
    const message = errorMessage === '' ? `${what} '${job.id}' of type '${job.type}' failed with no retries left` : errorMessage;
    run.raiseIncident(instance, { incidentType: 'JOB_NO_RETRIES', message }, job.id);
  }
  return undefined;
}

function completeUserTask(run: DecisionRun, command: CompleteUserTask): Failure | undefined {
  const task = run.state.userTasks[command.userTaskId];
  if (task === undefined) {
    return { code: 'NOT_FOUND', message: `User task '${command.userTaskId}' does not exist`, details: { userTaskId: command.userTaskId } };
  }
  const instance = waitingInstance(run, task.elementInstanceId, `user task '${task.id}'`);
  if (isFailure(instance)) return instance;
  return requestUserTaskCompletion(run, task, instance, command.variables ?? {});
}

function setVariables(run: DecisionRun, command: SetVariables): Failure | undefined {
  const scopeInstanceId = command.scopeInstanceId ?? run.state.processInstanceId;
  if (scopeInstanceId !== run.state.processInstanceId && run.state.elementInstances[scopeInstanceId] === undefined) {
    return { code: 'NOT_FOUND', message: `Scope '${scopeInstanceId}' is not a live scope of this process instance`, details: { scopeInstanceId } };
  }
  if (command.local === true) run.setLocal(scopeInstanceId, command.variables);
  else run.propagate(scopeInstanceId, command.variables);
  return undefined;
}

/** The failed step runs again: a job gets retries back and can be activated; any other step is re-run at once. */
function resolveIncident(run: DecisionRun, command: ResolveIncident): Failure | undefined {
  const incident = run.state.incidents[command.incidentId];
  if (incident === undefined) {
    return { code: 'NOT_FOUND', message: `Incident '${command.incidentId}' does not exist`, details: { incidentId: command.incidentId } };
  }
  // An asynchronous continuation that failed with no retries left gets retries back: the job executor runs it again.
  if (isAsyncContinuationIncident(run, incident)) return resolveAsyncContinuationIncident(run, incident, command.retries);
  // A job whose worker failed with no retries left, or threw an error nothing caught, is offered again.
  if ((incident.type === 'JOB_NO_RETRIES' || incident.type === 'UNHANDLED_ERROR_EVENT') && incident.jobId !== undefined) {
    const retries = command.retries ?? 1;
    if (!Number.isInteger(retries) || retries < 1) {
      return { code: 'INVALID_ARGUMENT', message: `A job needs at least 1 retry to run again, not ${retries}` };
    }
    if (run.state.jobs[incident.jobId] !== undefined) run.emit({ type: 'JobRetriesUpdated', data: { jobId: incident.jobId, retries } });
    run.emit({ type: 'IncidentResolved', data: { incidentId: incident.id } });
    return undefined;
  }
  run.emit({ type: 'IncidentResolved', data: { incidentId: incident.id } });
  const instance = run.state.elementInstances[incident.elementInstanceId];
  if (incident.type === 'CALLED_ELEMENT_ERROR' && instance?.state === 'activated') {
    // The call activity waits without a child: ask for a new one (the called process may have been deployed since).
    const node = run.node(instance.elementId);
    const problem = node.kind === 'callActivity' ? requestChild(run, instance, node) : undefined;
    if (problem !== undefined) run.raiseIncident(instance, problem);
    return undefined;
  }
  if (instance?.state === 'activating') run.activate(instance);
  else if (instance?.state === 'completing') run.finishCompleting(instance);
  return undefined;
}

function cancelProcessInstance(run: DecisionRun, command: CancelProcessInstance): Failure | undefined {
  const parent = run.state.parent;
  if (parent !== undefined && command.byParent !== true) {
    return {
      code: 'INVALID_STATE',
      message: `Process instance '${run.state.processInstanceId}' was started by a call activity of '${parent.processInstanceId}': cancel that instance instead`,
      details: { parentProcessInstanceId: parent.processInstanceId },
    };
  }
  for (const instance of run.liveChildren(run.state.processInstanceId)) run.terminate(instance.id);
  closeCatchSubscriptions(run, run.state.processInstanceId);
  dropCancelingListenerJobs(run);
  run.emit({ type: 'ProcessInstanceTerminated', data: { endedAt: run.now, reason: 'canceled' } });
  return undefined;
}

/**
 * A due timer occurs. Two schedulers (replicas) may both fire it: the first one's events are appended, the second is
 * rejected here (the timer is gone), so it occurs once. A repeating timer of a non-interrupting boundary event starts
 * its next occurrence.
 */
function triggerTimer(run: DecisionRun, command: TriggerTimer): Failure | undefined {
  const timers = run.state.timers;
  const timer = timers[command.timerId];
  if (timer === undefined) {
    return { code: 'NOT_FOUND', message: `Timer '${command.timerId}' is not waiting: it was triggered or canceled`, details: { timerId: command.timerId } };
  }
  if (Date.parse(timer.dueAt) > Date.parse(run.now)) {
    return { code: 'INVALID_STATE', message: `Timer '${timer.id}' is not due until ${timer.dueAt}`, details: { timerId: timer.id } };
  }
  if (timer.taskListener !== undefined) return triggerTimeoutListener(run, timer);
  const owner = waitingOwner(run, timer.elementInstanceId);
  const node = run.node(timer.elementId);
  if (owner === undefined || !isCatchEventNode(node)) {
    return { code: 'INVALID_STATE', message: `The element of timer '${timer.id}' is not waiting for it`, details: { timerId: timer.id } };
  }
  run.emit({ type: 'TimerTriggered', data: { timerId: timer.id } });
  // A non-interrupting event keeps waiting: a repeating timer starts its next occurrence.
  if ((node.kind === 'boundaryEvent' && !node.cancelActivity) || (node.kind === 'startEvent' && node.interrupting === false)) rearmTimer(run, timer);
  catchEventOccurred(run, owner, node);
  return undefined;
}

/** The call activity whose child this is, waiting for it. */
function callingInstance(run: DecisionRun, elementInstanceId: string, childProcessInstanceId: string): ElementInstance | Failure {
  const instance = run.state.elementInstances[elementInstanceId];
  if (instance === undefined || instance.state !== 'activated' || run.state.childProcessInstances[elementInstanceId]?.childProcessInstanceId !== childProcessInstanceId) {
    return {
      code: 'INVALID_STATE',
      message: `No call activity of this instance waits for child process instance '${childProcessInstanceId}'`,
      details: { elementInstanceId, childProcessInstanceId },
    };
  }
  return instance;
}

/** The child completed: the call activity takes what its outputs say from the child's variables and completes. */
function completeCallActivity(run: DecisionRun, command: CompleteCallActivity): Failure | undefined {
  const instance = callingInstance(run, command.elementInstanceId, command.childProcessInstanceId);
  if (isFailure(instance)) return instance;
  const node = run.node(instance.elementId);
  if (node.kind !== 'callActivity') return { code: 'INVALID_STATE', message: `Element '${node.id}' is not a call activity` };
  run.emit({
    type: 'ChildProcessInstanceCompleted',
    data: { elementInstanceId: instance.id, childProcessInstanceId: command.childProcessInstanceId, variables: command.variables },
  });
  const result = childResult(run, instance, node, command.variables);
  if (!result.ok) {
    run.raiseIncident(instance, result.error);
    return undefined;
  }
  run.setCompletionVariables(instance, node, result.value);
  run.complete(instance);
  return undefined;
}

/** The child could not be created: an incident on the call activity, which asks again when it is resolved. */
function failCallActivity(run: DecisionRun, command: FailCallActivity): Failure | undefined {
  const instance = callingInstance(run, command.elementInstanceId, command.childProcessInstanceId);
  if (isFailure(instance)) return instance;
  run.emit({
    type: 'ChildProcessInstanceNotCreated',
    data: { elementInstanceId: instance.id, childProcessInstanceId: command.childProcessInstanceId, message: command.message },
  });
  run.raiseIncident(instance, { incidentType: 'CALLED_ELEMENT_ERROR', message: command.message });
  return undefined;
}

/**
 * A message arrives for an open subscription. Two senders racing for one subscription: the first one's events are
 * appended, the second finds the subscription closed (NOT_FOUND) or the buffered message already taken by this
 * instance (ALREADY_EXISTS), so a message is correlated once. A receive task completes; a catch event occurs.
 */
function correlateMessage(run: DecisionRun, command: CorrelateMessage): Failure | undefined {
  const subscription = run.state.messageSubscriptions[command.subscriptionId];
  if (subscription === undefined) {
    return {
      code: 'NOT_FOUND',
      message: `Message subscription '${command.subscriptionId}' is not open: its element left or the message was correlated`,
      details: { subscriptionId: command.subscriptionId },
    };
  }
  if (command.messageKey !== undefined && run.state.correlatedMessages[command.messageKey] !== undefined) {
    return {
      code: 'ALREADY_EXISTS',
      message: `Message '${command.messageKey}' was already correlated to this process instance`,
      details: { messageKey: command.messageKey },
    };
  }
  const owner = waitingOwner(run, subscription.elementInstanceId);
  const node = run.node(subscription.elementId);
  if (owner === undefined || !(isCatchEventNode(node) || node.kind === 'receiveTask')) {
    return { code: 'INVALID_STATE', message: `The element of message subscription '${subscription.id}' is not waiting for it`, details: { subscriptionId: subscription.id } };
  }
  const variables: JsonObject = command.variables ?? {};
  run.emit({
    type: 'MessageCorrelated',
    data: {
      subscriptionId: subscription.id,
      ...(command.messageKey === undefined ? {} : { messageKey: command.messageKey }),
      messageName: subscription.messageName,
      ...(subscription.correlationKey === undefined ? {} : { correlationKey: subscription.correlationKey }),
      variables,
    },
  });
  if (node.kind === 'receiveTask' && owner.elementId !== node.id) {
    // An event-based gateway waited for the receive task's message among other events: the first to occur wins.
    eventBasedGatewayEventOccurred(run, owner, node, variables);
  } else if (node.kind === 'receiveTask') {
    run.setCompletionVariables(owner, node, variables);
    run.complete(owner);
  } else {
    catchEventOccurred(run, owner, node, variables);
  }
  return undefined;
}
