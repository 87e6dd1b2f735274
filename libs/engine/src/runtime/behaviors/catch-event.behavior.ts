import type { BoundaryEventNode, IntermediateCatchEventNode } from '../../model/executable-model.js';
import { openCatchSubscription } from '../catch-events.js';
import type { ElementBehavior } from './element-behavior.js';
import { completeAfterEventBasedGateway, followsEventBasedGateway } from './event-based-gateway.behavior.js';
import { passThrough } from './task.behavior.js';

/**
 * Intermediate catch event: waits, activated, until its event occurs (see `catchEventOccurred`). Its subscription is
 * closed by the shared lifecycle when it leaves or is terminated.
 */
export const intermediateCatchEventBehavior: ElementBehavior<IntermediateCatchEventNode> = {
  onActivate(run, instance, node) {
    // A link catch event waits for nothing: its link throw event has already happened.
    if (node.eventDefinition.type === 'link') return passThrough(run, instance, node);
    // After an event-based gateway its event has already occurred: the gateway waited for it.
    if (followsEventBasedGateway(run, node)) return completeAfterEventBasedGateway(run, instance, node);
    const opened = openCatchSubscription(run, instance, node);
    if (opened !== undefined) return opened;
    run.activated(instance);
    return undefined;
  },
};

/** Boundary event: created when its event occurred on the activity; it only passes the token on. */
export const boundaryEventBehavior: ElementBehavior<BoundaryEventNode> = { onActivate: passThrough };
