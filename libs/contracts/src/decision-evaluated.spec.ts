import { describe, expect, it } from '@jest/globals';

import { type DecisionEvaluated, decisionEvaluatedMessageOf, decodeDecisionEvaluated } from './decision-evaluated.js';
import { HEADERS } from './headers.js';

const evaluated: DecisionEvaluated = {
  id: 'job-1',
  decisionId: 'approval',
  decisionDefinitionId: 'approval:1',
  version: 1,
  processInstanceId: 'pi-1',
  elementInstanceId: 'ei-1',
  jobId: 'job-1',
  inputs: { amount: 500 },
  output: { approved: true },
  matchedRules: [{ decisionId: 'approval', matchedRules: [{ ruleId: 'approve-low', ruleIndex: 1, outputs: { approved: true } }] }],
  evaluatedDecisions: ['risk-level', 'approval'],
  failed: false,
  evaluatedAt: '2026-03-01T10:00:00.000Z',
};

describe('DecisionEvaluated', () => {
  it('is keyed by its process instance (else its decision id) and reads back as published', () => {
    const message = decisionEvaluatedMessageOf(evaluated);
    expect(message.key).toBe('pi-1');
    expect(message.headers).toEqual({ [HEADERS.type]: 'DecisionEvaluated', [HEADERS.contentType]: 'application/json' });
    expect(decodeDecisionEvaluated(message.value)).toEqual({ ok: true, value: evaluated });

    const { processInstanceId: _p, elementInstanceId: _e, jobId: _j, ...rest } = evaluated;
    const failed: DecisionEvaluated = { ...rest, output: null, matchedRules: [], evaluatedDecisions: [], failed: true, failureReason: 'a UNIQUE table matched 2 rules' };
    expect(decisionEvaluatedMessageOf(failed).key).toBe('approval');
    expect(decodeDecisionEvaluated(decisionEvaluatedMessageOf(failed).value)).toEqual({ ok: true, value: failed });
  });

  it('names every broken field', () => {
    const broken = { ...evaluated, version: 0, failed: 'no', matchedRules: [{ decisionId: 'approval', matchedRules: [{ ruleIndex: 0, outputs: {} }] }], evaluatedAt: 'yesterday' };
    const decoded = decodeDecisionEvaluated(JSON.stringify(broken));
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? [] : decoded.problems.map((problem) => problem.path)).toEqual(['version', 'matchedRules', 'failed', 'evaluatedAt']);
    const { decisionId: _d, ...withoutDecision } = evaluated;
    expect(decodeDecisionEvaluated(JSON.stringify(withoutDecision))).toMatchObject({ ok: false, problems: [{ path: 'decisionId' }] });
  });
});
