import type { FlowNodeKind } from '../model/executable-model.js';
import { booleanProperty, elementsProperty, stringProperty, type ModdleElement } from './moddle-element.js';

/** What this version does with a flow node: execute it as one of the model's kinds, or refuse it. */
export type FlowNodeSupport =
  | { readonly executable: true; readonly kind: FlowNodeKind; readonly endEvent?: 'none' | 'terminate' | 'error' | 'escalation' | 'signal' | 'compensation' | 'cancel' }
  | { readonly executable: false; readonly message: string; readonly field?: string; readonly code?: 'NOT_SUPPORTED' | 'MISSING_ATTRIBUTE' | 'INVALID_ATTRIBUTE' };

const executableKinds: Readonly<Record<string, FlowNodeKind>> = {
  'bpmn:Task': 'task',
  'bpmn:ManualTask': 'manualTask',
  'bpmn:UserTask': 'userTask',
  'bpmn:ServiceTask': 'serviceTask',
  'bpmn:SendTask': 'sendTask',
  'bpmn:ReceiveTask': 'receiveTask',
  'bpmn:BusinessRuleTask': 'businessRuleTask',
  'bpmn:ScriptTask': 'scriptTask',
  'bpmn:ExclusiveGateway': 'exclusiveGateway',
  'bpmn:ParallelGateway': 'parallelGateway',
  'bpmn:InclusiveGateway': 'inclusiveGateway',
  'bpmn:CallActivity': 'callActivity',
  'bpmn:ComplexGateway': 'complexGateway',
  'bpmn:AdHocSubProcess': 'adHocSubProcess',
};

/** Event definitions a catch event or boundary event can wait for in this version. */
const CATCHABLE: ReadonlySet<string> = new Set(['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:SignalEventDefinition', 'bpmn:ConditionalEventDefinition']);

/** Event definitions a start event can have (where each may be is the process compiler's business). */
const START_EVENT_DEFINITIONS: ReadonlySet<string> = new Set([...CATCHABLE, 'bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition', 'bpmn:CompensateEventDefinition']);

/** Event definitions an end event throws (an intermediate throw event, only an escalation: BPMN has no intermediate error). */
const THROWN_AT_END: Readonly<Record<string, 'error' | 'escalation'>> = {
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:EscalationEventDefinition': 'escalation',
};

/** Event definitions an intermediate throw event can have. */
const THROWABLE_INTERMEDIATE: ReadonlySet<string> = new Set([
  'bpmn:LinkEventDefinition',
  'bpmn:EscalationEventDefinition',
  'bpmn:SignalEventDefinition',
  'bpmn:CompensateEventDefinition',
]);

const notSupported = (message: string, field?: string): FlowNodeSupport => ({
  executable: false,
  message: `not supported yet: ${message}`,
  ...(field === undefined ? {} : { field }),
});

function eventDefinitions(element: ModdleElement): ModdleElement[] {
  return [...elementsProperty(element, 'eventDefinitions'), ...elementsProperty(element, 'eventDefinitionRef')];
}

/**
 * Sorts a flow node by its BPMN type. Exact types, not `$instanceOf`: a `bpmn:AdHocSubProcess` is a sub-process, yet
 * does not run like one.
 */
export function flowNodeSupport(element: ModdleElement): FlowNodeSupport {
  const type = element.$type;
  const kind = executableKinds[type];
  if (kind !== undefined) return { executable: true, kind };

  const definitions = eventDefinitions(element);
  const definitionTypes = definitions.map((definition) => definition.$type).join(', ');
  // A message throw or end event sends its message through a worker, as a send task does (Camunda 8 and 7 alike): a job.
  if ((type === 'bpmn:IntermediateThrowEvent' || type === 'bpmn:EndEvent') && definitions.length === 1 && definitions[0].$type === 'bpmn:MessageEventDefinition') {
    return type === 'bpmn:EndEvent' ? { executable: true, kind: 'endEvent', endEvent: 'none' } : { executable: true, kind: 'intermediateThrowEvent' };
  }
  switch (type) {
    case 'bpmn:StartEvent':
      // A timer start event starts instances when due, a message start event when its message is published. Error,
      // escalation and conditional start events start event sub-processes only: the process compiler checks where
      // each kind of start event is.
      return definitions.length === 0 || (definitions.length === 1 && START_EVENT_DEFINITIONS.has(definitions[0].$type))
        ? { executable: true, kind: 'startEvent' }
        : notSupported(`${definitionTypes} on bpmn:StartEvent`, 'eventDefinitions');
    case 'bpmn:EndEvent':
      if (definitions.length === 0) return { executable: true, kind: 'endEvent', endEvent: 'none' };
      if (definitions.length === 1 && definitions[0].$type === 'bpmn:TerminateEventDefinition') {
        return { executable: true, kind: 'endEvent', endEvent: 'terminate' };
      }
      if (definitions.length === 1 && THROWN_AT_END[definitions[0].$type] !== undefined) {
        return { executable: true, kind: 'endEvent', endEvent: THROWN_AT_END[definitions[0].$type] };
      }
      // A signal end event broadcasts its signal, then ends like a none end event.
      if (definitions.length === 1 && definitions[0].$type === 'bpmn:SignalEventDefinition') return { executable: true, kind: 'endEvent', endEvent: 'signal' };
      // A compensation end event compensates, then ends; a cancel end event cancels its transaction (checked by the process compiler).
      if (definitions.length === 1 && definitions[0].$type === 'bpmn:CompensateEventDefinition') return { executable: true, kind: 'endEvent', endEvent: 'compensation' };
      if (definitions.length === 1 && definitions[0].$type === 'bpmn:CancelEventDefinition') return { executable: true, kind: 'endEvent', endEvent: 'cancel' };
      return notSupported(`${definitionTypes} on bpmn:EndEvent`, 'eventDefinitions');
    case 'bpmn:IntermediateCatchEvent':
    case 'bpmn:BoundaryEvent':
      if (definitions.length === 0) {
        return {
          executable: false,
          code: 'MISSING_ATTRIBUTE',
          message: `${type} '${String(element.get('id'))}' has no event definition: it would wait for nothing`,
          field: 'eventDefinitions',
        };
      }
      if (definitions.length === 1 && definitions[0].$type === 'bpmn:LinkEventDefinition') {
        // A link catch event is the target of a link throw event; a boundary event cannot be one (BPMN 10.5.6).
        return type === 'bpmn:IntermediateCatchEvent'
          ? { executable: true, kind: 'intermediateCatchEvent' }
          : { executable: false, code: 'INVALID_ATTRIBUTE', message: `${type} '${String(element.get('id'))}' has a bpmn:LinkEventDefinition: links are intermediate events only`, field: 'eventDefinitions' };
      }
      // A compensation boundary event links its activity to a handler; a cancel one leaves a cancelled transaction.
      if (type === 'bpmn:BoundaryEvent' && definitions.length === 1 && (definitions[0].$type === 'bpmn:CompensateEventDefinition' || definitions[0].$type === 'bpmn:CancelEventDefinition')) {
        return { executable: true, kind: 'boundaryEvent' };
      }
      if (definitions.length === 1 && CATCHABLE.has(definitions[0].$type)) {
        return { executable: true, kind: type === 'bpmn:BoundaryEvent' ? 'boundaryEvent' : 'intermediateCatchEvent' };
      }
      if (definitions.length === 1 && THROWN_AT_END[definitions[0].$type] !== undefined) {
        // Errors and escalations are caught where they are thrown from: by the boundary events of enclosing activities.
        return type === 'bpmn:BoundaryEvent'
          ? { executable: true, kind: 'boundaryEvent' }
          : {
              executable: false,
              code: 'INVALID_ATTRIBUTE',
              message: `${type} '${String(element.get('id'))}' has a ${definitions[0].$type}: errors and escalations are caught by boundary events, not intermediate catch events`,
              field: 'eventDefinitions',
            };
      }
      return notSupported(`${type} (${definitionTypes})`, 'eventDefinitions');
    case 'bpmn:IntermediateThrowEvent':
      // A none intermediate throw event marks a state the process passed through: nothing to do but move on.
      // A link throw event jumps to the link catch event of the same name.
      // An escalation throw event throws its escalation and moves on.
      // A signal throw event broadcasts its signal and moves on.
      // A compensation throw event runs the handlers of completed activities, waits for them, and moves on.
      return definitions.length === 0 ||
        (definitions.length === 1 && THROWABLE_INTERMEDIATE.has(definitions[0].$type))
        ? { executable: true, kind: 'intermediateThrowEvent' }
        : notSupported(`${type} (${definitionTypes})`, 'eventDefinitions');
    case 'bpmn:EventBasedGateway':
      if (stringProperty(element, 'eventGatewayType') === 'Parallel') return notSupported('parallel event-based gateways (eventGatewayType="Parallel")', 'eventGatewayType');
      if (booleanProperty(element, 'instantiate') === true) return notSupported('event-based gateways that start a process (instantiate="true")', 'instantiate');
      return { executable: true, kind: 'eventBasedGateway' };
    case 'bpmn:SubProcess':
    case 'bpmn:Transaction':
      // An event sub-process (triggeredByEvent) is a sub-process started by the event of its start event. A transaction
      // runs as a sub-process that a cancel end event can cancel (its `transaction` flag).
      return { executable: true, kind: 'subProcess' };
    default:
      // Choreographies.
      return notSupported(type);
  }
}
