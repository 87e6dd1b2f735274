import type { EventBasedGatewayNode, FlowNode, IntermediateCatchEventNode, ReceiveTaskNode } from '../../model/executable-model.js';
import type { JsonObject } from '../../model/json.js';
import { ok } from '../../result.js';
import { isCatchEventNode, openCatchSubscription } from '../catch-events.js';
import type { DecisionRun } from '../decision-run.js';
import { DecisionBug, type Outcome } from '../element-lifecycle.js';
import { openMessageSubscription } from '../messages/message-subscription.js';
import type { ElementInstance } from '../process-instance-state.js';
import type { ElementBehavior } from './element-behavior.js';

/** The event that won an event-based gateway: the flow to its catch event, and what the event carried. */
interface Occurrence {
  readonly flowId: string;
  readonly variables?: JsonObject;
}

/**
 * What is decided and acted on within one decision: the event occurs, the gateway completes by the winner's flow and
 * the winner's catch event completes with the event's variables, all in the command that reported the event. Kept
 * per decision run (never in a module-wide map of instances), so nothing outlives the decision.
 */
interface GatewayDecisions {
  /** By gateway element instance id. */
  readonly won: Map<string, Occurrence>;
  /** By flow scope instance id and catch event id: the variables the catch event completes with. */
  readonly entering: Map<string, JsonObject | undefined>;
}

const decisions = new WeakMap<DecisionRun, GatewayDecisions>();

function decisionsOf(run: DecisionRun): GatewayDecisions {
  let found = decisions.get(run);
  if (found === undefined) {
    found = { won: new Map(), entering: new Map() };
    decisions.set(run, found);
  }
  return found;
}

const enteringKey = (flowScopeInstanceId: string, catchEventId: string): string => `${flowScopeInstanceId}/${catchEventId}`;

/**
 * Event-based gateway: activated, it opens the subscriptions of every catch event its flows lead to, owned by its
 * own instance, and waits. The first event that occurs (see `eventBasedGatewayEventOccurred`) wins: the gateway
 * completes, which closes the other subscriptions, and leaves by the flow to the winner's catch event only.
 */
export const eventBasedGatewayBehavior: ElementBehavior<EventBasedGatewayNode> = {
  onActivate(run, instance, node) {
    for (const flowId of node.outgoing) {
      const target = run.node(run.flow(flowId).targetId);
      // The compiler lets only catch events that wait for something, and receive tasks, follow an event-based gateway.
      let opened: Outcome;
      if (target.kind === 'receiveTask') opened = openMessageSubscription(run, instance, target.id, target.message);
      else if (isCatchEventNode(target)) opened = openCatchSubscription(run, instance, target);
      else throw new DecisionBug(`Event-based gateway '${node.id}' leads to '${target.id}', which waits for no event`);
      if (opened !== undefined) return opened;
    }
    run.activated(instance);
    return undefined;
  },

  selectOutgoing(run, instance, node) {
    const state = decisionsOf(run);
    const occurrence = state.won.get(instance.id);
    if (occurrence === undefined) throw new DecisionBug(`Event-based gateway '${node.id}' completes, but none of its events occurred`);
    state.won.delete(instance.id);
    const flow = run.flow(occurrence.flowId);
    state.entering.set(enteringKey(instance.flowScopeInstanceId, flow.targetId), occurrence.variables);
    return ok([flow]);
  },
};

/**
 * The event of `node` occurred while `gateway` (an event-based gateway's instance, which owns the subscription)
 * waited for it: the gateway completes by the flow to `node`. Its other subscriptions close as it leaves.
 */
export function eventBasedGatewayEventOccurred(
  run: DecisionRun,
  gateway: ElementInstance,
  node: IntermediateCatchEventNode | ReceiveTaskNode,
  variables?: JsonObject,
): void {
  const gatewayNode = run.node(gateway.elementId);
  const flowId = gatewayNode.outgoing.find((id) => run.flow(id).targetId === node.id);
  if (gatewayNode.kind !== 'eventBasedGateway' || flowId === undefined) {
    throw new DecisionBug(`'${gateway.elementId}' waited for the event of '${node.id}', but is no event-based gateway leading there`);
  }
  const won = decisionsOf(run).won;
  // Two events in one decision (two conditions that hold at once, say): the first one wins.
  if (won.has(gateway.id)) return;
  won.set(gateway.id, { flowId, ...(variables === undefined ? {} : { variables }) });
  run.complete(gateway);
}

/** A catch event or receive task after an event-based gateway (the compiler allows it no other incoming flow). */
export function followsEventBasedGateway(run: DecisionRun, node: FlowNode): boolean {
  return node.incoming.length === 1 && run.node(run.flow(node.incoming[0]).sourceId).kind === 'eventBasedGateway';
}

/**
 * A catch event or receive task entered from its event-based gateway: its event has occurred, so it completes at once
 * with the event's variables. They are handed over within the decision that saw the event; should the catch event's input
 * mappings raise an incident, the event's variables are not applied when it is resolved (the event is not kept).
 */
export function completeAfterEventBasedGateway(run: DecisionRun, instance: ElementInstance, node: FlowNode): Outcome {
  const entering = decisionsOf(run).entering;
  const key = enteringKey(instance.flowScopeInstanceId, node.id);
  const variables = entering.get(key);
  entering.delete(key);
  run.activated(instance);
  run.setCompletionVariables(run.state.elementInstances[instance.id], node, variables);
  run.complete(instance);
  return undefined;
}
