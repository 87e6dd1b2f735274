import type {
  ElementActivated,
  ElementActivating,
  ElementCompleted,
  ElementCompleting,
  ElementTerminated,
  ElementTerminating,
} from '../process-instance-events.js';
import type { ElementInstance, ElementInstanceState } from '../process-instance-state.js';
import { releaseCompensationOf } from './compensation.appliers.js';
import { joinKey, type Draft } from './draft.js';

export function applyElementActivating(draft: Draft, { data }: ElementActivating): void {
  // Built without spreads: this runs for every element of every instance.
  const instance: { -readonly [K in keyof ElementInstance]: ElementInstance[K] } = {
    id: data.elementInstanceId,
    elementId: data.elementId,
    elementType: data.elementType,
    flowScopeInstanceId: data.flowScopeInstanceId,
    state: 'activating',
  };
  if (data.loopCounter !== undefined) instance.loopCounter = data.loopCounter;
  draft.elementInstances[instance.id] = instance;
  if (data.consumedTokens !== undefined) consumeTokens(draft, joinKey(data.flowScopeInstanceId, data.elementId), data.consumedTokens);
}

export function consumeTokens(draft: Draft, key: string, flowIds: readonly string[]): void {
  const tokens = { ...draft.joinTokens[key] };
  for (const flowId of flowIds) {
    const left = (tokens[flowId] ?? 0) - 1;
    if (left > 0) tokens[flowId] = left;
    else delete tokens[flowId];
  }
  if (Object.keys(tokens).length === 0) delete draft.joinTokens[key];
  else draft.joinTokens[key] = tokens;
}

function moveTo(draft: Draft, elementInstanceId: string, state: ElementInstanceState): void {
  const instance = draft.elementInstances[elementInstanceId];
  if (instance !== undefined) draft.elementInstances[elementInstanceId] = { ...instance, state };
}

export const applyElementActivated = (draft: Draft, { data }: ElementActivated): void => moveTo(draft, data.elementInstanceId, 'activated');
export const applyElementCompleting = (draft: Draft, { data }: ElementCompleting): void => moveTo(draft, data.elementInstanceId, 'completing');
export const applyElementTerminating = (draft: Draft, { data }: ElementTerminating): void => moveTo(draft, data.elementInstanceId, 'terminating');

/**
 * An ended element instance leaves the state with its local variables, the join tokens of its scope, an error it
 * passed to the caller (a thrower terminated meanwhile waits for no answer), what it knew as an event sub-process
 * or as a scope one interrupted, and what completed in it unless it can itself be compensated.
 */
function remove(draft: Draft, elementInstanceId: string, completed: boolean): void {
  releaseCompensationOf(draft, elementInstanceId, completed);
  delete draft.elementInstances[elementInstanceId];
  delete draft.variables[elementInstanceId];
  delete draft.errorsThrownToCaller[elementInstanceId];
  delete draft.escalationsThrownToCaller[elementInstanceId];
  delete draft.interruptedScopes[elementInstanceId];
  delete draft.eventSubProcessTriggers[elementInstanceId];
  for (const [escalationId, callActivityId] of Object.entries(draft.answeredChildEscalations)) {
    if (callActivityId === elementInstanceId) delete draft.answeredChildEscalations[escalationId];
  }
  delete draft.adHocSubProcesses[elementInstanceId];
  const prefix = `${elementInstanceId}/`;
  for (const key of Object.keys(draft.joinTokens)) {
    if (key.startsWith(prefix)) delete draft.joinTokens[key];
  }
  for (const key of Object.keys(draft.complexGatewaysWaitingForReset)) {
    if (key.startsWith(prefix)) delete draft.complexGatewaysWaitingForReset[key];
  }
}

export const applyElementCompleted = (draft: Draft, { data }: ElementCompleted): void => remove(draft, data.elementInstanceId, true);
export const applyElementTerminated = (draft: Draft, { data }: ElementTerminated): void => remove(draft, data.elementInstanceId, false);
