import type { FlowNode, SequenceFlow } from '../model/executable-model.js';
import { linkSources } from './link-events.js';

/**
 * For every inclusive (or complex) gateway with more than one incoming flow, and for each of those flows: the flow nodes of the
 * gateway's scope from which a token can still reach that flow without passing the gateway. The join waits for an
 * incoming flow only while some token sits on one of these nodes; precomputing them keeps the runtime check cheap
 * and makes it correct on unstructured models, where no matching split exists.
 *
 * A link is a hidden flow from its throw event to its catch event, so the walk goes on from a link catch event to the
 * throw events that jump to it: a token before a link still reaches the join.
 *
 * Computed by walking the flows backwards from each incoming flow's source, stopping at the gateway, which is never
 * in a list (a flow from the gateway back to itself therefore has an empty one: nothing upstream to wait for). Ids are in
 * the order of `elements` (document order), so the model is the same for the same XML.
 */
export function computeInclusiveJoinUpstream(
  elements: Readonly<Record<string, FlowNode>>,
  flows: Readonly<Record<string, SequenceFlow>>,
): Record<string, Record<string, string[]>> {
  const order = new Map(Object.keys(elements).map((id, index) => [id, index]));
  const result: Record<string, Record<string, string[]>> = {};
  const links = linkSources(elements);
  for (const gateway of Object.values(elements)) {
    // A complex gateway's reset waits for the tokens that can still arrive: the same question.
    if ((gateway.kind !== 'inclusiveGateway' && gateway.kind !== 'complexGateway') || gateway.incoming.length < 2) continue;
    const perFlow: Record<string, string[]> = {};
    for (const flowId of gateway.incoming) {
      const sourceId = flows[flowId]?.sourceId;
      const reached = new Set<string>();
      const pending = sourceId !== undefined && elements[sourceId] !== undefined ? [sourceId] : [];
      while (pending.length > 0) {
        const nodeId = pending.pop() as string;
        // A token on the gateway itself is the join's own, or one that passed it: it is never upstream.
        if (reached.has(nodeId) || nodeId === gateway.id) continue;
        reached.add(nodeId);
        for (const incomingId of elements[nodeId].incoming) {
          const upstream = flows[incomingId]?.sourceId;
          if (upstream !== undefined && elements[upstream] !== undefined && !reached.has(upstream)) pending.push(upstream);
        }
        for (const throwId of links.get(nodeId) ?? []) if (!reached.has(throwId)) pending.push(throwId);
      }
      perFlow[flowId] = [...reached].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    }
    result[gateway.id] = perFlow;
  }
  return result;
}
