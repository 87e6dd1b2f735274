import type { ProcessInstanceEvent, ProcessInstanceEventType } from '../process-instance-events.js';
import type { Draft } from './draft.js';
import {
  applyElementActivated,
  applyElementActivating,
  applyElementCompleted,
  applyElementCompleting,
  applyElementTerminated,
  applyElementTerminating,
} from './element.appliers.js';
import { applyChildProcessInstanceEnded, applyChildProcessInstanceRequested } from './call-activity.appliers.js';
import {
  applyChildEscalationAnswered,
  applyErrorNotCaughtByCaller,
  applyErrorThrownToCaller,
  applyEscalationAnswered,
  applyEscalationThrownToCaller,
} from './error.appliers.js';
import { applyEventSubProcessTriggered } from './event-sub-process.appliers.js';
import {
  applyCompensableActivityCompleted,
  applyCompensationCompleted,
  applyCompensationHandlerStarted,
  applyCompensationThrown,
} from './compensation.appliers.js';
import { applyAdHocCompletionConditionFulfilled, applyAdHocElementDequeued, applyAdHocElementsQueued } from './ad-hoc-sub-process.appliers.js';
import { applyComplexGatewayReset, applyComplexGatewayWaitingForReset } from './complex-gateway.appliers.js';
import { applyIncidentCreated, applyIncidentResolved } from './incident.appliers.js';
import {
  applyAsyncContinuationCreated,
  applyAsyncContinuationEnded,
  applyAsyncContinuationFailed,
  applyAsyncContinuationRetriesUpdated,
} from './async-continuation.appliers.js';
import { applyJobCanceled, applyJobCompleted, applyJobCreated, applyJobErrorThrown, applyJobFailed, applyJobRetriesUpdated } from './job.appliers.js';
import {
  applyProcessInstanceCompleted,
  applyProcessInstanceCreated,
  applyProcessInstanceTerminated,
} from './process-instance.appliers.js';
import { applySequenceFlowTaken } from './sequence-flow.appliers.js';
import { applyMessageCorrelated, applyMessageSubscriptionClosed, applyMessageSubscriptionOpened } from './message.appliers.js';
import { applySignalReceived, applySignalSubscriptionClosed, applySignalSubscriptionOpened, applySignalThrown } from './signal.appliers.js';
import { applyTimerCanceled, applyTimerCreated, applyTimerTriggered } from './timer.appliers.js';
import {
  applyUserTaskCanceled,
  applyUserTaskCompleted,
  applyUserTaskCompleting,
  applyUserTaskCompletionDenied,
  applyUserTaskCorrected,
  applyUserTaskCreated,
} from './user-task.appliers.js';
import { applyVariablesSet } from './variables.appliers.js';

type Applier<T extends ProcessInstanceEventType> = (draft: Draft, event: Extract<ProcessInstanceEvent, { type: T }>) => void;

/** The only code that changes process-instance state: one applier per event type. */
const appliers: { readonly [T in ProcessInstanceEventType]: Applier<T> } = {
  ProcessInstanceCreated: applyProcessInstanceCreated,
  ElementActivating: applyElementActivating,
  ElementActivated: applyElementActivated,
  ElementCompleting: applyElementCompleting,
  ElementCompleted: applyElementCompleted,
  ElementTerminating: applyElementTerminating,
  ElementTerminated: applyElementTerminated,
  SequenceFlowTaken: applySequenceFlowTaken,
  VariablesSet: applyVariablesSet,
  JobCreated: applyJobCreated,
  JobCompleted: applyJobCompleted,
  JobFailed: applyJobFailed,
  JobRetriesUpdated: applyJobRetriesUpdated,
  JobCanceled: applyJobCanceled,
  JobErrorThrown: applyJobErrorThrown,
  ErrorThrownToCaller: applyErrorThrownToCaller,
  ErrorNotCaughtByCaller: applyErrorNotCaughtByCaller,
  ChildErrorNotCaught: () => undefined,
  EscalationThrownToCaller: applyEscalationThrownToCaller,
  EscalationAnswered: applyEscalationAnswered,
  ChildEscalationAnswered: applyChildEscalationAnswered,
  UserTaskCreated: applyUserTaskCreated,
  UserTaskCompleted: applyUserTaskCompleted,
  UserTaskCanceled: applyUserTaskCanceled,
  UserTaskCompleting: applyUserTaskCompleting,
  UserTaskCorrected: applyUserTaskCorrected,
  UserTaskCompletionDenied: applyUserTaskCompletionDenied,
  TimerCreated: applyTimerCreated,
  TimerTriggered: applyTimerTriggered,
  TimerCanceled: applyTimerCanceled,
  MessageSubscriptionOpened: applyMessageSubscriptionOpened,
  MessageSubscriptionClosed: applyMessageSubscriptionClosed,
  MessageCorrelated: applyMessageCorrelated,
  SignalSubscriptionOpened: applySignalSubscriptionOpened,
  SignalSubscriptionClosed: applySignalSubscriptionClosed,
  SignalReceived: applySignalReceived,
  SignalThrown: applySignalThrown,
  EventSubProcessTriggered: applyEventSubProcessTriggered,
  ChildProcessInstanceRequested: applyChildProcessInstanceRequested,
  ChildProcessInstanceCompleted: applyChildProcessInstanceEnded,
  ChildProcessInstanceNotCreated: applyChildProcessInstanceEnded,
  ChildProcessInstanceCancelRequested: applyChildProcessInstanceEnded,
  ComplexGatewayWaitingForReset: applyComplexGatewayWaitingForReset,
  ComplexGatewayReset: applyComplexGatewayReset,
  AdHocElementsQueued: applyAdHocElementsQueued,
  AdHocElementDequeued: applyAdHocElementDequeued,
  AdHocCompletionConditionFulfilled: applyAdHocCompletionConditionFulfilled,
  IncidentCreated: applyIncidentCreated,
  IncidentResolved: applyIncidentResolved,
  AsyncContinuationCreated: applyAsyncContinuationCreated,
  AsyncContinuationExecuted: applyAsyncContinuationEnded,
  AsyncContinuationFailed: applyAsyncContinuationFailed,
  AsyncContinuationRetriesUpdated: applyAsyncContinuationRetriesUpdated,
  AsyncContinuationCanceled: applyAsyncContinuationEnded,
  CompensableActivityCompleted: applyCompensableActivityCompleted,
  CompensationThrown: applyCompensationThrown,
  CompensationHandlerStarted: applyCompensationHandlerStarted,
  CompensationCompleted: applyCompensationCompleted,
  ProcessInstanceCompleted: applyProcessInstanceCompleted,
  ProcessInstanceTerminated: applyProcessInstanceTerminated,
};

export function applyEvent(draft: Draft, event: ProcessInstanceEvent): void {
  // An event type this version does not know (written by a newer one) changes nothing rather than failing the replay.
  const applier = appliers[event.type] as ((draft: Draft, event: ProcessInstanceEvent) => void) | undefined;
  if (applier !== undefined) applier(draft, event);
}
