import type { JsonObject } from '../../model/json.js';
import type {
  AdHocSubProcessState,
  AsyncContinuationState,
  ChildProcessInstanceRequest,
  CompensableActivity,
  CompensationState,
  ElementInstance,
  EventSubProcessTrigger,
  IncidentState,
  JobState,
  ProcessInstanceState,
  MessageSubscriptionState,
  SignalSubscriptionState,
  TimerState,
  UserTaskState,
} from '../process-instance-state.js';

/**
 * A private, mutable copy of a process-instance state that event appliers write into.
 * Only the maps are copied: appliers replace the entries they change (never mutate them), so entries are shared
 * with the state the draft was copied from, and copying stays cheap however many events follow.
 */
export interface Draft {
  status: ProcessInstanceState['status'];
  processInstanceId: string;
  processDefinitionId: string;
  processId: string;
  version: number;
  businessKey?: string;
  correlationKey?: string;
  startedAt?: string;
  endedAt?: string;
  parent?: ProcessInstanceState['parent'];
  childProcessInstances: Record<string, ChildProcessInstanceRequest>;
  errorsThrownToCaller: Record<string, NonNullable<ProcessInstanceState['errorsThrownToCaller']>[string]>;
  escalationsThrownToCaller: Record<string, NonNullable<ProcessInstanceState['escalationsThrownToCaller']>[string]>;
  answeredChildEscalations: Record<string, string>;
  elementInstances: Record<string, ElementInstance>;
  variables: Record<string, JsonObject>;
  joinTokens: Record<string, Readonly<Record<string, number>>>;
  jobs: Record<string, JobState>;
  userTasks: Record<string, UserTaskState>;
  timers: Record<string, TimerState>;
  messageSubscriptions: Record<string, MessageSubscriptionState>;
  correlatedMessages: Record<string, string>;
  incidents: Record<string, IncidentState>;
  signalSubscriptions: Record<string, SignalSubscriptionState>;
  interruptedScopes: Record<string, string>;
  eventSubProcessTriggers: Record<string, EventSubProcessTrigger>;
  complexGatewaysWaitingForReset: Record<string, readonly string[]>;
  adHocSubProcesses: Record<string, AdHocSubProcessState>;
  asyncContinuations: Record<string, AsyncContinuationState>;
  compensableActivities: Record<string, readonly CompensableActivity[]>;
  compensations: Record<string, CompensationState>;
}

export function draftOf(state: ProcessInstanceState): Draft {
  return {
    ...state,
    elementInstances: { ...state.elementInstances },
    variables: { ...state.variables },
    joinTokens: { ...state.joinTokens },
    jobs: { ...state.jobs },
    userTasks: { ...state.userTasks },
    timers: { ...state.timers },
    messageSubscriptions: { ...state.messageSubscriptions },
    correlatedMessages: { ...state.correlatedMessages },
    childProcessInstances: { ...state.childProcessInstances },
    errorsThrownToCaller: { ...state.errorsThrownToCaller },
    escalationsThrownToCaller: { ...state.escalationsThrownToCaller },
    answeredChildEscalations: { ...state.answeredChildEscalations },
    incidents: { ...state.incidents },
    signalSubscriptions: { ...state.signalSubscriptions },
    interruptedScopes: { ...state.interruptedScopes },
    eventSubProcessTriggers: { ...state.eventSubProcessTriggers },
    complexGatewaysWaitingForReset: { ...state.complexGatewaysWaitingForReset },
    adHocSubProcesses: { ...state.adHocSubProcesses },
    asyncContinuations: { ...state.asyncContinuations },
    compensableActivities: { ...state.compensableActivities },
    compensations: { ...state.compensations },
  };
}

/** Key of the tokens waiting at a joining gateway in one flow scope. */
export function joinKey(flowScopeInstanceId: string, gatewayId: string): string {
  return `${flowScopeInstanceId}/${gatewayId}`;
}
