import type { CatchEventDefinition, LinkEventDefinition, MessageDefinition, TimerDefinition } from '../model/executable-model.js';
import { readErrorCatch, readEscalationCatch } from './build-error-events.js';
import { readConditionalEvent } from './build-conditional-events.js';
import { readMessage } from './build-messages.js';
import { readSignalName } from './build-signals.js';
import { checkTimerText } from '../runtime/timers/timer-schedule.js';
import { elementProperty, elementsProperty, expressionBody, booleanProperty, idOf, textProperty, type ModdleElement } from './moddle-element.js';
import { expressionValue, type ReadContext } from './read-context.js';

const TIMER_KINDS = ['timeDate', 'timeDuration', 'timeCycle'] as const;

/** The event definition of an intermediate catch event or boundary event (`flowNodeSupport` checked there is one). */
export function readCatchEventDefinition(context: ReadContext): { eventDefinition?: CatchEventDefinition | LinkEventDefinition } {
  const definition = [...elementsProperty(context.element, 'eventDefinitions'), ...elementsProperty(context.element, 'eventDefinitionRef')][0];
  if (definition?.$type === 'bpmn:LinkEventDefinition') {
    const link = readLink(context, definition);
    return link === undefined ? {} : { eventDefinition: link };
  }
  if (definition?.$type === 'bpmn:ConditionalEventDefinition') {
    const condition = readConditionalEvent(context, definition);
    return condition === undefined ? {} : { eventDefinition: { type: 'conditional', condition } };
  }
  if (definition?.$type === 'bpmn:SignalEventDefinition') {
    const signalName = readSignalName(context, definition, 'waits for');
    return signalName === undefined ? {} : { eventDefinition: { type: 'signal', signalName } };
  }
  if (definition?.$type === 'bpmn:MessageEventDefinition') {
    const message = readMessage(context, definition);
    return message === undefined ? {} : { eventDefinition: { type: 'message', message } };
  }
  if (definition?.$type === 'bpmn:ErrorEventDefinition') return { eventDefinition: readErrorCatch(context, definition) };
  // Compensation and cancel events wait for nothing: see compensation.ts.
  if (definition?.$type === 'bpmn:CompensateEventDefinition') return { eventDefinition: { type: 'compensation' } };
  if (definition?.$type === 'bpmn:CancelEventDefinition') return { eventDefinition: { type: 'cancel' } };
  if (definition?.$type === 'bpmn:EscalationEventDefinition') return { eventDefinition: readEscalationCatch(context, definition) };
  if (definition?.$type === 'bpmn:TimerEventDefinition') {
    const timer = readTimer(context, definition);
    return timer === undefined ? {} : { eventDefinition: { type: 'timer', timer } };
  }
  return {};
}

/** A receive task: the message it waits for (`messageRef` on the task itself). */
export function readReceiveTask(context: ReadContext): { message?: MessageDefinition } {
  if (booleanProperty(context.element, 'instantiate') === true) {
    context.errors.add({
      code: 'NOT_SUPPORTED',
      message: `not supported yet: receive task '${context.elementId}' that starts a process (instantiate="true"): use a message start event`,
      elementId: context.elementId,
      field: 'instantiate',
    });
  }
  const message = readMessage(context, context.element);
  return message === undefined ? {} : { message };
}

/** An intermediate throw event: a link one jumps to its catch event (resolved by the process compiler), a none one passes through. */
export function readThrowEventDefinition(context: ReadContext): { link?: LinkEventDefinition } {
  const definition = [...elementsProperty(context.element, 'eventDefinitions'), ...elementsProperty(context.element, 'eventDefinitionRef')][0];
  if (definition?.$type !== 'bpmn:LinkEventDefinition') return {};
  const link = readLink(context, definition);
  return link === undefined ? {} : { link };
}

/** A link is found by its name: without one, a throw event could not say where it goes. */
function readLink(context: ReadContext, definition: ModdleElement): LinkEventDefinition | undefined {
  const name = textProperty(definition, 'name');
  if (name === undefined) {
    context.errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `link event '${context.elementId}' has no name: a link throw event jumps to the link catch event of the same name`,
      elementId: context.elementId,
      field: 'name',
    });
    return undefined;
  }
  return { type: 'link', name };
}

/** A boundary event: the activity it is attached to (checked by the process compiler) and whether it interrupts it. */
export function readBoundaryEvent(context: ReadContext): { attachedToId: string; cancelActivity: boolean } {
  const attachedTo = elementProperty(context.element, 'attachedToRef');
  const attachedToId = attachedTo === undefined ? undefined : idOf(attachedTo);
  if (attachedToId === undefined) {
    context.errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `boundary event '${context.elementId}' is not attached to an activity (attachedToRef)`,
      elementId: context.elementId,
      field: 'attachedToRef',
    });
  }
  return { attachedToId: attachedToId ?? '', cancelActivity: booleanProperty(context.element, 'cancelActivity') ?? true };
}

/**
 * Exactly one of `timeDate`, `timeDuration` and `timeCycle`. A static text is checked now, so that a timer that
 * cannot parse is refused at deployment; an expression's value is checked when the timer starts.
 */
export function readTimer(context: ReadContext, definition: ModdleElement): TimerDefinition | undefined {
  const present = TIMER_KINDS.filter((kind) => elementProperty(definition, kind) !== undefined);
  if (present.length !== 1) {
    context.errors.add({
      code: present.length === 0 ? 'MISSING_ATTRIBUTE' : 'INVALID_ATTRIBUTE',
      message:
        present.length === 0
          ? `timer '${context.elementId}' says neither when (timeDate), after how long (timeDuration) nor how often (timeCycle) it is due`
          : `timer '${context.elementId}' has ${present.join(' and ')}: a timer has exactly one of timeDate, timeDuration and timeCycle`,
      elementId: context.elementId,
      field: present.length === 0 ? 'timerEventDefinition' : present[1],
    });
    return undefined;
  }
  const kind = present[0];
  const text = expressionBody(elementProperty(definition, kind))?.trim() ?? '';
  const expression = expressionValue(context, text, kind, 'value')?.value;
  if (expression === undefined) {
    if (text === '') {
      context.errors.add({ code: 'MISSING_ATTRIBUTE', message: `the ${kind} of timer '${context.elementId}' is empty`, elementId: context.elementId, field: kind });
    }
    return undefined;
  }
  if (expression.language === 'static') {
    const problem = checkTimerText(kind, expression.source);
    if (problem !== undefined) {
      context.errors.add({ code: 'INVALID_ATTRIBUTE', message: `the ${kind} of timer '${context.elementId}' does not parse: ${problem}`, elementId: context.elementId, field: kind });
      return undefined;
    }
    return { kind, expression: { language: 'static', source: expression.source.trim() } };
  }
  return { kind, expression };
}
