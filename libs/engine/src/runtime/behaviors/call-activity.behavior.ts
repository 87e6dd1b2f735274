import type { CallActivityNode } from '../../model/executable-model.js';
import type { JsonObject } from '../../model/json.js';
import { err, ok, type Result } from '../../result.js';
import type { DecisionRun } from '../decision-run.js';
import type { Problem } from '../element-lifecycle.js';
import type { ElementInstance } from '../process-instance-state.js';
import { assignTo, visibleVariables } from '../variables.js';
import type { ElementBehavior } from './element-behavior.js';
import { asCount, asNonEmptyString, evaluateAs } from './values.js';

/**
 * Call activity: asks the runtime for a child instance of the called process (`ChildProcessInstanceRequested`) and
 * waits, activated, until the child completed (`CompleteCallActivity`). Terminating it asks for the child's
 * cancellation; the child's own end is the runtime's business.
 */
export const callActivityBehavior: ElementBehavior<CallActivityNode> = {
  onActivate(run, instance, node) {
    const problem = requestChild(run, instance, node);
    if (problem !== undefined) return problem;
    run.activated(instance);
    return undefined;
  },
  onTerminate(run, instance) {
    const childProcessInstanceId = run.state.childProcessInstances[instance.id]?.childProcessInstanceId;
    if (childProcessInstanceId !== undefined) {
      run.emit({ type: 'ChildProcessInstanceCancelRequested', data: { elementInstanceId: instance.id, childProcessInstanceId } });
    }
  },
};

/** Evaluates what the child is and starts with, and asks for it; also run again when a CALLED_ELEMENT_ERROR is resolved. */
export function requestChild(run: DecisionRun, instance: ElementInstance, node: CallActivityNode): Problem | undefined {
  const processId = evaluateAs(run, node.calledElement, instance.id, 'the called element', 'a non-empty string', asNonEmptyString);
  if (!processId.ok) return processId.error;
  let version: number | undefined;
  if (node.binding === 'version' && node.version !== undefined) {
    const evaluated = evaluateAs(run, node.version, instance.id, 'the called element version', 'a whole number of at least 1', asCount);
    if (!evaluated.ok) return evaluated.error;
    version = evaluated.value;
  }
  let businessKey: string | undefined;
  if (node.businessKey !== undefined) {
    const evaluated = evaluateAs(run, node.businessKey, instance.id, 'the business key', 'a non-empty string', asNonEmptyString);
    if (!evaluated.ok) return evaluated.error;
    businessKey = evaluated.value;
  }
  const variables = childVariables(run, instance, node);
  if (!variables.ok) return variables.error;
  run.emit({
    type: 'ChildProcessInstanceRequested',
    data: {
      elementInstanceId: instance.id,
      elementId: node.id,
      childProcessInstanceId: run.newId(),
      processId: processId.value,
      binding: node.binding,
      ...(version === undefined ? {} : { version }),
      variables: variables.value,
      ...(businessKey === undefined ? {} : { businessKey }),
    },
  });
  return undefined;
}

function childVariables(run: DecisionRun, instance: ElementInstance, node: CallActivityNode): Result<JsonObject, Problem> {
  const { from, mappings } = node.childInputs;
  const values: JsonObject = from === 'all' ? visibleVariables(run.state, instance.id) : from === 'locals' ? { ...(run.state.variables[instance.id] ?? {}) } : {};
  for (const mapping of mappings) {
    const value = run.evaluate(mapping.source, instance.id, 'IO_MAPPING_ERROR');
    if (!value.ok) return err({ incidentType: 'IO_MAPPING_ERROR', message: `Failed to pass variable '${mapping.target}' to the called process: ${value.error.message}` });
    assignTo(values, mapping.target, value.value, () => undefined);
  }
  return ok(values);
}

/** What the call activity takes from its completed child: all its variables or none, plus the output mappings evaluated on them. */
export function childResult(run: DecisionRun, instance: ElementInstance, node: CallActivityNode, childVariables: JsonObject): Result<JsonObject, Problem> {
  // Camunda 8 output mappings read the child's variables: they are handed over (as the call activity's locals, see
  // setCompletionVariables) whatever propagateAllChildVariables says, and only what the mappings name leaves it.
  const all = node.childOutputs.all || (node.dialect === 'zeebe' && node.outputMappings.length > 0);
  const values: JsonObject = all ? { ...childVariables } : {};
  for (const mapping of node.childOutputs.mappings) {
    const value = run.evaluate(mapping.source, instance.id, 'IO_MAPPING_ERROR', childVariables);
    if (!value.ok) return err({ incidentType: 'IO_MAPPING_ERROR', message: `Failed to take variable '${mapping.target}' from the called process: ${value.error.message}` });
    assignTo(values, mapping.target, value.value, () => undefined);
  }
  return ok(values);
}
