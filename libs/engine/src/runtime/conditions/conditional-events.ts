import type { ConditionalEventDefinition, ExecutableProcess, FlowNode } from '../../model/executable-model.js';
import type { CatchEventNode } from '../catch-events.js';
import { catchEventOccurred, isCatchEventNode } from '../catch-events.js';
import type { DecisionRun } from '../decision-run.js';
import { DecisionBug } from '../element-lifecycle.js';
import { processScope, waitingEventSubProcessStarts, waitingOwner } from '../event-sub-processes.js';
import type { ElementInstance } from '../process-instance-state.js';

type ConditionalCatchNode = CatchEventNode & { readonly eventDefinition: ConditionalEventDefinition };

/** A decision whose conditional events keep triggering one another this many times is looping without a wait state. */
const MAX_ROUNDS = 1_000;

const withConditions = new WeakMap<ExecutableProcess, boolean>();

function hasConditionalEvents(process: ExecutableProcess): boolean {
  let found = withConditions.get(process);
  if (found === undefined) {
    found = Object.values(process.elements).some((node) => isCatchEventNode(node) && node.eventDefinition?.type === 'conditional');
    withConditions.set(process, found);
  }
  return found;
}

function isConditional(node: FlowNode): node is ConditionalCatchNode {
  return isCatchEventNode(node) && node.eventDefinition?.type === 'conditional';
}

/**
 * The conditional events an activated element instance waits for: its own (an intermediate conditional catch event),
 * those after it (an event-based gateway), those of its event sub-processes (a sub-process, or the process instance),
 * or those attached to it (an activity, or a multi-instance body).
 */
function conditionsWaitedFor(run: DecisionRun, instance: ElementInstance): ConditionalCatchNode[] {
  if (instance.id === run.state.processInstanceId) return conditionalStarts(run, instance.id);
  const node = run.node(instance.elementId);
  if (node.kind === 'intermediateCatchEvent') return isConditional(node) ? [node] : [];
  if (node.kind === 'eventBasedGateway') return node.outgoing.map((flowId) => run.node(run.flow(flowId).targetId)).filter(isConditional);
  const inner = instance.elementType === 'multiInstanceBody' ? [] : conditionalStarts(run, instance.id);
  const attachable = instance.elementType === 'multiInstanceBody' || node.multiInstance === undefined;
  if (!attachable) return inner;
  return [...inner, ...(node.boundaryEventIds ?? []).map((id) => run.node(id)).filter(isConditional)];
}

function conditionalStarts(run: DecisionRun, scopeInstanceId: string): ConditionalCatchNode[] {
  const starts: readonly FlowNode[] = waitingEventSubProcessStarts(run, scopeInstanceId);
  return starts.filter(isConditional);
}

/**
 * Conditional events occur when their condition holds: checked once a decision has run to quiescence, for every
 * element that started waiting in it (a condition already true when it is reached triggers at once, as in Camunda 7)
 * and, when the decision set variables, for every element that waits. A triggered event may set variables or reach
 * other conditional events: the check repeats until a round changes nothing. A condition that fails to evaluate, or
 * gives anything but true (null, say, before its variables exist), does not trigger.
 */
export function triggerSatisfiedConditions(run: DecisionRun): void {
  if (!hasConditionalEvents(run.process)) return;
  let checkedUpTo = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const fresh = run.events.slice(checkedUpTo);
    checkedUpTo = run.events.length;
    const variablesChanged = fresh.some((event) => event.type === 'VariablesSet');
    const startedWaiting = new Set(
      fresh.flatMap((event) => (event.type === 'ElementActivated' ? [event.data.elementInstanceId] : event.type === 'ProcessInstanceCreated' ? [event.data.processInstanceId] : [])),
    );
    const process = run.state.status === 'active' ? [processScope(run)] : [];
    for (const waiting of [...process, ...Object.values(run.state.elementInstances)]) {
      if (!variablesChanged && !startedWaiting.has(waiting.id)) continue;
      for (const node of conditionsWaitedFor(run, waiting)) {
        const owner = waitingOwner(run, waiting.id);
        // An interrupting event before it may have ended the wait.
        if (owner === undefined || (node.kind === 'startEvent' && run.state.interruptedScopes[owner.id] !== undefined)) break;
        const holds = run.evaluateCondition(node.eventDefinition.condition, owner.id, `the condition of conditional event '${node.id}'`);
        if (holds.ok && holds.value) catchEventOccurred(run, owner, node);
      }
    }
    run.runToQuiescence();
    if (run.events.length === checkedUpTo) return;
  }
  throw new DecisionBug(`Conditional events kept triggering after ${MAX_ROUNDS} rounds: does a condition stay true while its path sets variables?`);
}
