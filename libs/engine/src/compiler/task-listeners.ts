import type { TaskListener, TaskListenerEventType } from '../model/executable-model.js';
import { elementProperty, elementsProperty, textProperty, type ModdleElement } from './moddle-element.js';
import { readTimer } from './build-catch-events.js';
import type { ReadContext } from './read-context.js';

/** Zeebe event types (8.8 names, and the 8.6/8.7 ones they replaced) to the transitions this version runs. */
const zeebeEventTypes: Readonly<Record<string, TaskListenerEventType>> = {
  creating: 'creating',
  create: 'creating',
  completing: 'completing',
  complete: 'completing',
  canceling: 'canceling',
  cancel: 'canceling',
};

/** Zeebe event types known to Camunda 8 that this version does not run yet. */
const zeebeNotRunYet = new Set(['assigning', 'assignment', 'updating', 'update']);

/** Camunda 7 task listener events to the transitions this version runs. */
const camundaEvents: Readonly<Record<string, TaskListenerEventType>> = {
  create: 'creating',
  complete: 'completing',
  timeout: 'timeout',
  delete: 'canceling',
};
const camundaNotRunYet = new Set(['assignment', 'update']);

const DEFAULT_RETRIES = 3;

/**
 * The task listeners of a user task: `zeebe:taskListeners` (job listeners) and Camunda 7 `camunda:taskListener`
 * whose `delegateExpression="${name}"` names the job type (a Java delegate cannot run here, so its name becomes the
 * job type an external worker subscribes to). Java classes, JUEL expressions and scripts have no runtime here and are
 * refused, as are events this version does not run yet: running the model without them would do something else.
 */
export function readTaskListeners(context: ReadContext): TaskListener[] {
  const listeners: TaskListener[] = [];
  const zeebe = context.extensions.take('zeebe:TaskListeners');
  if (zeebe !== undefined) {
    elementsProperty(zeebe, 'listeners').forEach((listener, index) => {
      const read = readZeebeListener(context, listener, index);
      if (read !== undefined) listeners.push(read);
    });
  }
  context.extensions.takeAll('camunda:TaskListener').forEach((listener, index) => {
    const read = readCamundaListener(context, listener, index);
    if (read !== undefined) listeners.push(read);
  });
  return listeners;
}

function readZeebeListener(context: ReadContext, listener: ModdleElement, index: number): TaskListener | undefined {
  const { elementId, errors } = context;
  const field = `zeebe:taskListener[${index}]`;
  const eventText = textProperty(listener, 'eventType');
  const eventType = eventText === undefined ? undefined : zeebeEventTypes[eventText];
  if (eventType === undefined) {
    const known = eventText !== undefined && zeebeNotRunYet.has(eventText);
    errors.add({
      code: known ? 'NOT_SUPPORTED' : eventText === undefined ? 'MISSING_ATTRIBUTE' : 'INVALID_ATTRIBUTE',
      message: known
        ? `not supported yet: task listeners on '${eventText}' (this version runs creating, completing and canceling listeners)`
        : `the ${field} of '${elementId}' needs an eventType: creating, completing or canceling${eventText === undefined ? '' : `, not '${eventText}'`}`,
      elementId,
      field: `${field}/@eventType`,
    });
    return undefined;
  }
  const type = jobType(context, textProperty(listener, 'type'), `${field}/@type`);
  const retries = retryCount(context, textProperty(listener, 'retries'), `${field}/@retries`);
  return type === undefined || retries === undefined ? undefined : { eventType, type, retries };
}

function readCamundaListener(context: ReadContext, listener: ModdleElement, index: number): TaskListener | undefined {
  const { elementId, errors } = context;
  const field = `camunda:taskListener[${index}]`;
  const event = textProperty(listener, 'event');
  const refuse = (message: string, at: string): undefined => {
    errors.add({ code: 'NOT_SUPPORTED', message: `not supported yet: ${message}`, elementId, field: at });
    return undefined;
  };
  if (textProperty(listener, 'class') !== undefined) {
    return refuse('camunda:taskListener with a Java class cannot run here: use delegateExpression="${jobType}" (run by an external worker)', `${field}/@class`);
  }
  if (textProperty(listener, 'expression') !== undefined) {
    return refuse('camunda:taskListener with a JUEL expression cannot run here: use delegateExpression="${jobType}" (run by an external worker)', `${field}/@expression`);
  }
  if (elementProperty(listener, 'script') !== undefined) {
    return refuse('camunda:taskListener with a script cannot run here: use delegateExpression="${jobType}"', `${field}/camunda:script`);
  }
  const eventType = event === undefined ? undefined : camundaEvents[event];
  if (eventType === undefined) {
    if (event !== undefined && camundaNotRunYet.has(event)) {
      return refuse(`task listeners on '${event}' (this version runs create, complete, delete and timeout listeners)`, `${field}/@event`);
    }
    errors.add({
      code: event === undefined ? 'MISSING_ATTRIBUTE' : 'INVALID_ATTRIBUTE',
      message: `the ${field} of '${elementId}' needs an event: create, complete, delete or timeout${event === undefined ? '' : `, not '${event}'`}`,
      elementId,
      field: `${field}/@event`,
    });
    return undefined;
  }
  const delegate = textProperty(listener, 'delegateExpression');
  const name = delegate === undefined ? undefined : /^\$\{\s*([A-Za-z_][\w.-]*)\s*\}$/.exec(delegate)?.[1];
  if (name === undefined) {
    errors.add({
      code: delegate === undefined ? 'MISSING_ATTRIBUTE' : 'INVALID_ATTRIBUTE',
      message: `the ${field} of '${elementId}' needs delegateExpression="\${jobType}": the name is the job type an external worker subscribes to`,
      elementId,
      field: `${field}/@delegateExpression`,
    });
    return undefined;
  }
  const timers = elementsProperty(listener, 'eventDefinitions');
  if (eventType !== 'timeout') {
    if (timers.length === 0) return { eventType, type: name, retries: DEFAULT_RETRIES };
    errors.add({
      code: 'INVALID_ATTRIBUTE',
      message: `the ${field} of '${elementId}' has a timer, which only a timeout listener (event="timeout") has`,
      elementId,
      field: `${field}/camunda:timerEventDefinition`,
    });
    return undefined;
  }
  if (timers.length !== 1) {
    errors.add({
      code: timers.length === 0 ? 'MISSING_ATTRIBUTE' : 'INVALID_ATTRIBUTE',
      message: `the timeout ${field} of '${elementId}' needs exactly one timerEventDefinition saying when it fires`,
      elementId,
      field: `${field}/timerEventDefinition`,
    });
    return undefined;
  }
  const timer = readTimer(context, timers[0]);
  return timer === undefined ? undefined : { eventType, type: name, retries: DEFAULT_RETRIES, timer };
}

function jobType(context: ReadContext, text: string | undefined, field: string): string | undefined {
  if (text === undefined) {
    context.errors.add({ code: 'MISSING_ATTRIBUTE', message: `a task listener of '${context.elementId}' has no job type`, elementId: context.elementId, field });
    return undefined;
  }
  if (text.startsWith('=')) {
    context.errors.add({
      code: 'NOT_SUPPORTED',
      message: `not supported yet: a task listener job type given by an expression ('${text}'): write the type itself`,
      elementId: context.elementId,
      field,
    });
    return undefined;
  }
  return text;
}

function retryCount(context: ReadContext, text: string | undefined, field: string): number | undefined {
  if (text === undefined) return DEFAULT_RETRIES;
  if (/^\d+$/.test(text)) return Number(text);
  context.errors.add({
    code: 'INVALID_ATTRIBUTE',
    message: `the retries of a task listener of '${context.elementId}' must be a whole number of at least 0, not '${text}'`,
    elementId: context.elementId,
    field,
  });
  return undefined;
}
