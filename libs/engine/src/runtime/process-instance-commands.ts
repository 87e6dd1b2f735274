import type { JsonObject } from '../model/json.js';
import type { UserTaskCorrections } from './process-instance-events.js';

/** What a caller asks of one process instance. One command runs to quiescence and yields one batch of events. */
export type ProcessInstanceCommand =
  | CreateProcessInstance
  | CompleteJob
  | FailJob
  | ThrowError
  | ThrowChildError
  | ReturnUncaughtError
  | ThrowChildEscalation
  | ContinueAfterEscalation
  | CompleteUserTask
  | SetVariables
  | ResolveIncident
  | CancelProcessInstance
  | CompleteCallActivity
  | FailCallActivity
  | TriggerTimer
  | CorrelateMessage
  | ReceiveSignal
  | ActivateAdHocElements
  | RunAsyncContinuation;

export interface CreateProcessInstance {
  readonly type: 'CreateProcessInstance';
  readonly processInstanceId: string;
  readonly processDefinitionId: string;
  readonly version: number;
  readonly businessKey?: string;
  /** Started by a message (at a message start event): its correlation key, kept so one key has one active instance. */
  readonly correlationKey?: string;
  readonly variables?: JsonObject;
  /** For the child of a call activity: the caller's instance and call activity instance. */
  readonly parent?: { readonly processInstanceId: string; readonly elementInstanceId: string };
  /** The process-level start event to start at (a timer start event, say); default: the first none start event. */
  readonly startElementId?: string;
}

export interface CompleteJob {
  readonly type: 'CompleteJob';
  readonly jobId: string;
  readonly variables?: JsonObject;
  /** The answer of a task listener's worker (refused on other jobs). */
  readonly result?: TaskListenerJobResult;
}

/**
 * What a task listener's worker decides: corrections to the task's fields, or (for a completing listener) a denial
 * that leaves the task open with the reason.
 */
export interface TaskListenerJobResult {
  readonly denied?: boolean;
  readonly deniedReason?: string;
  readonly corrections?: UserTaskCorrections;
}

export interface FailJob {
  readonly type: 'FailJob';
  readonly jobId: string;
  /** Retries left after this failure; 0 raises an incident. */
  readonly retries: number;
  readonly errorMessage?: string;
  /** Milliseconds until the job may be activated again. */
  readonly retryBackoffMs?: number;
}

/**
 * The worker reports a business error: it is thrown at the job's element, and caught by the nearest error boundary
 * event (of that element or an enclosing sub-process) for its code, else by a catch-all; uncaught, it is an incident.
 */
export interface ThrowError {
  readonly type: 'ThrowError';
  readonly jobId: string;
  readonly errorCode: string;
  readonly errorMessage?: string;
  /** Set at the catching boundary event (local to it when it has output mappings, else propagated from there). */
  readonly variables?: JsonObject;
}

/** The child of a call activity passes up an error nothing in it catches (see `ErrorThrownToCaller`). */
export interface ThrowChildError {
  readonly type: 'ThrowChildError';
  /** The call activity instance. */
  readonly elementInstanceId: string;
  readonly childProcessInstanceId: string;
  /** The element instance of the child that threw it (or passed it up from its own child). */
  readonly childElementInstanceId: string;
  readonly errorCode: string;
  readonly errorMessage?: string;
  readonly variables?: JsonObject;
}

/** The error this instance passed to its caller was caught by nobody: its thrower gets the incident. */
export interface ReturnUncaughtError {
  readonly type: 'ReturnUncaughtError';
  /** The element instance that threw the error (the key of `errorsThrownToCaller`). */
  readonly elementInstanceId: string;
}

/** The child of a call activity passes up an escalation nothing in it catches (see `EscalationThrownToCaller`). */
export interface ThrowChildEscalation {
  readonly type: 'ThrowChildEscalation';
  /** The call activity instance. */
  readonly elementInstanceId: string;
  readonly childProcessInstanceId: string;
  readonly childElementInstanceId: string;
  readonly escalationId: string;
  readonly escalationCode: string;
}

/** The escalation this instance passed to its caller did not interrupt it: the thrower goes on. */
export interface ContinueAfterEscalation {
  readonly type: 'ContinueAfterEscalation';
  /** The element instance that threw the escalation (the key of `escalationsThrownToCaller`). */
  readonly elementInstanceId: string;
}

export interface CompleteUserTask {
  readonly type: 'CompleteUserTask';
  readonly userTaskId: string;
  readonly variables?: JsonObject;
}

export interface SetVariables {
  readonly type: 'SetVariables';
  /** The scope to set them in: the process instance id (default) or an element instance id. */
  readonly scopeInstanceId?: string;
  readonly variables: JsonObject;
  /** When true the variables are set in that scope; otherwise each goes to the nearest scope that has it, else the process instance. */
  readonly local?: boolean;
}

/** Resolve an incident: the failed step runs again (a job gets its retries back first: see `retries`). */
export interface ResolveIncident {
  readonly type: 'ResolveIncident';
  readonly incidentId: string;
  /** For a job incident: the retries the job gets back (default 1). */
  readonly retries?: number;
}

export interface CancelProcessInstance {
  readonly type: 'CancelProcessInstance';
  /**
   * A child of a call activity is cancelled through its caller (cancel the root instance): only the caller's
   * termination, passed on by the runtime, sets this.
   */
  readonly byParent?: boolean;
}

/** A timer is due: its catch event occurs. Rejected before the timer's due time, and once it was triggered or canceled. */
export interface TriggerTimer {
  readonly type: 'TriggerTimer';
  readonly timerId: string;
}

/** The child of a call activity completed: the call activity takes its variables and completes. */
export interface CompleteCallActivity {
  readonly type: 'CompleteCallActivity';
  readonly elementInstanceId: string;
  readonly childProcessInstanceId: string;
  /** The child's process variables at its end. */
  readonly variables: JsonObject;
}

/** The child of a call activity could not be created: the call activity gets an incident. */
export interface FailCallActivity {
  readonly type: 'FailCallActivity';
  readonly elementInstanceId: string;
  readonly childProcessInstanceId: string;
  readonly message: string;
}

/**
 * A message arrived for an open subscription: its element occurs. Rejected NOT_FOUND once the subscription closed (so
 * a message is never correlated twice by two senders racing), and ALREADY_EXISTS when the buffered message `messageKey`
 * was already correlated to this process instance.
 */
export interface CorrelateMessage {
  readonly type: 'CorrelateMessage';
  readonly subscriptionId: string;
  /** The key of a buffered message (published with a time to live); absent for a message correlated at once. */
  readonly messageKey?: string;
  readonly variables?: JsonObject;
}

/**
 * A broadcast signal reached an open subscription: its element occurs. Rejected NOT_FOUND once the subscription closed,
 * and ALREADY_EXISTS when the broadcast `signalId` already reached it (two replicas delivering one broadcast).
 */
export interface ReceiveSignal {
  readonly type: 'ReceiveSignal';
  readonly subscriptionId: string;
  readonly signalId?: string;
  readonly variables?: JsonObject;
}

/**
 * Start inner elements of a running ad-hoc sub-process (Camunda 8.8 `POST /v2/element-instances/ad-hoc-activities/
 * {key}/activation`): each must be one it can start (an inner activity or intermediate event without incoming flows).
 */
export interface ActivateAdHocElements {
  readonly type: 'ActivateAdHocElements';
  /** The ad-hoc sub-process instance. */
  readonly elementInstanceId: string;
  /** In the order they start (one after another for a sequential one); an element may be named more than once. */
  readonly elementIds: readonly string[];
}

/**
 * The job executor runs a due asynchronous continuation: the deferred step (the element's activation, or its leaving
 * by its outgoing flows) and everything after it up to the next wait state. Rejected NOT_FOUND once it ran or was
 * canceled, INVALID_STATE before it is due or while it has no retries left, so that a second replica's attempt fails
 * and changes nothing. When the step meets a problem, it is rolled back and the continuation spends a retry instead.
 */
export interface RunAsyncContinuation {
  readonly type: 'RunAsyncContinuation';
  readonly continuationId: string;
}
