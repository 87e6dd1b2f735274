import type { ScriptTaskNode } from '../../model/executable-model.js';
import type { ElementBehavior } from './element-behavior.js';

/**
 * Script task (FEEL, Camunda 8 style): the expression is evaluated on activation, its result stored in the result
 * variable like a job's completion variables (through the output mappings, if any), and the task completes at once.
 */
export const scriptTaskBehavior: ElementBehavior<ScriptTaskNode> = {
  onActivate(run, instance, node) {
    const result = run.evaluate(node.script, instance.id, 'EXPRESSION_ERROR');
    if (!result.ok) return result.error;
    if (node.resultVariable !== undefined) run.setCompletionVariables(instance, node, { [node.resultVariable]: result.value });
    run.activated(instance);
    run.complete(instance);
    return undefined;
  },
};
