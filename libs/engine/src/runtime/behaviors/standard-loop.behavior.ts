import type { FlowNode, StandardLoop } from '../../model/executable-model.js';
import { ok, type Result } from '../../result.js';
import type { DecisionRun } from '../decision-run.js';
import type { Outcome, Problem } from '../element-lifecycle.js';
import type { ElementInstance } from '../process-instance-state.js';

/**
 * Standard loop (BPMN `standardLoopCharacteristics`): each iteration is an instance of the activity in the same flow
 * scope, with a local `loopCounter` (1-based); the activity leaves by its outgoing flows after the last one.
 *
 * The loop condition sees `loopCounter` as the number of iterations done so far: it is evaluated after each iteration
 * in that iteration's scope (`loopCounter` = k), and with `testBefore` also before the first one (`loopCounter` = 0):
 * when that first test fails, the activity is passed through without doing its work. `loopMaximum` caps the
 * iterations; without a condition the activity loops up to `loopMaximum` times (once when there is no maximum either).
 */
export const standardLoopBehavior = {
  /** Before an iteration does its work: whether it does (only the first iteration of a test-before loop may not). */
  beforeIteration(run: DecisionRun, instance: ElementInstance, node: FlowNode): Result<boolean, Problem> {
    const loop = loopOf(node);
    const loopCounter = instance.loopCounter ?? 1;
    if (loopCounter === 1 && loop.testBefore) {
      if (loop.loopMaximum !== undefined && loop.loopMaximum < 1) return ok(false);
      if (loop.loopCondition !== undefined) {
        const holds = run.evaluateCondition(loop.loopCondition, instance.flowScopeInstanceId, `the loop condition of '${node.id}'`, {
          loopCounter: 0,
        });
        if (!holds.ok || !holds.value) return holds;
      }
    }
    run.setLocal(instance.id, { loopCounter });
    return ok(true);
  },

  /** An iteration that was passed through has no `loopCounter` of its own. */
  wasSkipped(run: DecisionRun, instance: ElementInstance): boolean {
    const locals = run.state.variables[instance.id];
    return locals === undefined || !Object.hasOwn(locals, 'loopCounter');
  },

  /** The iteration is completing: start the next one, or leave the activity. */
  afterIteration(run: DecisionRun, instance: ElementInstance, node: FlowNode): Outcome {
    const loop = loopOf(node);
    const loopCounter = instance.loopCounter ?? 1;
    let again = loop.loopMaximum === undefined ? loop.loopCondition !== undefined : loopCounter < loop.loopMaximum;
    if (again && loop.loopCondition !== undefined) {
      const holds = run.evaluateCondition(loop.loopCondition, instance.id, `the loop condition of '${node.id}'`);
      if (!holds.ok) return holds.error;
      again = holds.value;
    }
    if (!again) return run.leave(instance, node);
    run.transition(instance.id, 'completed');
    run.createInstance(node, instance.flowScopeInstanceId, { loopCounter: loopCounter + 1 });
    return undefined;
  },
};

function loopOf(node: FlowNode): StandardLoop {
  return node.standardLoop as StandardLoop;
}
