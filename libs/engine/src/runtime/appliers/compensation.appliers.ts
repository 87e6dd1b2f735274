import type { CompensableActivityCompleted, CompensationCompleted, CompensationHandlerStarted, CompensationThrown } from '../process-instance-events.js';
import type { Draft } from './draft.js';

/** A completed compensable activity is remembered in its scope, after those that completed before it. */
export function applyCompensableActivityCompleted(draft: Draft, { data }: CompensableActivityCompleted): void {
  draft.compensableActivities[data.scopeInstanceId] = [
    ...(draft.compensableActivities[data.scopeInstanceId] ?? []),
    {
      elementInstanceId: data.elementInstanceId,
      elementId: data.elementId,
      ...(data.multiInstanceBody === true ? { multiInstanceBody: true } : {}),
      ...(data.variables === undefined ? {} : { variables: data.variables }),
    },
  ];
}

/**
 * The compensation waits at its thrower (or, not waited for, runs in its scope on its own); what it compensates is
 * compensated once, so it leaves the scope's list.
 */
export function applyCompensationThrown(draft: Draft, { data }: CompensationThrown): void {
  draft.compensations[data.elementInstanceId] =
    data.waitForCompletion === false
      ? { pending: data.handlers, waitForCompletion: false, handlerScopeInstanceId: data.handlerScopeInstanceId ?? draft.elementInstances[data.elementInstanceId]?.flowScopeInstanceId }
      : { pending: data.handlers };
  const compensated = new Set(data.compensatedInstanceIds);
  const left = (draft.compensableActivities[data.scopeInstanceId] ?? []).filter((record) => !compensated.has(record.elementInstanceId));
  if (left.length > 0) draft.compensableActivities[data.scopeInstanceId] = left;
  else delete draft.compensableActivities[data.scopeInstanceId];
  for (const scopeId of data.releasedScopeIds) releaseCompensableScope(draft, scopeId);
}

/** The first pending handler runs; a compensation event sub-process takes over what completed in the sub-process it compensates. */
export function applyCompensationHandlerStarted(draft: Draft, { data }: CompensationHandlerStarted): void {
  const compensation = draft.compensations[data.elementInstanceId];
  if (compensation === undefined) return;
  draft.compensations[data.elementInstanceId] = { ...compensation, pending: compensation.pending.slice(1), handlerInstanceId: data.handlerInstanceId };
  const inner = draft.compensableActivities[data.compensatedInstanceId];
  if (inner === undefined) return;
  draft.compensableActivities[data.handlerInstanceId] = inner;
  delete draft.compensableActivities[data.compensatedInstanceId];
}

export function applyCompensationCompleted(draft: Draft, { data }: CompensationCompleted): void {
  delete draft.compensations[data.elementInstanceId];
}

/** Forgets what completed in a scope, and, for the completed sub-processes among it, what completed in them. */
export function releaseCompensableScope(draft: Draft, scopeInstanceId: string): void {
  const records = draft.compensableActivities[scopeInstanceId];
  if (records === undefined) return;
  delete draft.compensableActivities[scopeInstanceId];
  for (const record of records) releaseCompensableScope(draft, record.elementInstanceId);
}

/**
 * An element instance ended. Terminated, what completed in it can no longer be compensated (only a completed scope is);
 * completed, it keeps what completed in it only when it is itself remembered in its scope. A thrower that ends waits
 * for no compensation any more, and what its handlers still had to compensate is forgotten. A compensation nobody
 * waits for (`waitForCompletion="false"`) outlives its thrower: it is forgotten when the scope its handlers run in
 * ends, or when its running handler is terminated (a terminate end event, a cancelled instance).
 */
export function releaseCompensationOf(draft: Draft, elementInstanceId: string, completed: boolean): void {
  // Runs for every element that ends: a plain loop over what is usually an empty record.
  for (const throwerId in draft.compensations) {
    const compensation = draft.compensations[throwerId];
    const ended =
      compensation.waitForCompletion === false
        ? compensation.handlerScopeInstanceId === elementInstanceId || (!completed && compensation.handlerInstanceId === elementInstanceId)
        : throwerId === elementInstanceId;
    if (!ended) continue;
    for (const pending of compensation.pending) releaseCompensableScope(draft, pending.compensatedInstanceId);
    delete draft.compensations[throwerId];
  }
  if (draft.compensableActivities[elementInstanceId] === undefined) return;
  const scopeId = draft.elementInstances[elementInstanceId]?.flowScopeInstanceId;
  const kept = completed && scopeId !== undefined && (draft.compensableActivities[scopeId] ?? []).some((record) => record.elementInstanceId === elementInstanceId);
  if (!kept) releaseCompensableScope(draft, elementInstanceId);
}
