import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ManualClock } from '@trellis/platform';
import { approvalDmn, camundaDecisionTaskBpmn, camundaStyleDmn, decisionTaskBpmn, importingDmn, overlappingDmn, riskDmn } from '@trellis/decisions/testing';
import request from 'supertest';

import { deploy, memoryApp } from './testing/e2e.fixture.js';

interface IncidentBody {
  readonly id: string;
  readonly type: string;
  readonly message: string;
  readonly elementId: string;
  readonly processInstanceId: string;
}

interface InstanceBody {
  readonly id: string;
  readonly state: string;
  readonly variables: Record<string, unknown>;
}

/** Polls the incidents of an instance until one shows (the decision job is answered after the request that created it), other than `except`. */
async function incidentOf(app: INestApplication, processInstanceId: string, except?: string): Promise<IncidentBody> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await request(app.getHttpServer()).get('/api/incidents').query({ processInstanceId }).expect(200);
    const incidents = (Array.isArray(response.body) ? response.body : response.body.items) as IncidentBody[];
    const incident = incidents.find((candidate) => candidate.id !== except);
    if (incident !== undefined) return incident;
    if (Date.now() > deadline) throw new Error(`No incident on ${processInstanceId} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls an instance until it has completed (its decision job answered in process); fails with the last view. */
async function completed(app: INestApplication, processInstanceId: string): Promise<InstanceBody> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await request(app.getHttpServer()).get(`/api/process-instances/${processInstanceId}`).expect(200);
    const instance = response.body as InstanceBody;
    if (instance.state === 'COMPLETED') return instance;
    if (Date.now() > deadline) throw new Error(`Instance ${processInstanceId} not completed after 10 s: ${JSON.stringify(instance)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('decisions in the standalone server', () => {
  let app: INestApplication;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    app = await memoryApp();
    http = request(app.getHttpServer());
    await deploy(app, ['approval.dmn', approvalDmn()], ['overlapping.dmn', overlappingDmn()], ['risk.dmn', riskDmn()]).expect(201);
  });
  afterAll(async () => {
    await app.close();
  });

  describe('native API', () => {
    it('evaluates a definition: the output, its matched rules and every decision evaluated, required ones first', async () => {
      const response = await http.post('/api/decision-definitions/approval:1/evaluate').send({ variables: { amount: 500 } }).expect(200);
      expect(response.body).toEqual({
        decisionDefinitionId: 'approval:1',
        decisionId: 'approval',
        decisionName: 'approval',
        version: 1,
        output: { approved: true, reason: 'low risk' },
        ruleResults: [{ approved: true, reason: 'low risk' }],
        matchedRules: [{ ruleId: 'approve-low', ruleIndex: 1, outputs: { approved: true, reason: 'low risk' } }],
        evaluatedDecisions: [
          expect.objectContaining({
            decisionId: 'risk-level',
            output: 'low',
            evaluatedInputs: [{ inputId: 'risk-in-amount', inputName: 'amount', value: 500 }],
            matchedRules: [{ ruleId: 'risk-low', ruleIndex: 1, outputs: { risk: 'low' } }],
          }),
          expect.objectContaining({ decisionId: 'approval', output: { approved: true, reason: 'low risk' } }),
        ],
        warnings: [],
        evaluatedAt: expect.any(String),
      });
    });

    it('evaluates the latest version of a decision by its id, or the version asked for', async () => {
      const byId = await http.post('/api/decisions/risk-level/evaluate').send({ variables: { amount: 5000 } }).expect(200);
      expect(byId.body).toMatchObject({ decisionDefinitionId: 'risk-level:1', output: 'high', matchedRules: [{ ruleId: 'risk-high', ruleIndex: 2 }] });
      const collected = await http.post('/api/decisions/discounts/evaluate').query({ version: 1 }).send({ variables: { tier: 'gold' } }).expect(200);
      expect(collected.body).toMatchObject({ output: [10, 5, 0], ruleResults: [{ discount: 10 }, { discount: 5 }, { discount: 0 }] });
      expect(collected.body.matchedRules.map((rule: { ruleIndex: number }) => rule.ruleIndex)).toEqual([1, 2, 3]);
      const literal = await http.post('/api/decisions/risk-check/evaluate').send({}).expect(200);
      expect(literal.body).toMatchObject({ output: 'high', matchedRules: [] });
    });

    it('answers 404 for a decision that is not deployed, 400 for bad input, 422 naming the decision that cannot be evaluated', async () => {
      const missing = await http.post('/api/decisions/nope/evaluate').send({}).expect(404);
      expect(missing.headers['content-type']).toBe('application/problem+json');
      expect(missing.body).toMatchObject({ status: 404, detail: "decision 'nope' is not deployed" });
      await http.post('/api/decisions/risk-level/evaluate').query({ version: 7 }).send({}).expect(404);
      await http.post('/api/decision-definitions/nope:1/evaluate').send({}).expect(404);
      const bad = await http.post('/api/decisions/risk-level/evaluate').send({ variables: ['not', 'an', 'object'] }).expect(400);
      expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'variables' })]));
      await http.post('/api/decisions/risk-level/evaluate').query({ version: 'x' }).send({}).expect(400);

      const failed = await http.post('/api/decisions/overlapping/evaluate').send({ variables: { x: 1 } }).expect(422);
      expect(failed.headers['content-type']).toBe('application/problem+json');
      expect(failed.body).toMatchObject({
        type: 'urn:trellis:problem:decision-evaluation-failed',
        status: 422,
        details: { decisionDefinitionId: 'overlapping:1', decisionId: 'overlapping' },
      });
      expect(failed.body.detail).toBe("decision 'overlapping' (overlapping:1) could not be evaluated: overlapping: 2 rules of a UNIQUE table matched");
    });
  });

  describe('Camunda 7 API', () => {
    it('evaluates by key and by id: typed variables in, one map of typed outputs per matched rule out', async () => {
      const byKey = await http
        .post('/engine-rest/decision-definition/key/approval/evaluate')
        .send({ variables: { amount: { value: 5000, type: 'Integer' } } })
        .expect(200);
      expect(byKey.body).toEqual([
        { approved: { type: 'Boolean', value: false, valueInfo: {} }, reason: { type: 'String', value: 'needs review', valueInfo: {} } },
      ]);
      const byId = await http.post('/engine-rest/decision-definition/discounts:1/evaluate').send({ variables: { tier: { value: 'silver', type: 'String' } } }).expect(200);
      expect(byId.body).toEqual([{ discount: { type: 'Integer', value: 5, valueInfo: {} } }, { discount: { type: 'Integer', value: 0, valueInfo: {} } }]);
    });

    it('answers as Camunda 7 does when the decision is unknown or the variables are not typed values', async () => {
      const missing = await http.post('/engine-rest/decision-definition/key/nope/evaluate').send({}).expect(404);
      expect(missing.body).toEqual({ type: 'InvalidRequestException', message: 'No matching decision definition with key: nope and no tenant-id' });
      const bad = await http.post('/engine-rest/decision-definition/key/approval/evaluate').send({ variables: { amount: { value: 'x', type: 'Integer' } } }).expect(400);
      expect(bad.body.type).toBe('InvalidRequestException');
      const failed = await http.post('/engine-rest/decision-definition/key/overlapping/evaluate').send({ variables: { x: { value: 1, type: 'Integer' } } }).expect(422);
      expect(failed.body).toEqual({ type: 'RestException', message: expect.stringContaining('Cannot evaluate decision overlapping:1') });
    });
  });

  describe('Camunda 8 API', () => {
    it('evaluates by decisionDefinitionId (latest) or decisionDefinitionKey, answering EvaluateDecisionResult', async () => {
      const response = await http.post('/v2/decision-definitions/evaluation').send({ decisionDefinitionId: 'approval', variables: { amount: 20 } }).expect(200);
      expect(response.body).toMatchObject({
        decisionDefinitionId: 'approval',
        decisionDefinitionKey: 'approval:1',
        decisionDefinitionName: 'approval',
        decisionDefinitionVersion: 1,
        decisionRequirementsId: 'approval-rules',
        output: JSON.stringify({ approved: true, reason: 'low risk' }),
        failedDecisionDefinitionId: null,
        failureMessage: null,
        tenantId: '<default>',
      });
      expect(response.body.evaluatedDecisions).toEqual([
        expect.objectContaining({
          decisionDefinitionId: 'risk-level',
          decisionDefinitionType: 'DECISION_TABLE',
          output: '"low"',
          evaluatedInputs: [{ inputId: 'risk-in-amount', inputName: 'amount', inputValue: '20' }],
        }),
        expect.objectContaining({
          decisionDefinitionId: 'approval',
          evaluatedInputs: [{ inputId: 'approval-in-risk', inputName: 'risk', inputValue: '"low"' }],
          matchedRules: [
            {
              ruleId: 'approve-low',
              ruleIndex: 1,
              evaluatedOutputs: [
                { outputId: 'approved', outputName: 'approved', outputValue: 'true' },
                { outputId: 'reason', outputName: 'reason', outputValue: '"low risk"' },
              ],
            },
          ],
        }),
      ]);
      const byKey = await http.post('/v2/decision-definitions/evaluation').send({ decisionDefinitionKey: 'risk-level:1', variables: { amount: 1000 } }).expect(200);
      expect(byKey.body.output).toBe('"high"');
    });

    it('refuses a request naming neither or both, and answers 404 for an unknown decision', async () => {
      const neither = await http.post('/v2/decision-definitions/evaluation').send({ variables: {} }).expect(400);
      expect(neither.body).toMatchObject({ status: 400, details: { field: 'decisionDefinitionId' } });
      await http.post('/v2/decision-definitions/evaluation').send({ decisionDefinitionId: 'approval', decisionDefinitionKey: 'approval:1' }).expect(400);
      await http.post('/v2/decision-definitions/evaluation').send({ decisionDefinitionId: 'approval', variables: [1] }).expect(400);
      await http.post('/v2/decision-definitions/evaluation').send({ decisionDefinitionId: 'nope' }).expect(404);
    });
  });

  describe('business rule tasks', () => {
    it('Camunda 8: the decision’s value lands in the result variable and the instance goes on', async () => {
      await deploy(app, ['check-order.bpmn', decisionTaskBpmn('approval')]).expect(201);
      const started = await http.post('/api/process-instances').send({ processId: 'check-order', variables: { amount: 700 } }).expect(201);
      const instance = await completed(app, started.body.id);
      expect(instance.variables).toEqual({ amount: 700, risk: { approved: true, reason: 'low risk' } });
    });

    it.each([
      ['singleEntry', 'risk-level', { amount: 10 }, 'low'],
      ['singleResult', 'approval', { amount: 5000 }, { approved: false, reason: 'needs review' }],
      ['collectEntries', 'discounts', { tier: 'gold' }, [10, 5, 0]],
      ['resultList', 'discounts', { tier: 'silver' }, [{ discount: 5 }, { discount: 0 }]],
    ])('Camunda 7: mapDecisionResult %s of %s', async (mapping, decisionId, variables, expected) => {
      await deploy(app, [`c7-${mapping}.bpmn`, camundaDecisionTaskBpmn(decisionId, mapping)]).expect(201);
      const started = await http.post('/api/process-instances').send({ processId: 'c7-check', variables }).expect(201);
      const instance = await completed(app, started.body.id);
      expect(instance.variables).toEqual({ ...variables, result: expected });
    });

    it('a result that does not fit the mapping, or a decision that cannot be evaluated, becomes an incident on the task', async () => {
      await deploy(app, ['c7-misfit.bpmn', camundaDecisionTaskBpmn('discounts', 'singleEntry')]).expect(201);
      const misfit = await http.post('/api/process-instances').send({ processId: 'c7-check', variables: { tier: 'gold' } }).expect(201);
      expect(await incidentOf(app, misfit.body.id)).toMatchObject({
        type: 'JOB_NO_RETRIES',
        elementId: 'check',
        message: "decision 'discounts' matched 3 rules, but mapDecisionResult singleEntry takes at most one",
      });

      await deploy(app, ['check-overlapping.bpmn', decisionTaskBpmn('overlapping')]).expect(201);
      const failing = await http.post('/api/process-instances').send({ processId: 'check-order', variables: { x: 1 } }).expect(201);
      const incident = await incidentOf(app, failing.body.id);
      expect(incident).toMatchObject({
        type: 'JOB_NO_RETRIES',
        elementId: 'check',
        message: "decision 'overlapping' (overlapping:1) could not be evaluated: overlapping: 2 rules of a UNIQUE table matched",
      });
      // Resolving the incident offers the job again: evaluated again, it fails again with a new incident.
      await http.post(`/api/incidents/${incident.id}/resolve`).send({}).expect(200);
      const again = await incidentOf(app, failing.body.id, incident.id);
      expect(again).toMatchObject({ type: 'JOB_NO_RETRIES', elementId: 'check', message: incident.message });
    });

    it('says when the decision is not deployed', async () => {
      await deploy(app, ['check-missing.bpmn', decisionTaskBpmn('missing-decision')]).expect(201);
      const started = await http.post('/api/process-instances').send({ processId: 'check-order' }).expect(201);
      expect((await incidentOf(app, started.body.id)).message).toBe(
        "decision 'missing-decision' is not deployed: deploy a DMN resource that defines it, then resolve this incident",
      );
    });
  });

  describe('decision binding of a business rule task', () => {
    let bound: INestApplication;
    beforeAll(async () => {
      bound = await memoryApp();
    });
    afterAll(async () => {
      await bound.close();
    });

    it('deployment: the task evaluates the decision deployed with its process; latest: the newest version', async () => {
      // v1 of the decision (threshold 100) deployed with both processes, then v2 (threshold 200) alone.
      await deploy(
        bound,
        ['limit.dmn', camundaStyleDmn()],
        ['bound.bpmn', decisionTaskBpmn('camunda-limit', { processId: 'bound-check', bindingType: 'deployment' })],
        ['latest.bpmn', decisionTaskBpmn('camunda-limit', { processId: 'latest-check' })],
      ).expect(201);
      await deploy(bound, ['limit.dmn', camundaStyleDmn().replaceAll('100', '200')]).expect(201);
      const http = request(bound.getHttpServer());
      const boundStarted = await http.post('/api/process-instances').send({ processId: 'bound-check', variables: { amount: 150 } }).expect(201);
      expect((await completed(bound, boundStarted.body.id)).variables).toEqual({ amount: 150, risk: 'large' });
      const latestStarted = await http.post('/api/process-instances').send({ processId: 'latest-check', variables: { amount: 150 } }).expect(201);
      expect((await completed(bound, latestStarted.body.id)).variables).toEqual({ amount: 150, risk: 'small' });
    });
  });

  describe('Camunda models, imports and the clock', () => {
    let clocked: INestApplication;
    beforeAll(async () => {
      clocked = await memoryApp({ clock: new ManualClock('2026-03-01T10:00:00.000Z') });
      const { base, rates } = importingDmn();
      await deploy(clocked, ['camunda.dmn', camundaStyleDmn()], ['base.dmn', base], ['rates.dmn', rates]).expect(201);
    });
    afterAll(async () => {
      await clocked.close();
    });

    it('gives a model without input data the variables by name, as Camunda does', async () => {
      const response = await request(clocked.getHttpServer()).post('/api/decisions/camunda-limit/evaluate').send({ variables: { amount: 250 } }).expect(200);
      expect(response.body).toMatchObject({ output: 'large', matchedRules: [{ ruleId: 'large', ruleIndex: 2 }] });
    });

    it('evaluates a decision that imports a model deployed with it', async () => {
      const response = await request(clocked.getHttpServer()).post('/api/decisions/rate/evaluate').send({}).expect(200);
      expect(response.body).toMatchObject({ decisionDefinitionId: 'rate:1', output: 0.1 });
    });

    it('evaluates today() at the server clock', async () => {
      const response = await request(clocked.getHttpServer()).post('/api/decisions/today-is/evaluate').send({}).expect(200);
      expect(response.body).toMatchObject({ output: '2026-03-01', evaluatedAt: '2026-03-01T10:00:00.000Z' });
    });
  });
});
