import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { compiledProcess, definitions } from '../../testing/bpmn.js';
import { scenario, type Scenario } from '../../testing/decider-spec.js';
import type { SignalSubscriptionState } from '../process-instance-state.js';

const signal = (name: string, id = 'alarm') => `<bpmn:signal id="${id}" name="${name}" />`;

const withSignals = (flow: string, ...signals: string[]) =>
  definitions(`  <bpmn:process id="process" isExecutable="true">\n${flow}\n  </bpmn:process>\n${signals.join('\n')}`);

/** start → wait (intermediate signal catch) → after (user task) → end */
const intermediateFlow = `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after" />
    <bpmn:userTask id="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />`;

/** start → work (user task, signal boundary event `stopped` → handle) → end */
const boundaryFlow = (cancelActivity: boolean) => `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:userTask id="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="stopped" attachedToRef="work" cancelActivity="${cancelActivity}"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="stopped" targetRef="handle" />
    <bpmn:userTask id="handle" />
    <bpmn:sequenceFlow id="f4" sourceRef="handle" targetRef="handled" />
    <bpmn:endEvent id="handled" />`;

function subscription(run: Scenario, elementId: string): SignalSubscriptionState {
  const open = Object.values(run.state.signalSubscriptions ?? {}).filter((candidate) => candidate.elementId === elementId);
  if (open.length !== 1) throw new Error(`Expected one signal subscription of ${elementId}, found ${open.length}`);
  return open[0];
}

const subscriptions = (run: Scenario) => Object.values(run.state.signalSubscriptions ?? {});

describe('intermediate signal catch event', () => {
  it('opens a subscription named when it is reached, and moves on with the signal variables', async () => {
    const run = scenario(await compiledProcess(withSignals(intermediateFlow, signal('fire-alarm')))).start();
    expect(run.active()).toEqual(['wait']);
    const opened = subscription(run, 'wait');
    expect(opened).toMatchObject({ elementInstanceId: run.instance('wait').id, signalName: 'fire-alarm' });

    run.send({ type: 'ReceiveSignal', subscriptionId: opened.id, signalId: 's1', variables: { floor: 3 } });
    expect(run.active()).toEqual(['after']);
    expect(run.variables).toMatchObject({ floor: 3 });
    expect(subscriptions(run)).toEqual([]);
    expect(run.eventsOf('SignalReceived')).toEqual([
      { type: 'SignalReceived', data: { subscriptionId: opened.id, signalId: 's1', signalName: 'fire-alarm', variables: { floor: 3 } } },
    ]);
    expect(run.reject({ type: 'ReceiveSignal', subscriptionId: opened.id })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('takes its name from a FEEL expression evaluated when it opens', async () => {
    const run = scenario(await compiledProcess(withSignals(intermediateFlow, signal('=&quot;alarm-&quot; + building')))).start({ building: 'b7' });
    expect(subscription(run, 'wait').signalName).toBe('alarm-b7');
    run.setVariables({ building: 'other' });
    expect(subscription(run, 'wait').signalName).toBe('alarm-b7');
  });

  it('raises an incident when the name is not a non-empty string', async () => {
    const run = scenario(await compiledProcess(withSignals(intermediateFlow, signal('=building')))).start({ building: 7 });
    expect(run.incident('wait')).toMatchObject({ type: 'EXPRESSION_ERROR' });
    expect(subscriptions(run)).toEqual([]);
  });

  it('closes its subscription when the instance is cancelled', async () => {
    const run = scenario(await compiledProcess(withSignals(intermediateFlow, signal('fire-alarm')))).start();
    const opened = subscription(run, 'wait');
    run.cancel();
    expect(run.eventsOf('SignalSubscriptionClosed')).toEqual([{ type: 'SignalSubscriptionClosed', data: { subscriptionId: opened.id } }]);
  });
});

describe('signal boundary event', () => {
  it('interrupting: terminates the activity and runs its flow', async () => {
    const run = scenario(await compiledProcess(withSignals(boundaryFlow(true), signal('stop')))).start();
    const opened = subscription(run, 'stopped');
    expect(opened.elementInstanceId).toBe(run.instance('work').id);

    run.send({ type: 'ReceiveSignal', subscriptionId: opened.id, variables: { reason: 'storm' } });
    expect(run.terminated()).toContain('work');
    expect(run.active()).toEqual(['handle']);
    expect(run.variables).toMatchObject({ reason: 'storm' });
    expect(subscriptions(run)).toEqual([]);
  });

  it('non-interrupting: runs its flow each time while the activity goes on, once per broadcast', async () => {
    const run = scenario(await compiledProcess(withSignals(boundaryFlow(false), signal('stop')))).start();
    const opened = subscription(run, 'stopped');

    run.send({ type: 'ReceiveSignal', subscriptionId: opened.id, signalId: 'first' });
    run.send({ type: 'ReceiveSignal', subscriptionId: opened.id, signalId: 'second' });
    expect(run.active().sort()).toEqual(['handle', 'handle', 'work']);
    // The same broadcast delivered again (a second runtime replica) does not run the boundary event a third time.
    expect(run.reject({ type: 'ReceiveSignal', subscriptionId: opened.id, signalId: 'first' })).toMatchObject({ code: 'ALREADY_EXISTS' });

    run.completeUserTask('work');
    expect(subscriptions(run)).toEqual([]);
    expect(run.reject({ type: 'ReceiveSignal', subscriptionId: opened.id, signalId: 'third' })).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('signal catch event after an event-based gateway', () => {
  const gatewayFlow = `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gateway" />
    <bpmn:eventBasedGateway id="gateway" />
    <bpmn:sequenceFlow id="f2" sourceRef="gateway" targetRef="alarm-raised" />
    <bpmn:intermediateCatchEvent id="alarm-raised"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="alarm-raised" targetRef="evacuate" />
    <bpmn:userTask id="evacuate" />
    <bpmn:sequenceFlow id="f4" sourceRef="gateway" targetRef="hour-passed" />
    <bpmn:intermediateCatchEvent id="hour-passed"><bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="hour-passed" targetRef="done" />
    <bpmn:endEvent id="done" />
    <bpmn:sequenceFlow id="f6" sourceRef="evacuate" targetRef="evacuated" />
    <bpmn:endEvent id="evacuated" />`;

  it('the signal wins: the gateway leaves by its flow with the signal variables, and the timer is cancelled', async () => {
    const run = scenario(await compiledProcess(withSignals(gatewayFlow, signal('fire-alarm')))).start();
    const opened = subscription(run, 'alarm-raised');
    expect(opened.elementInstanceId).toBe(run.instance('gateway').id);

    run.send({ type: 'ReceiveSignal', subscriptionId: opened.id, variables: { floor: 2 } });
    expect(run.active()).toEqual(['evacuate']);
    expect(run.variables).toMatchObject({ floor: 2 });
    expect(run.timers()).toEqual([]);
    expect(subscriptions(run)).toEqual([]);
  });
});

describe('signal throw events', () => {
  const throwFlow = `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="announce" />
    <bpmn:intermediateThrowEvent id="announce">
      <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=orderId" target="order" /></zeebe:ioMapping></bpmn:extensionElements>
      <bpmn:signalEventDefinition signalRef="alarm" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="announce" targetRef="after" />
    <bpmn:userTask id="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:signalEventDefinition signalRef="done" /></bpmn:endEvent>`;

  it('an intermediate throw event broadcasts with its input mappings and moves on; an end event broadcasts and ends', async () => {
    const run = scenario(await compiledProcess(withSignals(throwFlow, signal('=&quot;order-&quot; + region'), signal('order-done', 'done')))).start({
      orderId: 'o-1',
      region: 'eu',
      secret: 'not sent',
    });
    expect(run.active()).toEqual(['after']);
    const [thrown] = run.eventsOf('SignalThrown');
    expect(thrown.data).toMatchObject({ elementId: 'announce', elementInstanceId: expect.any(String), signalName: 'order-eu', variables: { order: 'o-1' } });

    run.completeUserTask('after');
    expect(run.state.status).toBe('completed');
    expect(run.eventsOf('SignalThrown').map((event) => [event.data.elementId, event.data.signalName, event.data.variables])).toEqual([
      ['announce', 'order-eu', { order: 'o-1' }],
      ['end', 'order-done', {}],
    ]);
  });
});

describe('a signal thrown in the instance that waits for it', () => {
  /** start → fork → (wait: signal catch → caught) and (work: user task → announce: signal throw → again: signal catch → end) */
  const parallelFlow = `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="caught" />
    <bpmn:endEvent id="caught" />
    <bpmn:sequenceFlow id="f4" sourceRef="fork" targetRef="work" />
    <bpmn:userTask id="work" />
    <bpmn:sequenceFlow id="f5" sourceRef="work" targetRef="announce" />
    <bpmn:intermediateThrowEvent id="announce">
      <bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=7" target="floor" /></zeebe:ioMapping></bpmn:extensionElements>
      <bpmn:signalEventDefinition signalRef="alarm" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f6" sourceRef="announce" targetRef="again" />
    <bpmn:intermediateCatchEvent id="again"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f7" sourceRef="again" targetRef="end" />
    <bpmn:endEvent id="end" />`;

  it('reaches the waiting catch event in the same decision; a catch event reached after the throw does not get it', async () => {
    const run = scenario(await compiledProcess(withSignals(parallelFlow, signal('fire-alarm')))).start();
    const waiting = subscription(run, 'wait');
    run.completeUserTask('work');
    const [thrown] = run.eventsOf('SignalThrown');
    expect(thrown.data).toMatchObject({ elementId: 'announce', signalName: 'fire-alarm', variables: { floor: 7 }, deliveredInInstance: true });
    expect(run.eventsOf('SignalReceived')).toEqual([
      { type: 'SignalReceived', data: { subscriptionId: waiting.id, signalId: thrown.data.signalId, signalName: 'fire-alarm', variables: { floor: 7 } } },
    ]);
    expect(run.completed()).toEqual(['start', 'fork', 'work', 'wait', 'announce', 'caught']);
    expect(run.variables).toMatchObject({ floor: 7 });
    // Signals are not buffered: the catch event after the thrower opened once the signal had gone.
    expect(run.active()).toEqual(['again']);
    expect(subscriptions(run).map((open) => open.elementId)).toEqual(['again']);
  });

  /** start → sub (announce: signal throw → after: user task) with a signal boundary event `stopped` → handle → end */
  const subProcessFlow = (cancelActivity: boolean) => `
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="sub-start" />
      <bpmn:sequenceFlow id="s1" sourceRef="sub-start" targetRef="announce" />
      <bpmn:intermediateThrowEvent id="announce"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="s2" sourceRef="announce" targetRef="after" />
      <bpmn:userTask id="after" />
      <bpmn:sequenceFlow id="s3" sourceRef="after" targetRef="sub-end" />
      <bpmn:endEvent id="sub-end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="stopped" attachedToRef="sub" cancelActivity="${cancelActivity}"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="stopped" targetRef="handle" />
    <bpmn:userTask id="handle" />`;

  it('an interrupting boundary event of the sub-process around the thrower ends it there: the thrower does not move on', async () => {
    const run = scenario(await compiledProcess(withSignals(subProcessFlow(true), signal('stop')))).start();
    expect(run.active()).toEqual(['handle']);
    expect(run.terminated()).toEqual(['announce', 'sub']);
    expect(run.completed()).toEqual(['start', 'sub-start', 'stopped']);
    expect(subscriptions(run)).toEqual([]);
  });

  it('a non-interrupting one runs beside the thrower, which moves on', async () => {
    const run = scenario(await compiledProcess(withSignals(subProcessFlow(false), signal('stop')))).start();
    expect(run.active()).toEqual(['after', 'handle', 'sub']);
    expect(run.completed()).toEqual(['start', 'sub-start', 'announce', 'stopped']);
  });
});

describe('signals in models', () => {
  const problems = async (content: string) => {
    const compiled = await compile(
      definitions(`<bpmn:signal id="nameless" /><bpmn:signal id="alarm" name="alarm" />\n<bpmn:process id="process" isExecutable="true"><bpmn:startEvent id="start" />${content}</bpmn:process>`),
    );
    return compiled.ok ? [] : compiled.error.map(({ code, elementId, field }) => ({ code, elementId, field }));
  };

  it('refuses signal events without a signal, with a nameless one, or passing variables by camunda:in, every problem listed', async () => {
    const found = await problems(`
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="no-ref" />
      <bpmn:intermediateThrowEvent id="no-ref"><bpmn:signalEventDefinition /></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="no-ref" targetRef="nameless-catch" />
      <bpmn:intermediateCatchEvent id="nameless-catch"><bpmn:signalEventDefinition signalRef="nameless" /></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f3" sourceRef="nameless-catch" targetRef="task" />
      <bpmn:task id="task" />
      <bpmn:boundaryEvent id="unknown" attachedToRef="task"><bpmn:signalEventDefinition signalRef="nowhere" /></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="f4" sourceRef="task" targetRef="end" />
      <bpmn:endEvent id="end"><bpmn:signalEventDefinition signalRef="nameless" /></bpmn:endEvent>
      <bpmn:sequenceFlow id="f5" sourceRef="start" targetRef="with-in" />
      <bpmn:intermediateThrowEvent id="with-in">
        <bpmn:signalEventDefinition signalRef="alarm"><bpmn:extensionElements><camunda:in variables="all" /></bpmn:extensionElements></bpmn:signalEventDefinition>
      </bpmn:intermediateThrowEvent>`);
    expect(found).toEqual(
      expect.arrayContaining([
        { code: 'MISSING_ATTRIBUTE', elementId: 'no-ref', field: 'signalRef' },
        { code: 'MISSING_ATTRIBUTE', elementId: 'nameless-catch', field: 'signalRef' },
        { code: 'INVALID_ATTRIBUTE', elementId: 'unknown', field: 'signalRef' },
        { code: 'MISSING_ATTRIBUTE', elementId: 'end', field: 'signalRef' },
        { code: 'NOT_SUPPORTED', elementId: 'with-in', field: 'camunda:In' },
      ]),
    );
  });

  it('compiles a signal boundary event, catch, throw and end event', async () => {
    const process = await compiledProcess(
      withSignals(
        `<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" /><bpmn:task id="work" />
         <bpmn:boundaryEvent id="b" attachedToRef="work" cancelActivity="false"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:boundaryEvent>
         <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" /><bpmn:endEvent id="end"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:endEvent>`,
        signal('alarm'),
      ),
    );
    expect(process.elements['b']).toMatchObject({ kind: 'boundaryEvent', cancelActivity: false, eventDefinition: { type: 'signal' } });
    expect(process.elements['end']).toMatchObject({ kind: 'endEvent', eventDefinition: 'signal', thrown: { type: 'signal' } });
  });
});

describe('signal start events', () => {
  const startFlow = `
    <bpmn:startEvent id="alarm-start"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="alarm-start" targetRef="respond" />
    <bpmn:userTask id="respond" />
    <bpmn:sequenceFlow id="f2" sourceRef="respond" targetRef="end" />
    <bpmn:endEvent id="end" />`;

  it('a process with only a signal start event compiles, and an instance starts there with the signal variables', async () => {
    const process = await compiledProcess(withSignals(startFlow, signal('fire-alarm')));
    expect(process.startEventIds).toEqual([]);
    expect(process.signalStartEventIds).toEqual(['alarm-start']);
    expect(process.elements['alarm-start']).toMatchObject({ kind: 'startEvent', signalName: 'fire-alarm' });

    const run = scenario(process).send({
      type: 'CreateProcessInstance',
      processInstanceId: 'pi',
      processDefinitionId: 'process:1',
      version: 1,
      startElementId: 'alarm-start',
      variables: { floor: 4 },
    });
    expect(run.active()).toEqual(['respond']);
    expect(run.variables).toEqual({ floor: 4 });
  });

  it('refuses one inside a sub-process and one whose signal name is an expression', async () => {
    const compiled = await compile(
      withSignals(
        `${startFlow.replace('fire-alarm', '')}
    <bpmn:subProcess id="sub"><bpmn:startEvent id="inner"><bpmn:signalEventDefinition signalRef="alarm" /></bpmn:startEvent></bpmn:subProcess>`,
        signal('=&quot;alarm-&quot; + site'),
      ),
    );
    const found = compiled.ok ? [] : compiled.error.map(({ code, elementId, field }) => ({ code, elementId, field }));
    expect(found).toEqual(
      expect.arrayContaining([
        { code: 'INVALID_ATTRIBUTE', elementId: 'inner', field: 'eventDefinitions' },
        { code: 'NOT_SUPPORTED', elementId: 'alarm-start', field: 'bpmn:signal/@name' },
      ]),
    );
  });
});
