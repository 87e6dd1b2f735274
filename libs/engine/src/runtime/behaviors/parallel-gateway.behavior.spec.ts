import { describe, expect, it } from '@jest/globals';
import { scenario } from '../../testing/decider-spec.js';
import { buildProcess, endEvent, exclusiveGateway, flow, parallelGateway, sequence, serviceTask, startEvent, task } from '../../testing/process-builder.js';

describe('parallel gateway', () => {
  const forkJoin = buildProcess(
    'fork-join',
    [startEvent('start'), parallelGateway('fork'), serviceTask('a', { type: 'a' }), serviceTask('b', { type: 'b' }), serviceTask('c', { type: 'c' }), parallelGateway('join'), task('after'), endEvent('end')],
    [
      ...sequence('start', 'fork'),
      flow('fork', 'a', { condition: '=false' }),
      flow('fork', 'b'),
      flow('fork', 'c'),
      flow('a', 'join'),
      flow('b', 'join'),
      flow('c', 'join'),
      ...sequence('join', 'after', 'end'),
    ],
  );

  it('forks to every outgoing flow, ignoring conditions', () => {
    const run = scenario(forkJoin).start();
    expect(run.active()).toEqual(['a', 'b', 'c']);
    expect(run.jobs()).toHaveLength(3);
  });

  it('joins only when a token arrived on every incoming flow', () => {
    const run = scenario(forkJoin).start().completeJob('b').completeJob('a');
    expect(run.active()).toEqual(['c']);
    expect(run.state.joinTokens).toEqual({ 'pi/join': { 'a-join': 1, 'b-join': 1 } });
    run.completeJob('c');
    expect(run.completed().slice(-3)).toEqual(['join', 'after', 'end']);
    expect(run.eventsOf('ElementActivating').filter((event) => event.data.elementId === 'join')).toHaveLength(1);
    expect(run.state.status).toBe('completed');
    expect(run.state.joinTokens).toEqual({});
  });

  it('counts tokens per incoming flow: with a loop, a second token on the same flow waits for its partner', () => {
    // fork → a → join, and fork → merge → b → split-again: a parallel split that sends one token to the join and one
    // back round the loop to b (its condition is ignored, as on every parallel gateway). So b's side of the join
    // receives a token each time b completes.
    const loop = buildProcess(
      'join-with-loop',
      [
        startEvent('start'),
        parallelGateway('fork'),
        serviceTask('a', { type: 'a' }),
        serviceTask('b', { type: 'b' }),
        parallelGateway('split-again'),
        exclusiveGateway('merge'),
        parallelGateway('join'),
        serviceTask('after', { type: 'after' }),
      ],
      [
        ...sequence('start', 'fork'),
        flow('fork', 'a'),
        flow('fork', 'merge'),
        flow('merge', 'b'),
        flow('b', 'split-again'),
        flow('split-again', 'join', { id: 'b-side' }),
        flow('split-again', 'merge', { id: 'again', condition: '=false' }),
        flow('a', 'join', { id: 'a-side' }),
        flow('join', 'after'),
      ],
    );
    const run = scenario(loop).start();
    run.completeJob('b');
    expect(run.state.joinTokens).toEqual({ 'pi/join': { 'b-side': 1 } });
    run.completeJob('b');
    expect(run.state.joinTokens).toEqual({ 'pi/join': { 'b-side': 2 } });
    run.completeJob('a');
    // One token from each flow was consumed: the join fired once and one token still waits on b's side.
    expect(run.jobs('after')).toHaveLength(1);
    expect(run.state.joinTokens).toEqual({ 'pi/join': { 'b-side': 1 } });
    run.completeJob('b');
    expect(run.jobs('after')).toHaveLength(1);
    expect(run.state.joinTokens).toEqual({ 'pi/join': { 'b-side': 2 } });
  });
});
