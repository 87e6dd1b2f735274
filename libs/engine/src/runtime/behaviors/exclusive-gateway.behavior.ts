import type { GatewayNode } from '../../model/executable-model.js';
import type { ElementBehavior } from './element-behavior.js';
import { flowsWithTrueConditions } from './outgoing-flows.js';
import { passThrough } from './task.behavior.js';

/** Exclusive gateway: the first outgoing flow (document order) whose condition holds, else the default flow. */
export const exclusiveGatewayBehavior: ElementBehavior<GatewayNode> = {
  onActivate: passThrough,
  selectOutgoing: (run, instance, node) => flowsWithTrueConditions(run, instance, node, { firstOnly: true, defaultFlowId: node.defaultFlowId }),
};
