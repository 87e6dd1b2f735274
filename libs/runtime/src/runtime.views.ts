import type { FlowNodeKind, IncidentType, JsonObject } from '@trellis/engine';

export type ProcessInstanceStateName = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
export type ElementInstanceStateName = 'ACTIVATING' | 'ACTIVATED' | 'COMPLETING' | 'TERMINATING';
export type UserTaskStateName = 'CREATED' | 'COMPLETED' | 'CANCELED';

export interface ElementInstanceView {
  readonly id: string;
  readonly elementId: string;
  readonly elementType: FlowNodeKind | 'multiInstanceBody';
  readonly state: ElementInstanceStateName;
}

export interface IncidentView {
  readonly id: string;
  readonly type: IncidentType;
  readonly message: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly jobId?: string;
  readonly createdAt: string;
  readonly processInstanceId: string;
}

export interface ProcessInstanceView {
  readonly id: string;
  readonly processDefinitionId: string;
  readonly processId: string;
  readonly version: number;
  readonly businessKey?: string;
  readonly state: ProcessInstanceStateName;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly activeElementInstances: readonly ElementInstanceView[];
  /** The process-level variables. */
  readonly variables: JsonObject;
  /** Open incidents. */
  readonly incidents: readonly IncidentView[];
  /** For an instance started by a call activity: the calling instance and its call activity instance. */
  readonly parentProcessInstanceId?: string;
  readonly parentElementInstanceId?: string;
  /** Timers waiting to be due (timer catch events and timer boundary events of active elements). */
  readonly timers: readonly WaitingTimerView[];
  /** Messages the instance waits for (message catch events, receive tasks and message boundary events of active elements). */
  readonly messageSubscriptions: readonly MessageSubscriptionView[];
  /** Signals the instance waits for (signal catch events and signal boundary events of active elements). */
  readonly signalSubscriptions: readonly SignalSubscriptionView[];
  /** Asynchronous continuations (Camunda 7 asyncBefore / asyncAfter jobs) of active elements, in the order they run. */
  readonly asyncContinuations: readonly AsyncContinuationView[];
}

/**
 * An asynchronous continuation: the job a Camunda 7 user knows from `asyncBefore` / `asyncAfter`, run by the job
 * executor. Its element instance waits, ACTIVATING (before) or COMPLETING (after), until it ran.
 */
export interface AsyncContinuationView {
  readonly id: string;
  readonly processInstanceId: string;
  readonly processDefinitionId: string;
  readonly processId: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  /** BEFORE: the element is activated when it runs; AFTER: the element leaves by its outgoing flows when it runs. */
  readonly phase: 'BEFORE' | 'AFTER';
  /** WAITING: the job executor runs it from `dueAt` on; FAILED: no retries left, its JOB_NO_RETRIES incident waits. */
  readonly state: 'WAITING' | 'FAILED';
  readonly dueAt: string;
  /** Attempts left. */
  readonly retries: number;
  readonly priority: number;
  readonly exclusive: boolean;
  readonly retryTimeCycle?: string;
  /** The problem of the last failed attempt. */
  readonly errorMessage?: string;
  readonly createdAt: string;
}

export interface SignalSubscriptionView {
  readonly id: string;
  /** The signal catch event or signal boundary event that occurs when the signal is broadcast. */
  readonly elementId: string;
  /** The element instance that waits (the activity's, for a boundary event; the event-based gateway's after one). */
  readonly elementInstanceId: string;
  readonly signalName: string;
}

export interface MessageSubscriptionView {
  readonly id: string;
  /** The message catch event, receive task or message boundary event that occurs when the message comes. */
  readonly elementId: string;
  /** The element instance that waits (the activity's, for a boundary event). */
  readonly elementInstanceId: string;
  readonly messageName: string;
  /** Absent for a Camunda 7 message, correlated by name. */
  readonly correlationKey?: string;
}

export interface WaitingTimerView {
  readonly id: string;
  /** The timer catch event or timer boundary event that occurs when it is due. */
  readonly elementId: string;
  /**
   * The element instance that waits: the catch event's own, the activity's for a boundary event, or the event-based
   * gateway's for a catch event after it.
   */
  readonly elementInstanceId: string;
  /** ISO 8601 UTC date-time. */
  readonly dueAt: string;
}

export interface JobView {
  readonly id: string;
  readonly type: string;
  readonly retries: number;
  readonly processInstanceId: string;
  readonly processDefinitionId: string;
  readonly processId: string;
  readonly businessKey?: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly customHeaders: Readonly<Record<string, string>>;
  readonly errorMessage?: string;
  readonly createdAt: string;
  /** Every variable visible to the job's element: its own scope first, then the enclosing ones. */
  readonly variables: JsonObject;
}

export interface UserTaskView {
  readonly id: string;
  readonly name?: string;
  readonly state: UserTaskStateName;
  readonly processInstanceId: string;
  readonly processDefinitionId: string;
  readonly processId: string;
  readonly elementId: string;
  readonly elementInstanceId: string;
  readonly assignee?: string;
  readonly candidateUsers: readonly string[];
  readonly candidateGroups: readonly string[];
  readonly dueDate?: string;
  readonly followUpDate?: string;
  readonly priority?: number;
  readonly formKey?: string;
  readonly formId?: string;
  readonly createdAt: string;
  readonly completedAt?: string;
  /** A completion was asked and waits for the task's completing listeners (job workers). */
  readonly completing?: boolean;
  /** Why a completing task listener denied the last completion: the task stays open. */
  readonly deniedReason?: string;
  /** For an open task: every variable visible to its element. */
  readonly variables?: JsonObject;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
}
