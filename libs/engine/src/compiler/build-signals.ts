import type { Expression } from '../model/expression.js';
import type { ThrowEventDefinition } from '../model/executable-model.js';
import { elementProperty, elementsProperty, extensionValues, idOf, stringProperty, type ModdleElement } from './moddle-element.js';
import { expressionValue, type ReadContext } from './read-context.js';

function signalDefinitionOf(context: ReadContext): ModdleElement | undefined {
  const definition = [...elementsProperty(context.element, 'eventDefinitions'), ...elementsProperty(context.element, 'eventDefinitionRef')][0];
  return definition?.$type === 'bpmn:SignalEventDefinition' ? definition : undefined;
}

/**
 * The name of the `bpmn:signal` a signal event definition names (`signalRef`). A signal is broadcast and caught by its
 * name alone, so an event without a signal, or a signal without a name, could never meet another: both are refused.
 * The name may be a FEEL expression (`=...`, Camunda 8), evaluated when the event is reached.
 */
export function readSignalName(context: ReadContext, definition: ModdleElement, role: 'waits for' | 'throws'): Expression | undefined {
  const { elementId, errors } = context;
  for (const extension of extensionValues(definition)) {
    // Camunda 7 passes variables with a thrown signal by camunda:in: not run, so refused rather than ignored.
    errors.add({
      code: 'NOT_SUPPORTED',
      message: `not supported yet: ${extension.$type} on the signal event definition of '${elementId}' (${role === 'throws' ? 'a thrown signal carries the results of the event\'s input mappings' : 'the signal\'s variables are set where the event completes'})`,
      elementId,
      field: extension.$type,
    });
  }
  const signal = elementProperty(definition, 'signalRef');
  if (signal === undefined) {
    // An unresolved reference was already reported by the parser (on this element).
    if (!errors.has('INVALID_ATTRIBUTE', elementId)) {
      errors.add({
        code: 'MISSING_ATTRIBUTE',
        message: `signal event '${elementId}' names no signal (signalRef): it ${role === 'throws' ? 'would broadcast nothing' : 'would wait for nothing'}`,
        elementId,
        field: 'signalRef',
      });
    }
    return undefined;
  }
  const nameText = stringProperty(signal, 'name');
  if (nameText === undefined || nameText.trim() === '') {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `signal '${idOf(signal) ?? '?'}' that '${elementId}' ${role} has no name: a signal is broadcast and caught by its name`,
      elementId,
      field: 'signalRef',
    });
    return undefined;
  }
  return expressionValue(context, nameText, 'bpmn:signal/@name', 'value')?.value;
}

/** A signal end event or intermediate throw event: the signal it broadcasts. */
export function readThrownSignal(context: ReadContext): { thrown?: Extract<ThrowEventDefinition, { type: 'signal' }> } {
  const definition = signalDefinitionOf(context);
  if (definition === undefined) return {};
  const signalName = readSignalName(context, definition, 'throws');
  return signalName === undefined ? {} : { thrown: { type: 'signal', signalName } };
}

/**
 * A signal start event: its signal's name, which must be static, since a broadcast is matched to start events without
 * an instance to evaluate an expression in.
 */
export function readSignalStart(context: ReadContext, signalName: Expression): { signalName?: string } {
  if (signalName.language === 'static') return { signalName: signalName.source };
  context.errors.add({
    code: 'NOT_SUPPORTED',
    message: `not supported yet: an expression as the name of the signal that start event '${context.elementId}' waits for (a signal start event matches a static name)`,
    elementId: context.elementId,
    field: 'bpmn:signal/@name',
  });
  return {};
}
