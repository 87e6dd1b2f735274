import type { INestApplication } from '@nestjs/common';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { decisionTaskBpmn, riskDmn } from '@trellis/decisions/testing';
import request from 'supertest';

import { deploy, memoryApp } from './testing/e2e.fixture.js';

interface IncidentBody {
  readonly id: string;
  readonly type: string;
  readonly message: string;
  readonly elementId: string;
  readonly processInstanceId: string;
}

/**
 * Polls the incidents of an instance until one shows (the decision job is answered after the request that created it),
 * other than `except`.
 */
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

describe('decisions in the standalone server', () => {
  let app: INestApplication;
  beforeEach(async () => {
    app = await memoryApp();
  });
  afterEach(async () => {
    await app.close();
  });

  it('deploys a DMN resource beside the process and lists its decision; evaluating answers 501', async () => {
    const http = request(app.getHttpServer());
    const deployment = await deploy(app, ['check-order.bpmn', decisionTaskBpmn()], ['risk.dmn', riskDmn()]).expect(201);
    expect(deployment.body.decisionDefinitions).toEqual([expect.objectContaining({ id: 'risk-check:1', decisionId: 'risk-check', resourceName: 'risk.dmn' })]);

    const list = await http.get('/api/decision-definitions').query({ decisionId: 'risk-check' }).expect(200);
    expect(list.body).toEqual({ items: [expect.objectContaining({ id: 'risk-check:1', deployedAt: deployment.body.deployedAt })], total: 1, limit: 100, offset: 0 });
    const xml = await http.get('/api/decision-definitions/risk-check:1/xml').expect(200);
    expect(xml.headers['content-type']).toContain('application/xml');
    expect(xml.text).toBe(riskDmn());

    const evaluate = await http.post('/api/decision-definitions/risk-check:1/evaluate').send({ variables: { amount: 1 } }).expect(501);
    expect(evaluate.headers['content-type']).toBe('application/problem+json');
    expect(evaluate.body).toMatchObject({ type: 'urn:trellis:problem:decision-engine-not-available', status: 501, details: { issue: '#8' } });
    await http.post('/api/decision-definitions/nope:1/evaluate').send({}).expect(404);
  });

  it('gives a business rule task an incident instead of leaving it waiting: decision engine not available', async () => {
    const http = request(app.getHttpServer());
    await deploy(app, ['check-order.bpmn', decisionTaskBpmn()], ['risk.dmn', riskDmn()]).expect(201);
    const started = await http.post('/api/process-instances').send({ processId: 'check-order' }).expect(201);

    const incident = await incidentOf(app, started.body.id);
    expect(incident).toMatchObject({
      type: 'JOB_NO_RETRIES',
      elementId: 'check',
      message: "decision engine not available: cannot evaluate decision 'risk-check' (the DMN engine comes with issue #8)",
    });
    // Resolving the incident offers the job again: it is answered again, with a new incident.
    await http.post(`/api/incidents/${incident.id}/resolve`).send({}).expect(200);
    const again = await incidentOf(app, started.body.id, incident.id);
    expect(again).toMatchObject({ type: 'JOB_NO_RETRIES', elementId: 'check', message: incident.message });
  });

  it('says when the decision is not deployed', async () => {
    const http = request(app.getHttpServer());
    await deploy(app, ['check-order.bpmn', decisionTaskBpmn('missing-decision')]).expect(201);
    const started = await http.post('/api/process-instances').send({ processId: 'check-order' }).expect(201);
    expect((await incidentOf(app, started.body.id)).message).toBe(
      "decision 'missing-decision' is not deployed: deploy a DMN resource that defines it, then resolve this incident",
    );
  });
});
