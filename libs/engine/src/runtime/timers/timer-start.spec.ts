import { describe, expect, it } from '@jest/globals';
import { compile } from '../../compiler/compile.js';
import { bpmnProcess, compiledProcess } from '../../testing/bpmn.js';
import { createCommand as anyCreateCommand, scenario } from '../../testing/decider-spec.js';
import type { CreateProcessInstance } from '../process-instance-commands.js';
import { firstTimerStart, latestDueTimerStart, nextTimerStart, timerStartEvents } from './timer-start.js';

const timer = (kind: 'timeDate' | 'timeDuration' | 'timeCycle', text: string): string =>
  `<bpmn:timerEventDefinition><bpmn:${kind} xsi:type="bpmn:tFormalExpression">${text}</bpmn:${kind}></bpmn:timerEventDefinition>`;

/** every-hour (timer start) → check (user task) → end, and optionally a none start event `manual` → check. */
const timerStarted = (definition: string, withNoneStart = false) =>
  bpmnProcess(`
    <bpmn:startEvent id="every-hour">${definition}</bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="every-hour" targetRef="check" />
    ${withNoneStart ? '<bpmn:startEvent id="manual" /><bpmn:sequenceFlow id="f0" sourceRef="manual" targetRef="check" />' : ''}
    <bpmn:userTask id="check" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="end" />
    <bpmn:endEvent id="end" />`);

const createCommand = (): CreateProcessInstance => anyCreateCommand() as CreateProcessInstance;

const DEPLOYED_AT = '2026-03-01T08:00:00.000Z';

describe('timer start events: compiler', () => {
  it('deploys a process whose only start event is a timer start event', async () => {
    const process = await compiledProcess(timerStarted(timer('timeCycle', 'R/PT1H')));
    expect(process.startEventIds).toEqual([]);
    expect(process.timerStartEventIds).toEqual(['every-hour']);
    expect(timerStartEvents(process)).toEqual([{ startEventId: 'every-hour', timer: { kind: 'timeCycle', expression: { language: 'static', source: 'R/PT1H' } } }]);
  });

  it('keeps the none start event for starts over the API beside a timer start event', async () => {
    const process = await compiledProcess(timerStarted(timer('timeDuration', 'PT10M'), true));
    expect(process.startEventIds).toEqual(['manual']);
    expect(process.timerStartEventIds).toEqual(['every-hour']);
  });

  it('refuses a timer start event whose text does not parse, and one inside a sub-process', async () => {
    const bad = await compile(timerStarted(timer('timeCycle', 'every hour')));
    expect(bad.ok ? [] : bad.error).toEqual([
      expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'every-hour', field: 'timeCycle', message: expect.stringContaining("'every hour' is neither") }),
    ]);

    const nested = await compile(
      bpmnProcess(`
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="inner-start" />
      <bpmn:startEvent id="inner-timer">${timer('timeDuration', 'PT1H')}</bpmn:startEvent>
      <bpmn:sequenceFlow id="s1" sourceRef="inner-start" targetRef="inner-end" />
      <bpmn:sequenceFlow id="s2" sourceRef="inner-timer" targetRef="inner-end" />
      <bpmn:endEvent id="inner-end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end" />
    <bpmn:endEvent id="end" />`),
    );
    expect(nested.ok ? [] : nested.error).toEqual([
      expect.objectContaining({ code: 'INVALID_ATTRIBUTE', elementId: 'inner-timer', field: 'eventDefinitions', message: expect.stringContaining("is inside sub-process 'sub'") }),
    ]);
  });
});

describe('timer start events: schedule', () => {
  const timerOf = async (definition: string) => timerStartEvents(await compiledProcess(timerStarted(definition)))[0]!.timer;

  it('is due once at its date, or a duration after the deployment', async () => {
    expect(firstTimerStart(await timerOf(timer('timeDate', '2026-04-01T09:00:00+02:00')), DEPLOYED_AT)).toEqual({ ok: true, value: { dueAt: '2026-04-01T07:00:00.000Z' } });
    expect(firstTimerStart(await timerOf(timer('timeDuration', 'PT90M')), DEPLOYED_AT)).toEqual({ ok: true, value: { dueAt: '2026-03-01T09:30:00.000Z' } });
  });

  it('repeats with a cycle, as many times as it says', async () => {
    const first = firstTimerStart(await timerOf(timer('timeCycle', 'R2/PT1H')), DEPLOYED_AT);
    if (!first.ok) throw new Error(first.error);
    expect(first.value.dueAt).toBe('2026-03-01T09:00:00.000Z');
    const second = nextTimerStart(first.value.dueAt, first.value.cycle);
    expect(second?.dueAt).toBe('2026-03-01T10:00:00.000Z');
    expect(nextTimerStart(second!.dueAt, second!.cycle)).toBeUndefined();
  });

  it('reads a cron cycle in UTC, and a FEEL expression without variables', async () => {
    const cron = firstTimerStart(await timerOf(timer('timeCycle', '0 30 9 * * *')), DEPLOYED_AT);
    expect(cron.ok && cron.value.dueAt).toBe('2026-03-01T09:30:00.000Z');
    const feel = firstTimerStart(await timerOf(timer('timeDate', '=date and time("2026-05-01T00:00:00Z")')), DEPLOYED_AT);
    expect(feel.ok && feel.value.dueAt).toBe('2026-05-01T00:00:00.000Z');
    const needsVariable = firstTimerStart(await timerOf(timer('timeDuration', '=reminder')), DEPLOYED_AT);
    expect(needsVariable).toEqual({ ok: false, error: expect.stringContaining('expected an ISO 8601 duration as text, but it was null') });
  });

  it('starts once for occurrences missed together, at the latest of them', async () => {
    const first = firstTimerStart(await timerOf(timer('timeCycle', 'R/PT1H')), DEPLOYED_AT);
    if (!first.ok) throw new Error(first.error);
    const latest = latestDueTimerStart(first.value, '2026-03-01T13:30:00.000Z');
    expect(latest.dueAt).toBe('2026-03-01T13:00:00.000Z');
    expect(nextTimerStart(latest.dueAt, latest.cycle)?.dueAt).toBe('2026-03-01T14:00:00.000Z');
    // Not yet due beyond the first: the first itself.
    expect(latestDueTimerStart(first.value, '2026-03-01T09:00:00.000Z').dueAt).toBe('2026-03-01T09:00:00.000Z');
  });
});

describe('timer start events: starting an instance', () => {
  it('starts at the timer start event it is given', async () => {
    const run = scenario(await compiledProcess(timerStarted(timer('timeCycle', 'R/PT1H'), true))).send({ ...createCommand(), startElementId: 'every-hour' });
    expect(run.completed()).toEqual(['every-hour']);
    expect(run.active()).toEqual(['check']);
  });

  it('starts at the none start event without one, and refuses an element that is no start event of the process', async () => {
    const process = await compiledProcess(timerStarted(timer('timeCycle', 'R/PT1H'), true));
    expect(scenario(process).start().completed()).toEqual(['manual']);
    expect(scenario(process).reject({ ...createCommand(), startElementId: 'check' })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: "'check' is not a start event of process 'process' to start an instance at",
    });
  });

  it('refuses a start without a start element when the process has only timer start events', async () => {
    const process = await compiledProcess(timerStarted(timer('timeCycle', 'R/PT1H')));
    expect(scenario(process).reject(createCommand())).toMatchObject({ code: 'INVALID_ARGUMENT', message: "Process 'process' has no none start event to start at" });
  });
});
