import type { FlowNodeKind, TaskListenerEventType } from '../model/executable-model.js';
import type { JsonObject } from '../model/json.js';
import type { CompensationHandlerRun } from './process-instance-state.js';

/**
 * Facts about one process instance, appended to its stream `process-instance-<id>`.
 * Past tense, plain data, versioned by `schemaVersion` in the store metadata. State changes only by
 * applying these (see `evolve`).
 */
export type ProcessInstanceEvent =
  | ProcessInstanceCreated
  | ElementActivating
  | ElementActivated
  | ElementCompleting
  | ElementCompleted
  | ElementTerminating
  | ElementTerminated
  | SequenceFlowTaken
  | VariablesSet
  | JobCreated
  | JobCompleted
  | JobFailed
  | JobRetriesUpdated
  | JobCanceled
  | JobErrorThrown
  | ErrorThrownToCaller
  | ErrorNotCaughtByCaller
  | ChildErrorNotCaught
  | EscalationThrownToCaller
  | EscalationAnswered
  | ChildEscalationAnswered
  | UserTaskCreated
  | UserTaskCompleted
  | UserTaskCanceled
  | UserTaskCompleting
  | UserTaskCorrected
  | UserTaskCompletionDenied
  | TimerCreated
  | TimerTriggered
  | TimerCanceled
  | MessageSubscriptionOpened
  | MessageSubscriptionClosed
  | MessageCorrelated
  | SignalSubscriptionOpened
  | SignalSubscriptionClosed
  | SignalReceived
  | SignalThrown
  | EventSubProcessTriggered
  | ChildProcessInstanceRequested
  | ChildProcessInstanceCompleted
  | ChildProcessInstanceNotCreated
  | ChildProcessInstanceCancelRequested
  | ComplexGatewayWaitingForReset
  | ComplexGatewayReset
  | AdHocElementsQueued
  | AdHocElementDequeued
  | AdHocCompletionConditionFulfilled
  | IncidentCreated
  | IncidentResolved
  | AsyncContinuationCreated
  | AsyncContinuationExecuted
  | AsyncContinuationFailed
  | AsyncContinuationRetriesUpdated
  | AsyncContinuationCanceled
  | CompensableActivityCompleted
  | CompensationThrown
  | CompensationHandlerStarted
  | CompensationCompleted
  | ProcessInstanceCompleted
  | ProcessInstanceTerminated;

export type ProcessInstanceEventType = ProcessInstanceEvent['type'];

interface Event<T extends string, D> {
  readonly type: T;
  readonly data: D;
}

export type ProcessInstanceCreated = Event<
  'ProcessInstanceCreated',
  {
    readonly processInstanceId: string;
    readonly processDefinitionId: string;
    readonly processId: string;
    readonly version: number;
    readonly businessKey?: string;
    /** Started by a message with this correlation key (at a message start event). */
    readonly correlationKey?: string;
    readonly startedAt: string;
    /** Set for an instance started by a call activity: the caller's instance and its call activity instance. */
    readonly parentProcessInstanceId?: string;
    readonly parentElementInstanceId?: string;
  }
>;

export type ElementActivating = Event<
  'ElementActivating',
  {
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly elementType: FlowNodeKind | 'multiInstanceBody';
    /** The element instance of the enclosing scope (the process instance id at the top level). */
    readonly flowScopeInstanceId: string;
    /** For iterations of a multi-instance body or a standard loop: the 1-based iteration number. */
    readonly loopCounter?: number;
    /** A joining gateway fired: the incoming flows whose waiting token (see `SequenceFlowTaken.joinToken`) it consumed, one each. */
    readonly consumedTokens?: readonly string[];
  }
>;

type ElementTransition<T extends string> = Event<T, { readonly elementInstanceId: string }>;
export type ElementActivated = ElementTransition<'ElementActivated'>;
export type ElementCompleting = ElementTransition<'ElementCompleting'>;
export type ElementCompleted = ElementTransition<'ElementCompleted'>;
export type ElementTerminating = ElementTransition<'ElementTerminating'>;
export type ElementTerminated = ElementTransition<'ElementTerminated'>;

export type SequenceFlowTaken = Event<
  'SequenceFlowTaken',
  {
    readonly flowId: string;
    readonly sourceElementId: string;
    readonly targetElementId: string;
    readonly flowScopeInstanceId: string;
    /** The target is a joining gateway: the token waits in `joinTokens` until the gateway fires. */
    readonly joinToken?: boolean;
  }
>;

/** Variables created or updated in one scope (a process instance or an element instance). */
export type VariablesSet = Event<
  'VariablesSet',
  { readonly scopeInstanceId: string; readonly variables: JsonObject }
>;

export type JobCreated = Event<
  'JobCreated',
  {
    readonly jobId: string;
    readonly type: string;
    readonly retries: number;
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly customHeaders: Readonly<Record<string, string>>;
    /** Camunda 7 `camunda:taskPriority`, evaluated at creation; absent (events written before it was read, or no model priority): 0. */
    readonly priority?: number;
    /** Set on the job of a task listener: the user task and transition that wait for it. */
    readonly taskListener?: JobTaskListener;
    /**
     * Decision jobs only: every variable visible to the task when the job was created (what the decision is evaluated
     * with; the dmn-service sees the instance only through its events). Absent for other jobs and in older events.
     */
    readonly variables?: JsonObject;
    readonly createdAt: string;
  }
>;

/** Which task listener a job runs: the transition of the user task, and the listener's index among its event type's. */
export interface JobTaskListener {
  readonly userTaskId: string;
  readonly eventType: TaskListenerEventType;
  readonly index: number;
}

export type JobCompleted = Event<'JobCompleted', { readonly jobId: string; readonly variables: JsonObject }>;

export type JobFailed = Event<
  'JobFailed',
  {
    readonly jobId: string;
    readonly retries: number;
    readonly errorMessage: string;
    /** When a job with retries left becomes available again (ISO 8601); absent means at once. */
    readonly retryAt?: string;
  }
>;

/** A failed job got retries back (resolving its JOB_NO_RETRIES incident): it can be activated again at once. */
export type JobRetriesUpdated = Event<'JobRetriesUpdated', { readonly jobId: string; readonly retries: number }>;

/** The job's element was terminated (cancellation, terminate end event, interruption). */
export type JobCanceled = Event<'JobCanceled', { readonly jobId: string }>;

/**
 * The worker reported a BPMN error instead of completing the job: the error is thrown at the job's element. The job
 * is done with (not offered again) until its incident is resolved, should nothing catch the error; when an error
 * boundary event catches it, the job's element is terminated and the job canceled with it.
 */
export type JobErrorThrown = Event<
  'JobErrorThrown',
  { readonly jobId: string; readonly errorCode: string; readonly errorMessage: string; readonly variables: JsonObject }
>;

export type UserTaskCreated = Event<
  'UserTaskCreated',
  {
    readonly userTaskId: string;
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly name?: string;
    readonly assignee?: string;
    readonly candidateUsers: readonly string[];
    readonly candidateGroups: readonly string[];
    readonly dueDate?: string;
    readonly followUpDate?: string;
    readonly priority?: number;
    readonly formKey?: string;
    readonly formId?: string;
    readonly createdAt: string;
  }
>;

export type UserTaskCompleted = Event<'UserTaskCompleted', { readonly userTaskId: string; readonly variables: JsonObject }>;
export type UserTaskCanceled = Event<'UserTaskCanceled', { readonly userTaskId: string }>;

/**
 * A completion was asked for a task with completing listeners: it takes effect (UserTaskCompleted with these
 * variables) once every listener job is completed without denial.
 */
export type UserTaskCompleting = Event<'UserTaskCompleting', { readonly userTaskId: string; readonly variables: JsonObject }>;

/** The fields of a task a listener's worker corrected (only those given change; a list replaces the list). */
export interface UserTaskCorrections {
  readonly assignee?: string;
  readonly dueDate?: string;
  readonly followUpDate?: string;
  readonly priority?: number;
  readonly candidateUsers?: readonly string[];
  readonly candidateGroups?: readonly string[];
}

export type UserTaskCorrected = Event<'UserTaskCorrected', { readonly userTaskId: string; readonly corrections: UserTaskCorrections }>;

/** A completing listener denied the completion: the task stays open, its completion variables dropped. */
export type UserTaskCompletionDenied = Event<'UserTaskCompletionDenied', { readonly userTaskId: string; readonly deniedReason: string }>;

/**
 * A timer of a catch event started: an intermediate timer catch event (`elementInstanceId` is its own instance) or a
 * timer boundary event (`elementInstanceId` is the activity it is attached to; `elementId` is the boundary event).
 */
export type TimerCreated = Event<
  'TimerCreated',
  {
    readonly timerId: string;
    readonly elementInstanceId: string;
    readonly elementId: string;
    /** ISO 8601 UTC date-time the timer is due at. */
    readonly dueAt: string;
    /** For a repeating timer: how the next occurrences are computed, and how many are left after this one. */
    readonly cycle?: { readonly remaining: number | null; readonly interval?: string; readonly cron?: string };
    /** Set on the timer of a timeout task listener (`elementId` is then the user task's): it creates the listener's job. */
    readonly taskListener?: JobTaskListener;
  }
>;

export type TimerTriggered = Event<'TimerTriggered', { readonly timerId: string }>;

/**
 * The event of an event sub-process's start event occurred in a running scope (the process instance, or a sub-process
 * instance: `scopeInstanceId`): the event sub-process starts there as `elementInstanceId`. An interrupting one has
 * interrupted the scope: everything else in it is terminated (after this event), and no other event sub-process of the
 * scope can start any more. `variables` are the event's (a message's, a signal's, a caught error's), set at the start
 * event when it is entered.
 */
export type EventSubProcessTriggered = Event<
  'EventSubProcessTriggered',
  {
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly scopeInstanceId: string;
    readonly startEventId: string;
    readonly interrupting: boolean;
    readonly variables?: JsonObject;
  }
>;
/** The timer's element left before it was due (completed, terminated, or interrupted by another event). */
export type TimerCanceled = Event<'TimerCanceled', { readonly timerId: string }>;

/**
 * An element waits for a message: an intermediate message catch event or receive task (`elementInstanceId` is its own
 * instance) or a message boundary event (`elementInstanceId` is the activity; `elementId` is the boundary event).
 * The name and correlation key were evaluated in that instance's scope when it opened.
 */
export type MessageSubscriptionOpened = Event<
  'MessageSubscriptionOpened',
  {
    readonly subscriptionId: string;
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly messageName: string;
    /** Absent for a Camunda 7 model's message, which is correlated by name (and business key) only. */
    readonly correlationKey?: string;
  }
>;

/** The element that waited left (completed, terminated, interrupted): no message is correlated to it any more. */
export type MessageSubscriptionClosed = Event<'MessageSubscriptionClosed', { readonly subscriptionId: string }>;

/** A message was correlated to a subscription: its element occurs with the message's variables. */
export type MessageCorrelated = Event<
  'MessageCorrelated',
  {
    readonly subscriptionId: string;
    /** The published message's key, for a buffered message (correlated at most once per process instance). */
    readonly messageKey?: string;
    readonly messageName: string;
    readonly correlationKey?: string;
    readonly variables: JsonObject;
  }
>;

/**
 * An element waits for a signal: an intermediate signal catch event (`elementInstanceId` is its own instance) or a
 * signal boundary event (`elementInstanceId` is the activity; `elementId` is the boundary event). The name was
 * evaluated in that instance's scope when it opened.
 */
export type SignalSubscriptionOpened = Event<
  'SignalSubscriptionOpened',
  { readonly subscriptionId: string; readonly elementInstanceId: string; readonly elementId: string; readonly signalName: string }
>;

/** The element that waited left (completed, terminated, interrupted): no signal reaches it any more. */
export type SignalSubscriptionClosed = Event<'SignalSubscriptionClosed', { readonly subscriptionId: string }>;

/** A broadcast signal reached a subscription: its element occurs with the signal's variables. */
export type SignalReceived = Event<
  'SignalReceived',
  {
    readonly subscriptionId: string;
    /** The broadcast's id, when the sender gave one: the same broadcast reaches a subscription once. */
    readonly signalId?: string;
    readonly signalName: string;
    readonly variables: JsonObject;
  }
>;

/**
 * A signal throw event or signal end event (or a multi-instance body's behavior event) broadcast a signal: the runtime
 * delivers it to every open subscription of that name and every signal start event of that name. `variables` are the
 * results of the event's input mappings.
 */
export type SignalThrown = Event<
  'SignalThrown',
  {
    readonly signalId: string;
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly signalName: string;
    readonly variables: JsonObject;
    /**
     * True: this instance's own subscriptions of that name received it in the same decision (the `SignalReceived`
     * events that follow), so the runtime delivers it to other instances only. Absent in events recorded before
     * that: the runtime delivers it to this instance too.
     */
    readonly deliveredInInstance?: boolean;
  }
>;

/**
 * A call activity asks for its child instance, with the id it will have: the runtime creates it (an instance of the
 * called process in the version the binding says) and tells the call activity when it completed.
 */
export type ChildProcessInstanceRequested = Event<
  'ChildProcessInstanceRequested',
  {
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly childProcessInstanceId: string;
    /** The called process id, evaluated. */
    readonly processId: string;
    readonly binding: 'latest' | 'deployment' | 'version';
    readonly version?: number;
    readonly variables: JsonObject;
    readonly businessKey?: string;
  }
>;

/** The child completed: its variables as they were at its end (what the call activity's outputs read). */
export type ChildProcessInstanceCompleted = Event<
  'ChildProcessInstanceCompleted',
  { readonly elementInstanceId: string; readonly childProcessInstanceId: string; readonly variables: JsonObject }
>;

/** The child could not be created (no such process, say): an incident follows on the call activity. */
export type ChildProcessInstanceNotCreated = Event<
  'ChildProcessInstanceNotCreated',
  { readonly elementInstanceId: string; readonly childProcessInstanceId: string; readonly message: string }
>;

/** The call activity was terminated while its child ran: the runtime cancels the child. */
export type ChildProcessInstanceCancelRequested = Event<
  'ChildProcessInstanceCancelRequested',
  { readonly elementInstanceId: string; readonly childProcessInstanceId: string }
>;

/**
 * An error nothing in this instance catches, in an instance started by a call activity: it goes to the call activity
 * (the runtime passes it on as `ThrowChildError`), and the thrower waits for the answer. Caught there, the call
 * activity is terminated, and this instance with it; not caught anywhere, `ErrorNotCaughtByCaller` follows here.
 * `child` is set when the thrower is itself a call activity passing on an error of its own child.
 */
export type ErrorThrownToCaller = Event<
  'ErrorThrownToCaller',
  {
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly errorCode: string;
    readonly errorMessage: string;
    readonly variables: JsonObject;
    /** The job whose worker threw it: it is offered again once the incident that follows if nothing catches it is resolved. */
    readonly jobId?: string;
    readonly child?: { readonly processInstanceId: string; readonly elementInstanceId: string };
  }
>;

/** No caller caught the error this instance passed up: its thrower gets the incident (or passes the answer to its child). */
export type ErrorNotCaughtByCaller = Event<'ErrorNotCaughtByCaller', { readonly elementInstanceId: string }>;

/**
 * The error a child passed up (from its element `childElementInstanceId`) is not caught here nor above: the runtime
 * tells the child (`ReturnUncaughtError`), whose thrower then gets the UNHANDLED_ERROR_EVENT incident.
 */
export type ChildErrorNotCaught = Event<
  'ChildErrorNotCaught',
  { readonly elementInstanceId: string; readonly childProcessInstanceId: string; readonly childElementInstanceId: string }
>;

/**
 * An escalation nothing in this instance catches, in an instance started by a call activity: it goes to the call
 * activity (the runtime passes it on as `ThrowChildEscalation`) and the thrower waits. Caught there by an interrupting
 * boundary event, the call activity is terminated, and this instance with it; otherwise (caught without interrupting,
 * or by nobody) `EscalationAnswered` follows here and the thrower goes on. `escalationId` tells a repeat from a new
 * escalation; `child` is set when the thrower is a call activity passing on an escalation of its own child.
 */
export type EscalationThrownToCaller = Event<
  'EscalationThrownToCaller',
  {
    readonly escalationId: string;
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly escalationCode: string;
    readonly child?: { readonly processInstanceId: string; readonly elementInstanceId: string; readonly escalationId: string };
  }
>;

/** The caller answered the escalation this instance passed up without interrupting: its thrower goes on. */
export type EscalationAnswered = Event<'EscalationAnswered', { readonly elementInstanceId: string }>;

/**
 * The escalation a child passed up did not interrupt its call activity (caught without interrupting, or by nobody): the
 * runtime tells the child (`ContinueAfterEscalation`), whose thrower goes on. Kept by `escalationId`, so a repeat of the
 * same escalation (after a restart) is answered again without running a boundary event twice.
 */
export type ChildEscalationAnswered = Event<
  'ChildEscalationAnswered',
  { readonly elementInstanceId: string; readonly childProcessInstanceId: string; readonly childElementInstanceId: string; readonly escalationId: string }
>;

/**
 * A complex gateway fired before a token arrived on each incoming flow: it now waits for those (`awaitedFlowIds`)
 * that can still arrive, to consume them without firing again (BPMN 2.0 §13.4.5, "waiting for reset").
 */
export type ComplexGatewayWaitingForReset = Event<
  'ComplexGatewayWaitingForReset',
  { readonly flowScopeInstanceId: string; readonly elementId: string; readonly awaitedFlowIds: readonly string[] }
>;

/** The awaited tokens arrived or can no longer arrive: those that did are consumed, and the gateway waits for a start again. */
export type ComplexGatewayReset = Event<
  'ComplexGatewayReset',
  { readonly flowScopeInstanceId: string; readonly elementId: string; readonly consumedTokens: readonly string[] }
>;

/** A sequential ad-hoc sub-process was asked to start these inner elements: they wait their turn, in this order. */
export type AdHocElementsQueued = Event<'AdHocElementsQueued', { readonly elementInstanceId: string; readonly elementIds: readonly string[] }>;

/** The next waiting element of a sequential ad-hoc sub-process starts now (it is the first of the queue). */
export type AdHocElementDequeued = Event<'AdHocElementDequeued', { readonly elementInstanceId: string; readonly elementId: string }>;

/**
 * The completion condition of an ad-hoc sub-process that lets remaining instances finish (`cancelRemainingInstances`
 * false) held: nothing more is started in it, and it completes once what runs is done.
 */
export type AdHocCompletionConditionFulfilled = Event<'AdHocCompletionConditionFulfilled', { readonly elementInstanceId: string }>;

export type IncidentType =
  | 'CALLED_ELEMENT_ERROR'
  | 'CONDITION_ERROR'
  | 'EXPRESSION_ERROR'
  | 'IO_MAPPING_ERROR'
  | 'JOB_NO_RETRIES'
  | 'UNHANDLED_ERROR_EVENT'
  | 'UNSUPPORTED';

export type IncidentCreated = Event<
  'IncidentCreated',
  {
    readonly incidentId: string;
    readonly incidentType: IncidentType;
    readonly message: string;
    readonly elementId: string;
    readonly elementInstanceId: string;
    readonly jobId?: string;
    readonly createdAt: string;
  }
>;

export type IncidentResolved = Event<'IncidentResolved', { readonly incidentId: string }>;

/**
 * The instance stopped at an asynchronous continuation (Camunda 7 `asyncBefore` / `asyncAfter`): a job of the runtime's
 * job executor, which runs it with `RunAsyncContinuation` from `dueAt` on. `before`: the element instance was created
 * (activating) and is activated when it runs; `after`: the element did its work (completing) and leaves by its
 * outgoing flows when it runs. `retries` are the attempts left; `priority` orders acquisition (higher first).
 */
export type AsyncContinuationCreated = Event<
  'AsyncContinuationCreated',
  {
    readonly continuationId: string;
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly phase: 'before' | 'after';
    readonly dueAt: string;
    readonly retries: number;
    readonly retryTimeCycle?: string;
    readonly priority: number;
    readonly exclusive: boolean;
    readonly createdAt: string;
  }
>;

/** The continuation ran: what follows it in the same batch is the deferred step and everything up to the next wait state. */
export type AsyncContinuationExecuted = Event<'AsyncContinuationExecuted', { readonly continuationId: string }>;

/**
 * Running the continuation met a problem (what would otherwise be an incident): the step was rolled back, one retry
 * is spent. With retries left it is due again at `dueAt`; with none an incident (JOB_NO_RETRIES, `jobId` the
 * continuation) follows.
 */
export type AsyncContinuationFailed = Event<
  'AsyncContinuationFailed',
  { readonly continuationId: string; readonly retries: number; readonly errorMessage: string; readonly dueAt: string }
>;

/** Its JOB_NO_RETRIES incident was resolved: it has retries again and is due at `dueAt`. */
export type AsyncContinuationRetriesUpdated = Event<
  'AsyncContinuationRetriesUpdated',
  { readonly continuationId: string; readonly retries: number; readonly dueAt: string }
>;

/** Its element instance was terminated before it ran. */
export type AsyncContinuationCanceled = Event<'AsyncContinuationCanceled', { readonly continuationId: string }>;

/**
 * An activity that can be compensated completed (it has a compensation handler, or it is a sub-process or
 * multi-instance body with such activities completed inside it): it is remembered in its scope, with its local
 * variables, until a compensation of the scope runs its handler or the scope ends.
 */
export type CompensableActivityCompleted = Event<
  'CompensableActivityCompleted',
  {
    readonly scopeInstanceId: string;
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly multiInstanceBody?: boolean;
    readonly variables?: JsonObject;
  }
>;

/**
 * A compensation throw event (or a cancel end event, `elementInstanceId`) compensates the completed activities of
 * `scopeInstanceId` (all, or those of one activity): `handlers` run one after the other, in this order (reverse
 * order of completion, inner activities of a completed sub-process in its place). The compensated instances leave
 * `compensableActivities` (`compensatedInstanceIds` from the scope, `releasedScopeIds` the completed scopes expanded).
 * With `waitForCompletion: false` the throw event does not wait: it goes on at once, and the handlers run in
 * `handlerScopeInstanceId` (its scope) on their own. Absent (as in events written before it existed): it waits.
 */
export type CompensationThrown = Event<
  'CompensationThrown',
  {
    readonly elementInstanceId: string;
    readonly elementId: string;
    readonly scopeInstanceId: string;
    readonly handlers: readonly CompensationHandlerRun[];
    readonly compensatedInstanceIds: readonly string[];
    readonly releasedScopeIds: readonly string[];
    readonly waitForCompletion?: false;
    readonly handlerScopeInstanceId?: string;
  }
>;

/**
 * The next handler of a compensation starts as `handlerInstanceId`. A compensation event sub-process takes over what
 * completed inside the sub-process it compensates (`compensatedInstanceId`), so a compensation throw event in it
 * compensates those.
 */
export type CompensationHandlerStarted = Event<
  'CompensationHandlerStarted',
  { readonly elementInstanceId: string; readonly handlerInstanceId: string; readonly handlerId: string; readonly compensatedInstanceId: string }
>;

/**
 * Every handler of the compensation is done: its throw event goes on (a cancel end event leaves its transaction), or,
 * when it did not wait (`waitForCompletion: false`), its scope may now complete.
 */
export type CompensationCompleted = Event<'CompensationCompleted', { readonly elementInstanceId: string }>;

export type ProcessInstanceCompleted = Event<'ProcessInstanceCompleted', { readonly endedAt: string }>;
/** The instance was ended from outside (cancelled). A terminate end event completes the instance instead, as in Zeebe and Camunda 7. */
export type ProcessInstanceTerminated = Event<'ProcessInstanceTerminated', { readonly endedAt: string; readonly reason: 'canceled' }>;
