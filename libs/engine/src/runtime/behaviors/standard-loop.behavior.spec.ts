import { describe, expect, it } from '@jest/globals';
import { scenario } from '../../testing/decider-spec.js';
import { buildProcess, endEvent, scriptTask, sequence, serviceTask, startEvent } from '../../testing/process-builder.js';

type Loop = NonNullable<NonNullable<Parameters<typeof serviceTask>[1]>['loop']>;

const loopingJob = (loop: Loop) =>
  buildProcess('loop', [startEvent('start'), serviceTask('poll', { type: 'poll', loop }), endEvent('end')], sequence('start', 'poll', 'end'));

const loopCounters = (run: ReturnType<typeof scenario>) =>
  run.eventsOf('ElementActivating').filter((event) => event.data.elementId === 'poll').map((event) => event.data.loopCounter);

describe('standard loop', () => {
  it('test after (do-while): runs once, then again while the condition holds, each iteration with its loopCounter', () => {
    const run = scenario(loopingJob({ condition: '=not(done)' })).start();
    expect(run.locals('poll')).toEqual({ loopCounter: 1 });
    run.completeJob('poll', { done: false });
    expect(run.locals('poll')).toEqual({ loopCounter: 2 });
    run.completeJob('poll', { done: true });
    expect(loopCounters(run)).toEqual([1, 2]);
    expect(run.completed()).toEqual(['start', 'poll', 'poll', 'end']);
    expect(run.taken()).toEqual(['start-poll', 'poll-end']);
  });

  it('test after runs the activity once even when the condition is false from the start', () => {
    const run = scenario(loopingJob({ condition: '=false', testBefore: false })).start();
    expect(run.jobs('poll')).toHaveLength(1);
    run.completeJob('poll');
    expect(run.state.status).toBe('completed');
  });

  it('test before (while): checks the condition (loopCounter = 0) before the first iteration', () => {
    const run = scenario(loopingJob({ condition: '=loopCounter < limit', testBefore: true })).start({ limit: 2 });
    expect(run.jobs('poll')).toHaveLength(1);
    run.completeJob('poll').completeJob('poll');
    expect(loopCounters(run)).toEqual([1, 2]);
    expect(run.state.status).toBe('completed');
  });

  it('test before with a false condition passes the activity without doing its work', () => {
    const run = scenario(loopingJob({ condition: '=loopCounter < limit', testBefore: true })).start({ limit: 0 });
    expect(run.eventsOf('JobCreated')).toEqual([]);
    expect(run.completed()).toEqual(['start', 'poll', 'end']);
    expect(run.state.status).toBe('completed');
  });

  it('loopMaximum caps the iterations, with or without a condition', () => {
    const capped = scenario(loopingJob({ condition: '=true', maximum: 3 })).start();
    capped.completeJob('poll').completeJob('poll').completeJob('poll');
    expect(loopCounters(capped)).toEqual([1, 2, 3]);
    expect(capped.state.status).toBe('completed');

    const counted = scenario(loopingJob({ maximum: 2 })).start();
    counted.completeJob('poll').completeJob('poll');
    expect(loopCounters(counted)).toEqual([1, 2]);
    expect(counted.state.status).toBe('completed');
  });

  it('loops within one batch when the activity does not wait', () => {
    const process = buildProcess(
      'count',
      [startEvent('start'), scriptTask('add', { script: '=total + loopCounter', resultVariable: 'total', loop: { condition: '=loopCounter < 4' } }), endEvent('end')],
      sequence('start', 'add', 'end'),
    );
    const run = scenario(process).start({ total: 0 });
    expect(run.variables).toEqual({ total: 1 + 2 + 3 + 4 });
    expect(run.state.status).toBe('completed');
  });

  it('a loop condition that is not a boolean raises an incident on the iteration', () => {
    const run = scenario(loopingJob({ condition: '=again' })).start();
    run.completeJob('poll');
    expect(run.incident('poll')).toMatchObject({ type: 'CONDITION_ERROR' });
    expect(run.incident('poll').message).toContain("Expected the loop condition of 'poll' '=again' to be a boolean, but it was null");
    run.setVariables({ again: false }).resolveIncident('poll');
    expect(run.state.status).toBe('completed');
  });
});
