import type { AsyncJobDefinition, FlowNode } from '../../model/executable-model.js';
import type { Failure } from '../decision.js';
import type { DecisionRun } from '../decision-run.js';
import type { Outcome } from '../element-lifecycle.js';
import type { RunAsyncContinuation } from '../process-instance-commands.js';
import type { ElementInstance, IncidentState } from '../process-instance-state.js';
import { asNumber, evaluateAs } from '../behaviors/values.js';
import { DEFAULT_ATTEMPTS, nextAttemptAt, parseRetryCycle, retryIntervalMs, type RetryCycle } from './retry-cycle.js';

/**
 * Asynchronous continuations (Camunda 7 `asyncBefore` / `asyncAfter`): where the model asks for a transaction boundary,
 * the decision stops with an `AsyncContinuationCreated` instead of going on, and the job executor runs it later with
 * `RunAsyncContinuation`. What that run does up to the next wait state is one unit: a problem anywhere in it (what would
 * otherwise be an incident) rolls all of it back and spends one of the continuation's retries, as a failing job does in
 * Camunda 7, whose transaction ends at the same wait state.
 */

/**
 * The continuations a decision has run, as `phase:elementInstanceId`: the step they deferred then goes through instead
 * of stopping again. Kept beside the run (not in it) because it only lives as long as the decision.
 */
const passed = new WeakMap<DecisionRun, Set<string>>();

function passedIn(run: DecisionRun): Set<string> {
  let set = passed.get(run);
  if (set === undefined) passed.set(run, (set = new Set()));
  return set;
}

/**
 * The async attributes that apply to this instance: an activity's own belong to the activity as a whole (a
 * multi-instance activity stops once, at its body); an iteration of a multi-instance activity has those of its loop
 * characteristics (Camunda 7's `camunda:asyncBefore` on `multiInstanceLoopCharacteristics`).
 */
function asyncOf(instance: ElementInstance, node: FlowNode): { asyncBefore?: boolean; asyncAfter?: boolean; asyncJob?: AsyncJobDefinition } {
  if (instance.elementType === 'multiInstanceBody' || node.multiInstance === undefined) return node;
  return node.multiInstance;
}

/** The element instance is to stop before its activation (it has not yet passed its continuation in this decision). */
export function stopsBefore(run: DecisionRun, instance: ElementInstance, node: FlowNode): boolean {
  return asyncOf(instance, node).asyncBefore === true && !passedIn(run).has(`before:${instance.id}`);
}

/** The element instance is to stop after its work, before leaving by its outgoing flows (or ending its iteration). */
export function stopsAfter(run: DecisionRun, instance: ElementInstance, node: FlowNode): boolean {
  return asyncOf(instance, node).asyncAfter === true && !passedIn(run).has(`after:${instance.id}`);
}

/**
 * Creates the continuation of an element instance. Its priority is evaluated now, in the instance's scope (the element's
 * `camunda:jobPriority`, else the process's, else 0); an expression that gives no whole number is an incident.
 */
export function createAsyncContinuation(run: DecisionRun, instance: ElementInstance, node: FlowNode, phase: 'before' | 'after'): Outcome {
  const job = asyncOf(instance, node).asyncJob;
  const priorityExpression = job?.priority ?? run.process.jobPriority;
  let priority = 0;
  if (priorityExpression !== undefined) {
    const evaluated = evaluateAs(run, priorityExpression, instance.id, 'the job priority', 'a whole number', (value) => {
      const number = asNumber(value);
      return number !== undefined && Number.isSafeInteger(number) ? number : undefined;
    });
    if (!evaluated.ok) return evaluated.error;
    priority = evaluated.value;
  }
  const cycle = retryCycleOf(job?.retryTimeCycle);
  run.emit({
    type: 'AsyncContinuationCreated',
    data: {
      continuationId: run.newId(),
      elementInstanceId: instance.id,
      elementId: instance.elementId,
      phase,
      dueAt: run.now,
      retries: cycle?.attempts ?? DEFAULT_ATTEMPTS,
      ...(job?.retryTimeCycle === undefined ? {} : { retryTimeCycle: job.retryTimeCycle }),
      priority,
      exclusive: job?.exclusive ?? true,
      createdAt: run.now,
    },
  });
  return undefined;
}

/** The element instance was terminated: its continuation will not run. */
export function cancelAsyncContinuations(run: DecisionRun, elementInstanceId: string): void {
  for (const continuation of Object.values(run.state.asyncContinuations)) {
    if (continuation.elementInstanceId === elementInstanceId) run.emit({ type: 'AsyncContinuationCanceled', data: { continuationId: continuation.id } });
  }
}

export function runAsyncContinuation(run: DecisionRun, command: RunAsyncContinuation): Failure | undefined {
  const continuation = run.state.asyncContinuations[command.continuationId];
  const details = { continuationId: command.continuationId };
  if (continuation === undefined) {
    return { code: 'NOT_FOUND', message: `Asynchronous continuation '${command.continuationId}' is not waiting: it ran or was canceled`, details };
  }
  if (continuation.state === 'failed') {
    return { code: 'INVALID_STATE', message: `Asynchronous continuation '${continuation.id}' has no retries left: resolve its incident first`, details };
  }
  if (Date.parse(continuation.dueAt) > Date.parse(run.now)) {
    return { code: 'INVALID_STATE', message: `Asynchronous continuation '${continuation.id}' is not due until ${continuation.dueAt}`, details };
  }
  const instance = run.state.elementInstances[continuation.elementInstanceId];
  const expected = continuation.phase === 'before' ? 'activating' : 'completing';
  if (instance === undefined || instance.state !== expected) {
    return { code: 'INVALID_STATE', message: `The element of asynchronous continuation '${continuation.id}' is not waiting for it`, details };
  }
  const mark = run.events.length;
  run.emit({ type: 'AsyncContinuationExecuted', data: { continuationId: continuation.id } });
  passedIn(run).add(`${continuation.phase}:${instance.id}`);
  if (continuation.phase === 'before') run.activate(instance);
  else run.leaveAfterAsync(instance);
  run.runToQuiescence();
  const problem = run.events.slice(mark).find((event) => event.type === 'IncidentCreated');
  if (problem === undefined) return undefined;
  // The whole run, up to the wait state it reached, is rolled back: only the failure is kept.
  run.rollBackTo(mark);
  const { incidentType, message, elementId } = problem.data;
  const errorMessage = `${incidentType} at '${elementId}': ${message}`;
  const retries = Math.max(0, continuation.retries - 1);
  const cycle = retryCycleOf(continuation.retryTimeCycle);
  const dueAt = retries > 0 ? nextAttemptAt(cycle, retries, run.now) : run.now;
  run.emit({ type: 'AsyncContinuationFailed', data: { continuationId: continuation.id, retries, errorMessage, dueAt } });
  if (retries === 0) {
    const waiting = run.state.elementInstances[instance.id];
    if (waiting !== undefined) {
      run.raiseIncident(
        waiting,
        { incidentType: 'JOB_NO_RETRIES', message: `Asynchronous continuation ${continuation.phase} '${continuation.elementId}' failed with no retries left: ${errorMessage}` },
        continuation.id,
      );
    }
  }
  return undefined;
}

/** Resolving the JOB_NO_RETRIES incident of a continuation gives it retries back: the job executor runs it again at once. */
export function resolveAsyncContinuationIncident(run: DecisionRun, incident: IncidentState, retries: number | undefined): Failure | undefined {
  const given = retries ?? 1;
  if (!Number.isInteger(given) || given < 1) {
    return { code: 'INVALID_ARGUMENT', message: `A job needs at least 1 retry to run again, not ${given}` };
  }
  run.emit({ type: 'AsyncContinuationRetriesUpdated', data: { continuationId: incident.jobId ?? '', retries: given, dueAt: run.now } });
  run.emit({ type: 'IncidentResolved', data: { incidentId: incident.id } });
  return undefined;
}

export function isAsyncContinuationIncident(run: DecisionRun, incident: IncidentState): boolean {
  return incident.jobId !== undefined && run.state.asyncContinuations[incident.jobId] !== undefined;
}

/** The cycle was checked at deployment; one that still does not parse (a model compiled by an older version) counts as none. */
function retryCycleOf(text: string | undefined): RetryCycle | undefined {
  if (text === undefined) return undefined;
  const parsed = parseRetryCycle(text);
  return parsed.ok ? parsed.value : undefined;
}

/**
 * The back-off of a worker job failed with `retriesLeft` and no back-off of its own: the interval its element's
 * `camunda:failedJobRetryTimeCycle` gives for that failure (counted from the cycle's attempts), else 0.
 */
export function workerRetryBackoffMs(run: DecisionRun, elementId: string, retriesLeft: number): number {
  const node = run.process.elements[elementId];
  const text = node !== undefined && 'job' in node ? node.job?.retryTimeCycle : undefined;
  const cycle = retryCycleOf(text);
  return cycle === undefined ? 0 : retryIntervalMs(cycle, retriesLeft);
}
