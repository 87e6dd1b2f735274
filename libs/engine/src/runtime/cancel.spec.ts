import { describe, expect, it } from '@jest/globals';
import { scenario, spec } from '../testing/decider-spec.js';
import { buildProcess, endEvent, exclusiveGateway, flow, parallelGateway, sequence, serviceTask, startEvent, subProcess, task, userTask } from '../testing/process-builder.js';

describe('CancelProcessInstance', () => {
  const busy = buildProcess(
    'busy',
    [
      startEvent('start'),
      parallelGateway('fork'),
      serviceTask('failing', { type: 'failing' }),
      userTask('review'),
      serviceTask('each', { type: 'each', multiInstance: { cardinality: '2' } }),
      exclusiveGateway('stuck'),
      task('never'),
      subProcess('inner', { elements: [startEvent('inner-start'), serviceTask('inner-work', { type: 'inner' })], flows: sequence('inner-start', 'inner-work') }),
      parallelGateway('join'),
      endEvent('end'),
    ],
    [
      ...sequence('start', 'fork'),
      flow('fork', 'failing'),
      flow('fork', 'review'),
      flow('fork', 'each'),
      flow('fork', 'stuck'),
      flow('fork', 'inner'),
      flow('stuck', 'never', { condition: '=false' }),
      flow('failing', 'join'),
      flow('review', 'join'),
      flow('join', 'end'),
    ],
  );

  it('terminates every element instance innermost first, cancels jobs and user tasks, resolves incidents, and ends the instance', () => {
    const run = scenario(busy).start().failJob('failing', 0).completeUserTask('review');
    expect(run.incidents().map((incident) => incident.elementId).sort()).toEqual(['failing', 'stuck']);
    expect(run.state.joinTokens).toEqual({ 'pi/join': { 'review-join': 1 } });
    const jobs = Object.keys(run.state.jobs);
    run.cancel();
    expect(run.terminated().sort()).toEqual(['each', 'each', 'each#body', 'failing', 'inner', 'inner-work', 'stuck'].sort());
    expect(run.terminated().indexOf('inner-work')).toBeLessThan(run.terminated().indexOf('inner'));
    expect(run.terminated().indexOf('each')).toBeLessThan(run.terminated().indexOf('each#body'));
    expect(run.eventsOf('JobCanceled').map((event) => event.data.jobId).sort()).toEqual(jobs.sort());
    expect(run.lastEvents.filter((event) => event.type === 'IncidentResolved')).toHaveLength(2);
    expect(run.lastEvents.at(-1)).toEqual({ type: 'ProcessInstanceTerminated', data: { endedAt: '2026-01-01T10:00:03.000Z', reason: 'canceled' } });
    expect(run.state).toMatchObject({
      status: 'terminated',
      endedAt: '2026-01-01T10:00:03.000Z',
      elementInstances: {},
      jobs: {},
      userTasks: {},
      incidents: {},
      joinTokens: {},
    });
  });

  it('emits exactly these events for a waiting job (given/when/then)', () => {
    const oneJob = buildProcess('one', [startEvent('start'), serviceTask('work', { type: 'work' }), endEvent('end')], sequence('start', 'work', 'end'));
    spec(oneJob)
      .given(
        { type: 'ProcessInstanceCreated', data: { processInstanceId: 'pi', processDefinitionId: 'd', processId: 'one', version: 1, startedAt: 't0' } },
        { type: 'ElementActivating', data: { elementInstanceId: 'w', elementId: 'work', elementType: 'serviceTask', flowScopeInstanceId: 'pi' } },
        { type: 'ElementActivated', data: { elementInstanceId: 'w' } },
        { type: 'JobCreated', data: { jobId: 'j', type: 'work', retries: 3, elementInstanceId: 'w', elementId: 'work', customHeaders: {}, createdAt: 't0' } },
      )
      .when({ type: 'CancelProcessInstance' })
      .then(
        { type: 'ElementTerminating', data: { elementInstanceId: 'w' } },
        { type: 'JobCanceled', data: { jobId: 'j' } },
        { type: 'ElementTerminated', data: { elementInstanceId: 'w' } },
        { type: 'ProcessInstanceTerminated', data: { endedAt: '2026-01-01T10:00:00.000Z', reason: 'canceled' } },
      );
  });
});
