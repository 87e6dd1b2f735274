import type { FlowNode, JobDefinition, VariableMapping } from '../model/executable-model.js';
import { readAdHocSubProcess } from './build-ad-hoc-sub-process.js';
import { readCallActivity } from './build-call-activity.js';
import { readComplexGateway } from './build-complex-gateway.js';
import { readBoundaryEvent, readCatchEventDefinition, readReceiveTask, readThrowEventDefinition } from './build-catch-events.js';
import { readCompensationThrow } from './compensation.js';
import { readThrownEvent } from './build-error-events.js';
import { readSignalStart, readThrownSignal } from './build-signals.js';
import { readMessageThrowJob } from './build-messages.js';
import { readBusinessRuleTask, readJob, readScript, readUserTask } from './build-tasks.js';
import { readCamundaAsync, readCamundaAsyncJob, readCamundaMappings } from './dialects/camunda7-extensions.js';
import { readZeebeMappings } from './dialects/zeebe-extensions.js';
import { ElementExtensions } from './extension-elements.js';
import { readLoopCharacteristics } from './loop-characteristics.js';
import type { ModelErrorCollector } from './model-error-collector.js';
import { elementProperty, elementsProperty, idOf, numberProperty, booleanProperty, stringProperty, textProperty } from './moddle-element.js';
import type { NodeEntry } from './process-graph.js';
import type { ReadContext } from './read-context.js';

export interface NodeLinks {
  readonly incoming: readonly string[];
  readonly outgoing: readonly string[];
}

export interface SubProcessScope {
  readonly startEventId: string;
  readonly childIds: readonly string[];
  readonly triggeredByEvent?: true;
  readonly eventSubProcessIds?: readonly string[];
}

/** Resource roles that assign work to people, which the dialects' assignment attributes express instead. */
const assignmentRoles: Readonly<Record<string, string>> = {
  'bpmn:HumanPerformer': 'bpmn:humanPerformer',
  'bpmn:PotentialOwner': 'bpmn:potentialOwner',
};

/**
 * Builds the executable form of one flow node that `flowNodeSupport` accepted. Problems are reported to `errors`;
 * the node is built regardless, so that one pass finds every problem of the model.
 */
export function buildFlowNode(entry: NodeEntry, links: NodeLinks, subProcess: SubProcessScope | undefined, errors: ModelErrorCollector): FlowNode | undefined {
  if (!entry.support.executable) return undefined;
  const { element, id } = entry;
  const extensions = new ElementExtensions(element, id, errors);
  const context: ReadContext = { element, elementId: id, errors, extensions };
  const isActivity = element.$instanceOf('bpmn:Activity');
  if (isActivity) checkActivityAttributes(context);

  const kind = entry.support.kind;
  const specific = readKindSpecific(context, entry, subProcess, links);
  const isForCompensation = isActivity && booleanProperty(element, 'isForCompensation') === true;
  const messageJob = readMessageThrowJob(context, entry.support.kind);

  const camundaMappings = readCamundaMappings(context);
  const zeebeMappings = readZeebeMappings(context);
  const loops = isActivity ? readLoopCharacteristics(context) : {};
  const defaultFlowId = readDefaultFlow(context, links);
  const async = readCamundaAsync(context);
  const workerJob = (specific['job'] as JobDefinition | undefined) ?? messageJob.job;
  const asyncJob = readCamundaAsyncJob(context, async, workerJob?.retryTimeCycle);
  extensions.finish();

  const name = stringProperty(element, 'name');
  const inputMappings: VariableMapping[] = [...camundaMappings.inputs, ...zeebeMappings.inputs];
  const outputMappings: VariableMapping[] = [...camundaMappings.outputs, ...zeebeMappings.outputs];
  return {
    id,
    ...(name === undefined ? {} : { name }),
    parentId: entry.parentId,
    incoming: [...links.incoming],
    outgoing: [...links.outgoing],
    inputMappings,
    outputMappings,
    ...loops,
    ...async,
    ...asyncJob,
    ...(defaultFlowId === undefined ? {} : { defaultFlowId }),
    ...specific,
    ...messageJob,
    ...(isForCompensation ? { isForCompensation } : {}),
    kind,
  } as FlowNode;
}

function readKindSpecific(context: ReadContext, entry: NodeEntry, subProcess: SubProcessScope | undefined, links: NodeLinks): Record<string, unknown> {
  const support = entry.support;
  if (!support.executable) return {};
  switch (support.kind) {
    case 'startEvent': {
      checkStartEvent(context);
      // A timer start event: its timer, read and checked as a timer catch event's is.
      const { eventDefinition } = readCatchEventDefinition(context);
      if (entry.inEventSubProcess === true) {
        const interrupting = booleanProperty(context.element, 'isInterrupting') ?? true;
        return eventDefinition === undefined || eventDefinition.type === 'link' ? { interrupting } : { eventDefinition, interrupting };
      }
      if (eventDefinition?.type === 'signal') return readSignalStart(context, eventDefinition.signalName);
      if (eventDefinition?.type === 'message') return { message: eventDefinition.message };
      if (eventDefinition?.type === 'conditional') return { condition: eventDefinition.condition };
      return eventDefinition?.type === 'timer' ? { timer: eventDefinition.timer } : {};
    }
    case 'endEvent':
      return { eventDefinition: support.endEvent ?? 'none', ...readThrownEvent(context), ...readThrownSignal(context), ...readCompensationThrow(context) };
    case 'userTask':
      return { ...readUserTask(context) };
    case 'serviceTask':
    case 'sendTask': {
      const job = readJob(context, support.kind === 'serviceTask' ? 'service task' : 'send task');
      return job === undefined ? {} : { job };
    }
    case 'businessRuleTask':
      return readBusinessRuleTask(context);
    case 'scriptTask':
      return { ...readScript(context) };
    case 'intermediateCatchEvent':
      return readCatchEventDefinition(context);
    case 'boundaryEvent':
      return { ...readCatchEventDefinition(context), ...readBoundaryEvent(context) };
    case 'intermediateThrowEvent':
      return { ...readThrowEventDefinition(context), ...readThrownEvent(context), ...readThrownSignal(context), ...readCompensationThrow(context) };
    case 'receiveTask':
      return readReceiveTask(context);
    case 'callActivity':
      return readCallActivity(context);
    case 'complexGateway':
      return readComplexGateway(context, links);
    case 'adHocSubProcess':
      return readAdHocSubProcess(context);
    case 'subProcess':
      return {
        startEventId: subProcess?.startEventId ?? '',
        childIds: [...(subProcess?.childIds ?? [])],
        ...(subProcess?.triggeredByEvent === true ? { triggeredByEvent: true } : {}),
        ...(subProcess?.eventSubProcessIds === undefined ? {} : { eventSubProcessIds: [...subProcess.eventSubProcessIds] }),
        ...(context.element.$type === 'bpmn:Transaction' ? { transaction: true } : {}),
      };
    default:
      return {};
  }
}

function checkStartEvent(context: ReadContext): void {
  const initiator = textProperty(context.element, 'camunda:initiator');
  if (initiator !== undefined) {
    context.errors.add({
      code: 'NOT_SUPPORTED',
      message: 'not supported yet: camunda:initiator (the engine has no authenticated user to store)',
      elementId: context.elementId,
      field: 'camunda:initiator',
    });
  }
  // A start form is for the task list to show; starting the instance does not depend on it.
  context.extensions.take('zeebe:FormDefinition');
}

/** Activity attributes of BPMN with execution semantics this version does not run. */
function checkActivityAttributes(context: ReadContext): void {
  const { element, elementId, errors } = context;
  for (const quantity of ['startQuantity', 'completionQuantity'] as const) {
    const value = numberProperty(element, quantity);
    if (value !== undefined && value !== 1) {
      errors.add({ code: 'NOT_SUPPORTED', message: `not supported yet: ${quantity}="${value}" (only 1 token per activation)`, elementId, field: quantity });
    }
  }
  for (const resource of elementsProperty(element, 'resources')) {
    const role = assignmentRoles[resource.$type];
    if (role === undefined) continue; // bpmn:performer and other roles describe, they do not assign
    errors.add({
      code: 'NOT_SUPPORTED',
      message: `not supported yet: ${role} (assign with zeebe:assignmentDefinition or camunda:assignee/candidateUsers/candidateGroups)`,
      elementId,
      field: role,
    });
  }
}

/** The `default` flow of an activity or of an exclusive, inclusive or complex gateway: it must be one of its outgoing flows. */
function readDefaultFlow(context: ReadContext, links: NodeLinks): string | undefined {
  const flow = elementProperty(context.element, 'default');
  if (flow === undefined) return undefined;
  const flowId = idOf(flow);
  if (flowId === undefined || !links.outgoing.includes(flowId)) {
    context.errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `the default flow '${flowId ?? ''}' of '${context.elementId}' is not one of its outgoing sequence flows`,
      elementId: context.elementId,
      field: 'default',
    });
    return undefined;
  }
  return flowId;
}
