import type { FlowNode } from '../model/executable-model.js';
import type { ModelErrorCollector } from './model-error-collector.js';
import { booleanProperty, describeElement, elementProperty, elementsProperty } from './moddle-element.js';
import type { NodeEntry, ProcessGraph } from './process-graph.js';
import type { ResolvedFlows } from './validate-flows.js';

/**
 * Start event definitions that only an event sub-process can start at (the scope that runs is where they occur), and,
 * for a conditional one, a process.
 */
const EVENT_SUB_PROCESS_ONLY: Readonly<Record<string, string>> = {
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:EscalationEventDefinition': 'escalation',
  'bpmn:ConditionalEventDefinition': 'conditional',
  'bpmn:CompensateEventDefinition': 'compensation',
};

export function isEventSubProcess(entry: NodeEntry): boolean {
  return entry.support.executable && entry.support.kind === 'subProcess' && booleanProperty(entry.element, 'triggeredByEvent') === true;
}

function definitionType(entry: NodeEntry): string | undefined {
  return [...elementsProperty(entry.element, 'eventDefinitions'), ...elementsProperty(entry.element, 'eventDefinitionRef')][0]?.$type;
}

function isStartEvent(entry: NodeEntry): boolean {
  return entry.support.executable && entry.support.kind === 'startEvent';
}

/** The event sub-processes directly inside each scope (the process, or a sub-process), by scope id. */
export function eventSubProcessesByScope(graph: ProcessGraph): Map<string, string[]> {
  const byScope = new Map<string, string[]>();
  for (const entry of graph.nodes.values()) {
    if (isEventSubProcess(entry)) byScope.set(entry.parentId, [...(byScope.get(entry.parentId) ?? []), entry.id]);
  }
  return byScope;
}

/**
 * The start event of each event sub-process, checked: an event sub-process starts at exactly one start event, which
 * has an event definition (an error start event always interrupts); it is entered by no sequence flow and left by none,
 * carries no boundary event and does not loop. Error, escalation and conditional start events occur in a running
 * scope, so they start event sub-processes only.
 */
export function checkEventSubProcesses(graph: ProcessGraph, resolved: ResolvedFlows, errors: ModelErrorCollector): Map<string, string> {
  const startEventIds = new Map<string, string>();
  for (const entry of graph.nodes.values()) {
    if (isStartEvent(entry) && !entry.inEventSubProcess) checkStartEventOutsideEventSubProcess(entry, graph, errors);
    if (!isEventSubProcess(entry)) continue;
    const starts = [...graph.nodes.values()].filter((child) => child.parentId === entry.id && isStartEvent(child));
    if (starts.length !== 1) {
      errors.add({
        code: starts.length === 0 ? 'NO_START_EVENT' : 'INVALID_ATTRIBUTE',
        message:
          starts.length === 0
            ? `event sub-process '${entry.id}' has no start event: it starts when the event of its start event occurs`
            : `event sub-process '${entry.id}' has ${starts.length} start events (${starts.map((start) => start.id).join(', ')}): it starts at exactly one`,
        elementId: entry.id,
      });
    }
    for (const start of starts) checkEventSubProcessStart(start, errors);
    if (starts[0] !== undefined) startEventIds.set(entry.id, starts[0].id);
    for (const [direction, flowIds] of [
      ['incoming', resolved.incoming.get(entry.id) ?? []],
      ['outgoing', resolved.outgoing.get(entry.id) ?? []],
    ] as const) {
      if (flowIds.length === 0) continue;
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `event sub-process '${entry.id}' has ${direction} sequence flows (${flowIds.join(', ')}): an event sub-process is started by its event and connected to nothing`,
        elementId: entry.id,
        field: direction,
      });
    }
    if (elementProperty(entry.element, 'loopCharacteristics') !== undefined) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `event sub-process '${entry.id}' has loop characteristics: an event sub-process runs once each time its event occurs`,
        elementId: entry.id,
        field: 'loopCharacteristics',
      });
    }
  }
  return startEventIds;
}

function checkEventSubProcessStart(start: NodeEntry, errors: ModelErrorCollector): void {
  const type = definitionType(start);
  if (type === undefined) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `${describeElement(start.element)} starts event sub-process '${start.parentId}' but has no event definition: an event sub-process starts when its event occurs`,
      elementId: start.id,
      field: 'eventDefinitions',
    });
    return;
  }
  if (type === 'bpmn:ErrorEventDefinition' && booleanProperty(start.element, 'isInterrupting') === false) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `error start event '${start.id}' is non-interrupting: an error ends what threw it, so an error start event always interrupts`,
      elementId: start.id,
      field: 'isInterrupting',
    });
  }
}

function checkStartEventOutsideEventSubProcess(entry: NodeEntry, graph: ProcessGraph, errors: ModelErrorCollector): void {
  const type = definitionType(entry) ?? '';
  const kind = EVENT_SUB_PROCESS_ONLY[type];
  // A process may start when conditions evaluated with variables hold (Camunda 7's conditional start event).
  if (kind === undefined || (type === 'bpmn:ConditionalEventDefinition' && entry.parentId === graph.processId)) return;
  const where = entry.parentId === graph.processId ? `process '${graph.processId}'` : `sub-process '${entry.parentId}'`;
  errors.add({
    code: 'INVALID_ATTRIBUTE',
    message: `${kind} start event '${entry.id}' is in ${where}: ${kind} start events start event sub-processes (triggeredByEvent="true") only`,
    elementId: entry.id,
    field: 'eventDefinitions',
  });
}

/** Boundary events attach to activities that a token enters, which an event sub-process never is. */
export function checkBoundaryOnEventSubProcess(boundary: FlowNode, activity: FlowNode, errors: ModelErrorCollector): boolean {
  if (activity.kind !== 'subProcess' || activity.triggeredByEvent !== true) return true;
  errors.add({
    code: 'INVALID_ATTRIBUTE',
    message: `boundary event '${boundary.id}' is attached to event sub-process '${activity.id}': an event sub-process cannot carry boundary events`,
    elementId: boundary.id,
    field: 'attachedToRef',
  });
  return false;
}
