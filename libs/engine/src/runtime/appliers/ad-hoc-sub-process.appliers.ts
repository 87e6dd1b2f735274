import type { AdHocCompletionConditionFulfilled, AdHocElementDequeued, AdHocElementsQueued } from '../process-instance-events.js';
import type { AdHocSubProcessState } from '../process-instance-state.js';
import type { Draft } from './draft.js';

const EMPTY: AdHocSubProcessState = { pendingElementIds: [], completionConditionFulfilled: false };

export function applyAdHocElementsQueued(draft: Draft, { data }: AdHocElementsQueued): void {
  const current = draft.adHocSubProcesses[data.elementInstanceId] ?? EMPTY;
  draft.adHocSubProcesses[data.elementInstanceId] = { ...current, pendingElementIds: [...current.pendingElementIds, ...data.elementIds] };
}

export function applyAdHocElementDequeued(draft: Draft, { data }: AdHocElementDequeued): void {
  const current = draft.adHocSubProcesses[data.elementInstanceId] ?? EMPTY;
  draft.adHocSubProcesses[data.elementInstanceId] = { ...current, pendingElementIds: current.pendingElementIds.slice(1) };
}

export function applyAdHocCompletionConditionFulfilled(draft: Draft, { data }: AdHocCompletionConditionFulfilled): void {
  const current = draft.adHocSubProcesses[data.elementInstanceId] ?? EMPTY;
  draft.adHocSubProcesses[data.elementInstanceId] = { ...current, completionConditionFulfilled: true };
}
