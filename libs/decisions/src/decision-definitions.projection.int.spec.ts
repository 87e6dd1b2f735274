import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import type { DataSource } from 'typeorm';

import { DecisionDefinitionsProjection } from './decision-definitions.projection.js';
import { DECISIONS_MIGRATIONS } from './decisions.migrations.js';
import { PostgresDecisionCatalog } from './postgres-decision-catalog.js';
import { Deployments, decisionTaskBpmn, riskDmn } from './testing.js';

const schema = uniqueSchema('dmn_projection');
let dataSource: DataSource;
let runner: StreamProjectionRunner;
let catalog: PostgresDecisionCatalog;

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: DECISIONS_MIGRATIONS });
  runner = new StreamProjectionRunner(dataSource, new DecisionDefinitionsProjection(), { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  catalog = new PostgresDecisionCatalog(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE decision_definitions, dmn_resources, decision_jobs, projection_stream_checkpoints');
});

describe('the dmn-service store of decision definitions', () => {
  it('holds every decision of the deployments, from the DeploymentCreated envelopes the deployment handler records', async () => {
    const deployments = new Deployments();
    const first = await deployments.deploy(['order.bpmn', decisionTaskBpmn()], ['risk.dmn', riskDmn()], ['limit.dmn', riskDmn('limit', '1000')]);
    const second = await deployments.deploy(['risk.dmn', riskDmn('risk-check', '"low"')]);
    // The same content again: no new version, nothing new to store.
    const third = await deployments.deploy(['risk.dmn', riskDmn('risk-check', '"low"')]);

    expect(await runner.apply([first.envelope, second.envelope, third.envelope])).toBe(3);

    const all = await catalog.list({});
    expect(all).toEqual({
      items: [
        expect.objectContaining({ id: 'limit:1', decisionId: 'limit', version: 1 }),
        {
          id: 'risk-check:1',
          decisionId: 'risk-check',
          name: 'Decision risk-check',
          version: 1,
          decisionRequirementsId: 'drg-risk-check',
          decisionRequirementsName: 'Rules of risk-check',
          resourceName: 'risk.dmn',
          deploymentId: first.view.id,
          deployedAt: first.view.deployedAt,
        },
        expect.objectContaining({ id: 'risk-check:2', version: 2, deploymentId: second.view.id, deployedAt: second.view.deployedAt }),
      ],
      total: 3,
      limit: 100,
      offset: 0,
    });
    expect(third.view.decisionDefinitions).toEqual(second.view.decisionDefinitions);
    expect(await catalog.xml('risk-check:1')).toBe(riskDmn());
    expect(await catalog.xml('risk-check:2')).toBe(riskDmn('risk-check', '"low"'));
    expect(await catalog.get('risk-check:2')).toEqual(expect.objectContaining({ decisionId: 'risk-check', version: 2 }));
    expect(await catalog.get('nope:1')).toBeUndefined();
    expect(await catalog.isDeployed('limit')).toBe(true);
    expect(await catalog.isDeployed('unknown')).toBe(false);
    // Where the process came from: the deployment binding of its business rule task resolves through it.
    expect(await catalog.processDeploymentId('check-order:1')).toBe(first.view.id);
    expect(await catalog.processDeploymentId('check-order:2')).toBeUndefined();
  });

  it('filters by decision id, version and latest, and pages', async () => {
    const deployments = new Deployments();
    const envelopes = [];
    for (const output of ['1', '2', '3']) envelopes.push((await deployments.deploy(['a.dmn', riskDmn('alpha', output)], ['b.dmn', riskDmn('beta', output)])).envelope);
    await runner.apply(envelopes);

    const ids = async (filter: Parameters<PostgresDecisionCatalog['list']>[0]) => (await catalog.list(filter)).items.map((definition) => definition.id);
    expect(await ids({ decisionId: 'alpha' })).toEqual(['alpha:1', 'alpha:2', 'alpha:3']);
    expect(await ids({ version: 2 })).toEqual(['alpha:2', 'beta:2']);
    expect(await ids({ latest: true })).toEqual(['alpha:3', 'beta:3']);
    expect(await ids({ decisionId: 'beta', latest: true })).toEqual(['beta:3']);
    const page = await catalog.list({ limit: 2, offset: 3 });
    expect(page.items.map((definition) => definition.id)).toEqual(['beta:1', 'beta:2']);
    expect(page).toMatchObject({ total: 6, limit: 2, offset: 3 });
  });

  it('applies a redelivered deployment once', async () => {
    const deployments = new Deployments();
    const { envelope } = await deployments.deploy(['risk.dmn', riskDmn()]);
    expect(await runner.apply([envelope])).toBe(1);
    expect(await runner.apply([envelope])).toBe(0);
    expect((await catalog.list({})).total).toBe(1);
    const [{ resources }]: { resources: number }[] = await dataSource.query('SELECT count(*)::int AS resources FROM dmn_resources');
    expect(resources).toBe(1);
  });

  it('stores nothing of a deployment without DMN, and is emptied by a reset', async () => {
    const deployments = new Deployments();
    const withDecision = await deployments.deploy(['risk.dmn', riskDmn()]);
    const withoutDecision = await deployments.deploy(['order.bpmn', decisionTaskBpmn('risk-check', { processId: 'without-dmn' })]);
    await runner.apply([withDecision.envelope, withoutDecision.envelope]);
    expect((await catalog.list({})).items.map((definition) => definition.id)).toEqual(['risk-check:1']);

    expect(await catalog.processDeploymentId('without-dmn:1')).toBe(withoutDecision.view.id);

    await runner.reset();
    expect((await catalog.list({})).total).toBe(0);
    expect(await catalog.processDeploymentId('without-dmn:1')).toBeUndefined();
    expect(await runner.revision('deployments')).toBe(-1);
  });
});
