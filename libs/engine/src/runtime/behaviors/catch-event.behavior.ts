import type { BoundaryEventNode, IntermediateCatchEventNode } from '../../model/executable-model.js';
import { openCatchSubscription } from '../catch-events.js';
import type { ElementBehavior } from './element-behavior.js';
import { passThrough } from './task.behavior.js';

/**
 * Intermediate catch event: waits, activated, until its event occurs (see `catchEventOccurred`). Its subscription is
 * closed by the shared lifecycle when it leaves or is terminated.
 */
export const intermediateCatchEventBehavior: ElementBehavior<IntermediateCatchEventNode> = {
  onActivate(run, instance, node) {
    const opened = openCatchSubscription(run, instance, node);
    if (opened !== undefined) return opened;
    run.activated(instance);
    return undefined;
  },
};

/** Boundary event: created when its event occurred on the activity; it only passes the token on. */
export const boundaryEventBehavior: ElementBehavior<BoundaryEventNode> = { onActivate: passThrough };
