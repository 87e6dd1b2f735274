import type { GatewayNode } from '../../model/executable-model.js';
import { ok } from '../../result.js';
import type { ElementBehavior } from './element-behavior.js';
import { passThrough } from './task.behavior.js';

/** Parallel gateway: forks to every outgoing flow; joins once a token waits on each incoming flow (one each is consumed). */
export const parallelGatewayBehavior: ElementBehavior<GatewayNode> = {
  onActivate: passThrough,
  selectOutgoing: (run, _instance, node) => ok(node.outgoing.map((flowId) => run.flow(flowId))),
  join: (_run, _flowScopeInstanceId, node, tokens) => (node.incoming.every((flowId) => (tokens[flowId] ?? 0) > 0) ? node.incoming : undefined),
};
