import type { FlowNodeKind } from '../model/executable-model.js';
import type { JsonObject } from '../model/json.js';
import type { ChildProcessInstanceRequested, ErrorThrownToCaller, EscalationThrownToCaller, IncidentType, JobTaskListener } from './process-instance-events.js';

/** Element-instance lifecycle, as in Zeebe: transitions are checked against a table on every step. */
export type ElementInstanceState = 'activating' | 'activated' | 'completing' | 'completed' | 'terminating' | 'terminated';

export interface ElementInstance {
  readonly id: string;
  readonly elementId: string;
  readonly elementType: FlowNodeKind | 'multiInstanceBody';
  /** The enclosing scope's element instance, or the process instance id. */
  readonly flowScopeInstanceId: string;
  readonly state: ElementInstanceState;
  readonly loopCounter?: number;
}

export interface JobState {
  readonly id: string;
  readonly type: string;
  readonly retries: number;
  readonly elementInstanceId: string;
  readonly elementId: string;
  readonly customHeaders: Readonly<Record<string, string>>;
  /** Camunda 7 `camunda:taskPriority` (absent: 0): external-task workers fetching with `usePriority` get higher ones first. */
  readonly priority?: number;
  /** Set on the job of a task listener: completing it moves the user task's transition on, not the element. */
  readonly taskListener?: JobTaskListener;
  readonly state: 'activatable' | 'failed' | 'completed' | 'canceled';
  readonly errorMessage?: string;
  readonly retryAt?: string;
}

export interface UserTaskState {
  readonly id: string;
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
  readonly state: 'created' | 'completed' | 'canceled';
  /** A completion waits for its completing listeners: the variables it will complete with. */
  readonly completing?: { readonly variables: JsonObject };
  /** Why a completing listener denied the last completion (cleared by the next completion request). */
  readonly deniedReason?: string;
}

export type ChildProcessInstanceRequest = ChildProcessInstanceRequested['data'];

export interface TimerState {
  readonly id: string;
  /** The instance whose subscription it is: the catch event's own, or the activity's for a boundary event. */
  readonly elementInstanceId: string;
  /** The catch event or boundary event that occurs when the timer is due. */
  readonly elementId: string;
  readonly dueAt: string;
  readonly cycle?: TimerCreatedCycle;
  /** The timer of a timeout task listener: `elementId` is the user task's. */
  readonly taskListener?: JobTaskListener;
}

export interface MessageSubscriptionState {
  readonly id: string;
  /** The instance that waits: the catch event's or receive task's own, or the activity's for a boundary event. */
  readonly elementInstanceId: string;
  /** The element that occurs when the message arrives (the boundary event, for one). */
  readonly elementId: string;
  readonly messageName: string;
  readonly correlationKey?: string;
}

export interface SignalSubscriptionState {
  readonly id: string;
  /** The instance that waits: the catch event's own, or the activity's for a boundary event. */
  readonly elementInstanceId: string;
  /** The element that occurs when the signal arrives (the boundary event, for one). */
  readonly elementId: string;
  readonly signalName: string;
  /**
   * The last broadcasts that reached it (a non-interrupting boundary event stays open): a broadcast delivered twice
   * (by two runtime replicas) is refused the second time. Bounded: only recent ones are remembered.
   */
  readonly receivedSignalIds?: readonly string[];
}

export interface TimerCreatedCycle {
  readonly remaining: number | null;
  readonly interval?: string;
  readonly cron?: string;
}

export interface AdHocSubProcessState {
  /** Sequential ordering: elements asked for that wait their turn, first to start first. */
  readonly pendingElementIds: readonly string[];
  /** The completion condition held while remaining instances may finish: nothing more is started. */
  readonly completionConditionFulfilled: boolean;
}

/** An asynchronous continuation waiting to be run (see `AsyncContinuationCreated`). */
export interface AsyncContinuationState {
  readonly id: string;
  readonly elementInstanceId: string;
  readonly elementId: string;
  readonly phase: 'before' | 'after';
  /** From when the job executor may run it (ISO 8601 UTC). */
  readonly dueAt: string;
  /** Attempts left. */
  readonly retries: number;
  readonly retryTimeCycle?: string;
  readonly priority: number;
  readonly exclusive: boolean;
  readonly createdAt: string;
  /** `failed`: no retries left, it waits for its incident to be resolved. */
  readonly state: 'waiting' | 'failed';
  /** The problem of the last failed attempt. */
  readonly errorMessage?: string;
}

export interface IncidentState {
  readonly id: string;
  readonly type: IncidentType;
  readonly message: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly jobId?: string;
  readonly createdAt: string;
}

/**
 * The state of one process instance, rebuilt by folding its events with `evolve`.
 * Only live things are kept: completed or terminated element instances, jobs and user tasks leave it,
 * so a long-running instance does not grow with its history.
 */
export interface ProcessInstanceState {
  readonly status: 'none' | 'active' | 'completed' | 'terminated';
  readonly processInstanceId: string;
  readonly processDefinitionId: string;
  readonly processId: string;
  readonly version: number;
  readonly businessKey?: string;
  /** The correlation key of the message that started the instance at a message start event. */
  readonly correlationKey?: string;
  readonly startedAt?: string;
  readonly endedAt?: string;
  /** For the child of a call activity: its caller. */
  readonly parent?: { readonly processInstanceId: string; readonly elementInstanceId: string };
  /**
   * What the call activities that wait now asked for (their child's id, process, variables), by call activity instance
   * id. Absent in older snapshots: read it as empty.
   */
  readonly childProcessInstances?: Readonly<Record<string, ChildProcessInstanceRequest>>;
  /**
   * Errors passed up to the caller (see `ErrorThrownToCaller`) whose answer is awaited, by throwing element instance.
   * Absent in older snapshots: read it as empty.
   */
  readonly errorsThrownToCaller?: Readonly<Record<string, ErrorThrownToCaller['data']>>;
  /** Escalations passed up to the caller whose answer is awaited, by throwing element instance. Absent in older snapshots. */
  readonly escalationsThrownToCaller?: Readonly<Record<string, EscalationThrownToCaller['data']>>;
  /**
   * Escalations of children this instance answered (by escalation id, to the call activity instance), so that a repeat
   * is answered again without being thrown twice; dropped when the call activity ends. Absent in older snapshots.
   */
  readonly answeredChildEscalations?: Readonly<Record<string, string>>;
  /** Live element instances by id. */
  readonly elementInstances: Readonly<Record<string, ElementInstance>>;
  /** Variables by scope instance id (the process instance id for process variables). */
  readonly variables: Readonly<Record<string, JsonObject>>;
  /**
   * Tokens waiting at joining gateways: key `${flowScopeInstanceId}/${gatewayId}`, then incoming flow id
   * to the number of tokens that arrived on it.
   */
  readonly joinTokens: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly jobs: Readonly<Record<string, JobState>>;
  readonly userTasks: Readonly<Record<string, UserTaskState>>;
  /** Timers waiting to be due. Absent in states saved before timers existed (snapshots): read it as empty. */
  readonly timers?: Readonly<Record<string, TimerState>>;
  /** Open message subscriptions by id. Absent in states saved before messages existed (snapshots): read it as empty. */
  readonly messageSubscriptions?: Readonly<Record<string, MessageSubscriptionState>>;
  /**
   * Buffered messages (published with a time to live) correlated to this instance, by message key, to the element
   * that caught each: a buffered message is correlated at most once per process instance, as in Zeebe.
   */
  readonly correlatedMessages?: Readonly<Record<string, string>>;
  readonly incidents: Readonly<Record<string, IncidentState>>;
  /**
   * Complex gateways that fired and wait for the remaining tokens to reset: key `${flowScopeInstanceId}/${gatewayId}`,
   * the incoming flows still awaited. Absent in older snapshots: read it as empty.
   */
  readonly complexGatewaysWaitingForReset?: Readonly<Record<string, readonly string[]>>;
  /** Running ad-hoc sub-processes that have elements waiting to start or whose completion condition held, by instance id. Absent: none. */
  readonly adHocSubProcesses?: Readonly<Record<string, AdHocSubProcessState>>;
  /** Open signal subscriptions by id. Absent in states saved before signals existed (snapshots): read it as empty. */
  readonly signalSubscriptions?: Readonly<Record<string, SignalSubscriptionState>>;
  /**
   * Scopes (the process instance id, or a sub-process instance id) that an interrupting event sub-process interrupted,
   * to the event sub-process instance: no other event sub-process of such a scope starts. Absent in older snapshots.
   */
  readonly interruptedScopes?: Readonly<Record<string, string>>;
  /** Why each live event sub-process instance started (its start event and the event's variables). Absent in older snapshots. */
  readonly eventSubProcessTriggers?: Readonly<Record<string, EventSubProcessTrigger>>;
  /** Asynchronous continuations by id. Absent in states saved before they existed (snapshots): read it as empty. */
  readonly asyncContinuations?: Readonly<Record<string, AsyncContinuationState>>;
  /**
   * Completed activity instances that can be compensated, by the scope instance they completed in (the process
   * instance, a sub-process instance, a multi-instance body), in order of completion. A completed sub-process keeps
   * its own under its instance id. Absent in older snapshots: read it as empty.
   */
  readonly compensableActivities?: Readonly<Record<string, readonly CompensableActivity[]>>;
  /**
   * Compensations in progress, by the instance of the throw event (or cancel end event) that threw them: it waits for
   * them, or, with `waitForCompletion="false"`, it went on and may have completed already. Absent: none.
   */
  readonly compensations?: Readonly<Record<string, CompensationState>>;
}

/** A completed activity instance that compensation can undo (see `CompensableActivityCompleted`). */
export interface CompensableActivity {
  readonly elementInstanceId: string;
  readonly elementId: string;
  /** A multi-instance body: its iterations are compensated, each by the activity's handler. */
  readonly multiInstanceBody?: boolean;
  /** Its local variables when it completed (what its handler sees). */
  readonly variables?: JsonObject;
}

/** One handler to run for a compensation: an activity `isForCompensation`, or a compensation event sub-process. */
export interface CompensationHandlerRun {
  readonly handlerId: string;
  /** The completed instance it compensates. */
  readonly compensatedInstanceId: string;
  /** The variables the compensated instance (and the completed scopes around it) had: the handler's locals. */
  readonly variables?: JsonObject;
}

export interface CompensationState {
  /** Handlers still to run, first to run first. */
  readonly pending: readonly CompensationHandlerRun[];
  /** The handler instance running now. */
  readonly handlerInstanceId?: string;
  /**
   * `waitForCompletion="false"`: nothing waits for these handlers; they run in `handlerScopeInstanceId` (the throw
   * event's scope), which cannot complete before them. Absent: the throw event waits, and they run in its scope.
   */
  readonly waitForCompletion?: false;
  readonly handlerScopeInstanceId?: string;
}

export interface EventSubProcessTrigger {
  readonly startEventId: string;
  readonly variables?: JsonObject;
}
