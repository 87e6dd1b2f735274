import type { CatchEventDefinition, CompensationThrow, FlowNode, SubProcessNode } from '../model/executable-model.js';
import type { ModelErrorCollector } from './model-error-collector.js';
import { booleanProperty, elementProperty, elementsProperty, idOf } from './moddle-element.js';
import type { ProcessGraph } from './process-graph.js';
import type { ReadContext } from './read-context.js';

/**
 * A compensation throw event (intermediate or end): the activity it names (`activityRef`, checked by
 * `checkCompensation`), or none for the whole scope, and whether it waits for the handlers (`waitForCompletion`,
 * true unless set to false: then the flow goes on at once while the handlers run in the event's scope).
 */
export function readCompensationThrow(context: ReadContext): { compensation?: CompensationThrow } {
  const definition = [...elementsProperty(context.element, 'eventDefinitions'), ...elementsProperty(context.element, 'eventDefinitionRef')][0];
  if (definition?.$type !== 'bpmn:CompensateEventDefinition') return {};
  const activity = elementProperty(definition, 'activityRef');
  const activityId = activity === undefined ? undefined : idOf(activity);
  return {
    compensation: {
      ...(activityId === undefined ? {} : { activityId }),
      ...(booleanProperty(definition, 'waitForCompletion') === false ? { waitForCompletion: false as const } : {}),
    },
  };
}

const isKind = <K extends FlowNode['kind']>(node: FlowNode | undefined, kind: K): node is Extract<FlowNode, { kind: K }> => node?.kind === kind;

/** The event definition of a boundary or start event; absent when reading it failed (the node is built regardless). */
const definitionType = (node: FlowNode | undefined): string | undefined =>
  node?.kind === 'boundaryEvent' || node?.kind === 'startEvent' ? (node.eventDefinition as CatchEventDefinition | undefined)?.type : undefined;

/**
 * Checks compensation and transactions across the process, and links what runs together: each activity with a
 * compensation boundary event learns its handler (`compensationHandlerId`, the activity `isForCompensation` the
 * boundary event is associated with), each sub-process its compensation event sub-process. Every problem is reported.
 */
export function checkCompensation(elements: Record<string, FlowNode>, graph: ProcessGraph, errors: ModelErrorCollector): Record<string, FlowNode> {
  const linked = { ...elements };
  const handled = new Set<string>();
  for (const node of Object.values(elements)) {
    if (node.kind === 'boundaryEvent' && definitionType(node) === 'compensation') {
      const handlerId = compensationHandlerOf(node, elements, graph, errors);
      const activity = elements[node.attachedToId];
      if (handlerId === undefined || activity === undefined) continue;
      handled.add(handlerId);
      if (linked[activity.id].compensationHandlerId !== undefined) {
        errors.add({
          code: 'INVALID_ATTRIBUTE',
          message: `activity '${activity.id}' has more than one compensation boundary event: one handler compensates it`,
          elementId: node.id,
          field: 'attachedToRef',
        });
        continue;
      }
      linked[activity.id] = { ...linked[activity.id], compensationHandlerId: handlerId };
    }
    if (node.kind === 'boundaryEvent' && definitionType(node) === 'cancel') checkCancelBoundary(node, elements, errors);
    if (node.kind === 'endEvent' && node.eventDefinition === 'cancel') checkCancelEnd(node, elements, errors);
    if ((node.kind === 'endEvent' || node.kind === 'intermediateThrowEvent') && node.compensation?.activityId !== undefined) {
      checkCompensatedActivity(node, node.compensation.activityId, elements, errors);
    }
    if (node.kind === 'startEvent' && definitionType(node) === 'compensation') linkCompensationEventSubProcess(node, linked, errors);
  }
  for (const node of Object.values(elements)) {
    if (node.isForCompensation === true) checkHandler(node, handled, errors);
  }
  return linked;
}

/** The one handler a compensation boundary event is associated with (in either direction), in its scope. */
function compensationHandlerOf(boundary: FlowNode, elements: Record<string, FlowNode>, graph: ProcessGraph, errors: ModelErrorCollector): string | undefined {
  if (boundary.outgoing.length > 0) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `compensation boundary event '${boundary.id}' has outgoing sequence flows (${boundary.outgoing.join(', ')}): it is linked to its handler by an association, and nothing follows it`,
      elementId: boundary.id,
      field: 'outgoing',
    });
  }
  const associated = new Set(graph.associations.get(boundary.id) ?? []);
  for (const [sourceId, targetIds] of graph.associations) if (targetIds.includes(boundary.id)) associated.add(sourceId);
  const handlers = [...associated].filter((id) => elements[id]?.isForCompensation === true);
  if (handlers.length !== 1) {
    errors.add({
      code: handlers.length === 0 ? 'MISSING_ATTRIBUTE' : 'INVALID_ATTRIBUTE',
      message:
        handlers.length === 0
          ? `compensation boundary event '${boundary.id}' is associated with no compensation handler: associate it with an activity isForCompensation="true"`
          : `compensation boundary event '${boundary.id}' is associated with ${handlers.length} compensation handlers (${handlers.join(', ')}): one handler compensates an activity`,
      elementId: boundary.id,
      field: 'association',
    });
    return undefined;
  }
  const handler = elements[handlers[0]];
  if (handler.parentId !== boundary.parentId) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `compensation handler '${handler.id}' is in '${handler.parentId}' but compensation boundary event '${boundary.id}' is in '${boundary.parentId}': both must be in the same scope`,
      elementId: boundary.id,
      field: 'association',
    });
    return undefined;
  }
  return handler.id;
}

/** A handler runs only through compensation: no flow enters or leaves it, and a compensation boundary event names it. */
function checkHandler(handler: FlowNode, handled: ReadonlySet<string>, errors: ModelErrorCollector): void {
  for (const [direction, flowIds] of [
    ['incoming', handler.incoming],
    ['outgoing', handler.outgoing],
  ] as const) {
    if (flowIds.length === 0) continue;
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `compensation handler '${handler.id}' has ${direction} sequence flows (${flowIds.join(', ')}): a handler is run by compensation only, and nothing follows it`,
      elementId: handler.id,
      field: direction,
    });
  }
  if (!handled.has(handler.id)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `compensation handler '${handler.id}' is associated with no compensation boundary event: nothing would ever run it`,
      elementId: handler.id,
      field: 'isForCompensation',
    });
  }
}

/** The scopes whose activities a throw event compensates: its own, and, inside an event sub-process, the one around it. */
function compensatedScopes(thrower: FlowNode, elements: Record<string, FlowNode>): string[] {
  const parent = elements[thrower.parentId];
  return isKind(parent, 'subProcess') && parent.triggeredByEvent === true ? [thrower.parentId, parent.parentId] : [thrower.parentId];
}

function checkCompensatedActivity(thrower: FlowNode, activityId: string, elements: Record<string, FlowNode>, errors: ModelErrorCollector): void {
  const activity = elements[activityId];
  const problem = (message: string): void => errors.add({ code: 'INVALID_ATTRIBUTE', message, elementId: thrower.id, field: 'activityRef' });
  if (activity === undefined) {
    problem(`compensation event '${thrower.id}' compensates '${activityId}' (activityRef), which is not an activity of this process`);
    return;
  }
  const scopes = compensatedScopes(thrower, elements);
  if (!scopes.includes(activity.parentId)) {
    problem(`compensation event '${thrower.id}' compensates '${activityId}', which is in '${activity.parentId}', not in its scope '${scopes.join("' or '")}': a compensation event compensates activities of its own scope`);
    return;
  }
  const defaultCompensation = activity.kind === 'subProcess' && activity.triggeredByEvent !== true;
  if (!defaultCompensation && !hasCompensationBoundary(activity, elements)) {
    problem(`compensation event '${thrower.id}' compensates '${activityId}', which has no compensation handler (a compensation boundary event associated with an activity isForCompensation="true")`);
  }
}

function hasCompensationBoundary(activity: FlowNode, elements: Record<string, FlowNode>): boolean {
  return (activity.boundaryEventIds ?? []).some((id) => definitionType(elements[id]) === 'compensation');
}

function checkCancelEnd(end: FlowNode, elements: Record<string, FlowNode>, errors: ModelErrorCollector): void {
  const transaction = elements[end.parentId];
  if (!isKind(transaction, 'subProcess') || transaction.transaction !== true) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `cancel end event '${end.id}' is in '${end.parentId}', which is not a transaction: a cancel end event cancels the transaction (bpmn:transaction) it is directly in`,
      elementId: end.id,
      field: 'eventDefinitions',
    });
    return;
  }
  if (!(transaction.boundaryEventIds ?? []).some((id) => definitionType(elements[id]) === 'cancel')) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `transaction '${transaction.id}' has no cancel boundary event: cancel end event '${end.id}' would leave it nowhere`,
      elementId: end.id,
      field: 'eventDefinitions',
    });
  }
}

function checkCancelBoundary(boundary: Extract<FlowNode, { kind: 'boundaryEvent' }>, elements: Record<string, FlowNode>, errors: ModelErrorCollector): void {
  const activity = elements[boundary.attachedToId];
  if (activity !== undefined && !(isKind(activity, 'subProcess') && activity.transaction === true)) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `cancel boundary event '${boundary.id}' is attached to '${activity.id}', which is not a transaction: only a transaction (bpmn:transaction) is cancelled`,
      elementId: boundary.id,
      field: 'attachedToRef',
    });
  }
  if (!boundary.cancelActivity) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `cancel boundary event '${boundary.id}' is non-interrupting: a cancelled transaction is left through it, so it always interrupts`,
      elementId: boundary.id,
      field: 'cancelActivity',
    });
  }
}

/** A compensation event sub-process belongs to the sub-process around it, which can be compensated once it completed. */
function linkCompensationEventSubProcess(start: FlowNode, linked: Record<string, FlowNode>, errors: ModelErrorCollector): void {
  const eventSubProcess = linked[start.parentId];
  if (!isKind(eventSubProcess, 'subProcess')) return;
  const scope = linked[eventSubProcess.parentId];
  if (!isKind(scope, 'subProcess')) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `compensation event sub-process '${eventSubProcess.id}' is in process '${eventSubProcess.parentId}': only a completed sub-process is compensated, so a compensation event sub-process belongs in a sub-process`,
      elementId: start.id,
      field: 'eventDefinitions',
    });
    return;
  }
  if (scope.compensationEventSubProcessId !== undefined) {
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `sub-process '${scope.id}' has more than one compensation event sub-process ('${scope.compensationEventSubProcessId}', '${eventSubProcess.id}'): one compensates it`,
      elementId: start.id,
      field: 'eventDefinitions',
    });
    return;
  }
  linked[scope.id] = { ...scope, compensationEventSubProcessId: eventSubProcess.id } satisfies SubProcessNode;
}
