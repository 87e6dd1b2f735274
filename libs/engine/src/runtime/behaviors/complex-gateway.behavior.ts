import type { ComplexGatewayNode } from '../../model/executable-model.js';
import { joinKey } from '../appliers/draft.js';
import type { DecisionRun } from '../decision-run.js';
import type { ElementBehavior } from './element-behavior.js';
import { flowsWithTrueConditions } from './outgoing-flows.js';
import { passThrough } from './task.behavior.js';

/** The variable an activation condition reads: how many incoming flows hold a token (spec: the activation count). */
export const ACTIVATION_COUNT = 'activationCount';

/**
 * Complex gateway (BPMN 2.0 §13.4.5; neither Camunda runs it, so this follows the spec).
 *
 * Split: like an inclusive gateway, every outgoing flow whose condition holds, else the default flow.
 *
 * Join, "waiting for start": each time a token arrives, the activation condition is evaluated in the flow scope with
 * `activationCount`, the number of incoming flows holding a token. When it holds, the gateway fires: one token is
 * consumed from each of those flows and the gateway instance (with `activationCount` as a local variable) leaves by
 * its outgoing flows. Then, "waiting for reset": the gateway waits for a token on each incoming flow that had none,
 * as long as one can still arrive there (a token is alive upstream of that flow, as for the inclusive join); once
 * none is awaited any more, the tokens that did arrive are consumed without firing again, and the gateway waits for a
 * start again. Tokens arriving meanwhile on flows that already fired wait for the next start.
 *
 * A condition that cannot be evaluated fires the gateway into an incident (the tokens are consumed, nothing leaves);
 * resolving it evaluates the condition again with the same count, which must then hold.
 */
export const complexGatewayBehavior: ElementBehavior<ComplexGatewayNode> = {
  onActivate(run, instance, node) {
    const count = run.state.variables[instance.id]?.[ACTIVATION_COUNT];
    if (node.activationCondition !== undefined && typeof count === 'number') {
      const holds = run.evaluateCondition(node.activationCondition, instance.id, `the activation condition of '${node.id}'`);
      if (!holds.ok) return holds.error;
      if (!holds.value) {
        return {
          incidentType: 'CONDITION_ERROR',
          message: `The activation condition of '${node.id}' does not hold for the ${count} token(s) the gateway consumed`,
        };
      }
    }
    return passThrough(run, instance, node);
  },
  selectOutgoing: (run, instance, node) => flowsWithTrueConditions(run, instance, node, { firstOnly: false, defaultFlowId: node.defaultFlowId }),
  join(run, flowScopeInstanceId, node, tokens) {
    const key = joinKey(flowScopeInstanceId, node.id);
    let waiting = tokens;
    // Each round consumes at least one token, so this ends; more than one round only when a flow holds several tokens.
    for (;;) {
      const awaited = run.state.complexGatewaysWaitingForReset[key];
      if (awaited !== undefined) {
        if (awaited.some((flowId) => (waiting[flowId] ?? 0) === 0 && canStillArrive(run, flowScopeInstanceId, node, flowId))) return undefined;
        run.emit({
          type: 'ComplexGatewayReset',
          data: { flowScopeInstanceId, elementId: node.id, consumedTokens: awaited.filter((flowId) => (waiting[flowId] ?? 0) > 0) },
        });
        waiting = run.state.joinTokens[key] ?? {};
      }
      const arrived = node.incoming.filter((flowId) => (waiting[flowId] ?? 0) > 0);
      if (arrived.length === 0 || node.activationCondition === undefined) return undefined;
      const holds = run.evaluateCondition(node.activationCondition, flowScopeInstanceId, `the activation condition of '${node.id}'`, {
        [ACTIVATION_COUNT]: arrived.length,
      });
      if (holds.ok && !holds.value) return undefined;
      // Fires (or, when the condition failed, fires into an incident: see onActivate). The instance is created here,
      // not by the caller, so that it starts with the count its condition is evaluated on again.
      run.createInstance(node, flowScopeInstanceId, { consumedTokens: arrived, locals: { [ACTIVATION_COUNT]: arrived.length } });
      const awaitedFlowIds = node.incoming.filter((flowId) => !arrived.includes(flowId));
      if (awaitedFlowIds.length > 0) run.emit({ type: 'ComplexGatewayWaitingForReset', data: { flowScopeInstanceId, elementId: node.id, awaitedFlowIds } });
      if (awaitedFlowIds.length > 0 || !holds.ok) return undefined;
      waiting = run.state.joinTokens[key] ?? {};
    }
  },
};

/** A token can still reach `flowId`: something alive in the scope sits upstream of it (see `inclusiveJoinUpstream`). */
function canStillArrive(run: DecisionRun, flowScopeInstanceId: string, node: ComplexGatewayNode, flowId: string): boolean {
  const upstream = run.process.inclusiveJoinUpstream[node.id]?.[flowId] ?? [];
  const busy = run.busyNodes(flowScopeInstanceId, node.id);
  return upstream.some((elementId) => busy.has(elementId));
}
