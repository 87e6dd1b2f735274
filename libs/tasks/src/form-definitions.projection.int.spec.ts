import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Deployments, riskDmn } from '@trellis/decisions/testing';
import { StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import type { DataSource } from 'typeorm';

import { FormDefinitionStore, FormDefinitionsProjection } from './form-definitions.projection.js';
import { TASKS_MIGRATIONS } from './tasks.migrations.js';

const schema = uniqueSchema('task_forms');
let dataSource: DataSource;
let runner: StreamProjectionRunner;
let store: FormDefinitionStore;

const form = (formId: string, label = 'Amount'): string =>
  JSON.stringify({ id: formId, type: 'default', components: [{ type: 'number', key: 'amount', label, validate: { required: true } }] });

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: TASKS_MIGRATIONS });
  runner = new StreamProjectionRunner(dataSource, new FormDefinitionsProjection(), { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
  store = new FormDefinitionStore(dataSource.manager);
});

afterAll(async () => {
  await dataSource?.destroy();
  await dropSchema(schema);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE form_definitions, projection_stream_checkpoints');
});

describe('the task-service store of deployed forms', () => {
  it('keeps every form of the deployments with its JSON, from the DeploymentCreated envelopes the deployment handler records', async () => {
    const deployments = new Deployments();
    const first = await deployments.deploy(['approval.form', form('approval')], ['other.form', form('other')]);
    const second = await deployments.deploy(['approval.form', form('approval', 'Sum')]);
    // The same content again: no new version, the row of the first deployment stays.
    const third = await deployments.deploy(['approval.form', form('approval', 'Sum')]);

    expect(await runner.apply([first.envelope, second.envelope, third.envelope])).toBe(3);

    expect(await store.get('approval:1')).toEqual({
      id: 'approval:1',
      formId: 'approval',
      version: 1,
      resourceName: 'approval.form',
      deploymentId: first.view.id,
      deployedAt: first.view.deployedAt,
      deploymentRevision: first.envelope.revision,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      content: form('approval'),
    });
    expect(await store.latest('approval')).toEqual(expect.objectContaining({ id: 'approval:2', deploymentId: second.view.id, content: form('approval', 'Sum') }));
    expect(await store.latest('other')).toEqual(expect.objectContaining({ id: 'other:1', content: form('other') }));
    expect(await store.latestByResourceName('approval.form')).toEqual(expect.objectContaining({ id: 'approval:2' }));
    expect(third.view.formDefinitions).toEqual(second.view.formDefinitions);
    expect(await store.get('approval:3')).toBeUndefined();
    expect(await store.latest('unknown')).toBeUndefined();
  });

  it('applies a deployment once, and stores nothing for one without forms', async () => {
    const deployments = new Deployments();
    const first = await deployments.deploy(['approval.form', form('approval')]);
    const withoutForms = await deployments.deploy(['risk.dmn', riskDmn()]);

    expect(await runner.apply([first.envelope, withoutForms.envelope])).toBe(2);
    expect(await runner.apply([first.envelope])).toBe(0);
    expect(await dataSource.query('SELECT id FROM form_definitions')).toEqual([{ id: 'approval:1' }]);
  });
});
