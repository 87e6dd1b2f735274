import { describe, expect, it } from '@jest/globals';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { InMemoryEventStore } from '@trellis/event-store';
import { ManualClock } from '@trellis/platform';

import type { DecisionCatalog } from './decision-catalog.js';
import { DecisionEvaluationFailedError } from './decision-evaluation.js';
import { MemoryDecisionEvaluationLog } from './decision-evaluation-log.js';
import { DecisionEvaluator } from './decision-evaluator.js';
import { decisionNotDeployedMessage } from './decision-jobs.js';
import { RegistryDecisionCatalog } from './registry-decision-catalog.js';
import { camundaStyleDmn, decisionTaskBpmn, overlappingDmn } from './testing.js';

/** `camundaStyleDmn` with another version tag and another threshold. */
const tagged = (tag: string, threshold: number): string => camundaStyleDmn().replace('camunda:versionTag="v1"', `camunda:versionTag="${tag}"`).replaceAll('100', String(threshold));

/** Decisions deployed by the real deployment handler, served by the standalone server's catalog; xml reads counted. */
async function deployed(...deployments: (readonly (readonly [string, string])[])[]): Promise<{ catalog: DecisionCatalog; xmlReads: () => number }> {
  const store = new InMemoryEventStore();
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  const handler = new DeployResourcesHandler(store, registry);
  for (const resources of deployments) await handler.execute(new DeployResourcesCommand(resources.map(([name, content]) => ({ name, content }))));
  const catalog = new RegistryDecisionCatalog(registry);
  let reads = 0;
  // The real catalog, counting how often the evaluator reads a DMN resource (it compiles each once).
  const counting: DecisionCatalog = {
    list: (filter) => catalog.list(filter),
    get: (id) => catalog.get(id),
    xml: (id) => {
      reads += 1;
      return catalog.xml(id);
    },
    dmnResources: (deploymentId) => catalog.dmnResources(deploymentId),
    processDeploymentId: (processDefinitionId) => catalog.processDeploymentId(processDefinitionId),
    isDeployed: (decisionId) => catalog.isDeployed(decisionId),
  };
  return { catalog: counting, xmlReads: () => reads };
}

describe('DecisionEvaluator', () => {
  it('selects the latest version, a version, or the latest with a version tag', async () => {
    const { catalog } = await deployed([['limit.dmn', tagged('v1', 100)]], [['limit.dmn', tagged('v2', 200)]], [['limit.dmn', tagged('v1', 300)]]);
    const evaluator = new DecisionEvaluator(catalog);
    expect((await evaluator.definitionOf({ decisionId: 'camunda-limit' }))?.id).toBe('camunda-limit:3');
    expect((await evaluator.definitionOf({ decisionId: 'camunda-limit', version: 2 }))?.id).toBe('camunda-limit:2');
    expect((await evaluator.definitionOf({ decisionId: 'camunda-limit', versionTag: 'v1' }))?.id).toBe('camunda-limit:3');
    expect((await evaluator.definitionOf({ decisionId: 'camunda-limit', versionTag: 'v2' }))?.id).toBe('camunda-limit:2');
    expect(await evaluator.definitionOf({ decisionId: 'camunda-limit', versionTag: 'v9' })).toBeUndefined();
    expect(await evaluator.definitionOf({ decisionId: 'camunda-limit', version: 4 })).toBeUndefined();
  });

  it('binding deployment: selects the version deployed with the process, also when its resource was unchanged', async () => {
    const process = (id: string): string => decisionTaskBpmn('camunda-limit', { processId: id, bindingType: 'deployment' });
    const { catalog } = await deployed(
      [['limit.dmn', tagged('v1', 100)], ['first.bpmn', process('first')]],
      [['limit.dmn', tagged('v2', 200)]],
      // The decision unchanged since the previous deployment keeps version 2; the process is new here.
      [['limit.dmn', tagged('v2', 200)], ['second.bpmn', process('second')]],
      [['limit.dmn', tagged('v3', 300)]],
      [['third.bpmn', process('third')]],
    );
    const evaluator = new DecisionEvaluator(catalog);
    expect((await evaluator.definitionOf({ decisionId: 'camunda-limit', processDefinitionId: 'first:1' }))?.id).toBe('camunda-limit:1');
    expect((await evaluator.definitionOf({ decisionId: 'camunda-limit', processDefinitionId: 'second:1' }))?.id).toBe('camunda-limit:2');
    // Deployed without the decision: none, rather than another deployment's.
    expect(await evaluator.definitionOf({ decisionId: 'camunda-limit', processDefinitionId: 'third:1' })).toBeUndefined();
    expect(await evaluator.definitionOf({ decisionId: 'camunda-limit', processDefinitionId: 'unknown:1' })).toBeUndefined();
    expect(decisionNotDeployedMessage({ decisionId: 'camunda-limit', processDefinitionId: 'third:1' })).toBe(
      "decision 'camunda-limit' is not deployed in the deployment of process definition 'third:1' (binding deployment): deploy a DMN resource that defines it, then resolve this incident",
    );
  });

  it('compiles a deployed resource once, and evaluates at the clock’s time', async () => {
    const { catalog, xmlReads } = await deployed([['limit.dmn', camundaStyleDmn()]]);
    const evaluator = new DecisionEvaluator(catalog, new ManualClock('2026-05-04T12:00:00.000Z'));
    const limit = await evaluator.definition('camunda-limit:1');
    const today = await evaluator.definition('today-is:1');
    if (limit === undefined || today === undefined) throw new Error('not deployed');
    expect((await evaluator.evaluate(limit, { amount: 50 })).output).toBe('small');
    expect((await evaluator.evaluate(limit, { amount: 500 })).output).toBe('large');
    expect(await evaluator.evaluate(today, {})).toMatchObject({ output: '2026-05-04', evaluatedAt: '2026-05-04T12:00:00.000Z' });
    // Both decisions come from one resource: read (and compiled) once for all three evaluations.
    expect(xmlReads()).toBe(1);
  });

  it('fails a decision that comes out null with warnings, naming it and saying why', async () => {
    const { catalog } = await deployed([['overlapping.dmn', overlappingDmn()]]);
    const evaluator = new DecisionEvaluator(catalog);
    const definition = await evaluator.definition('overlapping:1');
    if (definition === undefined) throw new Error('not deployed');
    const failure = await evaluator.evaluate(definition, { x: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DecisionEvaluationFailedError);
    expect(failure).toMatchObject({ decisionId: 'overlapping', decisionDefinitionId: 'overlapping:1', reason: 'overlapping: 2 rules of a UNIQUE table matched' });
  });

  it('records every evaluation in its log: a decision job’s with its job and the id given, a failure with its reason', async () => {
    const { catalog } = await deployed([['limit.dmn', camundaStyleDmn()], ['overlapping.dmn', overlappingDmn()]]);
    const log = new MemoryDecisionEvaluationLog();
    const evaluator = new DecisionEvaluator(catalog, new ManualClock('2026-05-04T12:00:00.000Z'), log);
    const job = { jobId: 'job-1', processInstanceId: 'pi-1', elementInstanceId: 'ei-1', decisionId: 'camunda-limit', headers: { decisionId: 'camunda-limit' }, variables: { amount: 500 } };
    expect(await evaluator.answer(job, 'job-1:7')).toEqual({ kind: 'complete', variables: {} });
    const overlapping = await evaluator.definition('overlapping:1');
    if (overlapping === undefined) throw new Error('not deployed');
    await expect(evaluator.evaluate(overlapping, { x: 1 })).rejects.toBeInstanceOf(DecisionEvaluationFailedError);
    // A job whose decision is not deployed evaluates nothing: nothing is recorded.
    await evaluator.answer({ ...job, jobId: 'job-2', decisionId: 'missing', headers: { decisionId: 'missing' } });

    const { items, total } = log.list({});
    expect(total).toBe(2);
    expect(items[0]).toEqual({
      id: 'job-1:7',
      decisionId: 'camunda-limit',
      decisionDefinitionId: 'camunda-limit:1',
      version: 1,
      processInstanceId: 'pi-1',
      elementInstanceId: 'ei-1',
      jobId: 'job-1',
      inputs: { amount: 500 },
      output: 'large',
      matchedRules: [{ decisionId: 'camunda-limit', matchedRules: [expect.objectContaining({ ruleIndex: expect.any(Number) })] }],
      evaluatedDecisions: ['camunda-limit'],
      failed: false,
      evaluatedAt: '2026-05-04T12:00:00.000Z',
    });
    expect(items[1]).toEqual({
      id: expect.any(String),
      decisionId: 'overlapping',
      decisionDefinitionId: 'overlapping:1',
      version: 1,
      inputs: { x: 1 },
      output: null,
      matchedRules: [],
      evaluatedDecisions: [],
      failed: true,
      failureReason: "decision 'overlapping' (overlapping:1) could not be evaluated: overlapping: 2 rules of a UNIQUE table matched",
      evaluatedAt: '2026-05-04T12:00:00.000Z',
    });
    expect(log.list({ failed: true, decisionId: 'overlapping' }).items).toEqual([items[1]]);
    expect(log.get('job-1:7')).toEqual(items[0]);
  });

  it('keeps the latest evaluations in memory, up to its bound', async () => {
    const { catalog } = await deployed([['limit.dmn', camundaStyleDmn()]]);
    const log = new MemoryDecisionEvaluationLog(2);
    const evaluator = new DecisionEvaluator(catalog, new ManualClock('2026-05-04T12:00:00.000Z'), log);
    const limit = await evaluator.definition('camunda-limit:1');
    if (limit === undefined) throw new Error('not deployed');
    for (const amount of [1, 2, 3]) await evaluator.evaluate(limit, { amount });
    expect(log.list({}).items.map((evaluation) => evaluation.inputs)).toEqual([{ amount: 2 }, { amount: 3 }]);
  });
});
