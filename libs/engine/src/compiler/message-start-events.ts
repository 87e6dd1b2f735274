import type { FlowNode, MessageDefinition } from '../model/executable-model.js';
import type { ModelErrorCollector } from './model-error-collector.js';
import { elementsProperty } from './moddle-element.js';
import type { NodeEntry, ProcessGraph } from './process-graph.js';

export function isMessageStartEvent(entry: NodeEntry): boolean {
  if (!entry.support.executable || entry.support.kind !== 'startEvent') return false;
  const definitions = [...elementsProperty(entry.element, 'eventDefinitions'), ...elementsProperty(entry.element, 'eventDefinitionRef')];
  return definitions.some((definition) => definition.$type === 'bpmn:MessageEventDefinition');
}

/**
 * The process's message start events. One inside an embedded sub-process is refused: such a sub-process starts at its
 * none start event (one of an event sub-process starts that).
 */
export function messageStartEvents(graph: ProcessGraph, processId: string, errors: ModelErrorCollector): string[] {
  const found: string[] = [];
  for (const entry of graph.nodes.values()) {
    if (!isMessageStartEvent(entry) || entry.inEventSubProcess === true) continue;
    if (entry.parentId === processId) {
      found.push(entry.id);
      continue;
    }
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `message start event '${entry.id}' is inside sub-process '${entry.parentId}': an embedded sub-process starts at a none start event, message start events start processes`,
      elementId: entry.id,
      field: 'eventDefinitions',
    });
  }
  return found;
}

/**
 * Message names that would make one message ambiguous, refused as Zeebe refuses them: two message start events of a
 * process, two message boundary events of one activity, or the message start events of two event sub-processes of one
 * scope, waiting for the same (literal) message name. Names given
 * as expressions are only known at run time.
 */
export function checkMessageNames(elements: Readonly<Record<string, FlowNode>>, messageStartEventIds: readonly string[], errors: ModelErrorCollector): void {
  const groups = new Map<string, string[]>();
  const add = (group: string, elementId: string) => groups.set(group, [...(groups.get(group) ?? []), elementId]);
  for (const startEventId of messageStartEventIds) {
    const node = elements[startEventId];
    const name = node?.kind === 'startEvent' ? literalName(node.message) : undefined;
    if (name !== undefined) add(`start event\u0000${name}`, startEventId);
  }
  for (const node of Object.values(elements)) {
    if (node.kind === 'boundaryEvent' && node.eventDefinition?.type === 'message') {
      const name = literalName(node.eventDefinition.message);
      if (name !== undefined) add(`boundary event of '${node.attachedToId}'\u0000${name}`, node.id);
    }
    // The event sub-processes of one scope share it: a message of one name would start which?
    if (node.kind === 'startEvent' && node.eventDefinition?.type === 'message') {
      const scope = elements[node.parentId]?.parentId;
      const name = literalName(node.eventDefinition.message);
      if (name !== undefined && scope !== undefined) add(`event sub-process start event in '${scope}'\u0000${name}`, node.id);
    }
  }
  for (const [group, elementIds] of groups) {
    if (elementIds.length < 2) continue;
    const [what, name] = group.split('\u0000');
    for (const elementId of elementIds.slice(1)) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `'${elementId}' waits for message '${name}' as '${elementIds[0]}' does: a message name may have one ${what}`,
        elementId,
        field: 'messageRef',
      });
    }
  }
}

function literalName(message: MessageDefinition | undefined): string | undefined {
  return message?.name.language === 'static' ? message.name.source.trim() : undefined;
}
