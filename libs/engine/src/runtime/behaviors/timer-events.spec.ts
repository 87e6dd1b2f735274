import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess } from '../../testing/bpmn.js';
import { scenario, START_TIME } from '../../testing/decider-spec.js';

const at = (offsetMs: number): string => new Date(Date.parse(START_TIME) + offsetMs).toISOString();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const timer = (kind: 'timeDate' | 'timeDuration' | 'timeCycle', text: string): string =>
  `<bpmn:timerEventDefinition><bpmn:${kind} xsi:type="bpmn:tFormalExpression">${text}</bpmn:${kind}></bpmn:timerEventDefinition>`;

/** start → wait (intermediate timer) → after (user task) → end */
const intermediate = (definition: string) =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait">${definition}</bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after" />
    <bpmn:userTask id="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
    <bpmn:endEvent id="end" />`),
  );

/** start → approve (user task, with a boundary timer leading to `escalate`) → end; escalate → escalated */
const boundary = (definition: string, cancelActivity: boolean, attachedTo = '<bpmn:userTask id="approve" />') =>
  compiledProcess(
    bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    ${attachedTo}
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="late" attachedToRef="approve" cancelActivity="${cancelActivity}">${definition}</bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="escalate" />
    <bpmn:userTask id="escalate" />
    <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="escalated" />
    <bpmn:endEvent id="escalated" />`),
  );

describe('intermediate timer catch event', () => {
  it('waits for its duration, then moves on', async () => {
    const run = scenario(await intermediate(timer('timeDuration', 'PT10M'))).start();
    expect(run.active()).toEqual(['wait']);
    expect(run.timer('wait').dueAt).toBe(at(10 * MINUTE));

    run.triggerTimer('wait');
    expect(run.active()).toEqual(['after']);
    expect(run.timers()).toEqual([]);
    expect(run.completed()).toEqual(['start', 'wait']);
  });

  it('refuses to fire before the due time, and fires only once', async () => {
    const run = scenario(await intermediate(timer('timeDuration', 'PT1H'))).start();
    const { id } = run.timer('wait');
    expect(run.reject({ type: 'TriggerTimer', timerId: id })).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining(`not due until ${at(HOUR)}`) });
    run.triggerTimer('wait');
    expect(run.reject({ type: 'TriggerTimer', timerId: id })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('takes its date from a FEEL expression evaluated when the timer starts', async () => {
    const run = scenario(await intermediate(timer('timeDate', '=date and time(deadline)'))).start({ deadline: '2026-03-01T08:30:00+01:00' });
    expect(run.timer('wait').dueAt).toBe('2026-03-01T07:30:00.000Z');
  });

  it('takes its duration from a JUEL expression (Camunda 7)', async () => {
    const run = scenario(await intermediate(timer('timeDuration', '${reminder}'))).start({ reminder: 'P1D' });
    expect(run.timer('wait').dueAt).toBe(at(24 * HOUR));
  });

  it('fires at once when its date has passed (the scheduler sends it as soon as it sees it)', async () => {
    const run = scenario(await intermediate(timer('timeDate', '2025-01-01T00:00:00Z'))).start();
    expect(run.timer('wait').dueAt).toBe('2025-01-01T00:00:00.000Z');
    run.triggerTimer('wait');
    expect(run.active()).toEqual(['after']);
  });

  it('raises an incident when its expression gives no duration, and starts the timer once resolved', async () => {
    const run = scenario(await intermediate(timer('timeDuration', '=reminder'))).start();
    expect(run.incident('wait')).toMatchObject({
      type: 'EXPRESSION_ERROR',
      message: expect.stringContaining("The timeDuration of timer 'wait' is invalid: expected an ISO 8601 duration as text, but it was null"),
    });
    expect(run.timers()).toEqual([]);
    run.setVariables({ reminder: 'PT30S' }).resolveIncident('wait');
    expect(run.timer('wait').dueAt > START_TIME).toBe(true);
    expect(run.incidents()).toEqual([]);
  });

  it('is canceled with its process instance', async () => {
    const run = scenario(await intermediate(timer('timeDuration', 'PT10M'))).start();
    const { id } = run.timer('wait');
    run.cancel();
    expect(run.lastEvents).toContainEqual({ type: 'TimerCanceled', data: { timerId: id } });
    expect(run.timers()).toEqual([]);
  });

  it('fires once, at its first occurrence, with a cycle', async () => {
    const run = scenario(await intermediate(timer('timeCycle', 'R3/PT10S'))).start();
    expect(run.timer('wait').dueAt).toBe(at(10_000));
    run.triggerTimer('wait');
    expect(run.timers()).toEqual([]);
    expect(run.active()).toEqual(['after']);
  });
});

describe('timer boundary event', () => {
  it('interrupting: terminates the activity when due and leaves by its own flow', async () => {
    const run = scenario(await boundary(timer('timeDuration', 'PT48H'), true)).start();
    expect(run.timer('late')).toMatchObject({ elementInstanceId: run.instance('approve').id, dueAt: at(48 * HOUR) });

    run.triggerTimer('late');
    expect(run.terminated()).toEqual(['approve']);
    expect(run.active()).toEqual(['escalate']);
    expect(run.eventsOf('UserTaskCanceled')).toHaveLength(1);
    expect(run.completed()).toEqual(['start', 'late']);
    expect(run.taken()).toEqual(['f1', 'f3']);
  });

  it('is canceled when its activity completes first', async () => {
    const run = scenario(await boundary(timer('timeDuration', 'PT48H'), true)).start();
    const { id } = run.timer('late');
    run.completeUserTask('approve');
    expect(run.lastEvents).toContainEqual({ type: 'TimerCanceled', data: { timerId: id } });
    expect(run.state.status).toBe('completed');
    expect(run.reject({ type: 'TriggerTimer', timerId: id })).toMatchObject({ code: 'INVALID_STATE' });
  });

  it('non-interrupting with a cycle: leaves by its flow at each occurrence while the activity goes on', async () => {
    const run = scenario(await boundary(timer('timeCycle', 'R2/PT1H'), false)).start();
    expect(run.timer('late').dueAt).toBe(at(HOUR));

    run.triggerTimer('late');
    expect(run.active()).toEqual(['approve', 'escalate']);
    expect(run.timer('late').dueAt).toBe(at(2 * HOUR));

    run.triggerTimer('late');
    expect(run.active()).toEqual(['approve', 'escalate', 'escalate']);
    expect(run.timers()).toEqual([]);

    run.completeUserTask('approve');
    expect(run.active()).toEqual(['escalate', 'escalate']);
    expect(run.state.status).toBe('active');
  });

  it('non-interrupting with a cycle fired late: the missed occurrences fire once, the cycle goes on with the next to come', async () => {
    const run = scenario(await boundary(timer('timeCycle', 'R/PT1H'), false)).start();
    // The runtime was down from the first occurrence (11:00) to 15:30: one token for 11:00 to 15:00, next at 16:00.
    run.advanceTo(at(5 * HOUR + 30 * MINUTE));
    run.send({ type: 'TriggerTimer', timerId: run.timer('late').id });
    expect(run.active()).toEqual(['approve', 'escalate']);
    expect(run.timer('late').dueAt).toBe(at(6 * HOUR));
  });

  it('non-interrupting with a cron cycle: the next occurrence follows the cron expression', async () => {
    const run = scenario(await boundary(timer('timeCycle', '0 0 9 * * *'), false)).start();
    // START_TIME is 10:00 UTC: the next 09:00 is tomorrow's.
    expect(run.timer('late').dueAt).toBe('2026-01-02T09:00:00.000Z');
    run.triggerTimer('late');
    expect(run.timer('late').dueAt).toBe('2026-01-03T09:00:00.000Z');
  });

  it('on a sub-process: terminates everything inside it', async () => {
    const process = await boundary(
      timer('timeDuration', 'PT5M'),
      true,
      `<bpmn:subProcess id="approve">
         <bpmn:startEvent id="inner-start" />
         <bpmn:sequenceFlow id="i1" sourceRef="inner-start" targetRef="review" />
         <bpmn:userTask id="review" />
         <bpmn:sequenceFlow id="i2" sourceRef="review" targetRef="inner-end" />
         <bpmn:endEvent id="inner-end" />
       </bpmn:subProcess>`,
    );
    const run = scenario(process).start();
    expect(run.active()).toEqual(['approve', 'review']);
    run.triggerTimer('late');
    expect(run.terminated()).toEqual(['review', 'approve']);
    expect(run.active()).toEqual(['escalate']);
  });

  it('on a multi-instance activity: one timer for the whole activity, which terminates every iteration', async () => {
    const process = await boundary(
      timer('timeDuration', 'PT5M'),
      true,
      `<bpmn:userTask id="approve"><bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>3</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>`,
    );
    const run = scenario(process).start();
    expect(run.timers()).toHaveLength(1);
    run.triggerTimer('late');
    expect(run.terminated()).toEqual(['approve', 'approve', 'approve', 'approve#body']);
    expect(run.active()).toEqual(['escalate']);
  });
});

describe('none intermediate throw event', () => {
  it('passes the token on', async () => {
    const process = await compiledProcess(
      bpmnProcess(`
      <bpmn:startEvent id="start" />
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="reached" />
      <bpmn:intermediateThrowEvent id="reached" />
      <bpmn:sequenceFlow id="f2" sourceRef="reached" targetRef="end" />
      <bpmn:endEvent id="end" />`),
    );
    const run = scenario(process).start();
    expect(run.completed()).toEqual(['start', 'reached', 'end']);
    expect(run.state.status).toBe('completed');
  });
});

describe('timer events in models', () => {
  const problems = async (content: string) => {
    const compiled = await compile(bpmnProcess(`<bpmn:startEvent id="start" />${content}`));
    return compiled.ok ? [] : compiled.error.map(({ code, elementId, field, message }) => ({ code, elementId, field, message }));
  };

  it('refuses, with every problem listed, timers that cannot parse, catch events without a definition, and boundary events off activities', async () => {
    const found = await problems(`
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
      <bpmn:exclusiveGateway id="split" />
      <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="bad-duration" />
      <bpmn:intermediateCatchEvent id="bad-duration">${timer('timeDuration', '10 minutes')}</bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f3" sourceRef="bad-duration" targetRef="nothing" />
      <bpmn:intermediateCatchEvent id="nothing" />
      <bpmn:sequenceFlow id="f4" sourceRef="nothing" targetRef="bad-cycle" />
      <bpmn:intermediateCatchEvent id="bad-cycle">${timer('timeCycle', 'every day')}</bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f5" sourceRef="bad-cycle" targetRef="local-date" />
      <bpmn:intermediateCatchEvent id="local-date">${timer('timeDate', '2026-01-01T10:00:00')}</bpmn:intermediateCatchEvent>
      <bpmn:boundaryEvent id="on-gateway" attachedToRef="split">${timer('timeDuration', 'PT1M')}</bpmn:boundaryEvent>`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'bad-duration', field: 'timeDuration', message: expect.stringContaining("'10 minutes' is not an ISO 8601 duration") }),
        expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'nothing', field: 'eventDefinitions' }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'bad-cycle', field: 'timeCycle' }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'local-date', field: 'timeDate', message: expect.stringContaining('with a zone or offset') }),
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'on-gateway', field: 'attachedToRef', message: expect.stringContaining('a exclusiveGateway') }),
      ]),
    );
  });

  it('refuses a timer with two kinds of due time and one with none', async () => {
    const found = await problems(`
      <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="both" />
      <bpmn:intermediateCatchEvent id="both"><bpmn:timerEventDefinition>
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">2026-01-01T00:00:00Z</bpmn:timeDate>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT1M</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="both" targetRef="none" />
      <bpmn:intermediateCatchEvent id="none"><bpmn:timerEventDefinition /></bpmn:intermediateCatchEvent>`);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'both', field: 'timeDuration' }),
        expect.objectContaining({ code: 'MISSING_ATTRIBUTE', elementId: 'none', field: 'timerEventDefinition' }),
      ]),
    );
  });
});
