import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess, definitions } from '../../testing/bpmn.js';
import { scenario, START_TIME } from '../../testing/decider-spec.js';

const at = (offsetMs: number): string => new Date(Date.parse(START_TIME) + offsetMs).toISOString();
const MINUTE = 60_000;

const timer = (duration: string): string =>
  `<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">${duration}</bpmn:timeDuration></bpmn:timerEventDefinition>`;

/**
 * start → wait (event-based gateway) → reminder (timer PT10M) → remind (user task) → end
 *                                    → give-up (timer PT1H) → gave-up (end)
 */
const twoTimers = (reminder = 'PT10M', giveUp = 'PT1H', reminderExtras = '') =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:eventBasedGateway id="wait" />
    <bpmn:sequenceFlow id="to-reminder" sourceRef="wait" targetRef="reminder" />
    <bpmn:sequenceFlow id="to-give-up" sourceRef="wait" targetRef="give-up" />
    <bpmn:intermediateCatchEvent id="reminder">${reminderExtras}${timer(reminder)}</bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="reminder" targetRef="remind" />
    <bpmn:userTask id="remind" />
    <bpmn:sequenceFlow id="f3" sourceRef="remind" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:intermediateCatchEvent id="give-up">${timer(giveUp)}</bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="give-up" targetRef="gave-up" />
    <bpmn:endEvent id="gave-up" />`),
  );

describe('event-based gateway', () => {
  it('waits for every event after it, owning their subscriptions', async () => {
    const run = scenario(await twoTimers()).start();
    expect(run.active()).toEqual(['wait']);
    expect(run.activated()).toEqual(['start', 'wait']);
    const gateway = run.instance('wait').id;
    expect(run.timers().map(({ elementId, elementInstanceId, dueAt }) => ({ elementId, elementInstanceId, dueAt }))).toEqual([
      { elementId: 'reminder', elementInstanceId: gateway, dueAt: at(10 * MINUTE) },
      { elementId: 'give-up', elementInstanceId: gateway, dueAt: at(60 * MINUTE) },
    ]);
  });

  it('the first event wins: the others are canceled and only the flow to its catch event is taken', async () => {
    const run = scenario(await twoTimers()).start();
    const giveUp = run.timer('give-up').id;
    run.triggerTimer('reminder');

    expect(run.lastEvents).toContainEqual({ type: 'TimerCanceled', data: { timerId: giveUp } });
    expect(run.timers()).toEqual([]);
    expect(run.active()).toEqual(['remind']);
    expect(run.completed()).toEqual(['start', 'wait', 'reminder']);
    expect(run.taken()).toEqual(['f1', 'to-reminder', 'f2']);
    expect(run.reject({ type: 'TriggerTimer', timerId: giveUp })).toMatchObject({ code: 'NOT_FOUND' });

    run.completeUserTask('remind');
    expect(run.state.status).toBe('completed');
  });

  it('the shorter timer wins whichever flow comes first in the model', async () => {
    const run = scenario(await twoTimers('PT2H', 'PT5M')).start();
    // A scheduler fires timers in due order: the give-up timer is due first.
    const [first] = run.timers().sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    expect(first.elementId).toBe('give-up');
    run.triggerTimer('give-up');
    expect(run.completed()).toEqual(['start', 'wait', 'give-up', 'gave-up']);
    expect(run.taken()).toEqual(['f1', 'to-give-up', 'f4']);
    expect(run.state.status).toBe('completed');
  });

  it("the winner's catch event completes with its output mappings", async () => {
    const mapping = `<bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=&quot;reminded&quot;" target="outcome" /></zeebe:ioMapping></bpmn:extensionElements>`;
    const run = scenario(await twoTimers('PT10M', 'PT1H', mapping)).start();
    run.triggerTimer('reminder');
    expect(run.variables).toEqual({ outcome: 'reminded' });
  });

  it('is left with its subscriptions closed when the process instance is canceled', async () => {
    const run = scenario(await twoTimers()).start();
    const ids = run.timers().map(({ id }) => id);
    run.cancel();
    expect(run.terminated()).toEqual(['wait']);
    expect(run.eventsOf('TimerCanceled').map(({ data }) => data.timerId)).toEqual(ids);
    expect(run.timers()).toEqual([]);
  });

  it('raises an incident when a subscription cannot open, and opens them all once resolved', async () => {
    const run = scenario(await twoTimers('=reminderAfter')).start();
    expect(run.incident('wait')).toMatchObject({ type: 'EXPRESSION_ERROR', message: expect.stringContaining("timer 'reminder'") });
    // Nothing half-open: the give-up timer was not kept either.
    expect(run.timers()).toEqual([]);
    run.setVariables({ reminderAfter: 'PT1M' }).resolveIncident('wait');
    expect(run.timers().map(({ elementId }) => elementId)).toEqual(['reminder', 'give-up']);
    run.triggerTimer('reminder');
    expect(run.active()).toEqual(['remind']);
  });

  it('opens its subscriptions anew at each visit in a loop', async () => {
    const run = scenario(
      await compiledProcess(
        bpmnProcess(`
        <bpmn:startEvent id="start" />
        <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="merge" />
        <bpmn:exclusiveGateway id="merge" />
        <bpmn:sequenceFlow id="f2" sourceRef="merge" targetRef="wait" />
        <bpmn:eventBasedGateway id="wait" />
        <bpmn:sequenceFlow id="to-tick" sourceRef="wait" targetRef="tick" />
        <bpmn:sequenceFlow id="to-stop" sourceRef="wait" targetRef="stop" />
        <bpmn:intermediateCatchEvent id="tick">${timer('PT1M')}</bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="again" sourceRef="tick" targetRef="merge" />
        <bpmn:intermediateCatchEvent id="stop">${timer('PT3M')}</bpmn:intermediateCatchEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="stop" targetRef="end" />
        <bpmn:endEvent id="end" />`),
      ),
    ).start();
    run.triggerTimer('tick').triggerTimer('tick');
    expect(run.completed().filter((id) => id === 'tick')).toHaveLength(2);
    expect(run.timers().map(({ elementId }) => elementId)).toEqual(['tick', 'stop']);
    expect(run.active()).toEqual(['wait']);
  });
});

describe('event-based gateway before a receive task', () => {
  /** start → wait → receive-answer (receive task, message `answer` keyed by ticket) → answered; or → expired (timer PT1H) → closed */
  const withReceiveTask = (receiveTask = '<bpmn:receiveTask id="receive-answer" messageRef="answer" />') =>
    definitions(`
  <bpmn:message id="answer" name="answer"><bpmn:extensionElements><zeebe:subscription correlationKey="=ticket" /></bpmn:extensionElements></bpmn:message>
  <bpmn:process id="process" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:eventBasedGateway id="wait" />
    <bpmn:sequenceFlow id="to-receive" sourceRef="wait" targetRef="receive-answer" />
    <bpmn:sequenceFlow id="to-expired" sourceRef="wait" targetRef="expired" />
    ${receiveTask}
    <bpmn:sequenceFlow id="f2" sourceRef="receive-answer" targetRef="answered" />
    <bpmn:userTask id="answered" />
    <bpmn:intermediateCatchEvent id="expired">${timer('PT1H')}</bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="expired" targetRef="closed" />
    <bpmn:endEvent id="closed" />
  </bpmn:process>`);

  it("the receive task's message wins: the task is entered and completes at once with the message's variables", async () => {
    const run = scenario(await compiledProcess(withReceiveTask())).start({ ticket: 'T-1' });
    const gateway = run.instance('wait').id;
    const [subscription] = Object.values(run.state.messageSubscriptions ?? {});
    expect(subscription).toMatchObject({ elementId: 'receive-answer', elementInstanceId: gateway, messageName: 'answer', correlationKey: 'T-1' });
    const expiry = run.timer('expired').id;

    run.send({ type: 'CorrelateMessage', subscriptionId: subscription.id, variables: { text: 'solved' } });
    expect(run.lastEvents).toContainEqual({ type: 'TimerCanceled', data: { timerId: expiry } });
    expect(run.completed()).toEqual(['start', 'wait', 'receive-answer']);
    expect(run.active()).toEqual(['answered']);
    expect(run.variables).toEqual({ ticket: 'T-1', text: 'solved' });
    // No second subscription was opened by the receive task itself.
    expect(run.eventsOf('MessageSubscriptionOpened')).toHaveLength(1);
  });

  it('the timer wins: the receive task is never entered and its subscription closes', async () => {
    const run = scenario(await compiledProcess(withReceiveTask())).start({ ticket: 'T-2' });
    const [subscription] = Object.values(run.state.messageSubscriptions ?? {});
    run.triggerTimer('expired');
    expect(run.completed()).toEqual(['start', 'wait', 'expired', 'closed']);
    expect(run.state.status).toBe('completed');
    expect(run.eventsOf('MessageSubscriptionClosed')).toEqual([{ type: 'MessageSubscriptionClosed', data: { subscriptionId: subscription.id } }]);
    expect(Object.values(run.state.messageSubscriptions ?? {})).toEqual([]);
  });

  it('refuses a receive task with a loop or boundary events after the gateway', async () => {
    const compiled = await compile(
      withReceiveTask(`<bpmn:receiveTask id="receive-answer" messageRef="answer">
        <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
      </bpmn:receiveTask>`),
    );
    expect(compiled.ok ? [] : compiled.error).toEqual([
      expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'receive-answer', field: 'loopCharacteristics', message: expect.stringContaining('completes as soon as it is entered') }),
    ]);
  });
});

describe('event-based gateway before a signal catch event', () => {
  it("the signal wins: the timer is canceled and the signal's variables land in the process", async () => {
    const run = scenario(
      await compiledProcess(
        definitions(`
  <bpmn:signal id="alarm" name="alarm" />
  <bpmn:process id="process" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:eventBasedGateway id="wait" />
    <bpmn:sequenceFlow id="to-alarm" sourceRef="wait" targetRef="alarmed" />
    <bpmn:sequenceFlow id="to-quiet" sourceRef="wait" targetRef="quiet" />
    <bpmn:intermediateCatchEvent id="alarmed"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="alarmed" targetRef="evacuate" />
    <bpmn:userTask id="evacuate" />
    <bpmn:intermediateCatchEvent id="quiet">${timer('PT8H')}</bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="quiet" targetRef="done" />
    <bpmn:endEvent id="done" />
  </bpmn:process>`),
      ),
    ).start();
    const [subscription] = Object.values(run.state.signalSubscriptions ?? {});
    expect(subscription).toMatchObject({ elementId: 'alarmed', elementInstanceId: run.instance('wait').id });
    const quiet = run.timer('quiet').id;
    run.send({ type: 'ReceiveSignal', subscriptionId: subscription.id, variables: { zone: 'B' } });
    expect(run.lastEvents).toContainEqual({ type: 'TimerCanceled', data: { timerId: quiet } });
    expect(run.active()).toEqual(['evacuate']);
    expect(run.variables).toEqual({ zone: 'B' });
  });
});

describe('event-based gateways in models', () => {
  const problems = async (content: string) => {
    const compiled = await compile(bpmnProcess(`<bpmn:startEvent id="start" />${content}`));
    return compiled.ok ? [] : compiled.error.map(({ code, elementId, field, message }) => ({ code, elementId, field, message }));
  };

  it('refuses, with every problem listed, gateways that offer no choice of events', async () => {
    const found = await problems(`
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
      <bpmn:parallelGateway id="split" />
      <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="alone" />
      <bpmn:eventBasedGateway id="alone" />
      <bpmn:sequenceFlow id="f3" sourceRef="alone" targetRef="t1" />
      <bpmn:intermediateCatchEvent id="t1">${timer('PT1M')}</bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="mixed" />
      <bpmn:eventBasedGateway id="mixed" />
      <bpmn:sequenceFlow id="f5" sourceRef="mixed" targetRef="work" />
      <bpmn:userTask id="work" />
      <bpmn:sequenceFlow id="f6" sourceRef="mixed" targetRef="shared">
        <bpmn:conditionExpression>=true</bpmn:conditionExpression>
      </bpmn:sequenceFlow>
      <bpmn:intermediateCatchEvent id="shared">${timer('PT1M')}</bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f7" sourceRef="split" targetRef="shared" />
      <bpmn:sequenceFlow id="f8" sourceRef="mixed" targetRef="landing" />
      <bpmn:intermediateCatchEvent id="landing"><bpmn:linkEventDefinition name="x" /></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f9" sourceRef="split" targetRef="parallel" />
      <bpmn:eventBasedGateway id="parallel" eventGatewayType="Parallel" />
      <bpmn:sequenceFlow id="f10" sourceRef="split" targetRef="instantiating" />
      <bpmn:eventBasedGateway id="instantiating" instantiate="true" />`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'alone', field: 'outgoing', message: expect.stringContaining('at least two') }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'mixed', field: 'outgoing', message: expect.stringContaining("'work', a userTask") }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'f6', field: 'conditionExpression' }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'shared', field: 'incoming', message: expect.stringContaining('(f7)') }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'mixed', field: 'outgoing', message: expect.stringContaining("'landing', a link catch event") }),
        expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'parallel', field: 'eventGatewayType' }),
        expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'instantiating', field: 'instantiate' }),
      ]),
    );
  });
});
