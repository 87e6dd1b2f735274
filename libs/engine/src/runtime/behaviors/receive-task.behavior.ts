import type { ReceiveTaskNode } from '../../model/executable-model.js';
import { openMessageSubscription } from '../messages/message-subscription.js';
import type { ElementBehavior } from './element-behavior.js';
import { completeAfterEventBasedGateway, followsEventBasedGateway } from './event-based-gateway.behavior.js';

/**
 * Receive task: activated, it waits for its message (its own subscription, as an intermediate message catch event),
 * and completes with the message's variables when it is correlated. The shared lifecycle closes the subscription
 * when the task leaves or is terminated (by a boundary event, say).
 */
export const receiveTaskBehavior: ElementBehavior<ReceiveTaskNode> = {
  onActivate(run, instance, node) {
    // After an event-based gateway its message has already come: the gateway waited for it.
    if (followsEventBasedGateway(run, node)) return completeAfterEventBasedGateway(run, instance, node);
    const opened = openMessageSubscription(run, instance, node.id, node.message);
    if (opened !== undefined) return opened;
    run.activated(instance);
    return undefined;
  },
};
