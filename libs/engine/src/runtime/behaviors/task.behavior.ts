import type { FlowNode, PassThroughTaskNode } from '../../model/executable-model.js';
import type { DecisionRun } from '../decision-run.js';
import type { Outcome } from '../element-lifecycle.js';
import type { ElementInstance } from '../process-instance-state.js';
import type { ElementBehavior } from './element-behavior.js';

/** Elements that do nothing of their own: activated and completed in one go. */
export function passThrough(run: DecisionRun, instance: ElementInstance, _node: FlowNode): Outcome {
  run.activated(instance);
  run.complete(instance);
  return undefined;
}

/** Task and manual task: nothing for the engine to do. */
export const taskBehavior: ElementBehavior<PassThroughTaskNode> = { onActivate: passThrough };
