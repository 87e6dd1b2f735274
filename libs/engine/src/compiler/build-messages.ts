import type { FlowNodeKind, JobDefinition, MessageDefinition } from '../model/executable-model.js';
import { readJob } from './build-tasks.js';
import { elementProperty, elementsProperty, extensionValues, idOf, stringProperty, type ModdleElement } from './moddle-element.js';
import { expressionValue, type ReadContext } from './read-context.js';

const CORRELATION_KEY_FIELD = 'zeebe:subscription/@correlationKey';

/**
 * The message an element waits for: `owner` is its `bpmn:messageEventDefinition` or the receive task itself, whose
 * `messageRef` names a `bpmn:message`. The name may be a FEEL expression (Camunda 8). A Camunda 8 model must say
 * which message is meant (`zeebe:subscription/@correlationKey` on the message), as Zeebe requires for catch events and
 * receive tasks; a Camunda 7 model has none: its messages are correlated by name through the API.
 */
export function readMessage(context: ReadContext, owner: ModdleElement): MessageDefinition | undefined {
  const { elementId, errors } = context;
  const message = elementProperty(owner, 'messageRef');
  if (message === undefined) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `'${elementId}' names no message (messageRef): it would wait for nothing`,
      elementId,
      field: 'messageRef',
    });
    return undefined;
  }
  const messageId = idOf(message) ?? '?';
  const nameText = stringProperty(message, 'name');
  if (nameText === undefined || nameText.trim() === '') {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `message '${messageId}' that '${elementId}' waits for has no name: a message is correlated by its name`,
      elementId,
      field: 'messageRef',
    });
    return undefined;
  }
  const name = expressionValue(context, nameText, 'bpmn:message/@name', 'value')?.value;
  const subscription = extensionValues(message).find((value) => value.$type === 'zeebe:Subscription');
  const keyText = subscription === undefined ? undefined : stringProperty(subscription, 'correlationKey');
  const camunda8 = subscription !== undefined || name?.language === 'feel' || isCamunda8Document(message);
  // A message start event starts a new instance: there is no instance yet whose key could be meant.
  const startEvent = context.element.$type === 'bpmn:StartEvent';
  if (camunda8 && !startEvent && (keyText === undefined || keyText.trim() === '')) {
    errors.add({
      code: 'MISSING_ATTRIBUTE',
      message: `message '${messageId}' that '${elementId}' waits for has no correlation key: a Camunda 8 message catch event or receive task needs zeebe:subscription correlationKey (e.g. "=orderId")`,
      elementId,
      field: CORRELATION_KEY_FIELD,
    });
    return undefined;
  }
  const correlationKey = expressionValue(context, keyText, CORRELATION_KEY_FIELD, 'value')?.value;
  if (name === undefined || (keyText !== undefined && correlationKey === undefined)) return undefined;
  return { name, ...(correlationKey === undefined ? {} : { correlationKey }) };
}

/**
 * A document the Camunda Modeler wrote for Camunda 8 says so on its definitions (`modeler:executionPlatform="Camunda
 * Cloud"`). Other documents may declare the zeebe namespace without being Camunda 8 models, so that is not taken as a sign.
 */
function isCamunda8Document(element: ModdleElement): boolean {
  let definitions: ModdleElement | undefined = element;
  while (definitions !== undefined && definitions.$type !== 'bpmn:Definitions') definitions = definitions.$parent;
  const attributes = definitions?.$attrs ?? {};
  return Object.entries(attributes).some(([name, value]) => name.endsWith(':executionPlatform') && value.trim() === 'Camunda Cloud');
}

/**
 * A message throw or end event is a job for a worker that sends the message, as a send task is: `zeebe:taskDefinition`
 * on the event (Camunda 8) or `camunda:type="external"` with a `camunda:topic` on its `messageEventDefinition`
 * (Camunda 7). One without is refused (MISSING_ATTRIBUTE), as Zeebe refuses it.
 */
export function readMessageThrowJob(context: ReadContext, kind: FlowNodeKind | undefined): { job?: JobDefinition } {
  if (kind !== 'endEvent' && kind !== 'intermediateThrowEvent') return {};
  const definitions = [...elementsProperty(context.element, 'eventDefinitions'), ...elementsProperty(context.element, 'eventDefinitionRef')];
  const definition = definitions[0];
  if (definitions.length !== 1 || definition?.$type !== 'bpmn:MessageEventDefinition') return {};
  const job = readJob({ ...context, element: definition }, kind === 'endEvent' ? 'message end event' : 'message throw event');
  return job === undefined ? {} : { job };
}
