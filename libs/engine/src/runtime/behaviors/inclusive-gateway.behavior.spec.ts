import { describe, expect, it } from '@jest/globals';
import { scenario } from '../../testing/decider-spec.js';
import {
  buildProcess,
  endEvent,
  exclusiveGateway,
  flow,
  inclusiveGateway,
  parallelGateway,
  sequence,
  serviceTask,
  startEvent,
  task,
} from '../../testing/process-builder.js';

describe('inclusive gateway: fork', () => {
  const lunch = (withDefault: boolean) =>
    buildProcess(
      'lunch',
      [
        startEvent('start'),
        inclusiveGateway('choose', withDefault ? { default: 'just-salad' } : {}),
        serviceTask('pasta', { type: 'pasta' }),
        serviceTask('steak', { type: 'steak' }),
        serviceTask('salad', { type: 'salad' }),
        inclusiveGateway('serve'),
        endEvent('end'),
      ],
      [
        flow('start', 'choose'),
        flow('choose', 'pasta', { condition: '=list contains(courses, "pasta")' }),
        flow('choose', 'steak', { condition: '=list contains(courses, "steak")' }),
        ...(withDefault ? [flow('choose', 'salad', { id: 'just-salad' })] : []),
        flow('pasta', 'serve'),
        flow('steak', 'serve'),
        flow('salad', 'serve'),
        flow('serve', 'end'),
      ],
    );

  it('takes every outgoing flow whose condition is true', () => {
    const run = scenario(lunch(true)).start({ courses: ['pasta', 'steak'] });
    expect(run.active()).toEqual(['pasta', 'steak']);
  });

  it('takes the default flow only when no condition is true', () => {
    expect(scenario(lunch(true)).start({ courses: [] }).active()).toEqual(['salad']);
    expect(scenario(lunch(true)).start({ courses: ['steak'] }).active()).toEqual(['steak']);
  });

  it('with no true condition and no default raises an incident on the gateway', () => {
    const run = scenario(lunch(false)).start({ courses: [] });
    expect(run.incident('choose')).toMatchObject({
      type: 'CONDITION_ERROR',
      message: "No outgoing sequence flow of gateway 'choose' has a true condition and there is no default flow",
    });
    run.setVariables({ courses: ['pasta'] }).resolveIncident('choose');
    expect(run.active()).toEqual(['pasta']);
  });

  it('joins exactly the branches that were taken', () => {
    const run = scenario(lunch(true)).start({ courses: ['pasta', 'steak'] });
    run.completeJob('pasta');
    expect(run.active()).toEqual(['steak']);
    run.completeJob('steak');
    expect(run.state.status).toBe('completed');
    const serve = run.eventsOf('ElementActivating').filter((event) => event.data.elementId === 'serve');
    expect(serve.map((event) => event.data.consumedTokens)).toEqual([['pasta-serve', 'steak-serve']]);
  });

  it('a single taken branch passes the join at once', () => {
    const run = scenario(lunch(true)).start({ courses: ['steak'] });
    run.completeJob('steak');
    expect(run.state.status).toBe('completed');
  });
});

describe('inclusive gateway: join on unstructured models', () => {
  // A parallel fork (not an inclusive one) feeds the join; one branch may end early by an exclusive gateway.
  const unstructured = buildProcess(
    'unstructured',
    [
      startEvent('start'),
      parallelGateway('fork'),
      serviceTask('a', { type: 'a' }),
      serviceTask('b', { type: 'b' }),
      exclusiveGateway('continue?', { default: 'stop' }),
      serviceTask('c', { type: 'c' }),
      endEvent('early-end'),
      inclusiveGateway('join'),
      serviceTask('after', { type: 'after' }),
    ],
    [
      ...sequence('start', 'fork'),
      flow('fork', 'a'),
      flow('fork', 'b'),
      flow('b', 'continue?'),
      flow('continue?', 'c', { id: 'go-on', condition: '=goOn' }),
      flow('continue?', 'early-end', { id: 'stop' }),
      flow('a', 'join'),
      flow('c', 'join'),
      flow('join', 'after'),
    ],
  );

  it('waits while a branch that can still reach it is running', () => {
    const run = scenario(unstructured).start().completeJob('a');
    expect(run.state.joinTokens).toEqual({ 'pi/join': { 'a-join': 1 } });
    expect(run.jobs('after')).toEqual([]);
    run.completeJob('b', { goOn: true });
    expect(run.active()).toEqual(['c']);
    expect(run.jobs('after')).toEqual([]);
    run.completeJob('c');
    expect(run.active()).toEqual(['after']);
  });

  it('fires as soon as the other branch can no longer reach it (it ended elsewhere)', () => {
    const run = scenario(unstructured).start().completeJob('a');
    run.completeJob('b', { goOn: false });
    expect(run.completed()).toContain('early-end');
    expect(run.active()).toEqual(['after']);
    const join = run.eventsOf('ElementActivating').find((event) => event.data.elementId === 'join');
    expect(join?.data.consumedTokens).toEqual(['a-join']);
  });

  it('does not fire ahead of tokens still waiting at an upstream join', () => {
    // c passes through at once and waits at join-2; join-1 (upstream of join-2) collects a and b first.
    const chained = buildProcess(
      'chained',
      [
        startEvent('start'),
        parallelGateway('fork'),
        serviceTask('a', { type: 'a' }),
        serviceTask('b', { type: 'b' }),
        task('c'),
        inclusiveGateway('join-1'),
        inclusiveGateway('join-2'),
        endEvent('end'),
      ],
      [
        ...sequence('start', 'fork'),
        flow('fork', 'c'),
        flow('fork', 'a'),
        flow('fork', 'b'),
        flow('a', 'join-1'),
        flow('b', 'join-1'),
        flow('c', 'join-2'),
        flow('join-1', 'join-2'),
        flow('join-2', 'end'),
      ],
    );
    const run = scenario(chained).start().completeJob('a');
    expect(run.state.joinTokens).toEqual({ 'pi/join-2': { 'c-join-2': 1 }, 'pi/join-1': { 'a-join-1': 1 } });
    run.completeJob('b');
    const joins = run.eventsOf('ElementActivating').filter((event) => event.data.elementId === 'join-2');
    expect(joins.map((event) => event.data.consumedTokens)).toEqual([['c-join-2', 'join-1-join-2']]);
    expect(run.state.status).toBe('completed');
  });
});
