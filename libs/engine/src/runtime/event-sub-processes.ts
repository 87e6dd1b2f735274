import type { JsonObject } from '../model/json.js';
import type { SubProcessNode } from '../model/executable-model.js';
import { closeCatchSubscriptions, isEventSubProcessStart, type EventSubProcessStartNode } from './catch-events.js';
import type { DecisionRun } from './decision-run.js';
import { DecisionBug } from './element-lifecycle.js';
import type { ElementInstance } from './process-instance-state.js';

/**
 * The owner of a subscription, when it still waits: an activated element instance, or the process instance while it
 * is active (the owner of its event sub-processes' start events), seen as an element instance of the process.
 */
export function waitingOwner(run: DecisionRun, ownerInstanceId: string): ElementInstance | undefined {
  if (ownerInstanceId === run.state.processInstanceId) return run.state.status === 'active' ? processScope(run) : undefined;
  const instance = run.state.elementInstances[ownerInstanceId];
  return instance?.state === 'activated' ? instance : undefined;
}

/** The process instance as the scope of its top-level elements: it has no element instance of its own. */
export function processScope(run: DecisionRun): ElementInstance {
  return { id: run.state.processInstanceId, elementId: run.process.id, elementType: 'subProcess', flowScopeInstanceId: '', state: 'activated' };
}

/** The event sub-processes directly inside a scope instance (the process instance, or a sub-process instance). */
export function eventSubProcessesOf(run: DecisionRun, scopeInstanceId: string): SubProcessNode[] {
  let ids: readonly string[] | undefined;
  if (scopeInstanceId === run.state.processInstanceId) {
    ids = run.process.eventSubProcessIds;
  } else {
    const scope = run.state.elementInstances[scopeInstanceId];
    const node = scope === undefined || scope.elementType === 'multiInstanceBody' ? undefined : run.node(scope.elementId);
    ids = node?.kind === 'subProcess' ? node.eventSubProcessIds : undefined;
  }
  return (ids ?? []).map((id) => run.node(id)).filter((node): node is SubProcessNode => node.kind === 'subProcess');
}

/** The start events a scope's event sub-processes wait at, while the scope runs and no interrupting one has started. */
export function waitingEventSubProcessStarts(run: DecisionRun, scopeInstanceId: string): EventSubProcessStartNode[] {
  if (run.state.interruptedScopes[scopeInstanceId] !== undefined) return [];
  return eventSubProcessesOf(run, scopeInstanceId)
    .map((eventSubProcess) => run.node(eventSubProcess.startEventId))
    .filter(isEventSubProcessStart);
}

/**
 * The event of an event sub-process's start event occurred in its scope. An interrupting one first stops the scope's
 * other event sub-processes from starting and terminates everything else in the scope (a thrower of the error it
 * caught too); then the event sub-process starts in the scope, and the scope completes once it is done (BPMN 10.3.5).
 * A non-interrupting one starts beside what runs, and its start event keeps waiting.
 */
export function eventSubProcessTriggered(run: DecisionRun, scopeInstanceId: string, start: EventSubProcessStartNode, variables?: JsonObject): void {
  const eventSubProcess = run.node(start.parentId);
  if (eventSubProcess.kind !== 'subProcess') throw new DecisionBug(`Start event '${start.id}' is not inside an event sub-process`);
  if (run.state.interruptedScopes[scopeInstanceId] !== undefined) {
    throw new DecisionBug(`Event sub-process '${eventSubProcess.id}' cannot start: its scope '${scopeInstanceId}' was interrupted`);
  }
  const interrupting = start.interrupting !== false;
  const elementInstanceId = run.newId();
  if (interrupting) {
    const starts = new Set(waitingEventSubProcessStarts(run, scopeInstanceId).map((node) => node.id));
    closeCatchSubscriptions(run, scopeInstanceId, starts);
  }
  run.emit({
    type: 'EventSubProcessTriggered',
    data: {
      elementInstanceId,
      elementId: eventSubProcess.id,
      scopeInstanceId,
      startEventId: start.id,
      interrupting,
      ...(variables === undefined ? {} : { variables }),
    },
  });
  if (interrupting) {
    for (const child of run.liveChildren(scopeInstanceId)) run.terminate(child.id);
  }
  run.createInstance(eventSubProcess, scopeInstanceId, { elementInstanceId });
}
