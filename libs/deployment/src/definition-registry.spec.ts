import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '@trellis/event-store';

import { DeployResourcesCommand, DeployResourcesHandler } from './commands/deploy-resources.command.js';
import { DefinitionRegistry } from './definition-registry.js';

const bpmn = (processId: string, taskName: string): string => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d-${processId}" targetNamespace="http://example.org">
  <bpmn:process id="${processId}" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:task id="task" name="${taskName}" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

/** The deployment-service's registry (it deploys) and the runtime-service's (it only reads), on one store. */
async function twoServices() {
  const store = new InMemoryEventStore();
  const deploying = new DefinitionRegistry(store);
  await deploying.reload();
  const handler = new DeployResourcesHandler(store, deploying);
  const deploy = (processId: string, taskName: string) =>
    handler.execute(new DeployResourcesCommand([{ name: `${processId}.bpmn`, content: bpmn(processId, taskName) }]));
  const reading = new DefinitionRegistry(store);
  await reading.reload();
  return { deploy, deploying, reading };
}

describe('DefinitionRegistry.catchUp', () => {
  it('applies the deployments another process made since the registry loaded, new versions included', async () => {
    const { deploy, reading } = await twoServices();
    await deploy('alpha', 'first');
    expect(reading.latest('alpha')).toBeUndefined();

    await reading.catchUp();
    expect(reading.latest('alpha')?.version).toBe(1);
    expect(reading.executableProcess('alpha:1')).toHaveProperty('process');

    await deploy('alpha', 'second');
    await deploy('beta', 'first');
    await reading.catchUp();
    expect(reading.latest('alpha')?.id).toBe('alpha:2');
    expect(reading.list().map((definition) => definition.id)).toEqual(['alpha:1', 'alpha:2', 'beta:1']);
    expect(reading.revision).toBe(2);
  });

  it('gives every caller the deployments stored before it called, however the calls overlap', async () => {
    const { deploy, reading } = await twoServices();
    await deploy('alpha', 'first');
    const early = reading.catchUp();
    await deploy('beta', 'first');
    // Called while the first read may be under way: it must see beta.
    const late = reading.catchUp();
    const alsoLate = reading.catchUp();
    await Promise.all([early, late, alsoLate]);
    expect(reading.latest('beta')?.id).toBe('beta:1');
  });

  it('passes over a deployment the deploying handler already applied', async () => {
    const { deploy, deploying } = await twoServices();
    await deploy('alpha', 'first');
    await deploying.catchUp();
    expect(deploying.list().map((definition) => definition.id)).toEqual(['alpha:1']);
    // The handler's versioning stays right after a catch-up on its own registry.
    await deploy('alpha', 'second');
    expect(deploying.latest('alpha')?.id).toBe('alpha:2');
  });
});
