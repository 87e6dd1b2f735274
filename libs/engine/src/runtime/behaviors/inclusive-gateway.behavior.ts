import type { GatewayNode } from '../../model/executable-model.js';
import type { ElementBehavior } from './element-behavior.js';
import { flowsWithTrueConditions } from './outgoing-flows.js';
import { passThrough } from './task.behavior.js';

/**
 * Inclusive gateway. Fork: every outgoing flow whose condition holds, else the default flow.
 * Join: fires when a token waits on at least one incoming flow and no incoming flow without a token can still get
 * one, i.e. nothing in the same flow scope is alive (or waiting at another join) at a node from which that flow can
 * be reached without passing this gateway. The compiler works those nodes out (`inclusiveJoinUpstream`), so the rule
 * holds on unstructured models too.
 */
export const inclusiveGatewayBehavior: ElementBehavior<GatewayNode> = {
  onActivate: passThrough,
  selectOutgoing: (run, instance, node) => flowsWithTrueConditions(run, instance, node, { firstOnly: false, defaultFlowId: node.defaultFlowId }),
  join(run, flowScopeInstanceId, node, tokens) {
    const arrived = node.incoming.filter((flowId) => (tokens[flowId] ?? 0) > 0);
    if (arrived.length === 0) return undefined;
    if (arrived.length === node.incoming.length) return arrived;
    const upstream = run.process.inclusiveJoinUpstream[node.id] ?? {};
    const busy = run.busyNodes(flowScopeInstanceId, node.id);
    for (const flowId of node.incoming) {
      if ((tokens[flowId] ?? 0) > 0) continue;
      if ((upstream[flowId] ?? []).some((elementId) => busy.has(elementId))) return undefined;
    }
    return arrived;
  },
};
