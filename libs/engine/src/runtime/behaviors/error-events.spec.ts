import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { compiledProcess, definitions } from '../../testing/bpmn.js';
import { createCommand, scenario } from '../../testing/decider-spec.js';
import type { CreateProcessInstance } from '../process-instance-commands.js';

const errors = `
  <bpmn:error id="not-found" name="Not found" errorCode="NOT_FOUND" />
  <bpmn:error id="dynamic" name="Whatever the code variable says" errorCode="=code" />
  <bpmn:error id="no-code" name="Any error" />
  <bpmn:escalation id="late" name="Late" escalationCode="LATE" />
  <bpmn:escalation id="stuck" name="Stuck" escalationCode="STUCK" />`;

const model = (content: string) => compiledProcess(definitions(`${errors}\n<bpmn:process id="process" isExecutable="true">${content}</bpmn:process>`));

/**
 * start → fetch (sub-process: inner-start → lookup (service task) → found? → yes: inner-end / no: fail, an error end
 * event throwing `thrown`) → shipped. Boundary events on `fetch` are given per test, each leading to a user task named
 * after it.
 */
const orderModel = (thrown: string, boundaries: string) =>
  model(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fetch" />
    <bpmn:subProcess id="fetch">
      <bpmn:startEvent id="inner-start" />
      <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="lookup" />
      <bpmn:serviceTask id="lookup"><bpmn:extensionElements><zeebe:taskDefinition type="lookup" /></bpmn:extensionElements></bpmn:serviceTask>
      <bpmn:sequenceFlow id="i2" sourceRef="lookup" targetRef="found" />
      <bpmn:exclusiveGateway id="found" default="i4" />
      <bpmn:sequenceFlow id="i3" sourceRef="found" targetRef="inner-end"><bpmn:conditionExpression>=found</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:endEvent id="inner-end" />
      <bpmn:sequenceFlow id="i4" sourceRef="found" targetRef="fail" />
      <bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="${thrown}" /></bpmn:endEvent>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="fetch" targetRef="shipped" />
    <bpmn:endEvent id="shipped" />
    ${boundaries}`);

/** A boundary event on `attachedTo` leading to a user task `handle-<id>`. */
const boundary = (id: string, attachedTo: string, definition: string, extra = '') => `
    <bpmn:boundaryEvent id="${id}" attachedToRef="${attachedTo}" ${extra}>${definition}</bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="to-handle-${id}" sourceRef="${id}" targetRef="handle-${id}" />
    <bpmn:userTask id="handle-${id}" />`;

const catchError = (errorRef?: string) => `<bpmn:errorEventDefinition${errorRef === undefined ? '' : ` errorRef="${errorRef}"`} />`;
const catchEscalation = (escalationRef?: string) => `<bpmn:escalationEventDefinition${escalationRef === undefined ? '' : ` escalationRef="${escalationRef}"`} />`;

describe('error end event', () => {
  it('in a sub-process, is caught by the boundary event of the sub-process for its code: the sub-process ends, the boundary path runs', async () => {
    const run = scenario(await orderModel('not-found', boundary('missing', 'fetch', catchError('not-found')))).start();
    run.completeJob('lookup', { found: false });

    expect(run.terminated()).toEqual(['fail', 'fetch']);
    expect(run.completed()).toEqual(['start', 'inner-start', 'lookup', 'found', 'missing']);
    expect(run.active()).toEqual(['handle-missing']);
    expect(run.taken()).toEqual(['f1', 'i1', 'i2', 'i4', 'to-handle-missing']);
    expect(run.incidents()).toEqual([]);
  });

  it('is not thrown when the path does not reach it', async () => {
    const run = scenario(await orderModel('not-found', boundary('missing', 'fetch', catchError('not-found')))).start();
    run.completeJob('lookup', { found: true });
    expect(run.completed()).toEqual(['start', 'inner-start', 'lookup', 'found', 'inner-end', 'fetch', 'shipped']);
    expect(run.state.status).toBe('completed');
  });

  it('prefers the boundary event for its exact code to a catch-all on the same activity, whatever their order', async () => {
    const process = await orderModel('not-found', boundary('any', 'fetch', catchError()) + boundary('missing', 'fetch', catchError('not-found')));
    const run = scenario(process).start().completeJob('lookup', { found: false });
    expect(run.active()).toEqual(['handle-missing']);
  });

  it('is caught by a catch-all (no errorRef, or an error without a code) when no boundary event names its code', async () => {
    for (const catchAll of [catchError(), catchError('no-code')]) {
      const process = await orderModel('dynamic', boundary('missing', 'fetch', catchError('not-found')) + boundary('any', 'fetch', catchAll));
      const run = scenario(process).start({ code: 'OUT_OF_STOCK' }).completeJob('lookup', { found: false });
      expect(run.active()).toEqual(['handle-any']);
    }
  });

  it('takes its code from an expression evaluated when it is reached (Camunda 8)', async () => {
    const process = await orderModel('dynamic', boundary('missing', 'fetch', catchError('not-found')));
    const run = scenario(process).start({ code: 'NOT_FOUND' }).completeJob('lookup', { found: false });
    expect(run.active()).toEqual(['handle-missing']);
  });

  it('uncaught: an UNHANDLED_ERROR_EVENT incident holds the end event where it is; nothing is terminated', async () => {
    const process = await orderModel('dynamic', boundary('missing', 'fetch', catchError('not-found')));
    const run = scenario(process).start({ code: 'OUT_OF_STOCK' }).completeJob('lookup', { found: false });

    expect(run.incident('fail')).toMatchObject({ type: 'UNHANDLED_ERROR_EVENT', message: expect.stringContaining("code 'OUT_OF_STOCK'") });
    expect(run.active()).toEqual(['fail', 'fetch']);
    expect(run.terminated()).toEqual([]);

    // Resolving throws again, now with the code the variable says.
    run.setVariables({ code: 'NOT_FOUND' }).resolveIncident('fail');
    expect(run.active()).toEqual(['handle-missing']);
    expect(run.incidents()).toEqual([]);
  });

  it('propagates outward through nested sub-processes to the nearest activity with a catching boundary event', async () => {
    const nested = (innerBoundaries: string) =>
      model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="outer" />
      <bpmn:subProcess id="outer">
        <bpmn:startEvent id="outer-start" />
        <bpmn:sequenceFlow id="o1" sourceRef="outer-start" targetRef="inner" />
        <bpmn:subProcess id="inner">
          <bpmn:startEvent id="inner-start" />
          <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="fork" />
          <bpmn:parallelGateway id="fork" />
          <bpmn:sequenceFlow id="i2" sourceRef="fork" targetRef="review" />
          <bpmn:userTask id="review" />
          <bpmn:sequenceFlow id="i3" sourceRef="fork" targetRef="fail" />
          <bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="not-found" /></bpmn:endEvent>
        </bpmn:subProcess>
        ${innerBoundaries}
        <bpmn:sequenceFlow id="o2" sourceRef="inner" targetRef="outer-end" />
        <bpmn:endEvent id="outer-end" />
      </bpmn:subProcess>
      ${boundary('outer-catch', 'outer', catchError('not-found'))}
      <bpmn:sequenceFlow id="f2" sourceRef="outer" targetRef="end" />
      <bpmn:endEvent id="end" />`);

    const outward = scenario(await nested('')).start();
    expect(outward.terminated()).toEqual(['review', 'fail', 'inner', 'outer']);
    expect(outward.active()).toEqual(['handle-outer-catch']);

    // A catch-all on the inner sub-process is nearer than the exact code on the outer one: the nearest level wins.
    const nearest = scenario(await nested(boundary('inner-catch', 'inner', catchError()))).start();
    expect(nearest.terminated()).toEqual(['review', 'fail', 'inner']);
    expect(nearest.active()).toEqual(['handle-inner-catch', 'outer']);
  });
});

describe('error thrown by a job worker', () => {
  /** start → charge (service task, boundary events given) → done */
  const charge = (boundaries: string, extensions = '') =>
    model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
      <bpmn:serviceTask id="charge"><bpmn:extensionElements><zeebe:taskDefinition type="charge" /></bpmn:extensionElements></bpmn:serviceTask>
      <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="done" />
      <bpmn:endEvent id="done" />
      ${boundaries.replace('EXTENSIONS', extensions)}`);

  it('is caught by the task’s error boundary event: the job ends, the task is terminated, the worker’s variables are set', async () => {
    const run = scenario(await charge(boundary('declined', 'charge', catchError('not-found')))).start();
    const { id } = run.job('charge');
    run.send({ type: 'ThrowError', jobId: id, errorCode: 'NOT_FOUND', errorMessage: 'No such card', variables: { card: 'expired' } });

    expect(run.lastEvents[0]).toEqual({ type: 'JobErrorThrown', data: { jobId: id, errorCode: 'NOT_FOUND', errorMessage: 'No such card', variables: { card: 'expired' } } });
    expect(run.eventsOf('JobCanceled')).toEqual([{ type: 'JobCanceled', data: { jobId: id } }]);
    expect(run.jobs()).toEqual([]);
    expect(run.terminated()).toEqual(['charge']);
    expect(run.active()).toEqual(['handle-declined']);
    expect(run.variables).toEqual({ card: 'expired' });
  });

  it('stores the code and message where Camunda 7 says (errorCodeVariable, errorMessageVariable)', async () => {
    const definition = '<bpmn:errorEventDefinition camunda:errorCodeVariable="failureCode" camunda:errorMessageVariable="failureMessage" />';
    const run = scenario(await charge(boundary('declined', 'charge', definition))).start();
    run.send({ type: 'ThrowError', jobId: run.job('charge').id, errorCode: 'CARD_DECLINED', errorMessage: 'Insufficient funds' });
    expect(run.variables).toEqual({ failureCode: 'CARD_DECLINED', failureMessage: 'Insufficient funds' });
  });

  it('lets output mappings of the boundary event read errorCode and errorMessage (Camunda 8); nothing else leaves it', async () => {
    const mappings = `<bpmn:extensionElements><zeebe:ioMapping>
        <zeebe:output source="=errorCode + &quot;: &quot; + errorMessage" target="reason" />
        <zeebe:output source="=card" target="card" />
      </zeebe:ioMapping></bpmn:extensionElements>`;
    const run = scenario(await charge(boundary('declined', 'charge', `${mappings}${catchError()}`))).start();
    run.send({ type: 'ThrowError', jobId: run.job('charge').id, errorCode: 'CARD_DECLINED', errorMessage: 'Insufficient funds', variables: { card: 'visa', secret: 'x' } });
    expect(run.variables).toEqual({ reason: 'CARD_DECLINED: Insufficient funds', card: 'visa' });
  });

  it('uncaught: an incident on the task names the job; resolving it offers the job again, and the task can complete', async () => {
    const run = scenario(await charge(boundary('declined', 'charge', catchError('not-found')))).start();
    const { id } = run.job('charge');
    run.send({ type: 'ThrowError', jobId: id, errorCode: 'CARD_DECLINED', variables: { ignored: true } });

    expect(run.incident('charge')).toMatchObject({ type: 'UNHANDLED_ERROR_EVENT', jobId: id, message: expect.stringContaining("'CARD_DECLINED'") });
    expect(run.job('charge').state).toBe('failed');
    expect(run.active()).toEqual(['charge']);
    expect(run.variables).toEqual({});
    expect(run.reject({ type: 'CompleteJob', jobId: id })).toMatchObject({ code: 'INVALID_STATE' });

    run.resolveIncident('charge');
    expect(run.job('charge').state).toBe('activatable');
    run.completeJob('charge');
    expect(run.state.status).toBe('completed');
  });

  it('is refused without a code, for an unknown job, and for a job already given up on', async () => {
    const run = scenario(await charge('')).start();
    const { id } = run.job('charge');
    expect(run.reject({ type: 'ThrowError', jobId: id, errorCode: ' ' })).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'errorCode' } });
    expect(run.reject({ type: 'ThrowError', jobId: 'nope', errorCode: 'X' })).toMatchObject({ code: 'NOT_FOUND' });
    run.failJob('charge', 0);
    expect(run.reject({ type: 'ThrowError', jobId: id, errorCode: 'X' })).toMatchObject({ code: 'INVALID_STATE' });
  });

  it('from an iteration of a multi-instance task, is caught on the task as a whole: every iteration ends', async () => {
    const process = await model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
      <bpmn:serviceTask id="charge">
        <bpmn:extensionElements><zeebe:taskDefinition type="charge" /></bpmn:extensionElements>
        <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics>
      </bpmn:serviceTask>
      <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="done" />
      <bpmn:endEvent id="done" />
      ${boundary('declined', 'charge', catchError())}`);
    const run = scenario(process).start();
    const [first] = run.jobs('charge');
    run.send({ type: 'ThrowError', jobId: first.id, errorCode: 'CARD_DECLINED' });
    expect(run.terminated()).toEqual(['charge', 'charge', 'charge#body']);
    expect(run.active()).toEqual(['handle-declined']);
  });
});

describe('error thrown in a called process', () => {
  /** The caller: start → call (call activity of `charging`, an error boundary event for NOT_FOUND) → end */
  const callerModel = () =>
    model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
      <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="charging" /></bpmn:extensionElements></bpmn:callActivity>
      <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
      <bpmn:endEvent id="end" />
      ${boundary('missing', 'call', catchError('not-found'))}`);
  /** The child: start → charge (service task) → end */
  const childModel = () =>
    model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
      <bpmn:serviceTask id="charge"><bpmn:extensionElements><zeebe:taskDefinition type="charge" /></bpmn:extensionElements></bpmn:serviceTask>
      <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="end" />
      <bpmn:endEvent id="end" />`);

  /** A caller waiting for its child, and the child started for it (the runtime's part played by hand). */
  const called = async () => {
    const caller = scenario(await callerModel()).start();
    const [requested] = caller.eventsOf('ChildProcessInstanceRequested');
    const child = scenario(await childModel()).send({ ...(createCommand() as CreateProcessInstance), parent: { processInstanceId: 'caller', elementInstanceId: requested.data.elementInstanceId } });
    return { caller, child, requested: requested.data };
  };

  it('is passed up when nothing in the child catches it, and caught by the boundary event of the call activity, which ends the child', async () => {
    const { caller, child, requested } = await called();
    const job = child.job('charge');
    child.send({ type: 'ThrowError', jobId: job.id, errorCode: 'NOT_FOUND', errorMessage: 'no such customer', variables: { customer: 'Ada' } });
    const [passed] = child.eventsOf('ErrorThrownToCaller');
    expect(passed.data).toEqual({
      elementInstanceId: child.instance('charge').id,
      elementId: 'charge',
      errorCode: 'NOT_FOUND',
      errorMessage: 'no such customer',
      variables: { customer: 'Ada' },
      jobId: job.id,
    });
    // The thrower waits for the caller's answer, without an incident.
    expect(child.incidents()).toEqual([]);
    expect(child.active()).toEqual(['charge']);

    const throwChildError = {
      type: 'ThrowChildError',
      elementInstanceId: requested.elementInstanceId,
      childProcessInstanceId: requested.childProcessInstanceId,
      childElementInstanceId: passed.data.elementInstanceId,
      errorCode: 'NOT_FOUND',
      errorMessage: 'no such customer',
      variables: { customer: 'Ada' },
    } as const;
    caller.send(throwChildError);
    expect(caller.terminated()).toEqual(['call']);
    expect(caller.active()).toEqual(['handle-missing']);
    expect(caller.variables).toEqual({ customer: 'Ada' });
    expect(caller.lastEvents).toContainEqual({ type: 'ChildProcessInstanceCancelRequested', data: { elementInstanceId: requested.elementInstanceId, childProcessInstanceId: requested.childProcessInstanceId } });
    // Sent again (after a restart, say): the call activity is gone, nothing happens twice.
    expect(caller.reject(throwChildError)).toMatchObject({ code: 'INVALID_STATE' });
  });

  it('not caught by the caller either: the child’s thrower gets the incident, whose resolution offers the job again', async () => {
    const { caller, child, requested } = await called();
    const job = child.job('charge');
    child.send({ type: 'ThrowError', jobId: job.id, errorCode: 'CARD_DECLINED' });
    const [passed] = child.eventsOf('ErrorThrownToCaller');

    caller.send({
      type: 'ThrowChildError',
      elementInstanceId: requested.elementInstanceId,
      childProcessInstanceId: requested.childProcessInstanceId,
      childElementInstanceId: passed.data.elementInstanceId,
      errorCode: 'CARD_DECLINED',
    });
    expect(caller.lastEvents).toEqual([
      { type: 'ChildErrorNotCaught', data: { elementInstanceId: requested.elementInstanceId, childProcessInstanceId: requested.childProcessInstanceId, childElementInstanceId: passed.data.elementInstanceId } },
    ]);
    expect(caller.active()).toEqual(['call']);
    expect(caller.incidents()).toEqual([]);

    child.send({ type: 'ReturnUncaughtError', elementInstanceId: passed.data.elementInstanceId });
    expect(child.incident('charge')).toMatchObject({ type: 'UNHANDLED_ERROR_EVENT', jobId: job.id, message: expect.stringContaining("'CARD_DECLINED'") });
    expect(child.state.errorsThrownToCaller).toEqual({});
    expect(child.reject({ type: 'ReturnUncaughtError', elementInstanceId: passed.data.elementInstanceId })).toMatchObject({ code: 'NOT_FOUND' });

    child.resolveIncident('charge');
    expect(child.job('charge').state).toBe('activatable');
  });

  it('from an error end event of the child: the end event waits, activating, for the answer', async () => {
    const { child } = await called();
    const process = await model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fail" />
      <bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="not-found" /></bpmn:endEvent>`);
    const failing = scenario(process).send({ ...(createCommand() as CreateProcessInstance), parent: { processInstanceId: 'caller', elementInstanceId: 'call-1' } });
    expect(failing.eventsOf('ErrorThrownToCaller')).toEqual([expect.objectContaining({ data: expect.objectContaining({ elementId: 'fail', errorCode: 'NOT_FOUND' }) })]);
    expect(failing.instance('fail').state).toBe('activating');
    expect(failing.state.status).toBe('active');
    failing.send({ type: 'ReturnUncaughtError', elementInstanceId: failing.instance('fail').id });
    expect(failing.incident('fail')).toMatchObject({ type: 'UNHANDLED_ERROR_EVENT' });
    expect(child.incidents()).toEqual([]);
  });

  it('a thrower terminated while it waits for the answer waits no more (its instance was canceled, say)', async () => {
    const { child } = await called();
    const job = child.job('charge');
    child.send({ type: 'ThrowError', jobId: job.id, errorCode: 'CARD_DECLINED' });
    const thrower = child.instance('charge').id;
    child.send({ type: 'CancelProcessInstance', byParent: true });
    expect(child.state.errorsThrownToCaller).toEqual({});
    expect(child.eventsOf('ElementTerminated').map((event) => event.data.elementInstanceId)).toContain(thrower);
  });
});

describe('escalation thrown in a called process', () => {
  /** The caller: start → call (call activity of `working`, boundary events given) → end */
  const callerModel = (boundaries: string) =>
    model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
      <bpmn:callActivity id="call"><bpmn:extensionElements><zeebe:calledElement processId="working" /></bpmn:extensionElements></bpmn:callActivity>
      <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
      <bpmn:endEvent id="end" />
      ${boundaries}`);
  /** The child: start → ask (escalation LATE) → finish (user task) → end */
  const childModel = () =>
    model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask" />
      <bpmn:intermediateThrowEvent id="ask"><bpmn:escalationEventDefinition escalationRef="late" /></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="finish" />
      <bpmn:userTask id="finish" />
      <bpmn:sequenceFlow id="f3" sourceRef="finish" targetRef="end" />
      <bpmn:endEvent id="end" />`);

  const called = async (boundaries: string) => {
    const caller = scenario(await callerModel(boundaries)).start();
    const [requested] = caller.eventsOf('ChildProcessInstanceRequested');
    const child = scenario(await childModel()).send({ ...(createCommand() as CreateProcessInstance), parent: { processInstanceId: 'caller', elementInstanceId: requested.data.elementInstanceId } });
    const [passed] = child.eventsOf('EscalationThrownToCaller');
    const throwChildEscalation = {
      type: 'ThrowChildEscalation',
      elementInstanceId: requested.data.elementInstanceId,
      childProcessInstanceId: requested.data.childProcessInstanceId,
      childElementInstanceId: passed.data.elementInstanceId,
      escalationId: passed.data.escalationId,
      escalationCode: passed.data.escalationCode,
    } as const;
    return { caller, child, passed: passed.data, throwChildEscalation };
  };

  it('caught without interrupting by the call activity: the boundary path runs, and the child’s thrower goes on once answered', async () => {
    const { caller, child, passed, throwChildEscalation } = await called(boundary('notify', 'call', catchEscalation('late'), 'cancelActivity="false"'));
    expect(passed).toMatchObject({ elementId: 'ask', escalationCode: 'LATE' });
    // The thrower waits for the answer.
    expect(child.active()).toEqual(['ask']);

    caller.send(throwChildEscalation);
    expect(caller.active()).toEqual(['call', 'handle-notify']);
    expect(caller.lastEvents).toContainEqual(expect.objectContaining({ type: 'ChildEscalationAnswered' }));
    // Sent again (after a restart, say): answered again, the boundary event does not run twice.
    caller.send(throwChildEscalation);
    expect(caller.lastEvents.map((event) => event.type)).toEqual(['ChildEscalationAnswered']);
    expect(caller.active()).toEqual(['call', 'handle-notify']);

    child.send({ type: 'ContinueAfterEscalation', elementInstanceId: passed.elementInstanceId });
    expect(child.active()).toEqual(['finish']);
    expect(child.completed()).toEqual(['start', 'ask']);
    expect(child.reject({ type: 'ContinueAfterEscalation', elementInstanceId: passed.elementInstanceId })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('caught by an interrupting boundary event of the call activity: the call activity ends and its child is canceled', async () => {
    const { caller, throwChildEscalation } = await called(boundary('take-over', 'call', catchEscalation()));
    caller.send(throwChildEscalation);
    expect(caller.terminated()).toEqual(['call']);
    expect(caller.active()).toEqual(['handle-take-over']);
    expect(caller.eventsOf('ChildProcessInstanceCancelRequested')).toHaveLength(1);
    expect(caller.eventsOf('ChildEscalationAnswered')).toEqual([]);
  });

  it('caught by nobody: answered, and the child goes on', async () => {
    const { caller, throwChildEscalation } = await called(boundary('other', 'call', catchEscalation('stuck')));
    caller.send(throwChildEscalation);
    expect(caller.active()).toEqual(['call']);
    expect(caller.lastEvents.map((event) => event.type)).toEqual(['ChildEscalationAnswered']);
  });
});

describe('escalation', () => {
  /** start → work (sub-process: inner-start → ask (escalation throw) → finish (user task) → inner-end) → end */
  const escalating = (boundaries: string, thrower = '<bpmn:intermediateThrowEvent id="ask"><bpmn:escalationEventDefinition escalationRef="late" /></bpmn:intermediateThrowEvent>') =>
    model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
      <bpmn:subProcess id="work">
        <bpmn:startEvent id="inner-start" />
        <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="ask" />
        ${thrower}
        <bpmn:sequenceFlow id="i2" sourceRef="ask" targetRef="finish" />
        <bpmn:userTask id="finish" />
        <bpmn:sequenceFlow id="i3" sourceRef="finish" targetRef="inner-end" />
        <bpmn:endEvent id="inner-end" />
      </bpmn:subProcess>
      <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
      <bpmn:endEvent id="end" />
      ${boundaries}`);

  it('non-interrupting: the boundary path runs and the thrower goes on', async () => {
    const run = scenario(await escalating(boundary('notify', 'work', catchEscalation('late'), 'cancelActivity="false"'))).start();
    expect(run.completed()).toEqual(['start', 'inner-start', 'ask', 'notify']);
    expect(run.active()).toEqual(['finish', 'handle-notify', 'work']);

    run.completeUserTask('finish');
    expect(run.completed()).toEqual(['start', 'inner-start', 'ask', 'notify', 'finish', 'inner-end', 'work', 'end']);
    expect(run.active()).toEqual(['handle-notify']);
  });

  it('interrupting: the sub-process ends (the thrower with it) and the boundary path runs', async () => {
    const run = scenario(await escalating(boundary('take-over', 'work', catchEscalation()))).start();
    expect(run.terminated()).toEqual(['ask', 'work']);
    expect(run.active()).toEqual(['handle-take-over']);
  });

  it('prefers the exact code to a catch-all, and is caught only by escalation boundary events', async () => {
    const boundaries =
      boundary('any', 'work', catchEscalation(), 'cancelActivity="false"') +
      boundary('exact', 'work', catchEscalation('late'), 'cancelActivity="false"') +
      boundary('error', 'work', catchError());
    const run = scenario(await escalating(boundaries)).start();
    expect(run.active()).toEqual(['finish', 'handle-exact', 'work']);
  });

  it('uncaught: the thrower goes on, with no incident', async () => {
    const run = scenario(await escalating(boundary('other', 'work', catchEscalation('stuck')))).start();
    expect(run.active()).toEqual(['finish', 'work']);
    expect(run.incidents()).toEqual([]);
  });

  it('from an end event, caught non-interrupting: the sub-process still completes', async () => {
    const thrower = '<bpmn:endEvent id="ask"><bpmn:escalationEventDefinition escalationRef="late" /></bpmn:endEvent>';
    const process = await model(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
      <bpmn:subProcess id="work">
        <bpmn:startEvent id="inner-start" />
        <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="ask" />
        ${thrower}
      </bpmn:subProcess>
      <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
      <bpmn:endEvent id="end" />
      ${boundary('notify', 'work', catchEscalation('late'), 'cancelActivity="false"')}`);
    const run = scenario(process).start();
    expect(run.completed()).toEqual(['start', 'inner-start', 'ask', 'notify', 'work', 'end']);
    expect(run.active()).toEqual(['handle-notify']);
  });
});

describe('errors and escalations in models', () => {
  const problems = async (content: string) => {
    const compiled = await compile(definitions(`${errors}\n<bpmn:error id="blank" name="No code" />\n<bpmn:process id="process" isExecutable="true"><bpmn:startEvent id="start" />${content}</bpmn:process>`));
    return compiled.ok ? [] : compiled.error.map(({ code, elementId, field }) => ({ code, elementId, field }));
  };

  it('refuses misuse with every problem listed', async () => {
    const found = await problems(`
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
      <bpmn:task id="task" />
      <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="split" />
      <bpmn:parallelGateway id="split" />
      <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="no-ref" />
      <bpmn:endEvent id="no-ref"><bpmn:errorEventDefinition /></bpmn:endEvent>
      <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="missing-ref" />
      <bpmn:endEvent id="missing-ref"><bpmn:errorEventDefinition errorRef="nowhere" /></bpmn:endEvent>
      <bpmn:sequenceFlow id="f5" sourceRef="split" targetRef="codeless" />
      <bpmn:endEvent id="codeless"><bpmn:errorEventDefinition errorRef="blank" /></bpmn:endEvent>
      <bpmn:sequenceFlow id="f6" sourceRef="split" targetRef="no-escalation" />
      <bpmn:intermediateThrowEvent id="no-escalation"><bpmn:escalationEventDefinition /></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="f7" sourceRef="no-escalation" targetRef="catch-error" />
      <bpmn:intermediateCatchEvent id="catch-error"><bpmn:errorEventDefinition errorRef="not-found" /></bpmn:intermediateCatchEvent>
      <bpmn:boundaryEvent id="not-interrupting" attachedToRef="task" cancelActivity="false"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="by-expression" attachedToRef="task"><bpmn:errorEventDefinition errorRef="dynamic" /></bpmn:boundaryEvent>`);
    expect(found).toEqual(
      expect.arrayContaining([
        { code: 'MISSING_ATTRIBUTE', elementId: 'no-ref', field: 'errorRef' },
        { code: 'INVALID_ATTRIBUTE', elementId: 'missing-ref', field: 'errorRef' },
        { code: 'MISSING_ATTRIBUTE', elementId: 'codeless', field: 'errorCode' },
        { code: 'MISSING_ATTRIBUTE', elementId: 'no-escalation', field: 'escalationRef' },
        { code: 'INVALID_ATTRIBUTE', elementId: 'catch-error', field: 'eventDefinitions' },
        { code: 'INVALID_ATTRIBUTE', elementId: 'not-interrupting', field: 'cancelActivity' },
        { code: 'INVALID_ATTRIBUTE', elementId: 'by-expression', field: 'errorCode' },
      ]),
    );
    // One problem, one error: an unresolved errorRef is not also reported as missing.
    expect(found.filter((problem) => problem.elementId === 'missing-ref')).toHaveLength(1);
  });

  it('refuses two boundary events of one activity catching the same code, or two catch-alls of one kind', async () => {
    const found = await problems(`
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
      <bpmn:task id="task" />
      <bpmn:boundaryEvent id="first" attachedToRef="task">${catchError('not-found')}</bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="second" attachedToRef="task">${catchError('not-found')}</bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="any-error" attachedToRef="task">${catchError()}</bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="any-escalation" attachedToRef="task">${catchEscalation()}</bpmn:boundaryEvent>
      <bpmn:boundaryEvent id="any-escalation-again" attachedToRef="task" cancelActivity="false">${catchEscalation()}</bpmn:boundaryEvent>`);
    expect(found).toEqual([
      { code: 'INVALID_ATTRIBUTE', elementId: 'second', field: 'errorRef' },
      { code: 'INVALID_ATTRIBUTE', elementId: 'any-escalation-again', field: 'escalationRef' },
    ]);
  });
});
