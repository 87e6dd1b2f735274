import { describe, expect, it } from '@jest/globals';
import { scenario } from '../../testing/decider-spec.js';
import { buildProcess, endEvent, flow, parallelGateway, sequence, serviceTask, startEvent, subProcess, userTask } from '../../testing/process-builder.js';

const inner = (id = 'inner', common?: Parameters<typeof subProcess>[2]) =>
  subProcess(
    id,
    {
      elements: [startEvent(`${id}-start`), parallelGateway(`${id}-fork`), serviceTask(`${id}-a`, { type: 'a' }), userTask(`${id}-b`), endEvent(`${id}-end`)],
      flows: [...sequence(`${id}-start`, `${id}-fork`), flow(`${id}-fork`, `${id}-a`), flow(`${id}-fork`, `${id}-b`), flow(`${id}-a`, `${id}-end`), flow(`${id}-b`, `${id}-end`)],
    },
    common,
  );

describe('embedded sub-process', () => {
  const process = buildProcess('outer', [startEvent('start'), inner('inner', { inputs: [['=order.id', 'orderId']] }), serviceTask('after', { type: 'after' }), endEvent('end')], sequence('start', 'inner', 'after', 'end'));

  it('starts at its own start event, in a flow scope of its own', () => {
    const run = scenario(process).start({ order: { id: 'A-1' } });
    const subProcessInstance = run.instance('inner');
    expect(run.active()).toEqual(['inner', 'inner-a', 'inner-b']);
    expect(run.instance('inner-a').flowScopeInstanceId).toBe(subProcessInstance.id);
    expect(run.instance('inner-b').flowScopeInstanceId).toBe(subProcessInstance.id);
    expect(run.locals('inner')).toEqual({ orderId: 'A-1' });
  });

  it('completes once nothing is left in it, then the process goes on', () => {
    const run = scenario(process).start({ order: { id: 'A-1' } }).completeJob('inner-a');
    expect(run.active()).toEqual(['inner', 'inner-b']);
    run.completeUserTask('inner-b');
    expect(run.completed()).toEqual(['start', 'inner-start', 'inner-fork', 'inner-a', 'inner-end', 'inner-b', 'inner-end', 'inner']);
    expect(run.active()).toEqual(['after']);
  });

  it('its local variables are visible inside it and removed when it ends', () => {
    const run = scenario(process).start({ order: { id: 'A-1' } });
    const subProcessInstance = run.instance('inner');
    const job = run.job('inner-a');
    expect(run.state.variables[subProcessInstance.id]).toEqual({ orderId: 'A-1' });
    run.completeJob('inner-a', { orderId: 'changed' }).completeUserTask('inner-b');
    expect(run.state.variables[subProcessInstance.id]).toBeUndefined();
    // The job's variable went to the nearest scope that had it: the sub-process, and vanished with it.
    expect(run.variables).toEqual({ order: { id: 'A-1' } });
    expect(job.elementId).toBe('inner-a');
  });

  it('is terminated with its children, innermost first, when the instance is cancelled', () => {
    const run = scenario(process).start({ order: { id: 'A-1' } }).cancel();
    expect(run.lastEvents.map((event) => event.type)).toEqual([
      'ElementTerminating',
      'ElementTerminating',
      'JobCanceled',
      'ElementTerminated',
      'ElementTerminating',
      'UserTaskCanceled',
      'ElementTerminated',
      'ElementTerminated',
      'ProcessInstanceTerminated',
    ]);
    expect(run.terminated()).toEqual(['inner-a', 'inner-b', 'inner']);
    expect(run.state).toMatchObject({ status: 'terminated', elementInstances: {}, jobs: {}, userTasks: {}, incidents: {} });
  });

  it('nests', () => {
    const nested = buildProcess(
      'nested',
      [startEvent('start'), subProcess('level-1', { elements: [startEvent('l1-start'), inner('level-2'), endEvent('l1-end')], flows: sequence('l1-start', 'level-2', 'l1-end') }), endEvent('end')],
      sequence('start', 'level-1', 'end'),
    );
    const run = scenario(nested).start();
    expect(run.instance('level-2').flowScopeInstanceId).toBe(run.instance('level-1').id);
    run.completeJob('level-2-a').completeUserTask('level-2-b');
    expect(run.state.status).toBe('completed');
  });
});
