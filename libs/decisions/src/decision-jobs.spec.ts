import { describe, expect, it } from '@jest/globals';
import { type EventEnvelope, validateRuntimeCommand } from '@trellis/contracts';

import type { DecisionEvaluationView } from './decision-evaluation.js';
import {
  completeDecisionJob,
  decisionJobCreated,
  decisionJobResult,
  decisionJobSelector,
  decisionNotDeployedMessage,
  failDecisionJob,
  jobIdOf,
} from './decision-jobs.js';

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

const jobCreated = (type: string, headers: Record<string, string>, variables?: Record<string, unknown>): EventEnvelope =>
  envelope('JobCreated', {
    jobId: 'job-1',
    type,
    retries: 3,
    elementInstanceId: 'ei',
    elementId: 'check',
    customHeaders: headers,
    ...(variables === undefined ? {} : { variables: variables as Record<string, never> }),
    createdAt: 't',
  });

/** An evaluation of a decision table with two matched rules of one output `risk`, collected. */
const evaluation = (output: DecisionEvaluationView['output'], ruleResults: DecisionEvaluationView['ruleResults']): DecisionEvaluationView => ({
  decisionDefinitionId: 'risk:1',
  decisionId: 'risk',
  version: 1,
  output,
  ruleResults,
  matchedRules: [],
  evaluatedDecisions: [],
  warnings: [],
  evaluatedAt: '2026-12-04T10:00:00.000Z',
});
const job = (headers: Record<string, string>) => ({ decisionId: 'risk', headers: { decisionId: 'risk', ...headers } });


describe('decision jobs', () => {
  it('recognises the JobCreated of a decision job with its headers and variables, and no other job or event', () => {
    expect(decisionJobCreated(jobCreated('io.trellis.decision', { decisionId: 'risk', bindingType: 'latest' }, { amount: 1200 }))).toEqual({
      jobId: 'job-1',
      processInstanceId: 'pi-1',
      elementInstanceId: 'ei',
      decisionId: 'risk',
      headers: { decisionId: 'risk', bindingType: 'latest' },
      variables: { amount: 1200 },
    });
    // An event written before decision jobs carried variables: evaluated with none.
    expect(decisionJobCreated(jobCreated('io.trellis.decision', { decisionId: 'risk' }))?.variables).toEqual({});
    expect(decisionJobCreated(jobCreated('charge-card', { decisionId: 'risk' }))).toBeUndefined();
    expect(decisionJobCreated(envelope('JobCompleted', { jobId: 'job-1' }))).toBeUndefined();
    expect(jobIdOf(envelope('JobRetriesUpdated', { jobId: 'job-1', retries: 1 }))).toBe('job-1');
    expect(jobIdOf(envelope('ElementActivated', { elementInstanceId: 'ei' }))).toBeUndefined();
  });

  it('selects the definition by the binding headers: latest, a version, a version tag, the process’s deployment', () => {
    expect(decisionJobSelector(job({ bindingType: 'latest' }))).toEqual({ decisionId: 'risk' });
    expect(decisionJobSelector(job({ bindingType: 'version', version: '3' }))).toEqual({ decisionId: 'risk', version: 3 });
    expect(decisionJobSelector(job({ bindingType: 'versionTag', versionTag: 'v2' }))).toEqual({ decisionId: 'risk', versionTag: 'v2' });
    expect(decisionJobSelector(job({ bindingType: 'deployment', processDefinitionId: 'order:2' }))).toEqual({ decisionId: 'risk', processDefinitionId: 'order:2' });
    // A job written before decision jobs carried the process definition: the latest.
    expect(decisionJobSelector(job({ bindingType: 'deployment' }))).toEqual({ decisionId: 'risk' });
  });

  it('puts the decision value itself in a Camunda 8 task’s result variable', () => {
    expect(decisionJobResult(job({ resultVariable: 'risk' }), evaluation({ level: 'high', limit: 5 }, [{ level: 'high', limit: 5 }]))).toEqual({
      kind: 'complete',
      variables: { risk: { level: 'high', limit: 5 } },
    });
    expect(decisionJobResult(job({}), evaluation('high', [{ risk: 'high' }]))).toEqual({ kind: 'complete', variables: {} });
  });

  it('maps a Camunda 7 task’s result per mapDecisionResult, and fails the job when the result does not fit', () => {
    const two = evaluation(['high', 'low'], [{ risk: 'high' }, { risk: 'low' }]);
    expect(decisionJobResult(job({ resultVariable: 'r', mapDecisionResult: 'resultList' }), two)).toEqual({ kind: 'complete', variables: { r: [{ risk: 'high' }, { risk: 'low' }] } });
    expect(decisionJobResult(job({ resultVariable: 'r', mapDecisionResult: 'collectEntries' }), two)).toEqual({ kind: 'complete', variables: { r: ['high', 'low'] } });
    expect(decisionJobResult(job({ resultVariable: 'r', mapDecisionResult: 'singleEntry' }), two)).toEqual({
      kind: 'fail',
      errorMessage: "decision 'risk' matched 2 rules, but mapDecisionResult singleEntry takes at most one",
    });
    expect(decisionJobResult(job({ resultVariable: 'r', mapDecisionResult: 'bogus' }), two)).toEqual({ kind: 'fail', errorMessage: "decision 'risk': unknown mapDecisionResult 'bogus'" });
  });

  it('says why a decision job cannot be answered when its decision is not deployed', () => {
    expect(decisionNotDeployedMessage({ decisionId: 'risk' })).toBe("decision 'risk' is not deployed: deploy a DMN resource that defines it, then resolve this incident");
    expect(decisionNotDeployedMessage({ decisionId: 'risk', version: 4 })).toBe(
      "decision 'risk' is not deployed in version 4: deploy a DMN resource that defines it, then resolve this incident",
    );
  });

  it('answers with commands the runtime accepts, their ids derived from the job (and the event of a job offered again)', () => {
    const target = { jobId: 'job-1', processInstanceId: 'pi-1' };
    const failed = failDecisionJob(target, 'why', { issuedAt: '2026-12-04T10:00:01.000Z' });
    expect(failed).toEqual({
      type: 'FailJob',
      commandId: 'dmn-service:fail-decision-job:job-1',
      processInstanceId: 'pi-1',
      issuedBy: 'dmn-service',
      issuedAt: '2026-12-04T10:00:01.000Z',
      jobId: 'job-1',
      retries: 0,
      errorMessage: 'why',
    });
    const completed = completeDecisionJob(target, { risk: 'high' }, { issuedAt: '2026-12-04T10:00:01.000Z', offeredAgainAt: 12 });
    expect(completed).toMatchObject({ type: 'CompleteJob', commandId: 'dmn-service:complete-decision-job:job-1:12', jobId: 'job-1', variables: { risk: 'high' } });
    // What the runtime's consumer accepts.
    for (const command of [failed, completed]) expect(validateRuntimeCommand(JSON.parse(JSON.stringify(command)))).toEqual({ ok: true, value: command });
    expect(failDecisionJob(target, 'why', { issuedAt: 'later' }).commandId).toBe(failed.commandId);
  });
});
