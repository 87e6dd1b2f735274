import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess, definitions } from '../../testing/bpmn.js';
import { scenario, type Scenario } from '../../testing/decider-spec.js';
import type { MessageSubscriptionState } from '../process-instance-state.js';

/** A `bpmn:message` root element; with a correlation key it is a Camunda 8 message. */
const message = (name: string, correlationKey?: string, id = 'paid') =>
  `<bpmn:message id="${id}" name="${name}">${
    correlationKey === undefined ? '' : `<bpmn:extensionElements><zeebe:subscription correlationKey="${correlationKey}" /></bpmn:extensionElements>`
  }</bpmn:message>`;

const withMessages = (flow: string, ...messages: string[]) =>
  definitions(`  <bpmn:process id="process" isExecutable="true">\n${flow}\n  </bpmn:process>\n${messages.join('\n')}`);

/** start → wait (intermediate message catch) → after (user task) → end */
const intermediateFlow = `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="paid" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after" />
    <bpmn:userTask id="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />`;

/** start → approve (user task, message boundary event `cancelled` → handle) → end */
const boundaryFlow = (cancelActivity: boolean) => `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:userTask id="approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="cancelled" attachedToRef="approve" cancelActivity="${cancelActivity}"><bpmn:messageEventDefinition messageRef="paid" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="cancelled" targetRef="handle" />
    <bpmn:userTask id="handle" />
    <bpmn:sequenceFlow id="f4" sourceRef="handle" targetRef="handled" />
    <bpmn:endEvent id="handled" />`;

/** start → receive (receive task) → after → end */
const receiveFlow = (extra = '') => `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="receive" />
    <bpmn:receiveTask id="receive" messageRef="paid" />
    <bpmn:sequenceFlow id="f2" sourceRef="receive" targetRef="after" />
    <bpmn:userTask id="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />${extra}`;

function subscription(run: Scenario, elementId: string): MessageSubscriptionState {
  const open = Object.values(run.state.messageSubscriptions ?? {}).filter((candidate) => candidate.elementId === elementId);
  if (open.length !== 1) throw new Error(`Expected one subscription of ${elementId}, found ${open.length}`);
  return open[0];
}

const subscriptions = (run: Scenario) => Object.values(run.state.messageSubscriptions ?? {});

describe('intermediate message catch event', () => {
  it('opens a subscription with the name and the correlation key evaluated when it is reached, and moves on with the message variables', async () => {
    const run = scenario(await compiledProcess(withMessages(intermediateFlow, message('order-paid', '=orderId')))).start({ orderId: 'order-42' });
    expect(run.active()).toEqual(['wait']);
    const opened = subscription(run, 'wait');
    expect(opened).toMatchObject({ elementInstanceId: run.instance('wait').id, messageName: 'order-paid', correlationKey: 'order-42' });

    run.setVariables({ orderId: 'other' });
    expect(subscription(run, 'wait').correlationKey).toBe('order-42');

    run.send({ type: 'CorrelateMessage', subscriptionId: opened.id, variables: { amount: 120 } });
    expect(run.active()).toEqual(['after']);
    expect(run.variables).toMatchObject({ amount: 120 });
    expect(subscriptions(run)).toEqual([]);
    expect(run.eventsOf('MessageCorrelated')).toEqual([
      { type: 'MessageCorrelated', data: { subscriptionId: opened.id, messageName: 'order-paid', correlationKey: 'order-42', variables: { amount: 120 } } },
    ]);
    expect(run.reject({ type: 'CorrelateMessage', subscriptionId: opened.id })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('takes a numeric correlation key as text and a message name from a FEEL expression', async () => {
    const run = scenario(await compiledProcess(withMessages(intermediateFlow, message('=&quot;paid-&quot; + region', '=orderNumber')))).start({ orderNumber: 42, region: 'eu' });
    expect(subscription(run, 'wait')).toMatchObject({ messageName: 'paid-eu', correlationKey: '42' });
  });

  it('raises an EXPRESSION_ERROR incident when the correlation key is neither a string nor a number, and opens once resolved', async () => {
    const run = scenario(await compiledProcess(withMessages(intermediateFlow, message('order-paid', '=order')))).start({ order: { id: 1 } });
    expect(run.incident('wait')).toMatchObject({ type: 'EXPRESSION_ERROR', message: expect.stringContaining("correlation key of 'wait'") });
    expect(subscriptions(run)).toEqual([]);
    run.setVariables({ order: 'order-1' }).resolveIncident('wait');
    expect(subscription(run, 'wait').correlationKey).toBe('order-1');
  });

  it('Camunda 7: a message without correlation key is subscribed by its name only', async () => {
    const run = scenario(await compiledProcess(withMessages(intermediateFlow, message('order-paid')))).start();
    const opened = subscription(run, 'wait');
    expect(opened.messageName).toBe('order-paid');
    expect(opened.correlationKey).toBeUndefined();
  });

  it('is closed when its process instance is cancelled', async () => {
    const run = scenario(await compiledProcess(withMessages(intermediateFlow, message('order-paid', '=orderId')))).start({ orderId: 'a' });
    const { id } = subscription(run, 'wait');
    run.cancel();
    expect(run.lastEvents).toContainEqual({ type: 'MessageSubscriptionClosed', data: { subscriptionId: id } });
    expect(subscriptions(run)).toEqual([]);
  });
});

describe('message boundary event', () => {
  it('interrupting: terminates the activity, closes its subscriptions and leaves by its own flow', async () => {
    const run = scenario(await compiledProcess(withMessages(boundaryFlow(true), message('order-cancelled', '=orderId')))).start({ orderId: 'o-1' });
    const opened = subscription(run, 'cancelled');
    expect(opened.elementInstanceId).toBe(run.instance('approve').id);

    run.send({ type: 'CorrelateMessage', subscriptionId: opened.id, variables: { reason: 'customer' } });
    expect(run.terminated()).toEqual(['approve']);
    expect(run.active()).toEqual(['handle']);
    expect(run.variables).toMatchObject({ reason: 'customer' });
    expect(subscriptions(run)).toEqual([]);
  });

  it('non-interrupting: the activity goes on and the subscription stays open for the next message', async () => {
    const run = scenario(await compiledProcess(withMessages(boundaryFlow(false), message('order-updated', '=orderId')))).start({ orderId: 'o-1' });
    const opened = subscription(run, 'cancelled');
    run.send({ type: 'CorrelateMessage', subscriptionId: opened.id });
    run.send({ type: 'CorrelateMessage', subscriptionId: opened.id });
    expect(run.active()).toEqual(['approve', 'handle', 'handle']);
    expect(subscription(run, 'cancelled').id).toBe(opened.id);

    run.completeUserTask('approve');
    expect(subscriptions(run)).toEqual([]);
    expect(run.reject({ type: 'CorrelateMessage', subscriptionId: opened.id })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('correlates a buffered message at most once per process instance', async () => {
    const run = scenario(await compiledProcess(withMessages(boundaryFlow(false), message('order-updated', '=orderId')))).start({ orderId: 'o-1' });
    const { id } = subscription(run, 'cancelled');
    run.send({ type: 'CorrelateMessage', subscriptionId: id, messageKey: 'message-1' });
    expect(run.reject({ type: 'CorrelateMessage', subscriptionId: id, messageKey: 'message-1' })).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(run.active()).toEqual(['approve', 'handle']);
  });
});

describe('receive task', () => {
  it('waits activated for its message and completes with its variables', async () => {
    const run = scenario(await compiledProcess(withMessages(receiveFlow(), message('order-paid', '=orderId')))).start({ orderId: 'o-7' });
    expect(run.active()).toEqual(['receive']);
    expect(run.activated()).toContain('receive');
    const opened = subscription(run, 'receive');
    expect(opened).toMatchObject({ elementInstanceId: run.instance('receive').id, correlationKey: 'o-7' });

    run.send({ type: 'CorrelateMessage', subscriptionId: opened.id, variables: { paid: true } });
    expect(run.completed()).toEqual(['start', 'receive']);
    expect(run.active()).toEqual(['after']);
    expect(run.variables).toMatchObject({ paid: true });
    expect(subscriptions(run)).toEqual([]);
  });

  it('can have a message boundary event of its own message', async () => {
    const flow = receiveFlow(`
    <bpmn:boundaryEvent id="withdrawn" attachedToRef="receive"><bpmn:messageEventDefinition messageRef="withdraw" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="withdrawn" targetRef="closed" />
    <bpmn:endEvent id="closed" />`);
    const run = scenario(await compiledProcess(withMessages(flow, message('order-paid', '=orderId'), message('order-withdrawn', '=orderId', 'withdraw')))).start({ orderId: 'o-7' });
    expect(subscriptions(run).map((open) => open.messageName).sort()).toEqual(['order-paid', 'order-withdrawn']);
    run.send({ type: 'CorrelateMessage', subscriptionId: subscription(run, 'withdrawn').id });
    expect(run.terminated()).toEqual(['receive']);
    expect(run.state.status).toBe('completed');
    expect(subscriptions(run)).toEqual([]);
  });
});

describe('message events at deployment', () => {
  const problems = async (xml: string) => {
    const compiled = await compile(xml);
    return compiled.ok ? [] : compiled.error.map(({ code, elementId, field }) => ({ code, elementId, field }));
  };

  it('refuses a message event without messageRef', async () => {
    const xml = bpmnProcess(boundaryFlow(true).replace('<bpmn:messageEventDefinition messageRef="paid" />', '<bpmn:messageEventDefinition />'));
    expect(await problems(xml)).toContainEqual({ code: 'MISSING_ATTRIBUTE', elementId: 'cancelled', field: 'messageRef' });
  });

  it('refuses a message without a name', async () => {
    expect(await problems(withMessages(receiveFlow(), '<bpmn:message id="paid" />'))).toContainEqual({ code: 'MISSING_ATTRIBUTE', elementId: 'receive', field: 'messageRef' });
  });

  it('refuses a Camunda 8 message without correlation key', async () => {
    const camunda8 = withMessages(boundaryFlow(true), message('order-paid')).replace(
      'id="definitions"',
      'xmlns:modeler="http://camunda.org/schema/modeler/1.0" modeler:executionPlatform="Camunda Cloud" id="definitions"',
    );
    expect(await problems(camunda8)).toContainEqual({ code: 'MISSING_ATTRIBUTE', elementId: 'cancelled', field: 'zeebe:subscription/@correlationKey' });
    expect(await problems(withMessages(receiveFlow(), message('order-paid', '')))).toContainEqual({
      code: 'MISSING_ATTRIBUTE',
      elementId: 'receive',
      field: 'zeebe:subscription/@correlationKey',
    });
  });

  it('refuses two message start events, or two message boundary events of one activity, for one message name', async () => {
    const twoStarts = withMessages(
      `
    <bpmn:startEvent id="by-mail"><bpmn:messageEventDefinition messageRef="paid" /></bpmn:startEvent>
    <bpmn:startEvent id="by-phone"><bpmn:messageEventDefinition messageRef="also-paid" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="by-mail" targetRef="end" />
    <bpmn:sequenceFlow id="f2" sourceRef="by-phone" targetRef="end" />
    <bpmn:endEvent id="end" />`,
      message('order-placed'),
      message('order-placed', undefined, 'also-paid'),
    );
    expect(await problems(twoStarts)).toEqual([{ code: 'INVALID_ATTRIBUTE', elementId: 'by-phone', field: 'messageRef' }]);

    const twoBoundaries = withMessages(
      boundaryFlow(true) +
        `
    <bpmn:boundaryEvent id="again" attachedToRef="approve"><bpmn:messageEventDefinition messageRef="paid" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="again" targetRef="handled-again" />
    <bpmn:endEvent id="handled-again" />`,
      message('order-cancelled', '=orderId'),
    );
    expect(await problems(twoBoundaries)).toEqual([{ code: 'INVALID_ATTRIBUTE', elementId: 'again', field: 'messageRef' }]);
  });

  it('refuses a receive task that would start the process', async () => {
    const xml = withMessages(receiveFlow().replace('<bpmn:receiveTask id="receive"', '<bpmn:receiveTask id="receive" instantiate="true"'), message('order-paid', '=orderId'));
    expect(await problems(xml)).toContainEqual({ code: 'NOT_SUPPORTED', elementId: 'receive', field: 'instantiate' });
  });
});

describe('message throw and end events', () => {
  /** start → notify (message throw event) → after (user task) → done (message end event) */
  const throwing = (throwEvent: string, endEvent: string) =>
    compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify" />
    ${throwEvent}
    <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="after" />
    <bpmn:userTask id="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="done" />
    ${endEvent}`),
    );
  const zeebeJob = (type: string) => `<bpmn:extensionElements><zeebe:taskDefinition type="${type}" /></bpmn:extensionElements>`;

  it('Camunda 8: a throw event and an end event are jobs for the worker that sends the message', async () => {
    const run = scenario(
      await throwing(
        `<bpmn:intermediateThrowEvent id="notify">${zeebeJob('send-confirmation')}<bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>`,
        `<bpmn:endEvent id="done">${zeebeJob('send-invoice')}<bpmn:messageEventDefinition /></bpmn:endEvent>`,
      ),
    ).start();
    expect(run.active()).toEqual(['notify']);
    expect(run.job('notify')).toMatchObject({ type: 'send-confirmation', retries: 3 });

    run.completeJob('notify', { confirmationSent: true });
    expect(run.active()).toEqual(['after']);
    run.completeUserTask('after');
    expect(run.job('done').type).toBe('send-invoice');
    expect(run.state.status).toBe('active');
    run.completeJob('done');
    expect(run.state.status).toBe('completed');
    expect(run.variables).toEqual({ confirmationSent: true });
  });

  it('Camunda 7: an external task topic on the message event definition; canceling the instance cancels the job', async () => {
    const run = scenario(
      await throwing(
        `<bpmn:intermediateThrowEvent id="notify"><bpmn:messageEventDefinition camunda:type="external" camunda:topic="notify" /></bpmn:intermediateThrowEvent>`,
        `<bpmn:endEvent id="done" />`,
      ),
    ).start();
    const { id } = run.job('notify');
    run.cancel();
    expect(run.lastEvents).toContainEqual({ type: 'JobCanceled', data: { jobId: id } });
  });

  it('refuses a message throw or end event without a job', async () => {
    const compiled = await compile(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify" />
    <bpmn:intermediateThrowEvent id="notify"><bpmn:messageEventDefinition /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:messageEventDefinition /></bpmn:endEvent>`),
    );
    expect(compiled.ok ? [] : compiled.error.map(({ code, elementId, field }) => ({ code, elementId, field }))).toEqual([
      { code: 'MISSING_ATTRIBUTE', elementId: 'notify', field: 'zeebe:taskDefinition' },
      { code: 'MISSING_ATTRIBUTE', elementId: 'done', field: 'zeebe:taskDefinition' },
    ]);
  });
});

describe('message start events', () => {
  const startedByMessage = (extra = '') =>
    withMessages(
      `
    <bpmn:startEvent id="order-received"><bpmn:messageEventDefinition messageRef="order" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="order-received" targetRef="handle" />
    <bpmn:userTask id="handle" />
    <bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="end" />
    <bpmn:endEvent id="end" />${extra}`,
      // A Camunda 8 message start event needs no correlation key: no instance exists yet that it could mean.
      message('order-placed', undefined, 'order'),
    ).replace('id="definitions"', 'xmlns:modeler="http://camunda.org/schema/modeler/1.0" modeler:executionPlatform="Camunda Cloud" id="definitions"');

  it('is compiled as a start event of the process, and an instance starts there with the message key and variables', async () => {
    const process = await compiledProcess(startedByMessage());
    expect(process.messageStartEventIds).toEqual(['order-received']);
    expect(process.startEventIds).toEqual([]);
    expect(process.elements['order-received']).toMatchObject({ kind: 'startEvent', message: { name: { language: 'static', source: 'order-placed' } } });

    const run = scenario(process).send({
      type: 'CreateProcessInstance',
      processInstanceId: 'pi',
      processDefinitionId: 'definition-1',
      version: 1,
      startElementId: 'order-received',
      correlationKey: 'O-1',
      variables: { item: 'book' },
    });
    expect(run.active()).toEqual(['handle']);
    expect(run.state.correlationKey).toBe('O-1');
    expect(run.variables).toEqual({ item: 'book' });
  });

  it('refuses a message start event inside an embedded sub-process', async () => {
    const compiled = await compile(
      withMessages(
        `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="inner"><bpmn:messageEventDefinition messageRef="paid" /></bpmn:startEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="inner" targetRef="inner-end" />
      <bpmn:endEvent id="inner-end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end" />
    <bpmn:endEvent id="end" />`,
        message('order-paid', '=orderId'),
      ),
    );
    expect(compiled.ok ? [] : compiled.error.map(({ code, elementId }) => ({ code, elementId }))).toContainEqual({ code: 'INVALID_ATTRIBUTE', elementId: 'inner' });
  });
});
