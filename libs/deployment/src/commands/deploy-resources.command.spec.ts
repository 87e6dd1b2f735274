import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '@trellis/event-store';

import { DefinitionRegistry } from '../definition-registry.js';
import { DEPLOYMENTS_STREAM } from '../deployment.events.js';
import { DeploymentRejectedError, DeployResourcesCommand, DeployResourcesHandler } from './deploy-resources.command.js';

const bpmn = (processId: string, taskName = 'Do it'): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d-${processId}" targetNamespace="http://example.org">
  <bpmn:process id="${processId}" name="Process ${processId}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:task id="task" name="${taskName}" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

const withoutStartEvent = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://example.org">
  <bpmn:process id="broken" isExecutable="true">
    <bpmn:task id="lonely" />
  </bpmn:process>
</bpmn:definitions>`;

async function setUp(store = new InMemoryEventStore()) {
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  const handler = new DeployResourcesHandler(store, registry);
  const deploy = (...resources: [string, string][]) =>
    handler.execute(new DeployResourcesCommand(resources.map(([name, content]) => ({ name, content }))));
  return { store, registry, deploy };
}

describe('deploying resources', () => {
  it('numbers versions per process id from 1 and names definitions <processId>:<version>', async () => {
    const { deploy, registry } = await setUp();
    const first = await deploy(['a.bpmn', bpmn('alpha')], ['b.bpmn', bpmn('beta')]);
    const second = await deploy(['a.bpmn', bpmn('alpha', 'Do it better')]);

    expect(first.processDefinitions.map((definition) => definition.id)).toEqual(['alpha:1', 'beta:1']);
    expect(second.processDefinitions).toEqual([
      { id: 'alpha:2', processId: 'alpha', name: 'Process alpha', version: 2, resourceName: 'a.bpmn', deploymentId: second.id },
    ]);
    expect(registry.latest('alpha')?.version).toBe(2);
    expect(registry.list({ latest: true }).map((definition) => definition.id)).toEqual(['alpha:2', 'beta:1']);
  });

  it('keeps the version and definition when the same content is deployed again', async () => {
    const { deploy, registry } = await setUp();
    const first = await deploy(['a.bpmn', bpmn('alpha')]);
    const again = await deploy(['renamed.bpmn', bpmn('alpha')]);

    expect(again.id).not.toBe(first.id);
    expect(again.processDefinitions).toEqual(first.processDefinitions);
    expect(registry.list({ processId: 'alpha' })).toHaveLength(1);
  });

  it('counts a new version when content returns after a different one (only the latest is compared)', async () => {
    const { deploy } = await setUp();
    await deploy(['a.bpmn', bpmn('alpha')]);
    await deploy(['a.bpmn', bpmn('alpha', 'Changed')]);
    const back = await deploy(['a.bpmn', bpmn('alpha')]);
    expect(back.processDefinitions[0]?.version).toBe(3);
  });

  it('rejects the whole deployment when any resource has a problem, and stores nothing', async () => {
    const { deploy, store, registry } = await setUp();
    await deploy(['a.bpmn', bpmn('alpha')]);
    const revisionBefore = await store.streamRevision(DEPLOYMENTS_STREAM);

    const rejected = await deploy(['ok.bpmn', bpmn('gamma')], ['broken.bpmn', withoutStartEvent], ['notes.txt', 'hello']).catch(
      (error: unknown) => error,
    );

    expect(rejected).toBeInstanceOf(DeploymentRejectedError);
    const { problem } = rejected as DeploymentRejectedError;
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'broken.bpmn', code: 'NO_START_EVENT' }),
        expect.objectContaining({ resource: 'notes.txt', code: 'NOT_SUPPORTED' }),
      ]),
    );
    expect(problem.errors?.some((error) => error.resource === 'ok.bpmn')).toBe(false);
    expect(await store.streamRevision(DEPLOYMENTS_STREAM)).toBe(revisionBefore);
    expect(registry.list().map((definition) => definition.id)).toEqual(['alpha:1']);
  });

  it('refuses a deployment that defines one process id twice', async () => {
    const { deploy } = await setUp();
    const rejected = (await deploy(['a.bpmn', bpmn('alpha')], ['b.bpmn', bpmn('alpha', 'Other')]).catch((error: unknown) => error)) as DeploymentRejectedError;
    expect(rejected.problem.errors).toEqual([expect.objectContaining({ resource: 'b.bpmn', elementId: 'alpha', code: 'DUPLICATE_PROCESS_ID' })]);
  });

  it('rebuilds the same definitions from the deployments stream', async () => {
    const { deploy, store, registry } = await setUp();
    await deploy(['a.bpmn', bpmn('alpha')], ['b.bpmn', bpmn('beta')]);
    await deploy(['a.bpmn', bpmn('alpha', 'v2')]);
    await deploy(['a.bpmn', bpmn('alpha', 'v2')]);

    const rebuilt = new DefinitionRegistry(store);
    await rebuilt.reload();

    expect(rebuilt.list()).toEqual(registry.list());
    expect(rebuilt.xml('alpha:2')).toBe(bpmn('alpha', 'v2'));
    expect(rebuilt.executableProcess('alpha:2')).toEqual({ process: expect.objectContaining({ id: 'alpha' }) });
  });

  it('serialises concurrent deployments of one process id into consecutive versions', async () => {
    const { deploy } = await setUp();
    const results = await Promise.all([1, 2, 3, 4].map((n) => deploy(['a.bpmn', bpmn('alpha', `Variant ${n}`)])));
    expect(results.map((result) => result.processDefinitions[0]?.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('takes over versions another writer appended meanwhile', async () => {
    const store = new InMemoryEventStore();
    const one = await setUp(store);
    const other = await setUp(store);
    await one.deploy(['a.bpmn', bpmn('alpha')]);
    // `other` loaded the registry before that deployment: its first append conflicts, it reloads and continues.
    const next = await other.deploy(['a.bpmn', bpmn('alpha', 'Changed')]);
    expect(next.processDefinitions[0]?.id).toBe('alpha:2');
  });
});

const dmn = (decisionId: string, output = '"high"', definitionsId = `drg-${decisionId}`): string => `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="${definitionsId}" name="Rules ${decisionId}" namespace="http://example.org/dmn">
  <decision id="${decisionId}" name="Decision ${decisionId}">
    <literalExpression id="${decisionId}-e"><text>${output}</text></literalExpression>
  </decision>
</definitions>`;

const form = (formId: string, label = 'Amount'): string => JSON.stringify({ id: formId, type: 'default', components: [{ type: 'number', key: 'amount', label }] });

describe('deploying DMN and form resources', () => {
  it('versions decisions per decision id and forms per form id, beside processes, and records every resource', async () => {
    const { deploy, store, registry } = await setUp();
    const first = await deploy(['a.bpmn', bpmn('alpha')], ['risk.dmn', dmn('risk')], ['approval.form', form('approval')]);
    const second = await deploy(['risk.dmn', dmn('risk', '"low"')], ['approval.form', form('approval')]);

    expect(first.decisionDefinitions).toEqual([
      {
        id: 'risk:1',
        decisionId: 'risk',
        name: 'Decision risk',
        version: 1,
        decisionRequirementsId: 'drg-risk',
        decisionRequirementsName: 'Rules risk',
        resourceName: 'risk.dmn',
        deploymentId: first.id,
      },
    ]);
    expect(first.formDefinitions).toEqual([{ id: 'approval:1', formId: 'approval', version: 1, resourceName: 'approval.form', deploymentId: first.id }]);
    expect(second.decisionDefinitions?.map((definition) => definition.id)).toEqual(['risk:2']);
    // The same form content again keeps its version and the deployment that introduced it.
    expect(second.formDefinitions).toEqual(first.formDefinitions);
    expect(second.processDefinitions).toEqual([]);

    const [, recorded] = await store.readStream(DEPLOYMENTS_STREAM);
    expect(recorded?.data).toMatchObject({
      deploymentId: second.id,
      resources: [
        { name: 'risk.dmn', kind: 'dmn', xml: dmn('risk', '"low"') },
        { name: 'approval.form', kind: 'form', xml: form('approval') },
      ],
      processDefinitions: [],
      decisionDefinitions: second.decisionDefinitions,
      formDefinitions: second.formDefinitions,
    });
    expect(registry.listDecisions().map((definition) => definition.id)).toEqual(['risk:1', 'risk:2']);
    expect(registry.listDecisions({ latest: true }).map((definition) => definition.id)).toEqual(['risk:2']);
    expect(registry.decisionXml('risk:1')).toBe(dmn('risk'));
    expect(registry.formContent('approval:1')).toBe(form('approval'));
  });

  it('answers a BPMN-only deployment as before: no decision or form definitions in it', async () => {
    const { deploy } = await setUp();
    const deployment = await deploy(['a.bpmn', bpmn('alpha')]);
    expect(Object.keys(deployment).sort()).toEqual(['deployedAt', 'id', 'name', 'processDefinitions', 'resources']);
  });

  it('rejects the whole deployment when a DMN or form resource is broken, listing every problem, and stores nothing', async () => {
    const { deploy, store, registry } = await setUp();
    const rejected = (await deploy(
      ['a.bpmn', bpmn('alpha')],
      ['risk.dmn', dmn('risk').replace('</definitions>', '')],
      ['limit.dmn', dmn('limit')],
      ['approval.form', '{"components": []}'],
    ).catch((error: unknown) => error)) as DeploymentRejectedError;

    expect(rejected).toBeInstanceOf(DeploymentRejectedError);
    expect(rejected.problem.status).toBe(400);
    expect(rejected.problem.errors).toEqual([
      expect.objectContaining({ resource: 'risk.dmn', code: 'NOT_WELL_FORMED', line: expect.any(Number), column: expect.any(Number) }),
      expect.objectContaining({ resource: 'approval.form', code: 'MISSING_ATTRIBUTE', field: '$.id' }),
    ]);
    expect(await store.streamRevision(DEPLOYMENTS_STREAM)).toBeUndefined();
    expect(registry.listDecisions()).toEqual([]);
  });

  it('refuses a DMN resource the decision engine cannot compile, listing every problem with its element and line', async () => {
    const { deploy, registry } = await setUp();
    const table = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="broken-rules" name="Broken" namespace="http://example.org/broken">
  <decision id="limit" name="limit">
    <decisionTable id="limit-table" hitPolicy="SOMETIMES">
      <input id="limit-in"><inputExpression id="limit-in-expr"><text>amount</text></inputExpression></input>
      <output id="limit-out" name="limit" />
      <rule id="limit-rule"><inputEntry id="limit-rule-in"><text>[1..</text></inputEntry><outputEntry id="limit-rule-out"><text>1</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>`;
    const rejected = (await deploy(['limit.dmn', table], ['risk.dmn', dmn('risk')]).catch((error: unknown) => error)) as DeploymentRejectedError;
    expect(rejected).toBeInstanceOf(DeploymentRejectedError);
    expect(rejected.problem.errors).toEqual([
      expect.objectContaining({ resource: 'limit.dmn', code: 'UNKNOWN_HIT_POLICY', elementId: 'limit-table', line: 4 }),
      expect.objectContaining({ resource: 'limit.dmn', code: 'FEEL_SYNTAX_ERROR', elementId: 'limit-rule-in', line: 7 }),
    ]);
    expect(registry.listDecisions()).toEqual([]);
  });

  it('refuses a deployment that defines one decision id or one form id twice', async () => {
    const { deploy } = await setUp();
    const rejected = (await deploy(
      ['a.dmn', dmn('risk')],
      ['b.dmn', dmn('risk', '"low"', 'other-drg')],
      ['a.form', form('approval')],
      ['b.form', form('approval', 'Total')],
    ).catch((error: unknown) => error)) as DeploymentRejectedError;
    expect(rejected.problem.errors).toEqual([
      expect.objectContaining({ resource: 'b.dmn', elementId: 'risk', code: 'DUPLICATE_DECISION_ID' }),
      expect.objectContaining({ resource: 'b.form', field: '$.id', code: 'DUPLICATE_FORM_ID' }),
    ]);
  });

  it('rebuilds the same decision and form definitions from the deployments stream', async () => {
    const { deploy, store, registry } = await setUp();
    await deploy(['risk.dmn', dmn('risk')], ['approval.form', form('approval')]);
    await deploy(['risk.dmn', dmn('risk', '"low"')]);

    const rebuilt = new DefinitionRegistry(store);
    await rebuilt.reload();

    expect(rebuilt.listDecisions()).toEqual(registry.listDecisions());
    expect(rebuilt.listForms()).toEqual(registry.listForms());
    expect(rebuilt.decisionXml('risk:2')).toBe(dmn('risk', '"low"'));
    // Nothing of a DMN or form resource is taken for BPMN: no process definition and no compile problem logged.
    expect(rebuilt.list()).toEqual([]);
  });

  it('reads deployments recorded before resources had kinds as BPMN', async () => {
    const store = new InMemoryEventStore();
    const xml = bpmn('alpha');
    await store.appendToStream(
      DEPLOYMENTS_STREAM,
      [
        {
          id: 'e-1',
          type: 'DeploymentCreated',
          data: {
            deploymentId: 'd-1',
            name: 'old',
            deployedAt: '2026-01-01T00:00:00.000Z',
            resources: [{ name: 'a.bpmn', xml, sha256: 'x' }],
            processDefinitions: [{ id: 'alpha:1', processId: 'alpha', version: 1, resourceName: 'a.bpmn', deploymentId: 'd-1' }],
          },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    const registry = new DefinitionRegistry(store);
    await registry.reload();
    expect(registry.executableProcess('alpha:1')).toEqual({ process: expect.objectContaining({ id: 'alpha' }) });
    expect(registry.listDecisions()).toEqual([]);
  });
});
