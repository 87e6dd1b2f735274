import { describe, expect, it } from '@jest/globals';
import { type EventEnvelope, validateRuntimeCommand } from '@trellis/contracts';

import { decisionJobCreated, decisionJobFailure, failDecisionJob, jobIdOf } from './decision-jobs.js';

const envelope = (type: string, data: EventEnvelope['data'], revision = 7): EventEnvelope => ({
  eventId: `e-${revision}`,
  type,
  schemaVersion: 1,
  streamId: 'process-instance-pi-1',
  processInstanceId: 'pi-1',
  revision,
  position: 100 + revision,
  recordedAt: '2026-12-04T10:00:00.000Z',
  data,
  metadata: null,
});

const jobCreated = (type: string, headers: Record<string, string>): EventEnvelope =>
  envelope('JobCreated', { jobId: 'job-1', type, retries: 3, elementInstanceId: 'ei', elementId: 'check', customHeaders: headers, createdAt: 't' });

describe('decision jobs', () => {
  it('recognises the JobCreated of a decision job, and no other job or event', () => {
    expect(decisionJobCreated(jobCreated('io.trellis.decision', { decisionId: 'risk', bindingType: 'latest' }))).toEqual({
      jobId: 'job-1',
      processInstanceId: 'pi-1',
      decisionId: 'risk',
    });
    expect(decisionJobCreated(jobCreated('charge-card', { decisionId: 'risk' }))).toBeUndefined();
    expect(decisionJobCreated(envelope('JobCompleted', { jobId: 'job-1' }))).toBeUndefined();
    expect(jobIdOf(envelope('JobRetriesUpdated', { jobId: 'job-1', retries: 1 }))).toBe('job-1');
    expect(jobIdOf(envelope('ElementActivated', { elementInstanceId: 'ei' }))).toBeUndefined();
  });

  it('fails a decision job with no retries left and says the decision engine is not available', () => {
    const command = failDecisionJob({ jobId: 'job-1', processInstanceId: 'pi-1', decisionId: 'risk' }, true, { issuedAt: '2026-12-04T10:00:01.000Z' });
    expect(command).toEqual({
      type: 'FailJob',
      commandId: 'dmn-service:fail-decision-job:job-1',
      processInstanceId: 'pi-1',
      issuedBy: 'dmn-service',
      issuedAt: '2026-12-04T10:00:01.000Z',
      jobId: 'job-1',
      retries: 0,
      errorMessage: "decision engine not available: cannot evaluate decision 'risk' (the DMN engine comes with issue #8)",
    });
    // What the runtime's consumer accepts.
    expect(validateRuntimeCommand(JSON.parse(JSON.stringify(command)))).toEqual({ ok: true, value: command });
  });

  it('says so when the decision is not even deployed', () => {
    expect(decisionJobFailure('risk', false)).toBe("decision 'risk' is not deployed: deploy a DMN resource that defines it, then resolve this incident");
  });

  it('derives the command id from the job, and from the event for a job offered again: a redelivery sends the same command', () => {
    const job = { jobId: 'job-1', processInstanceId: 'pi-1', decisionId: 'risk' };
    const first = failDecisionJob(job, true, { issuedAt: '2026-12-04T10:00:01.000Z' });
    const redelivered = failDecisionJob(job, true, { issuedAt: '2026-12-04T10:05:00.000Z' });
    const offeredAgain = failDecisionJob(job, true, { issuedAt: '2026-12-04T10:06:00.000Z', offeredAgainAt: 12 });
    expect(redelivered.commandId).toBe(first.commandId);
    expect(offeredAgain.commandId).toBe('dmn-service:fail-decision-job:job-1:12');
  });
});
