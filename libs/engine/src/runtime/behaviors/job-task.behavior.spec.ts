import { describe, expect, it } from '@jest/globals';
import { scenario, START_TIME } from '../../testing/decider-spec.js';
import { buildProcess, endEvent, sequence, serviceTask, startEvent } from '../../testing/process-builder.js';

const withJob = (options: Parameters<typeof serviceTask>[1]) =>
  buildProcess('job', [startEvent('start'), serviceTask('work', options), endEvent('end')], sequence('start', 'work', 'end'));

describe('service, send and business rule tasks', () => {
  it.each(['serviceTask', 'sendTask', 'businessRuleTask'] as const)('a %s creates a job and waits for it', (kind) => {
    const run = scenario(withJob({ type: 'charge-card', kind, retries: '5', headers: { channel: 'web' } })).start();
    expect(run.job('work')).toEqual({
      id: 'id-3',
      type: 'charge-card',
      retries: 5,
      elementInstanceId: run.instance('work').id,
      elementId: 'work',
      customHeaders: { channel: 'web' },
      state: 'activatable',
    });
    expect(run.instance('work').elementType).toBe(kind);
    expect(run.instance('work').state).toBe('activated');
  });

  it('evaluates the job type and retries from expressions', () => {
    const run = scenario(withJob({ type: '="charge-" + method', retries: '=attempts' })).start({ method: 'card', attempts: 2 });
    expect(run.job('work')).toMatchObject({ type: 'charge-card', retries: 2 });
  });

  it('a job type that does not evaluate to a string raises an EXPRESSION_ERROR incident; the instance lives on', () => {
    const run = scenario(withJob({ type: '=method' })).start({});
    expect(run.incident('work')).toMatchObject({
      type: 'EXPRESSION_ERROR',
      message: "Expected the job type '=method' to be a non-empty string, but it was null",
    });
    expect(run.instance('work').state).toBe('activating');
    expect(run.jobs()).toEqual([]);
    run.setVariables({ method: 'invoice' }).resolveIncident('work');
    expect(run.job('work').type).toBe('invoice');
  });

  it('completing the job completes the task with the job variables, which go to the process', () => {
    const run = scenario(withJob({ type: 'work' })).start({ orderId: 7 });
    run.completeJob('work', { charged: true });
    expect(run.lastEvents[0]).toEqual({ type: 'JobCompleted', data: { jobId: 'id-3', variables: { charged: true } } });
    expect(run.completed()).toEqual(['start', 'work', 'end']);
    expect(run.variables).toEqual({ orderId: 7, charged: true });
    expect(run.state.jobs).toEqual({});
  });

  it('completing an unknown job is NOT_FOUND', () => {
    const run = scenario(withJob({ type: 'work' })).start();
    expect(run.reject({ type: 'CompleteJob', jobId: 'nope' })).toMatchObject({ code: 'NOT_FOUND', details: { jobId: 'nope' } });
  });

  it('a failed job with retries left stays activatable from retryAt on', () => {
    const run = scenario(withJob({ type: 'work' })).start();
    run.failJob('work', 2, { errorMessage: 'card declined', retryBackoffMs: 30_000 });
    expect(run.lastEvents).toEqual([
      { type: 'JobFailed', data: { jobId: 'id-3', retries: 2, errorMessage: 'card declined', retryAt: '2026-01-01T10:00:31.000Z' } },
    ]);
    expect(run.job('work')).toMatchObject({ state: 'activatable', retries: 2, errorMessage: 'card declined', retryAt: '2026-01-01T10:00:31.000Z' });
    run.completeJob('work');
    expect(run.state.status).toBe('completed');
  });

  it('a failed job with no retries left raises a JOB_NO_RETRIES incident; resolving it gives the job retries back', () => {
    const run = scenario(withJob({ type: 'work' })).start();
    run.failJob('work', 0, { errorMessage: 'service down' });
    const job = run.job('work');
    expect(job).toMatchObject({ state: 'failed', retries: 0 });
    expect(run.incident('work')).toEqual({
      id: 'id-4',
      type: 'JOB_NO_RETRIES',
      message: 'service down',
      elementId: 'work',
      elementInstanceId: run.instance('work').id,
      jobId: job.id,
      createdAt: '2026-01-01T10:00:01.000Z',
    });
    expect(run.reject({ type: 'CompleteJob', jobId: job.id })).toMatchObject({ code: 'INVALID_STATE' });
    expect(run.reject({ type: 'FailJob', jobId: job.id, retries: 1 })).toMatchObject({ code: 'INVALID_STATE' });

    run.resolveIncident('work', 2);
    expect(run.lastEvents).toEqual([
      { type: 'JobRetriesUpdated', data: { jobId: job.id, retries: 2 } },
      { type: 'IncidentResolved', data: { incidentId: 'id-4' } },
    ]);
    expect(run.job('work')).toMatchObject({ state: 'activatable', retries: 2 });
    run.completeJob('work');
    expect(run.state.status).toBe('completed');
  });

  it('resolving a job incident gives 1 retry by default and refuses 0', () => {
    const run = scenario(withJob({ type: 'work' })).start().failJob('work', 0);
    expect(run.incident('work').message).toBe("Job 'id-3' of type 'work' failed with no retries left");
    expect(run.reject({ type: 'ResolveIncident', incidentId: run.incident('work').id, retries: 0 })).toMatchObject({ code: 'INVALID_ARGUMENT' });
    run.resolveIncident('work');
    expect(run.job('work').retries).toBe(1);
  });

  it('refuses negative retries', () => {
    const run = scenario(withJob({ type: 'work' })).start();
    expect(run.reject({ type: 'FailJob', jobId: run.job('work').id, retries: -1 })).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('the job carries the decision time', () => {
    expect(scenario(withJob({ type: 'work' })).start().eventsOf('JobCreated')[0].data.createdAt).toBe(START_TIME);
  });
});
