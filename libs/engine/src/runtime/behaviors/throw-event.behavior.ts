import type { IntermediateThrowEventNode } from '../../model/executable-model.js';
import { compensatedScopeOf, throwCompensation } from '../compensation.js';
import { throwEventStep } from '../throw-events.js';
import type { ElementBehavior } from './element-behavior.js';
import { passThrough } from './task.behavior.js';

/**
 * Intermediate throw event: a none (or link) one passes the token on. An escalation one throws its escalation first,
 * and moves on unless an interrupting boundary event caught it (which terminated it with its activity). A
 * compensation one runs the handlers of completed activities (see compensation.ts), waits for them, then moves on
 * (with `waitForCompletion="false"` it moves on at once while they run).
 */
export const intermediateThrowEventBehavior: ElementBehavior<IntermediateThrowEventNode> = {
  onActivate(run, instance, node) {
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
};
