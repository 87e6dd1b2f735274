import type { ExecutableProcess, FlowNode } from '../model/executable-model.js';
import { checkBoundaryCatchCodes } from './build-error-events.js';
import { checkCompensation } from './compensation.js';
import { readProcessJobPriority, readProcessTaskPriority } from './dialects/camunda7-extensions.js';
import { buildFlowNode, type SubProcessScope } from './build-flow-node.js';
import { ElementExtensions } from './extension-elements.js';
import { checkEventBasedGateways } from './event-based-gateways.js';
import { checkBoundaryOnEventSubProcess, checkEventSubProcesses, eventSubProcessesByScope, isEventSubProcess } from './event-sub-processes.js';
import { signalStartEvents } from './signal-start-events.js';
import { checkMessageNames, isMessageStartEvent, messageStartEvents } from './message-start-events.js';
import { computeInclusiveJoinUpstream } from './inclusive-join-upstream.js';
import { resolveLinks } from './link-events.js';
import type { ModelErrorCollector } from './model-error-collector.js';
import { describeElement, elementsProperty, idOf, stringProperty, type ModdleElement } from './moddle-element.js';
import { collectProcessGraph, type NodeEntry, type ProcessGraph } from './process-graph.js';
import { resolveFlows, type ExpressionDefaults, type ResolvedFlows } from './validate-flows.js';

/** Compiles one `bpmn:process`; its problems go to `errors`, and the result is only used when there are none. */
export function compileProcess(process: ModdleElement, errors: ModelErrorCollector, defaults: ExpressionDefaults = {}): ExecutableProcess | undefined {
  const processId = idOf(process);
  if (processId === undefined) {
    errors.add({ code: 'MISSING_ATTRIBUTE', message: 'an executable bpmn:process has no id', field: 'id' });
    return undefined;
  }
  checkProcessAttributes(process, processId, errors);

  const graph = collectProcessGraph(process, processId, errors);
  const resolved = resolveFlows(graph, errors, defaults);
  const eventSubProcessStarts = checkEventSubProcesses(graph, resolved, errors);
  const eventSubProcesses = eventSubProcessesByScope(graph);
  const scopes = subProcessScopes(graph, eventSubProcessStarts, eventSubProcesses, errors);

  let elements: Record<string, FlowNode> = {};
  for (const entry of graph.nodes.values()) {
    const links = { incoming: resolved.incoming.get(entry.id) ?? [], outgoing: resolved.outgoing.get(entry.id) ?? [] };
    const node = buildFlowNode(entry, links, scopes.get(entry.id), errors);
    if (node !== undefined) elements[entry.id] = node;
  }
  checkFlowStructure(graph, resolved, errors);
  attachBoundaryEvents(elements, errors);
  checkBoundaryCatchCodes(elements, errors);
  elements = checkCompensation(elements, graph, errors);
  elements = resolveLinks(elements, errors);
  checkEventBasedGateways(elements, resolved.flows, errors);

  const signalStartEventIds = signalStartEvents(graph, processId, errors);
  const conditionalStartEventIds = conditionalStartEvents(graph, processId);
  const startEventIds = noneStartEvents(graph, processId).filter((id) => !signalStartEventIds.includes(id) && !conditionalStartEventIds.includes(id));
  const timerStartEventIds = timerStartEvents(graph, processId, errors);
  const messageStartEventIds = messageStartEvents(graph, processId, errors);
  checkMessageNames(elements, messageStartEventIds, errors);
  if (startEventIds.length === 0 && signalStartEventIds.length === 0 && timerStartEventIds.length === 0 && messageStartEventIds.length === 0 && conditionalStartEventIds.length === 0) {
    errors.add({
      code: 'NO_START_EVENT',
      message: `process '${processId}' has no none start event: an instance needs one to start at`,
      elementId: processId,
    });
  }
  const name = stringProperty(process, 'name');
  const eventSubProcessIds = eventSubProcesses.get(processId) ?? [];
  const jobPriority = readProcessJobPriority(process, processId, errors);
  const taskPriority = readProcessTaskPriority(process, processId, errors);
  return {
    id: processId,
    ...(name === undefined ? {} : { name }),
    elements,
    flows: resolved.flows,
    startEventIds,
    ...(timerStartEventIds.length === 0 ? {} : { timerStartEventIds }),
    ...(signalStartEventIds.length === 0 ? {} : { signalStartEventIds }),
    ...(conditionalStartEventIds.length === 0 ? {} : { conditionalStartEventIds }),
    ...(messageStartEventIds.length === 0 ? {} : { messageStartEventIds }),
    ...(eventSubProcessIds.length === 0 ? {} : { eventSubProcessIds }),
    inclusiveJoinUpstream: computeInclusiveJoinUpstream(elements, resolved.flows),
    ...(jobPriority === undefined ? {} : { jobPriority }),
    ...(taskPriority === undefined ? {} : { taskPriority }),
  };
}

/** Kinds of flow node a boundary event can be attached to: activities. */
const ATTACHABLE: ReadonlySet<FlowNode['kind']> = new Set([
  'task',
  'manualTask',
  'userTask',
  'serviceTask',
  'sendTask',
  'receiveTask',
  'businessRuleTask',
  'scriptTask',
  'subProcess',
  'adHocSubProcess',
  'callActivity',
]);

/** Tells each activity its boundary events; a boundary event must sit on an activity of its own scope. */
function attachBoundaryEvents(elements: Record<string, FlowNode>, errors: ModelErrorCollector): void {
  const attached = new Map<string, string[]>();
  for (const node of Object.values(elements)) {
    if (node.kind !== 'boundaryEvent' || node.attachedToId === '') continue;
    const activity = elements[node.attachedToId];
    if (activity === undefined || !ATTACHABLE.has(activity.kind)) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message:
          activity === undefined
            ? `boundary event '${node.id}' is attached to '${node.attachedToId}', which is not an executable flow node of this process`
            : `boundary event '${node.id}' is attached to '${activity.id}', a ${activity.kind}: boundary events attach to activities (tasks and sub-processes) only`,
        elementId: node.id,
        field: 'attachedToRef',
      });
      continue;
    }
    if (!checkBoundaryOnEventSubProcess(node, activity, errors)) continue;
    if (activity.parentId !== node.parentId) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `boundary event '${node.id}' is in '${node.parentId}' but its activity '${activity.id}' is in '${activity.parentId}': both must be in the same scope`,
        elementId: node.id,
        field: 'attachedToRef',
      });
      continue;
    }
    attached.set(activity.id, [...(attached.get(activity.id) ?? []), node.id]);
  }
  for (const [activityId, boundaryEventIds] of attached) elements[activityId] = { ...elements[activityId], boundaryEventIds };
}

function checkProcessAttributes(process: ModdleElement, processId: string, errors: ModelErrorCollector): void {
  // Process-level extensions: listeners are refused, metadata (properties, version tag, forms) is accepted.
  new ElementExtensions(process, processId, errors).finish();
  if (elementsProperty(process, 'correlationSubscriptions').length > 0) {
    errors.add({
      code: 'NOT_SUPPORTED',
      message: 'not supported yet: bpmn:correlationSubscription (message correlation)',
      elementId: processId,
      field: 'correlationSubscription',
    });
  }
}

function noneStartEvents(graph: ProcessGraph, scopeId: string): string[] {
  return [...graph.nodes.values()]
    .filter((entry) => entry.parentId === scopeId && entry.support.executable && entry.support.kind === 'startEvent' && !isTimerStartEvent(entry) && !isMessageStartEvent(entry))
    .map((entry) => entry.id);
}

/** The process level's conditional start events (one elsewhere outside an event sub-process is refused by `checkEventSubProcesses`). */
function conditionalStartEvents(graph: ProcessGraph, processId: string): string[] {
  return [...graph.nodes.values()]
    .filter((entry) => entry.parentId === processId && isStartEventWith(entry, 'bpmn:ConditionalEventDefinition'))
    .map((entry) => entry.id);
}

function isStartEventWith(entry: NodeEntry, definitionType: string): boolean {
  if (!entry.support.executable || entry.support.kind !== 'startEvent') return false;
  return [...elementsProperty(entry.element, 'eventDefinitions'), ...elementsProperty(entry.element, 'eventDefinitionRef')].some((definition) => definition.$type === definitionType);
}

function isTimerStartEvent(entry: NodeEntry): boolean {
  if (!entry.support.executable || entry.support.kind !== 'startEvent') return false;
  const definitions = [...elementsProperty(entry.element, 'eventDefinitions'), ...elementsProperty(entry.element, 'eventDefinitionRef')];
  return definitions.some((definition) => definition.$type === 'bpmn:TimerEventDefinition');
}

/**
 * The process's timer start events; one inside an embedded sub-process is refused (it starts at its none start event),
 * one of an event sub-process starts that.
 */
function timerStartEvents(graph: ProcessGraph, processId: string, errors: ModelErrorCollector): string[] {
  const found: string[] = [];
  for (const entry of graph.nodes.values()) {
    if (!isTimerStartEvent(entry) || entry.inEventSubProcess === true) continue;
    if (entry.parentId === processId) {
      found.push(entry.id);
      continue;
    }
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `timer start event '${entry.id}' is inside sub-process '${entry.parentId}': an embedded sub-process starts at a none start event, timer start events start processes`,
      elementId: entry.id,
      field: 'eventDefinitions',
    });
  }
  return found;
}

/**
 * An embedded sub-process starts at exactly one none start event; an event sub-process at its one start event with an
 * event definition (checked by `checkEventSubProcesses`).
 */
function subProcessScopes(
  graph: ProcessGraph,
  eventSubProcessStarts: ReadonlyMap<string, string>,
  eventSubProcesses: ReadonlyMap<string, readonly string[]>,
  errors: ModelErrorCollector,
): Map<string, SubProcessScope> {
  const scopes = new Map<string, SubProcessScope>();
  for (const entry of graph.nodes.values()) {
    if (!entry.support.executable || entry.support.kind !== 'subProcess') continue;
    const childIds = [...graph.nodes.values()].filter((child) => child.parentId === entry.id).map((child) => child.id);
    const eventSubProcessIds = eventSubProcesses.get(entry.id) ?? [];
    const nested = eventSubProcessIds.length === 0 ? {} : { eventSubProcessIds };
    if (isEventSubProcess(entry)) {
      scopes.set(entry.id, { startEventId: eventSubProcessStarts.get(entry.id) ?? '', childIds, triggeredByEvent: true, ...nested });
      continue;
    }
    const starts = noneStartEvents(graph, entry.id);
    if (starts.length === 0) {
      errors.add({
        code: 'NO_START_EVENT',
        message: `sub-process '${entry.id}' has no none start event: an embedded sub-process starts at exactly one`,
        elementId: entry.id,
      });
    } else if (starts.length > 1) {
      errors.add({
        code: 'NOT_SUPPORTED',
        message: `not supported yet: several none start events in one sub-process ('${entry.id}' has ${starts.join(', ')})`,
        elementId: entry.id,
      });
    }
    scopes.set(entry.id, { startEventId: starts[0] ?? '', childIds, ...nested });
  }
  return scopes;
}

function checkFlowStructure(graph: ProcessGraph, resolved: ResolvedFlows, errors: ModelErrorCollector): void {
  for (const entry of graph.nodes.values()) {
    if (!entry.support.executable) continue;
    const incoming = resolved.incoming.get(entry.id) ?? [];
    const outgoing = resolved.outgoing.get(entry.id) ?? [];
    const kind = entry.support.kind;
    if ((kind === 'exclusiveGateway' || kind === 'parallelGateway' || kind === 'inclusiveGateway') && outgoing.length === 0) {
      errors.add({
        code: 'GATEWAY_WITHOUT_OUTGOING',
        message: `${describe(entry)} has no outgoing sequence flow: a token reaching it could go nowhere`,
        elementId: entry.id,
      });
    }
    if (kind === 'boundaryEvent' && incoming.length > 0) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `${describe(entry)} has incoming sequence flows (${incoming.join(', ')}): a boundary event is entered only by its event`,
        elementId: entry.id,
        field: 'incoming',
      });
    }
    if (kind === 'startEvent' && incoming.length > 0) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `${describe(entry)} has incoming sequence flows (${incoming.join(', ')}): a start event cannot be entered`,
        elementId: entry.id,
        field: 'incoming',
      });
    }
    if (kind === 'endEvent' && outgoing.length > 0) {
      errors.add({
        code: 'INVALID_ATTRIBUTE',
        message: `${describe(entry)} has outgoing sequence flows (${outgoing.join(', ')}): nothing follows an end event`,
        elementId: entry.id,
        field: 'outgoing',
      });
    }
  }
}

const describe = (entry: NodeEntry): string => describeElement(entry.element);
