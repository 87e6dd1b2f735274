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
 * none start event (a message start event in an event sub-process is not run yet, and refused as such).
 */
export function messageStartEvents(graph: ProcessGraph, processId: string, errors: ModelErrorCollector): string[] {
  const found: string[] = [];
  for (const entry of graph.nodes.values()) {
    if (!isMessageStartEvent(entry)) continue;
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
