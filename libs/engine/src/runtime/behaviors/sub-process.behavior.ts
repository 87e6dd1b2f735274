import type { SubProcessNode } from '../../model/executable-model.js';
import type { ElementBehavior } from './element-behavior.js';

/**
 * Embedded sub-process: a flow scope of its own (its local variables are its scope) that starts at its none start
 * event and completes once nothing is left alive in it. Its children are terminated with it.
 */
export const subProcessBehavior: ElementBehavior<SubProcessNode> = {
  onActivate(run, instance, node) {
    run.activated(instance);
    run.enter(run.node(node.startEventId), instance.id);
    return undefined;
  },
};
