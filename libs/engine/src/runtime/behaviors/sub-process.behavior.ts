import type { SubProcessNode } from '../../model/executable-model.js';
import { openEventSubProcessSubscriptions } from '../catch-events.js';
import type { ElementBehavior } from './element-behavior.js';

/**
 * Embedded sub-process: a flow scope of its own (its local variables are its scope) that starts at its none start
 * event and completes once nothing is left alive in it. Its children are terminated with it. While it runs, the start
 * events of its event sub-processes wait.
 *
 * An event sub-process is one too, started by the event of its start event (see `eventSubProcessTriggered`): it
 * starts at that start event, which is given the event's variables.
 */
export const subProcessBehavior: ElementBehavior<SubProcessNode> = {
  onActivate(run, instance, node) {
    const opened = openEventSubProcessSubscriptions(run, instance.id, node.eventSubProcessIds);
    if (opened !== undefined) return opened;
    run.activated(instance);
    const start = run.node(node.startEventId);
    const startInstanceId = run.enter(start, instance.id);
    const variables = node.triggeredByEvent === true ? run.state.eventSubProcessTriggers[instance.id]?.variables : undefined;
    const startInstance = run.state.elementInstances[startInstanceId];
    if (variables !== undefined && startInstance !== undefined) run.setCompletionVariables(startInstance, start, variables);
    return undefined;
  },
};
