import type { FlowNode, SequenceFlow } from '../model/executable-model.js';
import { definitionOf } from './link-events.js';
import type { ModelErrorCollector } from './model-error-collector.js';

/**
 * An event-based gateway decides by which event occurs first, so it must offer a choice of events: at least two
 * outgoing flows, each to an intermediate catch event that waits for something (not a link catch event) or a receive
 * task, that nothing else leads to (as Camunda 7 requires). Conditions on its flows are refused where every condition
 * is checked (validate-flows: a gateway that evaluates none). It has no variable mappings here: it only waits, and its
 * completion is the moment the event's element takes over.
 */
export function checkEventBasedGateways(
  elements: Readonly<Record<string, FlowNode>>,
  flows: Readonly<Record<string, SequenceFlow>>,
  errors: ModelErrorCollector,
): void {
  for (const gateway of Object.values(elements)) {
    if (gateway.kind !== 'eventBasedGateway') continue;
    if (gateway.outgoing.length < 2) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `event-based gateway '${gateway.id}' has ${gateway.outgoing.length} outgoing sequence flow${gateway.outgoing.length === 1 ? '' : 's'}: it needs at least two, each to an event that may occur`,
        elementId: gateway.id,
        field: 'outgoing',
      });
    }
    if (gateway.inputMappings.length > 0 || gateway.outputMappings.length > 0) {
      errors.add({
        code: 'NOT_SUPPORTED',
        message: `not supported yet: variable mappings on event-based gateway '${gateway.id}' (map the variables on the catch events after it)`,
        elementId: gateway.id,
        field: 'ioMapping',
      });
    }
    for (const flowId of gateway.outgoing) {
      const target = elements[flows[flowId]?.targetId ?? ''];
      if (target === undefined) continue; // an unresolved flow end is reported already
      const waits = target.kind === 'receiveTask' || (target.kind === 'intermediateCatchEvent' && definitionOf(target)?.type !== 'link');
      if (!waits) {
        errors.add({
          code: 'INVALID_ATTRIBUTE',
          message:
            `sequence flow '${flowId}' leads event-based gateway '${gateway.id}' to '${target.id}', ${target.kind === 'intermediateCatchEvent' ? 'a link catch event' : `a ${target.kind}`}: ` +
            'the flows of an event-based gateway lead to intermediate catch events that wait for an event (a timer, message, signal or condition) or to receive tasks',
          elementId: gateway.id,
          field: 'outgoing',
        });
        continue;
      }
      if (target.kind === 'receiveTask' && (target.multiInstance !== undefined || target.standardLoop !== undefined || (target.boundaryEventIds ?? []).length > 0)) {
        // Entered once its message has come, it completes at once: a loop or a boundary event would have nothing to act on.
        errors.add({
          code: 'INVALID_ATTRIBUTE',
          message: `receive task '${target.id}' follows event-based gateway '${gateway.id}': it completes as soon as it is entered, so it can have no loop and no boundary events`,
          elementId: target.id,
          field: target.multiInstance !== undefined || target.standardLoop !== undefined ? 'loopCharacteristics' : 'boundaryEvent',
        });
      }
      if (target.incoming.length > 1) {
        errors.add({
          code: 'INVALID_ATTRIBUTE',
          message: `'${target.id}' follows event-based gateway '${gateway.id}' but has other incoming sequence flows (${target.incoming.filter((id) => id !== flowId).join(', ')}): after an event-based gateway, an event is entered only from it`,
          elementId: target.id,
          field: 'incoming',
        });
      }
    }
  }
}
