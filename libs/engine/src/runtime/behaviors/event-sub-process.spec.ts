import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import type { ModelError } from '../../model/model-error.js';
import { compiledProcess, definitions } from '../../testing/bpmn.js';
import { scenario, type Scenario } from '../../testing/decider-spec.js';
import type { MessageSubscriptionState, SignalSubscriptionState } from '../process-instance-state.js';

const declarations = `
  <bpmn:message id="cancel" name="cancel"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:message id="note" name="note"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
  <bpmn:signal id="alarm" name="alarm" />
  <bpmn:error id="not-found" errorCode="NOT_FOUND" />
  <bpmn:escalation id="late" escalationCode="LATE" />`;

const model = (content: string) => compiledProcess(definitions(`${declarations}\n<bpmn:process id="process" isExecutable="true">${content}</bpmn:process>`));

/** An event sub-process `id` whose start event `<id>-start` has `definition`, leading to user task `<id>-task`, then its end. */
const eventSubProcess = (id: string, definition: string, interrupting = true) => `
    <bpmn:subProcess id="${id}" triggeredByEvent="true">
      <bpmn:startEvent id="${id}-start" isInterrupting="${interrupting}">${definition}</bpmn:startEvent>
      <bpmn:sequenceFlow id="${id}-f1" sourceRef="${id}-start" targetRef="${id}-task" />
      <bpmn:userTask id="${id}-task" />
      <bpmn:sequenceFlow id="${id}-f2" sourceRef="${id}-task" targetRef="${id}-end" />
      <bpmn:endEvent id="${id}-end" />
    </bpmn:subProcess>`;

/** start → work (user task) → end, with event sub-processes at the process level. */
const processWith = (...eventSubProcesses: string[]) =>
  model(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:userTask id="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
    ${eventSubProcesses.join('\n')}`);

/** start → order (sub-process: inner-start → pick (user task) → inner-end, with event sub-processes) → after (user task) → end. */
const subProcessWith = (inside: string, outside = '') =>
  model(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="order" />
    <bpmn:subProcess id="order">
      <bpmn:startEvent id="inner-start" />
      <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="pick" />
      <bpmn:userTask id="pick" />
      <bpmn:sequenceFlow id="i2" sourceRef="pick" targetRef="inner-end" />
      <bpmn:endEvent id="inner-end" />
      ${inside}
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="order" targetRef="after" />
    <bpmn:userTask id="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />
    ${outside}`);

const message = (ref: string) => `<bpmn:messageEventDefinition messageRef="${ref}" />`;

function messageSubscription(run: Scenario, elementId: string): MessageSubscriptionState {
  const found = Object.values(run.state.messageSubscriptions ?? {}).filter((subscription) => subscription.elementId === elementId);
  if (found.length !== 1) throw new Error(`Expected one message subscription of ${elementId}, found ${found.length}`);
  return found[0];
}

function signalSubscription(run: Scenario, elementId: string): SignalSubscriptionState {
  const found = Object.values(run.state.signalSubscriptions ?? {}).filter((subscription) => subscription.elementId === elementId);
  if (found.length !== 1) throw new Error(`Expected one signal subscription of ${elementId}, found ${found.length}`);
  return found[0];
}

const openSubscriptions = (run: Scenario) => [
  ...Object.values(run.state.messageSubscriptions ?? {}),
  ...Object.values(run.state.signalSubscriptions ?? {}),
  ...Object.values(run.state.timers ?? {}),
];

describe('message event sub-process', () => {
  it('interrupting, at the process level: the message ends what runs, the event sub-process runs with its variables, then the instance completes', async () => {
    const run = scenario(await processWith(eventSubProcess('canceled', message('cancel')))).start({ orderId: 'order-7' });
    const subscription = messageSubscription(run, 'canceled-start');
    expect(subscription).toMatchObject({ messageName: 'cancel', correlationKey: 'order-7', elementInstanceId: run.state.processInstanceId });

    run.send({ type: 'CorrelateMessage', subscriptionId: subscription.id, variables: { reason: 'customer' } });
    expect(run.terminated()).toEqual(['work']);
    expect(run.active()).toEqual(['canceled', 'canceled-task']);
    expect(run.variables).toEqual({ orderId: 'order-7', reason: 'customer' });
    expect(Object.values(run.state.userTasks).map((task) => task.elementId)).toEqual(['canceled-task']);
    // Interrupted: the instance waits for no other message now.
    expect(openSubscriptions(run)).toEqual([]);

    run.completeUserTask('canceled-task');
    expect(run.completed()).toEqual(['start', 'canceled-start', 'canceled-task', 'canceled-end', 'canceled']);
    expect(run.state.status).toBe('completed');
  });

  it('non-interrupting: each message starts one more instance of it beside the work; the process ends when all are done', async () => {
    const run = scenario(await processWith(eventSubProcess('noted', message('note'), false))).start({ orderId: 'order-7' });
    const subscription = messageSubscription(run, 'noted-start');
    run.send({ type: 'CorrelateMessage', subscriptionId: subscription.id, variables: { text: 'first' } });
    run.send({ type: 'CorrelateMessage', subscriptionId: subscription.id, variables: { text: 'second' } });
    expect(run.active()).toEqual(['noted', 'noted', 'noted-task', 'noted-task', 'work']);
    expect(run.terminated()).toEqual([]);

    run.completeUserTask('work');
    expect(run.state.status).toBe('active');
    for (const task of Object.values(run.state.userTasks)) run.send({ type: 'CompleteUserTask', userTaskId: task.id });
    expect(run.completed().filter((id) => id === 'noted')).toHaveLength(2);
    expect(run.state.status).toBe('completed');
    expect(openSubscriptions(run)).toEqual([]);
  });

  it('waits only while its scope runs: inside a sub-process, its subscription opens with the sub-process and closes when it completes', async () => {
    const run = scenario(await subProcessWith(eventSubProcess('canceled', message('cancel')))).start({ orderId: 'order-7' });
    const subscription = messageSubscription(run, 'canceled-start');
    expect(subscription.elementInstanceId).toBe(run.instance('order').id);

    run.completeUserTask('pick');
    expect(run.active()).toEqual(['after']);
    expect(openSubscriptions(run)).toEqual([]);
    expect(run.reject({ type: 'CorrelateMessage', subscriptionId: subscription.id })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('interrupting inside a sub-process: the sub-process completes after the event sub-process and the process goes on after it', async () => {
    const run = scenario(await subProcessWith(eventSubProcess('canceled', message('cancel')))).start({ orderId: 'order-7' });
    run.send({ type: 'CorrelateMessage', subscriptionId: messageSubscription(run, 'canceled-start').id });
    expect(run.terminated()).toEqual(['pick']);
    run.completeUserTask('canceled-task');
    expect(run.completed()).toEqual(['start', 'inner-start', 'canceled-start', 'canceled-task', 'canceled-end', 'canceled', 'order']);
    expect(run.active()).toEqual(['after']);
  });

  it('refuses to start the instance when the correlation key cannot be evaluated: no element exists yet to hold an incident', async () => {
    const process = await processWith(eventSubProcess('canceled', message('cancel')));
    const run = scenario(process);
    expect(run.reject({ type: 'CreateProcessInstance', processInstanceId: 'pi', processDefinitionId: 'process:1', version: 1 })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining("the correlation key of 'canceled-start'"),
    });
  });
});

describe('timer event sub-process', () => {
  it('interrupting, inside a sub-process: due, it ends the sub-process work; canceled when the sub-process completes first', async () => {
    const timer = '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>';
    const late = scenario(await subProcessWith(eventSubProcess('expired', timer))).start();
    expect(late.timer('expired-start')).toMatchObject({ dueAt: '2026-01-01T11:00:00.000Z', elementInstanceId: late.instance('order').id });
    late.triggerTimer('expired-start');
    expect(late.terminated()).toEqual(['pick']);
    expect(late.active()).toEqual(['expired', 'expired-task', 'order']);

    const onTime = scenario(await subProcessWith(eventSubProcess('expired', timer))).start();
    onTime.completeUserTask('pick');
    expect(onTime.timers()).toEqual([]);
    expect(onTime.eventsOf('TimerCanceled')).toHaveLength(1);
  });

  it('non-interrupting with a cycle: starts once per occurrence while the work goes on, and its timer is re-armed', async () => {
    const cycle = '<bpmn:timerEventDefinition><bpmn:timeCycle>R2/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>';
    const run = scenario(await processWith(eventSubProcess('reminder', cycle, false))).start();
    run.triggerTimer('reminder-start');
    expect(run.timer('reminder-start').dueAt).toBe('2026-01-01T12:00:00.000Z');
    run.triggerTimer('reminder-start');
    expect(run.timers()).toEqual([]);
    expect(run.active()).toEqual(['reminder', 'reminder', 'reminder-task', 'reminder-task', 'work']);
  });
});

describe('signal and conditional event sub-processes', () => {
  it('a signal starts it in every instance that waits; non-interrupting, it may occur again', async () => {
    const run = scenario(await processWith(eventSubProcess('alarmed', '<bpmn:signalEventDefinition signalRef="alarm" />', false))).start();
    const subscription = signalSubscription(run, 'alarmed-start');
    run.send({ type: 'ReceiveSignal', subscriptionId: subscription.id, signalId: 's1', variables: { level: 3 } });
    expect(run.variables).toEqual({ level: 3 });
    expect(run.reject({ type: 'ReceiveSignal', subscriptionId: subscription.id, signalId: 's1' })).toMatchObject({ code: 'ALREADY_EXISTS' });
    run.send({ type: 'ReceiveSignal', subscriptionId: subscription.id, signalId: 's2' });
    expect(run.active()).toEqual(['alarmed', 'alarmed', 'alarmed-task', 'alarmed-task', 'work']);
  });

  it('a conditional one starts when a command makes its condition true, not before', async () => {
    const conditional = '<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">=total &gt; 100</bpmn:condition></bpmn:conditionalEventDefinition>';
    const run = scenario(await processWith(eventSubProcess('review', conditional))).start({ total: 50 });
    expect(run.active()).toEqual(['work']);
    run.setVariables({ total: 80 });
    expect(run.active()).toEqual(['work']);
    run.setVariables({ total: 150 });
    expect(run.terminated()).toEqual(['work']);
    expect(run.active()).toEqual(['review', 'review-task']);
  });

  it('a conditional one whose condition already holds at the start starts at once', async () => {
    const conditional = '<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">=total &gt; 100</bpmn:condition></bpmn:conditionalEventDefinition>';
    const run = scenario(await processWith(eventSubProcess('review', conditional))).start({ total: 500 });
    expect(run.active()).toEqual(['review', 'review-task']);
    expect(run.terminated()).toEqual(['work']);
  });
});

describe('error event sub-process', () => {
  const failing = (code: string) => `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="order" />
    <bpmn:subProcess id="order">
      <bpmn:startEvent id="inner-start" />
      <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="lookup" />
      <bpmn:serviceTask id="lookup"><bpmn:extensionElements><zeebe:taskDefinition type="lookup" /></bpmn:extensionElements></bpmn:serviceTask>
      <bpmn:sequenceFlow id="i2" sourceRef="lookup" targetRef="fail" />
      <bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="${code}" /></bpmn:endEvent>
      INSIDE
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="order" targetRef="after" />
    <bpmn:userTask id="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />
    OUTSIDE`;
  const build = (code: string, inside: string, outside = '') => model(failing(code).replace('INSIDE', inside).replace('OUTSIDE', outside));
  const boundaryOnOrder = `
    <bpmn:boundaryEvent id="order-failed" attachedToRef="order"><bpmn:errorEventDefinition errorRef="not-found" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="b1" sourceRef="order-failed" targetRef="handle-boundary" />
    <bpmn:userTask id="handle-boundary" />`;

  it('inside the sub-process, catches an error of its code before a boundary event of the sub-process does; the sub-process then completes normally', async () => {
    const run = scenario(await build('not-found', eventSubProcess('recover', '<bpmn:errorEventDefinition errorRef="not-found" />'), boundaryOnOrder)).start();
    run.completeJob('lookup');
    expect(run.terminated()).toEqual(['fail']);
    expect(run.active()).toEqual(['order', 'recover', 'recover-task']);
    run.completeUserTask('recover-task');
    expect(run.active()).toEqual(['after']);
    expect(run.taken()).toEqual(['f1', 'i1', 'i2', 'recover-f1', 'recover-f2', 'f2']);
  });

  it('at the process level, catches what no inner scope caught (a catch-all), ending everything; the instance completes after it', async () => {
    const run = scenario(await build('not-found', '', eventSubProcess('fallback', '<bpmn:errorEventDefinition />'))).start();
    run.completeJob('lookup');
    expect(run.terminated()).toEqual(['fail', 'order']);
    expect(run.active()).toEqual(['fallback', 'fallback-task']);
    run.completeUserTask('fallback-task');
    expect(run.state.status).toBe('completed');
  });

  it("catches a job worker's error with its variables, and gives Camunda 7's code and message variables", async () => {
    const camunda = `<bpmn:errorEventDefinition errorRef="not-found" camunda:errorCodeVariable="code" camunda:errorMessageVariable="why" />`;
    const run = scenario(await build('not-found', eventSubProcess('recover', camunda))).start();
    run.send({ type: 'ThrowError', jobId: run.job('lookup').id, errorCode: 'NOT_FOUND', errorMessage: 'no such order', variables: { sku: 'A-1' } });
    expect(run.terminated()).toEqual(['lookup']);
    expect(run.eventsOf('JobCanceled')).toHaveLength(1);
    expect(run.variables).toEqual({ sku: 'A-1', code: 'NOT_FOUND', why: 'no such order' });
    expect(run.active()).toEqual(['order', 'recover', 'recover-task']);
  });

  it('does not catch another code: an error nothing catches is an incident on the thrower', async () => {
    const run = scenario(await build('not-found', eventSubProcess('recover', '<bpmn:errorEventDefinition errorRef="not-found" />'))).start();
    run.send({ type: 'ThrowError', jobId: run.job('lookup').id, errorCode: 'OTHER' });
    expect(run.incidents()).toEqual([
      expect.objectContaining({ type: 'UNHANDLED_ERROR_EVENT', elementId: 'lookup', message: expect.stringContaining('no error boundary event or error event sub-process catches it') }),
    ]);
  });
});

describe('escalation event sub-process', () => {
  const escalating = (inside: string) =>
    model(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="order" />
    <bpmn:subProcess id="order">
      <bpmn:startEvent id="inner-start" />
      <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="raise" />
      <bpmn:intermediateThrowEvent id="raise"><bpmn:escalationEventDefinition escalationRef="late" /></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="i2" sourceRef="raise" targetRef="pick" />
      <bpmn:userTask id="pick" />
      <bpmn:sequenceFlow id="i3" sourceRef="pick" targetRef="inner-end" />
      <bpmn:endEvent id="inner-end" />
      ${inside}
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="order" targetRef="end" />
    <bpmn:endEvent id="end" />`);

  it('non-interrupting: the thrower goes on beside the event sub-process', async () => {
    const run = scenario(await escalating(eventSubProcess('informed', '<bpmn:escalationEventDefinition escalationRef="late" />', false))).start();
    expect(run.completed()).toEqual(['start', 'inner-start', 'raise', 'informed-start']);
    expect(run.active()).toEqual(['informed', 'informed-task', 'order', 'pick']);
  });

  it('interrupting: the thrower is ended with the rest of the scope', async () => {
    const run = scenario(await escalating(eventSubProcess('informed', '<bpmn:escalationEventDefinition />'))).start();
    expect(run.terminated()).toEqual(['raise']);
    expect(run.active()).toEqual(['informed', 'informed-task', 'order']);
  });
});

describe('interruption and the end of the scope', () => {
  it('drops the tokens waiting at a joining gateway of the interrupted scope, so the scope completes after the event sub-process', async () => {
    const run = scenario(
      await model(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="a" sourceRef="fork" targetRef="join" />
    <bpmn:sequenceFlow id="b" sourceRef="fork" targetRef="work" />
    <bpmn:userTask id="work" />
    <bpmn:sequenceFlow id="c" sourceRef="work" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="d" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
    ${eventSubProcess('canceled', message('cancel'))}`),
    ).start({ orderId: 'o-1' });
    expect(Object.keys(run.state.joinTokens)).toHaveLength(1);
    run.send({ type: 'CorrelateMessage', subscriptionId: messageSubscription(run, 'canceled-start').id });
    expect(run.state.joinTokens).toEqual({});
    run.completeUserTask('canceled-task');
    expect(run.state.status).toBe('completed');
  });

  it('canceling the instance closes the subscriptions of its event sub-processes', async () => {
    const run = scenario(await processWith(eventSubProcess('canceled', message('cancel')), eventSubProcess('alarmed', '<bpmn:signalEventDefinition signalRef="alarm" />', false))).start({
      orderId: 'o-1',
    });
    expect(openSubscriptions(run)).toHaveLength(2);
    run.cancel();
    expect(openSubscriptions(run)).toEqual([]);
    expect(run.eventsOf('MessageSubscriptionClosed')).toHaveLength(1);
    expect(run.eventsOf('SignalSubscriptionClosed')).toHaveLength(1);
  });

  it('a terminate end event inside an event sub-process ends that event sub-process only', async () => {
    const run = scenario(
      await processWith(`
    <bpmn:subProcess id="noted" triggeredByEvent="true">
      <bpmn:startEvent id="noted-start" isInterrupting="false">${message('note')}</bpmn:startEvent>
      <bpmn:sequenceFlow id="n1" sourceRef="noted-start" targetRef="stop" />
      <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition /></bpmn:endEvent>
    </bpmn:subProcess>`),
    ).start({ orderId: 'o-1' });
    run.send({ type: 'CorrelateMessage', subscriptionId: messageSubscription(run, 'noted-start').id });
    expect(run.completed()).toEqual(['start', 'noted-start', 'stop', 'noted']);
    expect(run.active()).toEqual(['work']);
  });
});

describe('event sub-processes in a deployment', () => {
  async function problems(content: string): Promise<ModelError[]> {
    const compiled = await compile(definitions(`${declarations}\n<bpmn:process id="process" isExecutable="true">${content}</bpmn:process>`));
    return compiled.ok ? [] : compiled.error;
  }
  const work = `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" /><bpmn:endEvent id="end" />`;

  it('refuses, each with the element named: flows in or out, a none start event, two start events, a non-interrupting error start, a boundary event on it', async () => {
    const found = await problems(`${work}
    <bpmn:subProcess id="esp1" triggeredByEvent="true">
      <bpmn:startEvent id="esp1-start" />
    </bpmn:subProcess>
    <bpmn:subProcess id="esp2" triggeredByEvent="true">
      <bpmn:startEvent id="esp2-a">${message('cancel')}</bpmn:startEvent>
      <bpmn:startEvent id="esp2-b"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:startEvent>
    </bpmn:subProcess>
    <bpmn:subProcess id="esp3" triggeredByEvent="true">
      <bpmn:startEvent id="esp3-start" isInterrupting="false"><bpmn:errorEventDefinition /></bpmn:startEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="into" sourceRef="end2" targetRef="esp3" />
    <bpmn:boundaryEvent id="on-esp" attachedToRef="esp3"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:boundaryEvent>
    <bpmn:endEvent id="end2" />`);
    expect(found.map(({ code, elementId, field }) => ({ code, elementId, field }))).toEqual(
      expect.arrayContaining([
        { code: 'MISSING_ATTRIBUTE', elementId: 'esp1-start', field: 'eventDefinitions' },
        { code: 'INVALID_ATTRIBUTE', elementId: 'esp2', field: undefined },
        { code: 'INVALID_ATTRIBUTE', elementId: 'esp3-start', field: 'isInterrupting' },
        { code: 'INVALID_ATTRIBUTE', elementId: 'esp3', field: 'incoming' },
        { code: 'INVALID_ATTRIBUTE', elementId: 'on-esp', field: 'attachedToRef' },
      ]),
    );
  });

  it('refuses two event sub-processes of one scope waiting for one message name', async () => {
    const found = await problems(`${work}${eventSubProcess('first', message('cancel'))}${eventSubProcess('second', message('cancel'), false)}`);
    expect(found).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'second-start', field: 'messageRef' })]);
  });

  it('refuses error and escalation start events outside event sub-processes', async () => {
    const found = await problems(`${work}
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="sub-start"><bpmn:escalationEventDefinition /></bpmn:startEvent>
    </bpmn:subProcess>`);
    expect(found).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'sub-start', message: expect.stringContaining("is in sub-process 'sub'") })]),
    );
  });

  it('compiles the scope of each event sub-process into the model', async () => {
    const process = await subProcessWith(eventSubProcess('canceled', message('cancel')), eventSubProcess('alarmed', '<bpmn:signalEventDefinition signalRef="alarm" />', false));
    expect(process.eventSubProcessIds).toEqual(['alarmed']);
    expect(process.elements['order']).toMatchObject({ eventSubProcessIds: ['canceled'] });
    expect(process.elements['canceled']).toMatchObject({ kind: 'subProcess', triggeredByEvent: true, startEventId: 'canceled-start' });
    expect(process.elements['alarmed-start']).toMatchObject({ kind: 'startEvent', interrupting: false, eventDefinition: { type: 'signal' } });
    expect(process.startEventIds).toEqual(['start']);
  });
});
