import type { ModelErrorCollector } from './model-error-collector.js';
import { elementsProperty } from './moddle-element.js';
import type { NodeEntry, ProcessGraph } from './process-graph.js';

export function isSignalStartEvent(entry: NodeEntry): boolean {
  if (!entry.support.executable || entry.support.kind !== 'startEvent') return false;
  const definitions = [...elementsProperty(entry.element, 'eventDefinitions'), ...elementsProperty(entry.element, 'eventDefinitionRef')];
  return definitions.some((definition) => definition.$type === 'bpmn:SignalEventDefinition');
}

/**
 * The process's signal start events: each broadcast of its signal starts an instance of the latest version there. One
 * inside an embedded sub-process is refused: such a sub-process starts at its none start event, and one of an event sub-process
 * starts that.
 */
export function signalStartEvents(graph: ProcessGraph, processId: string, errors: ModelErrorCollector): string[] {
  const found: string[] = [];
  for (const entry of graph.nodes.values()) {
    if (!isSignalStartEvent(entry) || entry.inEventSubProcess === true) continue;
    if (entry.parentId === processId) {
      found.push(entry.id);
      continue;
    }
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `signal start event '${entry.id}' is inside sub-process '${entry.parentId}': an embedded sub-process starts at a none start event, signal start events start processes`,
      elementId: entry.id,
      field: 'eventDefinitions',
    });
  }
  return found;
}
