import { applyEvent } from './appliers/appliers.js';
import { draftOf } from './appliers/draft.js';
import type { ProcessInstanceEvent } from './process-instance-events.js';
import type { ProcessInstanceState } from './process-instance-state.js';

export function initialProcessInstanceState(): ProcessInstanceState {
  return {
    status: 'none',
    processInstanceId: '',
    processDefinitionId: '',
    processId: '',
    version: 0,
    elementInstances: {},
    variables: {},
    joinTokens: {},
    jobs: {},
    userTasks: {},
    timers: {},
    messageSubscriptions: {},
    correlatedMessages: {},
    childProcessInstances: {},
    errorsThrownToCaller: {},
    escalationsThrownToCaller: {},
    answeredChildEscalations: {},
    incidents: {},
    signalSubscriptions: {},
    interruptedScopes: {},
    eventSubProcessTriggers: {},
    complexGatewaysWaitingForReset: {},
    adHocSubProcesses: {},
    asyncContinuations: {},
    compensableActivities: {},
    compensations: {},
  };
}

/** The state after one event. The given state is left untouched. */
export function evolve(state: ProcessInstanceState, event: ProcessInstanceEvent): ProcessInstanceState {
  const draft = draftOf(state);
  applyEvent(draft, event);
  return draft;
}

/** Folds events onto a state (the initial one by default), copying it once rather than once per event. */
export function replay(events: Iterable<ProcessInstanceEvent>, from: ProcessInstanceState = initialProcessInstanceState()): ProcessInstanceState {
  const draft = draftOf(from);
  for (const event of events) applyEvent(draft, event);
  return draft;
}
