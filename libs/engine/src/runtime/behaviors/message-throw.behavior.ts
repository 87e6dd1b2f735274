import type { EndEventNode, IntermediateThrowEventNode, JobTaskNode } from '../../model/executable-model.js';
import type { ElementBehavior } from './element-behavior.js';
import { jobTaskBehavior } from './job-task.behavior.js';

/**
 * A message throw or end event with a job (`node.job`) waits, as a send task does, for the worker that sends the
 * message to complete the job, then goes on (a throw event) or ends its token (an end event); terminated, its job is
 * canceled. Without a job the event behaves as `behavior` says.
 */
export function withMessageJob<N extends EndEventNode | IntermediateThrowEventNode>(behavior: ElementBehavior<N>): ElementBehavior<N> {
  return {
    ...behavior,
    onActivate(run, instance, node) {
      // The job behaviour reads only the node's job (and a decision, which an event never has).
      return node.job === undefined ? behavior.onActivate(run, instance, node) : jobTaskBehavior.onActivate(run, instance, node as unknown as JobTaskNode);
    },
    onTerminate(run, instance, node) {
      if (node.job !== undefined) jobTaskBehavior.onTerminate?.(run, instance, node as unknown as JobTaskNode);
      behavior.onTerminate?.(run, instance, node);
    },
  };
}
