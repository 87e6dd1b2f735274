import type { FlowNode, SequenceFlow } from '../../model/executable-model.js';
import type { Result } from '../../result.js';
import type { DecisionRun } from '../decision-run.js';
import type { Outcome, Problem } from '../element-lifecycle.js';
import type { ElementInstance } from '../process-instance-state.js';

/**
 * What one kind of element does at each step of the shared lifecycle (see `element-lifecycle.ts`). The lifecycle
 * itself (input and output mappings, loops, leaving by sequence flows, ending the scope) lives in `DecisionRun`.
 */
export interface ElementBehavior<N extends FlowNode = FlowNode> {
  /** The instance is activating and its input mappings are set: do the work, move to activated, then wait or complete. */
  onActivate(run: DecisionRun, instance: ElementInstance, node: N): Outcome;
  /** The instance is completing, before its output mappings. */
  onComplete?(run: DecisionRun, instance: ElementInstance, node: N): Outcome;
  /** The instance is terminating and its children are terminated: withdraw what it handed out (jobs, user tasks). */
  onTerminate?(run: DecisionRun, instance: ElementInstance, node: N): void;
  /** The flows to take when the instance completes; by default every flow whose condition holds. */
  selectOutgoing?(run: DecisionRun, instance: ElementInstance, node: N): Result<readonly SequenceFlow[], Problem>;
  /**
   * For a gateway with several incoming flows: given the tokens waiting in a flow scope, the incoming flows whose
   * tokens it consumes when it fires now, or undefined while it must wait.
   */
  join?(run: DecisionRun, flowScopeInstanceId: string, node: N, tokens: Readonly<Record<string, number>>): readonly string[] | undefined;
  /**
   * For a flow scope that decides itself when it completes (an ad-hoc sub-process): an element directly inside it
   * completed and left; `idle` says whether anything is left alive or waiting in it. Without this hook the scope
   * completes once it is idle.
   */
  onInnerElementLeft?(run: DecisionRun, scope: ElementInstance, node: N, idle: boolean): Outcome;
  /** True when the instance's completion ends its whole flow scope (terminate end event). */
  completesFlowScope?(node: N): boolean;
}
