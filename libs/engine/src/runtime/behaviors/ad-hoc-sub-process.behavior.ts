import type { AdHocSubProcessNode } from '../../model/executable-model.js';
import type { Failure } from '../decision.js';
import type { DecisionRun } from '../decision-run.js';
import type { Outcome } from '../element-lifecycle.js';
import type { ActivateAdHocElements } from '../process-instance-commands.js';
import type { ElementInstance } from '../process-instance-state.js';
import type { ElementBehavior } from './element-behavior.js';
import { evaluateAs } from './values.js';

/**
 * Ad-hoc sub-process (BPMN 2.0 §10.3.5; Camunda 8.7+ `zeebe:adHoc`). A flow scope without a start event: on entry it
 * starts the inner elements `activeElementsCollection` names (evaluated in its scope), or, without that attribute,
 * every startable one (the spec's choice for a parallel one, in document order); more are started through the API
 * (`ActivateAdHocElements`) while it runs. An element may run several times. `Parallel` ordering starts what is asked
 * at once; `Sequential` runs one started element's flow at a time, the rest waiting their turn in the order asked.
 *
 * Completion: each time an inner element completes, the completion condition is evaluated in the sub-process's
 * scope. True: the sub-process completes, terminating what still runs in it (`cancelRemainingInstances`, the
 * default), or starting nothing more and completing once that is done. Without a condition it completes once nothing
 * runs or waits its turn in it. An ad-hoc sub-process that started nothing waits for elements to be started.
 */
export const adHocSubProcessBehavior: ElementBehavior<AdHocSubProcessNode> = {
  onActivate(run, instance, node) {
    let elementIds: readonly string[] = node.startableIds;
    if (node.activeElements !== undefined) {
      const listed = evaluateAs(run, node.activeElements, instance.id, `the activeElementsCollection of '${node.id}'`, 'a list of element ids', (value) =>
        Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined,
      );
      if (!listed.ok) return listed.error;
      const unknown = listed.value.filter((elementId) => !node.startableIds.includes(elementId));
      if (unknown.length > 0) {
        return {
          incidentType: 'EXPRESSION_ERROR',
          message: `The activeElementsCollection of '${node.id}' names ${unknown.map((id) => `'${id}'`).join(', ')}, which ${unknown.length === 1 ? 'is' : 'are'} not ${startableText(node)}`,
        };
      }
      elementIds = listed.value;
    }
    run.activated(instance);
    startElements(run, instance, node, elementIds);
    return undefined;
  },

  onInnerElementLeft(run, scope, node, idle) {
    const fulfilled = run.state.adHocSubProcesses[scope.id]?.completionConditionFulfilled === true;
    if (!fulfilled && node.completionCondition !== undefined) {
      const holds = run.evaluateCondition(node.completionCondition, scope.id, `the completion condition of '${node.id}'`);
      if (!holds.ok) return holds.error;
      if (holds.value) {
        if (node.cancelRemainingInstances || idle) return completeNow(run, scope);
        run.emit({ type: 'AdHocCompletionConditionFulfilled', data: { elementInstanceId: scope.id } });
        return undefined;
      }
    }
    if (!idle) return undefined;
    if (fulfilled) return completeNow(run, scope);
    const next = run.state.adHocSubProcesses[scope.id]?.pendingElementIds[0];
    if (next !== undefined) {
      run.emit({ type: 'AdHocElementDequeued', data: { elementInstanceId: scope.id, elementId: next } });
      run.enter(run.node(next), scope.id);
      return undefined;
    }
    // With a condition that does not hold, it waits for elements to be started through the API.
    if (node.completionCondition === undefined) run.complete(scope);
    return undefined;
  },
};

function startableText(node: AdHocSubProcessNode): string {
  return `an element of '${node.id}' that can be started (${node.startableIds.join(', ')})`;
}

function completeNow(run: DecisionRun, scope: ElementInstance): Outcome {
  for (const child of run.liveChildren(scope.id)) run.terminate(child.id);
  run.complete(scope);
  return undefined;
}

/** Parallel: every element starts now. Sequential: the first starts when nothing runs in the scope; the rest wait. */
function startElements(run: DecisionRun, instance: ElementInstance, node: AdHocSubProcessNode, elementIds: readonly string[]): void {
  if (node.ordering === 'Parallel') {
    for (const elementId of elementIds) run.enter(run.node(elementId), instance.id);
    return;
  }
  const pending = run.state.adHocSubProcesses[instance.id]?.pendingElementIds ?? [];
  const startNow = pending.length === 0 && run.isIdle(instance.id) ? elementIds.slice(0, 1) : [];
  const waiting = elementIds.slice(startNow.length);
  if (waiting.length > 0) run.emit({ type: 'AdHocElementsQueued', data: { elementInstanceId: instance.id, elementIds: waiting } });
  for (const elementId of startNow) run.enter(run.node(elementId), instance.id);
}

/**
 * Starts inner elements of a running ad-hoc sub-process (Camunda 8.8's ad-hoc activity activation). Rejected when the
 * instance is not a running ad-hoc sub-process, when an id is not an element it can start, and once its completion
 * condition held (it starts nothing more then).
 */
export function activateAdHocElements(run: DecisionRun, command: ActivateAdHocElements): Failure | undefined {
  const instance = run.state.elementInstances[command.elementInstanceId];
  const node = instance === undefined ? undefined : run.node(instance.elementId);
  if (instance === undefined || node?.kind !== 'adHocSubProcess' || instance.elementType === 'multiInstanceBody') {
    return {
      code: 'NOT_FOUND',
      message: `Element instance '${command.elementInstanceId}' is not a running ad-hoc sub-process of this process instance`,
      details: { elementInstanceId: command.elementInstanceId },
    };
  }
  if (instance.state !== 'activated' || run.state.adHocSubProcesses[instance.id]?.completionConditionFulfilled === true) {
    return {
      code: 'INVALID_STATE',
      message: `Ad-hoc sub-process '${node.id}' starts no more elements: it is ${instance.state === 'activated' ? 'completing once what runs in it is done' : instance.state}`,
      details: { elementInstanceId: instance.id },
    };
  }
  if (command.elementIds.length === 0) return { code: 'INVALID_ARGUMENT', message: 'Name at least one element to activate' };
  const unknown = command.elementIds.filter((elementId) => !node.startableIds.includes(elementId));
  if (unknown.length > 0) {
    return {
      code: 'INVALID_ARGUMENT',
      message: `${unknown.map((id) => `'${id}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not ${startableText(node)}`,
      details: { elementIds: unknown.join(', ') },
    };
  }
  startElements(run, instance, node, command.elementIds);
  return undefined;
}
