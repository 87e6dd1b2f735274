import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess, definitions } from '../../testing/bpmn.js';
import { scenario, START_TIME, type Scenario } from '../../testing/decider-spec.js';
import type { AsyncContinuationState } from '../process-instance-state.js';

const at = (offsetMs: number): string => new Date(Date.parse(START_TIME) + offsetMs).toISOString();

/**
 * start → work (script task: its input mapping `amount` is the JUEL `${price * 2}`, which fails for a price that is no
 * number; the script gives total = amount) → review (user task) → end
 */
const scriptProcess = (attributes: string, extensions = '', processAttributes = '') =>
  compiledProcess(
    definitions(`  <bpmn:process id="process" isExecutable="true" ${processAttributes}>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:scriptTask id="work" scriptFormat="feel" camunda:resultVariable="total" ${attributes}>
      <bpmn:extensionElements>
        ${extensions}
        <camunda:inputOutput><camunda:inputParameter name="amount">\${price * 2}</camunda:inputParameter></camunda:inputOutput>
      </bpmn:extensionElements>
      <bpmn:script>amount</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="review" />
    <bpmn:userTask id="review" />
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>`),
  );

const retryCycle = (text: string) => `<camunda:failedJobRetryTimeCycle>${text}</camunda:failedJobRetryTimeCycle>`;

function continuations(run: Scenario): AsyncContinuationState[] {
  return Object.values(run.state.asyncContinuations ?? {});
}

function continuation(run: Scenario, elementId: string): AsyncContinuationState {
  const found = continuations(run).filter((candidate) => candidate.elementId === elementId);
  if (found.length !== 1) throw new Error(`Expected one continuation at ${elementId}, found ${found.length}`);
  return found[0];
}

/** The job executor runs the continuation of an element (at its due time, when that is later). */
function runContinuation(run: Scenario, elementId: string): Scenario {
  const { id, dueAt } = continuation(run, elementId);
  run.advanceTo(dueAt);
  return run.send({ type: 'RunAsyncContinuation', continuationId: id });
}

describe('asyncBefore', () => {
  it('leaves the instance waiting before the element, which runs when its continuation is run', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true"')).start({ price: 21 });
    expect(run.completed()).toEqual(['start']);
    expect(run.state.elementInstances[run.instance('work').id]?.state).toBe('activating');
    expect(run.variables).toEqual({ price: 21 });
    expect(continuation(run, 'work')).toMatchObject({ phase: 'before', dueAt: at(0), retries: 3, priority: 0, exclusive: true, state: 'waiting' });

    runContinuation(run, 'work');
    expect(run.completed()).toEqual(['start', 'work']);
    expect(run.active()).toEqual(['review']);
    expect(run.variables).toEqual({ price: 21, total: 42 });
    expect(continuations(run)).toEqual([]);
    expect(run.lastEvents[0]).toMatchObject({ type: 'AsyncContinuationExecuted' });
  });

  it('reads camunda:async as asyncBefore, and camunda:exclusive', async () => {
    const run = scenario(await scriptProcess('camunda:async="true" camunda:exclusive="false"')).start({ price: 1 });
    expect(continuation(run, 'work')).toMatchObject({ phase: 'before', exclusive: false });
  });

  it('runs a continuation once: a second run (another replica) is refused and changes nothing', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true"')).start({ price: 1 });
    const { id } = continuation(run, 'work');
    run.send({ type: 'RunAsyncContinuation', continuationId: id });
    expect(run.reject({ type: 'RunAsyncContinuation', continuationId: id })).toMatchObject({ code: 'NOT_FOUND' });
    expect(run.completed()).toEqual(['start', 'work']);
  });

  it('stops a multi-instance activity once, at its body, not at each iteration', async () => {
    const process = await compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each" />
    <bpmn:userTask id="each" camunda:asyncBefore="true">
      <bpmn:multiInstanceLoopCharacteristics camunda:collection="\${items}" camunda:elementVariable="item" />
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    const run = scenario(process).start({ items: ['a', 'b'] });
    expect(run.active()).toEqual(['each#body']);
    runContinuation(run, 'each');
    expect(run.active()).toEqual(['each', 'each', 'each#body']);
    expect(continuations(run)).toEqual([]);
  });

  it('stops each iteration with asyncBefore / asyncAfter on the loop characteristics (Camunda 7), with their own cycle and priority', async () => {
    const process = await compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each" />
    <bpmn:task id="each">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true" camunda:collection="\${items}" camunda:elementVariable="item"
                                             camunda:asyncBefore="true" camunda:asyncAfter="true" camunda:jobPriority="3">
        <bpmn:extensionElements><camunda:failedJobRetryTimeCycle>R5/PT1M</camunda:failedJobRetryTimeCycle></bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:task>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="done" />
    <bpmn:userTask id="done" />`),
    );
    const run = scenario(process).start({ items: ['a', 'b'] });
    expect(run.active()).toEqual(['each', 'each#body']);
    expect(continuation(run, 'each')).toMatchObject({ phase: 'before', retries: 5, retryTimeCycle: 'R5/PT1M', priority: 3 });
    runContinuation(run, 'each');
    expect(continuation(run, 'each')).toMatchObject({ phase: 'after' });
    runContinuation(run, 'each');
    // The second iteration starts, and stops before its activation in turn.
    expect(continuation(run, 'each')).toMatchObject({ phase: 'before' });
    expect(run.completed()).toEqual(['start', 'each']);
    runContinuation(run, 'each');
    runContinuation(run, 'each');
    expect(run.active()).toEqual(['done']);
    expect(run.completed()).toEqual(['start', 'each', 'each', 'each#body']);
  });

  it('stops at a start event with asyncBefore: the instance is created, its first step waits', async () => {
    const process = await compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" camunda:asyncBefore="true" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task" />`),
    );
    const run = scenario(process).start();
    expect(run.state.status).toBe('active');
    expect(run.active()).toEqual(['start']);
    runContinuation(run, 'start');
    expect(run.active()).toEqual(['task']);
  });
});

describe('asyncAfter', () => {
  const serviceProcess = () =>
    compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
    <bpmn:serviceTask id="charge" camunda:type="external" camunda:topic="charge" camunda:asyncAfter="true" />
    <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="ship" />
    <bpmn:userTask id="ship" />
    <bpmn:sequenceFlow id="f3" sourceRef="ship" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="late" attachedToRef="charge">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="lateEnd" />
    <bpmn:endEvent id="lateEnd" />`),
    );

  it('waits after the element did its work, before its outgoing flows; its boundary events are closed', async () => {
    const run = scenario(await serviceProcess()).start();
    expect(run.timers('late')).toHaveLength(1);
    run.completeJob('charge', { receipt: 'r-1' });
    expect(run.state.elementInstances[run.instance('charge').id]?.state).toBe('completing');
    expect(run.variables).toEqual({ receipt: 'r-1' });
    expect(run.timers()).toEqual([]);
    expect(continuation(run, 'charge')).toMatchObject({ phase: 'after' });
    expect(run.completed()).toEqual(['start']);

    runContinuation(run, 'charge');
    expect(run.completed()).toEqual(['start', 'charge']);
    expect(run.active()).toEqual(['ship']);
  });

  it('with asyncBefore too, stops twice', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true" camunda:asyncAfter="true"')).start({ price: 2 });
    runContinuation(run, 'work');
    expect(run.variables).toEqual({ price: 2, total: 4 });
    expect(continuation(run, 'work')).toMatchObject({ phase: 'after' });
    expect(run.active()).toEqual(['work']);
    runContinuation(run, 'work');
    expect(run.active()).toEqual(['review']);
  });
});

describe('a failing continuation', () => {
  it('is retried as camunda:failedJobRetryTimeCycle says (R3/PT10S: 3 attempts 10 s apart), then raises an incident', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true"', retryCycle('R3/PT10S'))).start({ price: 'ten' });
    expect(continuation(run, 'work').retries).toBe(3);

    const first = continuation(run, 'work').id;
    run.send({ type: 'RunAsyncContinuation', continuationId: first });
    expect(run.lastEvents.map((event) => event.type)).toEqual(['AsyncContinuationFailed']);
    const failedAt = (run.lastEvents[0] as { data: { dueAt: string } }).data.dueAt;
    expect(continuation(run, 'work')).toMatchObject({ retries: 2, state: 'waiting', errorMessage: expect.stringContaining("at 'work'") });
    expect(Date.parse(failedAt) - Date.parse(run.eventsOf('AsyncContinuationCreated')[0]!.data.createdAt)).toBeGreaterThanOrEqual(10_000);
    expect(run.incidents()).toEqual([]);
    // Rolled back: the script did not run, the instance still waits before it.
    expect(run.completed()).toEqual(['start']);
    expect(run.state.elementInstances[run.instance('work').id]?.state).toBe('activating');
    expect(run.reject({ type: 'RunAsyncContinuation', continuationId: first })).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('not due until') });

    runContinuation(run, 'work');
    expect(continuation(run, 'work')).toMatchObject({ retries: 1, state: 'waiting' });
    runContinuation(run, 'work');
    expect(continuation(run, 'work')).toMatchObject({ retries: 0, state: 'failed' });
    expect(run.incident('work')).toMatchObject({ type: 'JOB_NO_RETRIES', jobId: first });
    expect(run.reject({ type: 'RunAsyncContinuation', continuationId: first })).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('no retries left') });

    // Each attempt waited the cycle's 10 s after the failure before it.
    const failures = run.eventsOf('AsyncContinuationFailed');
    expect(failures.map((event) => event.data.retries)).toEqual([2, 1, 0]);
    expect(Date.parse(failures[1]!.data.dueAt) - Date.parse(failures[0]!.data.dueAt)).toBeGreaterThanOrEqual(10_000);

    // Fixed and resolved with retries: the job executor runs it again, and it goes through.
    run.setVariables({ price: 10 });
    run.resolveIncident('work', 2);
    expect(run.incidents()).toEqual([]);
    expect(continuation(run, 'work')).toMatchObject({ retries: 2, state: 'waiting' });
    runContinuation(run, 'work');
    expect(run.variables).toMatchObject({ total: 20 });
    expect(run.active()).toEqual(['review']);
  });

  it('gets 3 attempts one right after the other without a cycle (Camunda 7 default)', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true"')).start({ price: 'ten' });
    runContinuation(run, 'work');
    expect(continuation(run, 'work')).toMatchObject({ retries: 2 });
    expect(run.eventsOf('AsyncContinuationFailed')[0]!.data.dueAt).toBe(continuation(run, 'work').dueAt);
    runContinuation(run, 'work');
    runContinuation(run, 'work');
    expect(run.incident('work').type).toBe('JOB_NO_RETRIES');
  });

  it('waits the intervals of a list one by one (PT1M,PT5M: 3 attempts)', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true"', retryCycle('PT1M,PT5M'))).start({ price: 'ten' });
    expect(continuation(run, 'work').retries).toBe(3);
    runContinuation(run, 'work');
    const firstFailure = run.eventsOf('AsyncContinuationFailed')[0]!;
    runContinuation(run, 'work');
    const secondFailure = run.eventsOf('AsyncContinuationFailed')[1]!;
    expect(Date.parse(secondFailure.data.dueAt) - Date.parse(firstFailure.data.dueAt)).toBeGreaterThanOrEqual(5 * 60_000);
    expect(Date.parse(secondFailure.data.dueAt) - Date.parse(firstFailure.data.dueAt)).toBeLessThan(6 * 60_000);
    runContinuation(run, 'work');
    expect(run.incident('work').type).toBe('JOB_NO_RETRIES');
  });

  it('rolls back everything up to the next wait state, as Camunda 7 rolls back the transaction', async () => {
    const process = await compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="prepare" />
    <bpmn:task id="prepare" camunda:asyncBefore="true" />
    <bpmn:sequenceFlow id="f2" sourceRef="prepare" targetRef="compute" />
    <bpmn:scriptTask id="compute" scriptFormat="feel" camunda:resultVariable="total">
      <bpmn:extensionElements>
        <camunda:inputOutput><camunda:inputParameter name="amount">\${price * 2}</camunda:inputParameter></camunda:inputOutput>
      </bpmn:extensionElements>
      <bpmn:script>amount</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="compute" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    const run = scenario(process).start({ price: 'x' });
    runContinuation(run, 'prepare');
    expect(run.completed()).toEqual(['start']);
    expect(run.active()).toEqual(['prepare']);
    expect(continuation(run, 'prepare')).toMatchObject({ retries: 2, errorMessage: expect.stringContaining("at 'compute'") });
    expect(run.incidents()).toEqual([]);
  });

  it('asyncAfter: a problem taking the outgoing flows is retried, and goes through once fixed', async () => {
    const process = await compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:task id="decide" camunda:asyncAfter="true" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="yes"><bpmn:conditionExpression>\${approved}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="yes" />`),
    );
    const run = scenario(process).start();
    expect(continuation(run, 'decide').phase).toBe('after');
    runContinuation(run, 'decide');
    expect(continuation(run, 'decide')).toMatchObject({ retries: 2, errorMessage: expect.stringContaining('CONDITION_ERROR') });
    run.setVariables({ approved: true });
    runContinuation(run, 'decide');
    expect(run.active()).toEqual(['yes']);
  });
});

describe('job priority', () => {
  it('is the element camunda:jobPriority, evaluated when the continuation is created', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true" camunda:jobPriority="${urgency * 10}"')).start({ price: 1, urgency: 3 });
    expect(continuation(run, 'work').priority).toBe(30);
  });

  it('falls back to the process camunda:jobPriority, then 0', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true"', '', 'camunda:jobPriority="7"')).start({ price: 1 });
    expect(continuation(run, 'work').priority).toBe(7);
    const negative = scenario(await scriptProcess('camunda:asyncBefore="true" camunda:jobPriority="-5"', '', 'camunda:jobPriority="7"')).start({ price: 1 });
    expect(continuation(negative, 'work').priority).toBe(-5);
  });

  it('raises an incident when its expression gives no whole number; resolved, the continuation is created', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true" camunda:jobPriority="${urgency}"')).start({ price: 1, urgency: 'high' });
    expect(run.incident('work')).toMatchObject({ type: 'EXPRESSION_ERROR', message: expect.stringContaining('job priority') });
    expect(continuations(run)).toEqual([]);
    run.setVariables({ urgency: 2 });
    run.resolveIncident('work');
    expect(continuation(run, 'work').priority).toBe(2);
  });
});

describe('termination', () => {
  it('cancels the continuation of a terminated element', async () => {
    const run = scenario(await scriptProcess('camunda:asyncBefore="true"')).start({ price: 1 });
    const { id } = continuation(run, 'work');
    run.cancel();
    expect(run.eventsOf('AsyncContinuationCanceled').map((event) => event.data.continuationId)).toEqual([id]);
    expect(continuations(run)).toEqual([]);
    expect(run.reject({ type: 'RunAsyncContinuation', continuationId: id })).toMatchObject({ code: 'INVALID_STATE' });
  });

  it('cancels it when a terminate end event ends the element that waits', async () => {
    const process = await compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="slow" />
    <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="stop" />
    <bpmn:task id="slow" camunda:asyncBefore="true" />
    <bpmn:sequenceFlow id="f4" sourceRef="slow" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:endEvent id="stop"><bpmn:terminateEventDefinition /></bpmn:endEvent>`),
    );
    const run = scenario(process).start();
    expect(run.state.status).toBe('completed');
    expect(run.terminated()).toEqual(['slow']);
    expect(run.eventsOf('AsyncContinuationCreated')).toHaveLength(1);
    expect(run.eventsOf('AsyncContinuationCanceled')).toHaveLength(1);
  });
});

describe('worker jobs with camunda:failedJobRetryTimeCycle', () => {
  it('are offered again after the interval of the cycle when the worker gives no back-off', async () => {
    const process = await compiledProcess(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="charge" />
    <bpmn:serviceTask id="charge" camunda:type="external" camunda:topic="charge">
      <bpmn:extensionElements>${retryCycle('R5/PT30S')}</bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    const run = scenario(process).start();
    run.failJob('charge', 2);
    const failed = run.eventsOf('JobFailed')[0]!;
    expect(Date.parse(failed.data.retryAt ?? '') - Date.parse(at(0))).toBeGreaterThanOrEqual(30_000);
    run.failJob('charge', 1, { retryBackoffMs: 1000 });
    const second = run.eventsOf('JobFailed')[1]!;
    expect(Date.parse(second.data.retryAt ?? '') - Date.parse(failed.data.retryAt ?? '')).toBeLessThan(30_000);
  });
});

describe('deployment', () => {
  const problemsOf = async (xml: string) => {
    const compiled = await compile(xml);
    return compiled.ok ? [] : compiled.error;
  };

  it('refuses a retry cycle it cannot read, and one written as an expression', async () => {
    const xml = (cycle: string) =>
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:task id="work" camunda:asyncBefore="true"><bpmn:extensionElements>${retryCycle(cycle)}</bpmn:extensionElements></bpmn:task>`);
    expect(await problemsOf(xml('R3/PT10X'))).toEqual([
      expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'work', field: 'camunda:failedJobRetryTimeCycle' }),
    ]);
    expect(await problemsOf(xml('R0/PT10S'))).toEqual([expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'work' })]);
    expect(await problemsOf(xml('${cycle}'))).toEqual([
      expect.objectContaining({ code: 'NOT_SUPPORTED', elementId: 'work', field: 'camunda:failedJobRetryTimeCycle' }),
    ]);
    expect(await problemsOf(xml('R3/PT10S'))).toEqual([]);
  });

  it('refuses a job priority that is neither a whole number nor an expression, on an element and on the process', async () => {
    const xml = definitions(`  <bpmn:process id="process" isExecutable="true" camunda:jobPriority="high">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:task id="work" camunda:asyncBefore="true" camunda:jobPriority="1.5" />
  </bpmn:process>`);
    expect(await problemsOf(xml)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'process', field: 'camunda:jobPriority' }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'work', field: 'camunda:jobPriority' }),
      ]),
    );
  });
});
