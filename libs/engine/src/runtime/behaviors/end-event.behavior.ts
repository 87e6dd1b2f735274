import type { EndEventNode } from '../../model/executable-model.js';
import type { ElementBehavior } from './element-behavior.js';
import { passThrough } from './task.behavior.js';

/**
 * None end event: consumes the token (its scope completes once nothing is left in it).
 * Terminate end event: terminates every other element instance of its flow scope, which then completes.
 */
export const endEventBehavior: ElementBehavior<EndEventNode> = {
  onActivate: passThrough,
  onComplete(run, instance, node) {
    if (node.eventDefinition !== 'terminate') return undefined;
    for (const sibling of run.liveChildren(instance.flowScopeInstanceId)) {
      if (sibling.id !== instance.id) run.terminate(sibling.id);
    }
    return undefined;
  },
  completesFlowScope: (node) => node.eventDefinition === 'terminate',
};
