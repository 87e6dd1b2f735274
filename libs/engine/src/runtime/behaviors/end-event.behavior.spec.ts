import { describe, expect, it } from '@jest/globals';
import { scenario } from '../../testing/decider-spec.js';
import {
  buildProcess,
  endEvent,
  flow,
  parallelGateway,
  sequence,
  serviceTask,
  startEvent,
  subProcess,
  userTask,
} from '../../testing/process-builder.js';

describe('none end event', () => {
  it('consumes its token; the instance completes when the last token is consumed', () => {
    const process = buildProcess(
      'two-ends',
      [startEvent('start'), parallelGateway('fork'), serviceTask('slow', { type: 'slow' }), endEvent('quick-end'), endEvent('slow-end')],
      [...sequence('start', 'fork'), flow('fork', 'quick-end'), flow('fork', 'slow'), flow('slow', 'slow-end')],
    );
    const run = scenario(process).start();
    expect(run.completed()).toContain('quick-end');
    expect(run.state.status).toBe('active');
    run.completeJob('slow');
    expect(run.state.status).toBe('completed');
    expect(run.lastEvents.at(-1)).toEqual({ type: 'ProcessInstanceCompleted', data: { endedAt: run.state.endedAt } });
  });

  it('a process whose only path ends at once completes in the creating batch, keeping its variables', () => {
    const process = buildProcess('empty', [startEvent('start'), endEvent('end')], sequence('start', 'end'));
    const run = scenario(process).start({ x: 1 });
    expect(run.state.status).toBe('completed');
    expect(run.state.elementInstances).toEqual({});
    expect(run.variables).toEqual({ x: 1 });
  });
});

describe('terminate end event', () => {
  const parallelBranches = (end: ReturnType<typeof endEvent>) =>
    buildProcess(
      'terminate',
      [startEvent('start'), parallelGateway('fork'), serviceTask('work', { type: 'work' }), userTask('review'), end, endEvent('normal-end')],
      [...sequence('start', 'fork'), flow('fork', 'work'), flow('fork', 'review'), flow('work', end.node.id), flow('review', 'normal-end')],
    );

  it('at the top level terminates every other element instance and COMPLETES the process instance', () => {
    const run = scenario(parallelBranches(endEvent('kill', { terminate: true }))).start();
    const reviewTask = run.userTask('review');
    run.completeJob('work');
    expect(run.terminated()).toEqual(['review']);
    expect(run.eventsOf('UserTaskCanceled')).toEqual([{ type: 'UserTaskCanceled', data: { userTaskId: reviewTask.id } }]);
    expect(run.state.status).toBe('completed');
    expect(run.eventsOf('ProcessInstanceTerminated')).toEqual([]);
    expect(run.state.userTasks).toEqual({});
  });

  it('inside a sub-process ends only the sub-process, which completes and lets the process go on', () => {
    const inner = subProcess('inner', {
      elements: [startEvent('inner-start'), parallelGateway('inner-fork'), serviceTask('inner-work', { type: 'inner' }), serviceTask('inner-wait', { type: 'wait' }), endEvent('inner-kill', { terminate: true })],
      flows: [...sequence('inner-start', 'inner-fork'), flow('inner-fork', 'inner-work'), flow('inner-fork', 'inner-wait'), flow('inner-work', 'inner-kill')],
    });
    const process = buildProcess(
      'nested-terminate',
      [startEvent('start'), parallelGateway('fork'), inner, serviceTask('outer-work', { type: 'outer' }), serviceTask('after', { type: 'after' }), endEvent('end'), endEvent('outer-end')],
      [...sequence('start', 'fork'), flow('fork', 'inner'), flow('fork', 'outer-work'), ...sequence('inner', 'after', 'end'), flow('outer-work', 'outer-end')],
    );
    const run = scenario(process).start();
    const waitJob = run.job('inner-wait');
    run.completeJob('inner-work');
    expect(run.terminated()).toEqual(['inner-wait']);
    expect(run.eventsOf('JobCanceled')).toEqual([{ type: 'JobCanceled', data: { jobId: waitJob.id } }]);
    expect(run.completed()).toContain('inner');
    expect(run.active()).toEqual(['after', 'outer-work']);
    expect(run.state.status).toBe('active');
  });

  it('a terminate end also discards tokens waiting at a join of its scope', () => {
    const process = buildProcess(
      'waiting-join',
      [
        startEvent('start'),
        parallelGateway('fork'),
        serviceTask('a', { type: 'a' }),
        serviceTask('b', { type: 'b' }),
        serviceTask('c', { type: 'c' }),
        parallelGateway('join'),
        endEvent('kill', { terminate: true }),
        endEvent('end'),
      ],
      [...sequence('start', 'fork'), flow('fork', 'a'), flow('fork', 'b'), flow('fork', 'c'), flow('a', 'join'), flow('c', 'join'), flow('b', 'kill'), flow('join', 'end')],
    );
    const run = scenario(process).start().completeJob('a');
    expect(run.state.joinTokens).toEqual({ 'pi/join': { 'a-join': 1 } });
    run.completeJob('b');
    expect(run.terminated()).toEqual(['c']);
    expect(run.state.status).toBe('completed');
    expect(run.state.joinTokens).toEqual({});
  });
});
