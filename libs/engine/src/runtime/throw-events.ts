import type { BoundaryEventNode, ErrorEventDefinition, EscalationEventDefinition, ThrowEventDefinition } from '../model/executable-model.js';
import type { JsonObject } from '../model/json.js';
import { err, ok, type Result } from '../result.js';
import { asNonEmptyString, evaluateAs } from './behaviors/values.js';
import { passThrough } from './behaviors/task.behavior.js';
import { catchEventOccurred, type EventSubProcessStartNode } from './catch-events.js';
import { processScope, waitingEventSubProcessStarts } from './event-sub-processes.js';
import { throwSignal } from './signals/signal-subscription.js';
import type { DecisionRun } from './decision-run.js';
import type { Outcome, Problem } from './element-lifecycle.js';
import type { Failure } from './decision.js';
import type { EscalationThrownToCaller } from './process-instance-events.js';
import type { ContinueAfterEscalation, ReturnUncaughtError, ThrowChildError, ThrowChildEscalation, ThrowError } from './process-instance-commands.js';
import type { ElementInstance } from './process-instance-state.js';

/** A BPMN error on its way to a catching boundary event: from an error end event or a job worker. */
export interface ThrownError {
  readonly code: string;
  readonly message?: string;
  /** A worker's variables, set at the catching boundary event. */
  readonly variables?: JsonObject;
  /** The job whose worker threw it. */
  readonly jobId?: string;
  /** For an error a call activity passes on: the child and its element that threw it. */
  readonly child?: { readonly processInstanceId: string; readonly elementInstanceId: string };
}

export interface Catcher {
  /**
   * Who catches: the instance of the activity the boundary event is attached to (a multi-instance body for such an
   * activity), or the scope (a sub-process instance, or the process instance) an event sub-process starts in.
   */
  readonly owner: ElementInstance;
  readonly node: BoundaryEventNode | EventSubProcessStartNode;
}

type Catching = (ErrorEventDefinition | EscalationEventDefinition)['type'];

/** The code a catching event catches (undefined: any, a catch-all), or null when it catches nothing of that kind. */
function caughtCode(node: BoundaryEventNode | EventSubProcessStartNode, type: Catching): string | undefined | null {
  const definition = node.eventDefinition;
  if (definition.type === 'error' && type === 'error') return definition.errorCode;
  if (definition.type === 'escalation' && type === 'escalation') return definition.escalationCode;
  return null;
}

/** Among catching events of one level, the one for the code, else a catch-all. */
function bestCatch<T extends BoundaryEventNode | EventSubProcessStartNode>(nodes: readonly T[], type: Catching, code: string): T | undefined {
  let catchAll: T | undefined;
  for (const node of nodes) {
    const catches = caughtCode(node, type);
    if (catches === code) return node;
    if (catches === undefined) catchAll ??= node;
  }
  return catchAll;
}

/**
 * The event that catches an error or escalation thrown at `thrower`: looking outward, scope by scope, from the thrower
 * itself (a task whose worker threw) through its enclosing sub-processes up to the process instance. At each
 * sub-process, its event sub-processes come first (they are inside it), then the boundary events attached to it; the
 * first level with an event of that kind for the code, or else a catch-all one, wins. Only an activity that is
 * activated has its boundary events armed; a scope an interrupting event sub-process interrupted catches no more.
 */
export function findCatcher(run: DecisionRun, thrower: ElementInstance, type: Catching, code: string): Catcher | undefined {
  for (let current: ElementInstance | undefined = thrower; current !== undefined; current = run.state.elementInstances[current.flowScopeInstanceId]) {
    if (current.state !== 'activated') continue;
    const node = run.node(current.elementId);
    const inner = current.elementType === 'multiInstanceBody' ? undefined : bestCatch(waitingEventSubProcessStarts(run, current.id), type, code);
    if (inner !== undefined) return { owner: current, node: inner };
    // Boundary events attach to a multi-instance activity as a whole: to its body, not to an iteration.
    const attachable = current.elementType === 'multiInstanceBody' || node.multiInstance === undefined;
    if (!attachable) continue;
    const boundaries = (node.boundaryEventIds ?? []).map((id) => run.node(id)).filter((boundary): boundary is BoundaryEventNode => boundary.kind === 'boundaryEvent');
    const boundary = bestCatch(boundaries, type, code);
    if (boundary !== undefined) return { owner: current, node: boundary };
  }
  const top = bestCatch(waitingEventSubProcessStarts(run, run.state.processInstanceId), type, code);
  return top === undefined ? undefined : { owner: processScope(run), node: top };
}

/** Whether a catching event ends what threw: an interrupting boundary event or event sub-process. */
function interrupts(node: BoundaryEventNode | EventSubProcessStartNode): boolean {
  return node.kind === 'boundaryEvent' ? node.cancelActivity : node.interrupting !== false;
}

/**
 * Throws a BPMN error at `thrower`. Caught: the catching activity is terminated with everything in it (the thrower
 * too) and its boundary event runs. Not caught in an instance started by a call activity: passed up to the call
 * activity (`ErrorThrownToCaller`), the thrower waiting for the answer. Not caught at all: the problem to raise as an
 * incident on the thrower, which stays where it was (as Zeebe's UNHANDLED_ERROR_EVENT).
 */
export function throwError(run: DecisionRun, thrower: ElementInstance, error: ThrownError): Outcome {
  const catcher = findCatcher(run, thrower, 'error', error.code);
  if (catcher === undefined) {
    if (run.state.parent === undefined) return uncaughtError(error.code, error.message, thrower.elementId);
    run.emit({
      type: 'ErrorThrownToCaller',
      data: {
        elementInstanceId: thrower.id,
        elementId: thrower.elementId,
        errorCode: error.code,
        errorMessage: error.message ?? '',
        variables: error.variables ?? {},
        ...(error.jobId === undefined ? {} : { jobId: error.jobId }),
        ...(error.child === undefined ? {} : { child: error.child }),
      },
    });
    return undefined;
  }
  const definition = catcher.node.eventDefinition as ErrorEventDefinition;
  catchEventOccurred(run, catcher.owner, catcher.node, caughtErrorVariables(catcher.node, definition, error));
  return undefined;
}

/**
 * The variables a caught error leaves at its boundary event: the worker's, Camunda 7's `errorCodeVariable` and
 * `errorMessageVariable`, and, for output mappings to read (Camunda 8), `errorCode` and `errorMessage` as its locals.
 */
function caughtErrorVariables(catching: BoundaryEventNode | EventSubProcessStartNode, definition: ErrorEventDefinition, error: ThrownError): JsonObject | undefined {
  const variables: JsonObject = {
    ...(catching.outputMappings.length > 0 ? { errorCode: error.code, errorMessage: error.message ?? null } : {}),
    ...error.variables,
  };
  if (definition.errorCodeVariable !== undefined) variables[definition.errorCodeVariable] = error.code;
  if (definition.errorMessageVariable !== undefined) variables[definition.errorMessageVariable] = error.message ?? null;
  return Object.keys(variables).length === 0 ? undefined : variables;
}

/**
 * Throws an escalation at `thrower`. Caught by an interrupting boundary event: the activity is terminated (the thrower
 * with it) and the event runs: `interrupted`. Caught by a non-interrupting one: the event runs and the thrower goes on;
 * not caught: the thrower just goes on (as Zeebe, no incident): `continues`. Not caught in an instance started by a
 * call activity: passed up to the call activity (`EscalationThrownToCaller`), the thrower waiting for the answer:
 * `waits`. `child` is set when the thrower is a call activity passing on its child's escalation.
 */
export function throwEscalation(
  run: DecisionRun,
  thrower: ElementInstance,
  code: string,
  child?: NonNullable<EscalationThrownToCaller['data']['child']>,
): 'interrupted' | 'continues' | 'waits' {
  const catcher = findCatcher(run, thrower, 'escalation', code);
  if (catcher === undefined) {
    if (run.state.parent === undefined) return 'continues';
    run.emit({
      type: 'EscalationThrownToCaller',
      data: {
        escalationId: run.newId(),
        elementInstanceId: thrower.id,
        elementId: thrower.elementId,
        escalationCode: code,
        ...(child === undefined ? {} : { child }),
      },
    });
    return 'waits';
  }
  catchEventOccurred(run, catcher.owner, catcher.node);
  return interrupts(catcher.node) ? 'interrupted' : 'continues';
}

/**
 * The step of an error or escalation throw event (end or intermediate): evaluates the code in the event's scope and
 * throws it. `passes` is true when the event then completes as a none event would (an escalation that did not
 * interrupt it); an error never passes: caught, the event was terminated, uncaught, the problem is returned.
 */
export function throwEventStep(run: DecisionRun, instance: ElementInstance, thrown: ThrowEventDefinition): Result<{ passes: boolean }, Problem> {
  // A signal is broadcast, not caught by enclosing activities: see signals/signal-subscription.ts.
  if (thrown.type === 'signal') return throwSignal(run, instance, thrown.signalName);
  const expression = thrown.type === 'error' ? thrown.errorCode : thrown.escalationCode;
  const what = thrown.type === 'error' ? 'the error code' : 'the escalation code';
  const code = evaluateAs(run, expression, instance.id, what, 'a non-empty string', asNonEmptyString);
  if (!code.ok) return code;
  if (thrown.type === 'escalation') return ok({ passes: throwEscalation(run, instance, code.value) === 'continues' });
  const problem = throwError(run, instance, { code: code.value });
  return problem === undefined ? ok({ passes: false }) : err(problem);
}

/**
 * A worker threw an error for its job (`ThrowError`): the job is done with, and the error is thrown at the job's
 * element. Uncaught, an UNHANDLED_ERROR_EVENT incident names the job; resolving it offers the job again.
 */
export function handleThrowError(run: DecisionRun, command: ThrowError): Failure | undefined {
  const job = run.state.jobs[command.jobId];
  if (job === undefined) return { code: 'NOT_FOUND', message: `Job '${command.jobId}' does not exist`, details: { jobId: command.jobId } };
  if (job.state !== 'activatable') {
    return { code: 'INVALID_STATE', message: `Job '${command.jobId}' is ${job.state}: resolve its incident first`, details: { jobId: command.jobId } };
  }
  if (typeof command.errorCode !== 'string' || command.errorCode.trim() === '') {
    return { code: 'INVALID_ARGUMENT', message: 'The error code must be a non-empty string: error boundary events catch errors by it', details: { field: 'errorCode' } };
  }
  const instance = run.state.elementInstances[job.elementInstanceId];
  if (instance === undefined || instance.state !== 'activated') {
    return { code: 'INVALID_STATE', message: `The element of job '${job.id}' is not waiting for it`, details: { elementInstanceId: job.elementInstanceId } };
  }
  const errorMessage = command.errorMessage ?? '';
  const variables: JsonObject = command.variables ?? {};
  run.emit({ type: 'JobErrorThrown', data: { jobId: job.id, errorCode: command.errorCode, errorMessage, variables } });
  const problem = throwError(run, instance, {
    code: command.errorCode,
    ...(command.errorMessage === undefined ? {} : { message: errorMessage }),
    variables,
    jobId: job.id,
  });
  if (problem !== undefined) run.raiseIncident(instance, problem, job.id);
  return undefined;
}

function uncaughtError(code: string, message: string | undefined, elementId: string): Problem {
  const why = message === undefined || message === '' ? '' : ` (${message})`;
  return {
    incidentType: 'UNHANDLED_ERROR_EVENT',
    message: `An error with the code '${code}'${why} was thrown at '${elementId}', but no error boundary event or error event sub-process catches it`,
  };
}

/**
 * The child of a call activity passed up an error nothing in it caught: thrown at the call activity, as if the call
 * activity had thrown it. Caught, the call activity is terminated (and its child canceled with it). Not caught here
 * nor above: `ChildErrorNotCaught` tells the runtime to give the child's thrower its incident. Refused when the call
 * activity no longer waits for that child, or already passed this error up (a repeat after a restart).
 */
export function handleThrowChildError(run: DecisionRun, command: ThrowChildError): Failure | undefined {
  const instance = run.state.elementInstances[command.elementInstanceId];
  if (instance === undefined || instance.state !== 'activated' || run.state.childProcessInstances?.[instance.id]?.childProcessInstanceId !== command.childProcessInstanceId) {
    return {
      code: 'INVALID_STATE',
      message: `No call activity of this instance waits for child process instance '${command.childProcessInstanceId}'`,
      details: { elementInstanceId: command.elementInstanceId, childProcessInstanceId: command.childProcessInstanceId },
    };
  }
  if (run.state.errorsThrownToCaller?.[instance.id] !== undefined) {
    return { code: 'INVALID_STATE', message: `Call activity instance '${instance.id}' already passed an error of its child up`, details: { elementInstanceId: instance.id } };
  }
  if (command.errorCode.trim() === '') return { code: 'INVALID_ARGUMENT', message: 'The error code must be a non-empty string', details: { field: 'errorCode' } };
  const child = { processInstanceId: command.childProcessInstanceId, elementInstanceId: command.childElementInstanceId };
  const problem = throwError(run, instance, {
    code: command.errorCode,
    ...(command.errorMessage === undefined ? {} : { message: command.errorMessage }),
    ...(command.variables === undefined ? {} : { variables: command.variables }),
    child,
  });
  if (problem !== undefined) {
    run.emit({ type: 'ChildErrorNotCaught', data: { elementInstanceId: instance.id, childProcessInstanceId: child.processInstanceId, childElementInstanceId: child.elementInstanceId } });
  }
  return undefined;
}

/**
 * No caller caught the error this instance passed up: its thrower gets the UNHANDLED_ERROR_EVENT incident (naming the
 * job, for a worker's error), or, when the thrower is a call activity that passed on its child's error, the answer
 * goes on down to that child.
 */
export function handleReturnUncaughtError(run: DecisionRun, command: ReturnUncaughtError): Failure | undefined {
  const error = run.state.errorsThrownToCaller?.[command.elementInstanceId];
  if (error === undefined) {
    return { code: 'NOT_FOUND', message: `Element instance '${command.elementInstanceId}' waits for no answer to an error`, details: { elementInstanceId: command.elementInstanceId } };
  }
  run.emit({ type: 'ErrorNotCaughtByCaller', data: { elementInstanceId: error.elementInstanceId } });
  if (error.child !== undefined) {
    run.emit({
      type: 'ChildErrorNotCaught',
      data: { elementInstanceId: error.elementInstanceId, childProcessInstanceId: error.child.processInstanceId, childElementInstanceId: error.child.elementInstanceId },
    });
    return undefined;
  }
  const thrower = run.state.elementInstances[error.elementInstanceId];
  // Terminated meanwhile (interrupted by another event): nothing is left to hold.
  if (thrower !== undefined) run.raiseIncident(thrower, uncaughtError(error.errorCode, error.errorMessage, error.elementId), error.jobId);
  return undefined;
}

/** The call activity instance waiting for this child, or why the command is refused. */
function waitingCallActivity(run: DecisionRun, elementInstanceId: string, childProcessInstanceId: string): ElementInstance | Failure {
  const instance = run.state.elementInstances[elementInstanceId];
  if (instance === undefined || instance.state !== 'activated' || run.state.childProcessInstances?.[instance.id]?.childProcessInstanceId !== childProcessInstanceId) {
    return {
      code: 'INVALID_STATE',
      message: `No call activity of this instance waits for child process instance '${childProcessInstanceId}'`,
      details: { elementInstanceId, childProcessInstanceId },
    };
  }
  return instance;
}

/**
 * The child of a call activity passed up an escalation nothing in it caught: thrown at the call activity. Caught by an
 * interrupting boundary event, the call activity is terminated (its child canceled with it). Caught without
 * interrupting, or by nobody (and this instance has no caller): `ChildEscalationAnswered`, and the child's thrower goes
 * on. A repeat of an escalation answered before is answered again, without being thrown twice.
 */
export function handleThrowChildEscalation(run: DecisionRun, command: ThrowChildEscalation): Failure | undefined {
  const instance = waitingCallActivity(run, command.elementInstanceId, command.childProcessInstanceId);
  if ('code' in instance) return instance;
  const answer = {
    type: 'ChildEscalationAnswered',
    data: { elementInstanceId: instance.id, childProcessInstanceId: command.childProcessInstanceId, childElementInstanceId: command.childElementInstanceId, escalationId: command.escalationId },
  } as const;
  if (run.state.answeredChildEscalations?.[command.escalationId] !== undefined) {
    run.emit(answer);
    return undefined;
  }
  if (run.state.escalationsThrownToCaller?.[instance.id] !== undefined) {
    return { code: 'INVALID_STATE', message: `Call activity instance '${instance.id}' already passed an escalation of its child up`, details: { elementInstanceId: instance.id } };
  }
  const child = { processInstanceId: command.childProcessInstanceId, elementInstanceId: command.childElementInstanceId, escalationId: command.escalationId };
  if (throwEscalation(run, instance, command.escalationCode, child) === 'continues') run.emit(answer);
  return undefined;
}

/**
 * The caller did not interrupt for the escalation this instance passed up: its thrower goes on, or, when the thrower is
 * a call activity that passed on its child's escalation, the answer goes on down to that child.
 */
export function handleContinueAfterEscalation(run: DecisionRun, command: ContinueAfterEscalation): Failure | undefined {
  const escalation = run.state.escalationsThrownToCaller?.[command.elementInstanceId];
  if (escalation === undefined) {
    return { code: 'NOT_FOUND', message: `Element instance '${command.elementInstanceId}' waits for no answer to an escalation`, details: { elementInstanceId: command.elementInstanceId } };
  }
  run.emit({ type: 'EscalationAnswered', data: { elementInstanceId: escalation.elementInstanceId } });
  if (escalation.child !== undefined) {
    run.emit({
      type: 'ChildEscalationAnswered',
      data: {
        elementInstanceId: escalation.elementInstanceId,
        childProcessInstanceId: escalation.child.processInstanceId,
        childElementInstanceId: escalation.child.elementInstanceId,
        escalationId: escalation.child.escalationId,
      },
    });
    return undefined;
  }
  const thrower = run.state.elementInstances[escalation.elementInstanceId];
  // The throw event goes on as it would have had the escalation been answered at once.
  if (thrower?.state === 'activating') passThrough(run, thrower, run.node(thrower.elementId));
  return undefined;
}
