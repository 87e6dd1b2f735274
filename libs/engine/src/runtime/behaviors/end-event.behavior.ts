import type { EndEventNode } from '../../model/executable-model.js';
import { cancelTransaction, compensatedScopeOf, throwCompensation } from '../compensation.js';
import { throwEventStep } from '../throw-events.js';
import type { ElementBehavior } from './element-behavior.js';
import { passThrough } from './task.behavior.js';

/**
 * None end event: consumes the token (its scope completes once nothing is left in it).
 * Terminate end event: terminates every other element instance of its flow scope, which then completes.
 * Error end event: throws its error; caught, the catching activity (and the end event in it) is terminated, uncaught,
 * an UNHANDLED_ERROR_EVENT incident holds the end event where it is. Escalation end event: throws its escalation,
 * then ends like a none end event unless an interrupting boundary event caught it. Compensation end event: compensates
 * (see compensation.ts), waits for the handlers, then ends like a none end event (`waitForCompletion="false"`: it ends
 * at once, and its scope completes after the handlers, which run in it). Cancel end event: terminates the rest
 * of its transaction, compensates what completed in it, and leaves it by its cancel boundary event.
 */
export const endEventBehavior: ElementBehavior<EndEventNode> = {
  onActivate(run, instance, node) {
    if (node.eventDefinition === 'cancel') {
      run.activated(instance);
      return cancelTransaction(run, instance);
    }
    if (node.compensation !== undefined) {
      run.activated(instance);
      return throwCompensation(run, instance, compensatedScopeOf(run, instance), node.compensation.activityId, node.compensation.waitForCompletion !== false);
    }
    if (node.thrown !== undefined) {
      const thrown = throwEventStep(run, instance, node.thrown);
      if (!thrown.ok) return thrown.error;
      if (!thrown.value.passes) return undefined;
    }
    return passThrough(run, instance, node);
  },
  onComplete(run, instance, node) {
    if (node.eventDefinition !== 'terminate') return undefined;
    for (const sibling of run.liveChildren(instance.flowScopeInstanceId)) {
      if (sibling.id !== instance.id) run.terminate(sibling.id);
    }
    return undefined;
  },
  completesFlowScope: (node) => node.eventDefinition === 'terminate',
};
