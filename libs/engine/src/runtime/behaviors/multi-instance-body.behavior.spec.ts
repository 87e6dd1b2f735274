import { describe, expect, it } from '@jest/globals';
import { scenario } from '../../testing/decider-spec.js';
import { buildProcess, endEvent, sequence, serviceTask, startEvent, subProcess, task, userTask } from '../../testing/process-builder.js';

type MultiInstance = NonNullable<NonNullable<Parameters<typeof serviceTask>[1]>['multiInstance']>;

const multiJob = (multiInstance: MultiInstance, extra: Partial<Parameters<typeof serviceTask>[1]> = {}) =>
  buildProcess(
    'multi',
    [startEvent('start'), serviceTask('each', { type: 'each', multiInstance, ...extra }), serviceTask('after', { type: 'after' }), endEvent('end')],
    sequence('start', 'each', 'after', 'end'),
  );

const body = (run: ReturnType<typeof scenario>) => {
  const found = Object.values(run.state.elementInstances).find((instance) => instance.elementType === 'multiInstanceBody');
  if (found === undefined) throw new Error('no multi-instance body');
  return found;
};

const iterations = (run: ReturnType<typeof scenario>) =>
  Object.values(run.state.elementInstances)
    .filter((instance) => instance.elementType === 'serviceTask' && instance.elementId === 'each')
    .map((instance) => ({ loopCounter: instance.loopCounter, locals: run.state.variables[instance.id] }));

describe('parallel multi-instance', () => {
  const collect = multiJob(
    { inputCollection: '=orders', inputElement: 'order', outputCollection: 'results', outputElement: '=result' },
    { inputs: [['=null', 'result']] },
  );

  it('runs a body and one iteration per item at once, each with its loopCounter and item', () => {
    const run = scenario(collect).start({ orders: ['a', 'b', 'c'] });
    const activating = run.eventsOf('ElementActivating').filter((event) => event.data.elementId === 'each');
    expect(activating.map((event) => [event.data.elementType, event.data.loopCounter])).toEqual([
      ['multiInstanceBody', undefined],
      ['serviceTask', 1],
      ['serviceTask', 2],
      ['serviceTask', 3],
    ]);
    expect(iterations(run)).toEqual([
      { loopCounter: 1, locals: { loopCounter: 1, order: 'a', result: null } },
      { loopCounter: 2, locals: { loopCounter: 2, order: 'b', result: null } },
      { loopCounter: 3, locals: { loopCounter: 3, order: 'c', result: null } },
    ]);
    expect(run.state.variables[body(run).id]).toEqual({
      nrOfInstances: 3,
      nrOfActiveInstances: 3,
      nrOfCompletedInstances: 0,
      numberOfInstances: 3,
      numberOfActiveInstances: 3,
      numberOfCompletedInstances: 0,
      results: [null, null, null],
    });
    expect(run.jobs('each')).toHaveLength(3);
  });

  it('collects the output element of each iteration at its loopCounter position, whatever the completion order', () => {
    const run = scenario(collect).start({ orders: ['a', 'b', 'c'] });
    const jobs = run.jobs('each');
    run.send({ type: 'CompleteJob', jobId: jobs[2].id, variables: { result: 'C' } });
    expect(run.state.variables[body(run).id]).toMatchObject({ results: [null, null, 'C'], nrOfCompletedInstances: 1, nrOfActiveInstances: 2 });
    run.send({ type: 'CompleteJob', jobId: jobs[0].id, variables: { result: 'A' } });
    expect(run.jobs('after')).toEqual([]);
    run.send({ type: 'CompleteJob', jobId: jobs[1].id, variables: { result: 'B' } });
    expect(run.variables).toEqual({ orders: ['a', 'b', 'c'], results: ['A', 'B', 'C'] });
    expect(run.active()).toEqual(['after']);
    expect(run.completed().filter((id) => id.startsWith('each'))).toEqual(['each', 'each', 'each', 'each#body']);
  });

  it('runs a cardinality of iterations (static or an expression)', () => {
    expect(iterations(scenario(multiJob({ cardinality: '2' })).start()).map((iteration) => iteration.loopCounter)).toEqual([1, 2]);
    expect(iterations(scenario(multiJob({ cardinality: '=n + 1' })).start({ n: 2 }))).toHaveLength(3);
  });

  it('a completion condition that holds terminates the remaining iterations and completes the body', () => {
    const run = scenario(multiJob({ cardinality: '4', completionCondition: '=nrOfCompletedInstances >= 2' })).start();
    const jobs = run.jobs('each');
    run.send({ type: 'CompleteJob', jobId: jobs[0].id });
    expect(run.jobs('each')).toHaveLength(3);
    run.send({ type: 'CompleteJob', jobId: jobs[3].id });
    expect(run.terminated()).toEqual(['each', 'each']);
    expect(run.eventsOf('JobCanceled').map((event) => event.data.jobId)).toEqual([jobs[1].id, jobs[2].id]);
    expect(run.active()).toEqual(['after']);
  });

  it('the completion condition sees the iteration\'s variables', () => {
    const run = scenario(multiJob({ inputCollection: '=bids', inputElement: 'bid', completionCondition: '=bid > 100' })).start({ bids: [10, 500, 20] });
    const jobs = run.jobs('each');
    run.send({ type: 'CompleteJob', jobId: jobs[0].id });
    expect(run.jobs('each')).toHaveLength(2);
    run.send({ type: 'CompleteJob', jobId: jobs[1].id });
    expect(run.jobs('each')).toEqual([]);
    expect(run.active()).toEqual(['after']);
  });

  it('an empty collection completes the body at once, with an empty output collection', () => {
    const run = scenario(multiJob({ inputCollection: '=orders', inputElement: 'order', outputCollection: 'results', outputElement: '=order' })).start({ orders: [] });
    expect(run.completed()).toEqual(['start', 'each#body']);
    expect(run.variables).toEqual({ orders: [], results: [] });
    expect(run.active()).toEqual(['after']);
  });

  it('an input collection that is not a list raises an incident on the body; resolving after a fix goes on', () => {
    const run = scenario(multiJob({ inputCollection: '=orders', inputElement: 'order' })).start({ orders: 'a,b' });
    expect(run.incidents()).toMatchObject([
      { type: 'EXPRESSION_ERROR', elementId: 'each', message: "Expected the input collection of 'each' '=orders' to be a list, but it was the string \"a,b\"" },
    ]);
    expect(run.state.elementInstances[run.incidents()[0].elementInstanceId].elementType).toBe('multiInstanceBody');
    run.setVariables({ orders: ['a', 'b'] }).send({ type: 'ResolveIncident', incidentId: run.incidents()[0].id });
    expect(run.jobs('each')).toHaveLength(2);
  });

  it('iterations can be sub-processes, each a scope of its own', () => {
    const process = buildProcess(
      'multi-sub',
      [
        startEvent('start'),
        subProcess(
          'per-item',
          { elements: [startEvent('s'), userTask('handle'), endEvent('e')], flows: sequence('s', 'handle', 'e') },
          { multiInstance: { inputCollection: '=items', inputElement: 'item', outputCollection: 'handled', outputElement: '=item + "!"' } },
        ),
        endEvent('end'),
      ],
      sequence('start', 'per-item', 'end'),
    );
    const run = scenario(process).start({ items: ['x', 'y'] });
    const tasks = Object.values(run.state.userTasks);
    expect(tasks).toHaveLength(2);
    const scopes = tasks.map((userTask) => run.state.elementInstances[run.state.elementInstances[userTask.elementInstanceId].flowScopeInstanceId]);
    expect(scopes.map((scope) => [scope.elementType, run.state.variables[scope.id]])).toEqual([
      ['subProcess', { loopCounter: 1, item: 'x' }],
      ['subProcess', { loopCounter: 2, item: 'y' }],
    ]);
    for (const userTask of tasks) run.send({ type: 'CompleteUserTask', userTaskId: userTask.id });
    expect(run.state.status).toBe('completed');
    expect(run.variables).toEqual({ items: ['x', 'y'], handled: ['x!', 'y!'] });
  });
});

describe('sequential multi-instance', () => {
  it('runs one iteration after the other, each with its item', () => {
    const run = scenario(
      multiJob({ sequential: true, inputCollection: '=orders', inputElement: 'order', outputCollection: 'results', outputElement: '=order + "-done"' }),
    ).start({ orders: ['a', 'b', 'c'] });
    expect(iterations(run)).toEqual([{ loopCounter: 1, locals: { loopCounter: 1, order: 'a' } }]);
    expect(run.state.variables[body(run).id]).toMatchObject({ nrOfInstances: 3, nrOfActiveInstances: 1, nrOfCompletedInstances: 0 });
    run.completeJob('each');
    expect(iterations(run)).toEqual([{ loopCounter: 2, locals: { loopCounter: 2, order: 'b' } }]);
    expect(run.state.variables[body(run).id]).toMatchObject({ nrOfActiveInstances: 1, nrOfCompletedInstances: 1, results: ['a-done', null, null] });
    run.completeJob('each').completeJob('each');
    expect(run.variables).toEqual({ orders: ['a', 'b', 'c'], results: ['a-done', 'b-done', 'c-done'] });
    expect(run.active()).toEqual(['after']);
  });

  it('stops early when the completion condition holds', () => {
    const run = scenario(multiJob({ sequential: true, cardinality: '5', completionCondition: '=loopCounter = 2' })).start();
    run.completeJob('each').completeJob('each');
    expect(run.completed().filter((id) => id.startsWith('each'))).toEqual(['each', 'each', 'each#body']);
    expect(run.terminated()).toEqual([]);
    expect(run.active()).toEqual(['after']);
  });

  it('pass-through iterations run to the end in one batch', () => {
    const process = buildProcess(
      'multi-task',
      [startEvent('start'), task('each', { multiInstance: { sequential: true, cardinality: '3' } }), endEvent('end')],
      sequence('start', 'each', 'end'),
    );
    const run = scenario(process).start();
    expect(run.completed()).toEqual(['start', 'each', 'each', 'each', 'each#body', 'end']);
  });
});
