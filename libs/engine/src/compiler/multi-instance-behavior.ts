import type { MultiInstanceBehaviorEvent, MultiInstanceLoop } from '../model/executable-model.js';
import { readSignalName } from './build-signals.js';
import { elementProperty, elementsProperty, expressionBody, idOf, textProperty, type ModdleElement } from './moddle-element.js';
import { expressionValue, type ReadContext } from './read-context.js';

type Behavior = Pick<MultiInstanceLoop, 'behavior' | 'behaviorEvents'>;

/**
 * The `behavior` of a multi-instance activity and the events it throws (BPMN 2.0 §10.3.6): `None` throws the event
 * `noneBehaviorEventRef` names at each completed iteration, `One` the event `oneBehaviorEventRef` names at the first,
 * `Complex` each `complexBehaviorDefinition`'s event whose condition holds, `All` (the default) nothing. The events a
 * body can throw are escalations and signals; any other kind is refused.
 */
export function readMultiInstanceBehavior(loop: ModdleElement, context: ReadContext): Behavior {
  const { elementId, errors } = context;
  const behavior = loop.get('behavior') as string | undefined;
  const complex = elementsProperty(loop, 'complexBehaviorDefinition');
  const none = elementProperty(loop, 'noneBehaviorEventRef');
  const one = elementProperty(loop, 'oneBehaviorEventRef');
  const problem = (message: string, field: string): Behavior => {
    errors.add({ code: 'INVALID_ATTRIBUTE', message, elementId, field });
    return {};
  };
  if (behavior === undefined || behavior === 'All') {
    if (complex.length > 0 || none !== undefined || one !== undefined) {
      return problem(`multi-instance '${elementId}' has behavior 'All', which throws no event: its behavior event definitions would never be thrown`, 'behavior');
    }
    return {};
  }
  if (behavior === 'None' || behavior === 'One') {
    const definition = behavior === 'None' ? none : one;
    const field = behavior === 'None' ? 'noneBehaviorEventRef' : 'oneBehaviorEventRef';
    if (definition === undefined) return problem(`multi-instance '${elementId}' has behavior '${behavior}' but no ${field}: it names the event to throw`, field);
    const thrown = readThrown(context, definition, field);
    return thrown === undefined ? {} : { behavior, behaviorEvents: [{ thrown }] };
  }
  if (behavior === 'Complex') {
    if (complex.length === 0) return problem(`multi-instance '${elementId}' has behavior 'Complex' but no complexBehaviorDefinition`, 'complexBehaviorDefinition');
    const events: MultiInstanceBehaviorEvent[] = [];
    for (const definition of complex) {
      const conditionText = expressionBody(elementProperty(definition, 'condition'));
      const condition = expressionValue(context, conditionText, 'complexBehaviorDefinition/condition', 'condition');
      if (condition === undefined && (conditionText === undefined || conditionText.trim() === '')) {
        errors.add({
          code: 'MISSING_ATTRIBUTE',
          message: `a complexBehaviorDefinition of multi-instance '${elementId}' has no condition: it says when its event is thrown`,
          elementId,
          field: 'complexBehaviorDefinition/condition',
        });
      }
      const event = elementProperty(definition, 'event');
      const eventDefinitions = event === undefined ? [] : [...elementsProperty(event, 'eventDefinitions'), ...elementsProperty(event, 'eventDefinitionRef')];
      if (eventDefinitions.length !== 1) {
        errors.add({
          code: 'MISSING_ATTRIBUTE',
          message: `a complexBehaviorDefinition of multi-instance '${elementId}' needs an event with exactly one event definition to throw`,
          elementId,
          field: 'complexBehaviorDefinition/event',
        });
        continue;
      }
      const thrown = readThrown(context, eventDefinitions[0], 'complexBehaviorDefinition/event');
      if (thrown !== undefined && condition !== undefined) events.push({ condition: condition.value, thrown });
    }
    return { behavior, behaviorEvents: events };
  }
  return problem(`multi-instance '${elementId}' has behavior '${behavior}': it is one of None, One, All, Complex`, 'behavior');
}

/** An escalation or signal a body throws; other event definitions are refused. */
function readThrown(context: ReadContext, definition: ModdleElement, field: string): MultiInstanceBehaviorEvent['thrown'] | undefined {
  const { elementId, errors } = context;
  if (definition.$type === 'bpmn:SignalEventDefinition') {
    const signalName = readSignalName(context, definition, 'throws');
    return signalName === undefined ? undefined : { type: 'signal', signalName };
  }
  if (definition.$type === 'bpmn:EscalationEventDefinition') {
    const escalation = elementProperty(definition, 'escalationRef');
    const code = escalation === undefined ? undefined : textProperty(escalation, 'escalationCode');
    if (code === undefined) {
      errors.add({
        code: 'MISSING_ATTRIBUTE',
        message: `the escalation thrown by multi-instance '${elementId}' (${field}) names no bpmn:escalation with an escalationCode: a boundary event catches it by its code`,
        elementId,
        field,
      });
      return undefined;
    }
    const escalationCode = expressionValue(context, code, 'escalationCode', 'value')?.value;
    return escalationCode === undefined ? undefined : { type: 'escalation', escalationCode };
  }
  errors.add({
    code: 'NOT_SUPPORTED',
    message:
      `not supported yet: multi-instance '${elementId}' throws a ${definition.$type} (${field} '${idOf(definition) ?? '(no id)'}'): ` +
      'a multi-instance body throws escalations and signals only',
    elementId,
    field,
  });
  return undefined;
}
