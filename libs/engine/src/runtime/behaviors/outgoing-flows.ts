import type { FlowNode, SequenceFlow } from '../../model/executable-model.js';
import { err, ok, type Result } from '../../result.js';
import type { DecisionRun } from '../decision-run.js';
import type { Problem } from '../element-lifecycle.js';
import type { ElementInstance } from '../process-instance-state.js';

export interface FlowSelection {
  /** Exclusive gateway: stop at the first flow whose condition holds (document order). */
  readonly firstOnly: boolean;
  /** Taken only when no other flow is. */
  readonly defaultFlowId?: string;
}

/**
 * The outgoing flows whose condition is true or absent, else the default flow. When no flow can be taken the element
 * gets a CONDITION_ERROR incident (as in Zeebe for gateways, and as Camunda 7 refuses it for activities).
 */
export function flowsWithTrueConditions(
  run: DecisionRun,
  instance: ElementInstance,
  node: FlowNode,
  selection: FlowSelection,
): Result<readonly SequenceFlow[], Problem> {
  if (node.outgoing.length === 0) return ok([]);
  const taken: SequenceFlow[] = [];
  for (const flowId of node.outgoing) {
    if (flowId === selection.defaultFlowId) continue;
    const flow = run.flow(flowId);
    if (flow.condition !== undefined) {
      const holds = run.evaluateCondition(flow.condition, instance.id, `the condition of sequence flow '${flow.id}'`);
      if (!holds.ok) return holds;
      if (!holds.value) continue;
    }
    taken.push(flow);
    if (selection.firstOnly) break;
  }
  if (taken.length > 0) return ok(taken);
  if (selection.defaultFlowId !== undefined) return ok([run.flow(selection.defaultFlowId)]);
  const what = node.kind.endsWith('Gateway') ? 'gateway' : 'element';
  return err({
    incidentType: 'CONDITION_ERROR',
    message: `No outgoing sequence flow of ${what} '${node.id}' has a true condition and there is no default flow`,
  });
}
