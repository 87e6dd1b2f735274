import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@trellis/platform';
import { approvalDmn, decisionTaskBpmn, overlappingDmn, riskDmn } from '@trellis/decisions/testing';
import request from 'supertest';

import { deploy, memoryApp } from './testing/e2e.fixture.js';

interface EvaluationBody {
  readonly id: string;
  readonly decisionId: string;
  readonly processInstanceId?: string;
  readonly failed: boolean;
}

interface EvaluationPage {
  readonly items: readonly EvaluationBody[];
  readonly total: number;
}

describe('decision evaluation history in the standalone server', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    app = await memoryApp({ clock: new ManualClock('2026-03-01T10:00:00.000Z') });
    http = request(app.getHttpServer());
    await deploy(app, ['approval.dmn', approvalDmn()], ['overlapping.dmn', overlappingDmn()], ['risk.dmn', riskDmn()]).expect(201);
  });
  afterAll(async () => {
    await app.close();
  });

  /** Polls the evaluations of an instance until one shows (its decision job is answered after the request that started it). */
  async function evaluationsOf(processInstanceId: string): Promise<EvaluationPage> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const page = (await http.get('/api/history/decision-evaluations').query({ processInstanceId }).expect(200)).body as EvaluationPage;
      if (page.total > 0) return page;
      if (Date.now() > deadline) throw new Error(`No decision evaluation of ${processInstanceId} after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('records an evaluation through the REST API: inputs, output, the matched rules of each table and the clock’s time', async () => {
    await http.post('/api/decision-definitions/approval:1/evaluate').send({ variables: { amount: 500 } }).expect(200);
    const page = (await http.get('/api/history/decision-evaluations').query({ decisionId: 'approval' }).expect(200)).body as EvaluationPage;
    expect(page.total).toBe(1);
    const [evaluation] = page.items;
    expect(evaluation).toEqual({
      id: expect.any(String),
      decisionId: 'approval',
      decisionDefinitionId: 'approval:1',
      version: 1,
      inputs: { amount: 500 },
      output: { approved: true, reason: 'low risk' },
      matchedRules: [
        { decisionId: 'risk-level', matchedRules: [{ ruleId: 'risk-low', ruleIndex: 1, outputs: { risk: 'low' } }] },
        { decisionId: 'approval', matchedRules: [{ ruleId: 'approve-low', ruleIndex: 1, outputs: { approved: true, reason: 'low risk' } }] },
      ],
      evaluatedDecisions: ['risk-level', 'approval'],
      failed: false,
      evaluatedAt: '2026-03-01T10:00:00.000Z',
    });
    expect((await http.get(`/api/history/decision-evaluations/${evaluation?.id ?? ''}`).expect(200)).body).toEqual(evaluation);
  });

  it('records a failed evaluation with the reason, and filters on failed', async () => {
    await http.post('/api/decisions/overlapping/evaluate').send({ variables: { x: 1 } }).expect(422);
    const failed = (await http.get('/api/history/decision-evaluations').query({ failed: true }).expect(200)).body as EvaluationPage;
    expect(failed.items).toEqual([
      expect.objectContaining({
        decisionId: 'overlapping',
        failed: true,
        output: null,
        failureReason: "decision 'overlapping' (overlapping:1) could not be evaluated: overlapping: 2 rules of a UNIQUE table matched",
      }),
    ]);
    const succeeded = (await http.get('/api/history/decision-evaluations').query({ failed: false }).expect(200)).body as EvaluationPage;
    expect(succeeded.items.every((evaluation) => !evaluation.failed)).toBe(true);
  });

  it('records the evaluation of a business rule task with its process instance, element instance and job', async () => {
    await deploy(app, ['check-order.bpmn', decisionTaskBpmn('approval')]).expect(201);
    const started = await http.post('/api/process-instances').send({ processId: 'check-order', variables: { amount: 700 } }).expect(201);
    const page = await evaluationsOf(started.body.id as string);
    expect(page.items).toEqual([
      expect.objectContaining({
        decisionId: 'approval',
        processInstanceId: started.body.id,
        elementInstanceId: expect.any(String),
        jobId: expect.any(String),
        inputs: { amount: 700 },
        output: { approved: true, reason: 'low risk' },
        failed: false,
      }),
    ]);
  });

  it('pages, and answers 404 for an unknown id and 400 for a bad filter naming the field', async () => {
    const all = (await http.get('/api/history/decision-evaluations').expect(200)).body as EvaluationPage;
    const second = (await http.get('/api/history/decision-evaluations').query({ limit: 1, offset: 1 }).expect(200)).body as EvaluationPage;
    expect(second).toEqual({ items: [all.items[1]], total: all.total, limit: 1, offset: 1 });
    expect((await http.get('/api/history/decision-evaluations/nope').expect(404)).body).toMatchObject({ details: { decisionEvaluationId: 'nope' } });
    const bad = await http.get('/api/history/decision-evaluations').query({ failed: 'maybe' }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('failed');
  });
});
