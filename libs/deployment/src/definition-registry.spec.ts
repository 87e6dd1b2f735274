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

/**
 * A store that counts the reads of the deployments stream's head (each catch-up starts with one) and can hold them
 * after the head is read, so a test decides what happens while a catch-up is under way.
 */
class CountingEventStore extends InMemoryEventStore {
  headReads = 0;
  private hold: Promise<void> | undefined;
  private releaseHold: (() => void) | undefined;
  private failNext: Error | undefined;

  override async streamRevision(streamId: string): Promise<number | undefined> {
    this.headReads++;
    const head = await super.streamRevision(streamId);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) throw failure;
    await this.hold;
    return head;
  }

  /** The next reads wait, holding the head they read, until `release()`. */
  holdReads(): void {
    this.hold = new Promise((resolve) => (this.releaseHold = resolve));
  }

  release(): void {
    this.hold = undefined;
    this.releaseHold?.();
  }

  failNextRead(error: Error): void {
    this.failNext = error;
  }
}

/** The deployment-service's registry (it deploys) and the runtime-service's (it only reads), on one store. */
async function twoServices() {
  const store = new CountingEventStore();
  const deploying = new DefinitionRegistry(store);
  await deploying.reload();
  const handler = new DeployResourcesHandler(store, deploying);
  const deploy = (processId: string, taskName: string) =>
    handler.execute(new DeployResourcesCommand([{ name: `${processId}.bpmn`, content: bpmn(processId, taskName) }]));
  const reading = new DefinitionRegistry(store);
  await reading.reload();
  return { deploy, deploying, reading, store };
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

  it('reads the store twice for 32 calls made at once: the first call reads, the 31 made while it reads share the next read', async () => {
    const { deploy, reading, store } = await twoServices();
    await deploy('alpha', 'first');
    const before = store.headReads;
    // What 32 starts arriving together do on the runtime-service.
    await Promise.all(Array.from({ length: 32 }, () => reading.catchUp()));
    expect(store.headReads - before).toBe(2);
    expect(reading.latest('alpha')?.id).toBe('alpha:1');
  });

  it('gives the calls made while a read is under way one read that starts after it, which sees what was deployed meanwhile', async () => {
    const { deploy, reading, store } = await twoServices();
    await deploy('alpha', 'first');
    const before = store.headReads;
    store.holdReads();
    const early = reading.catchUp();
    await new Promise((resolve) => setImmediate(resolve));
    // The first read has the head (alpha) and is still under way; beta is deployed, then the starts that follow it come.
    expect(store.headReads - before).toBe(1);
    await deploy('beta', 'first');
    const late = Array.from({ length: 10 }, () => reading.catchUp());
    store.release();
    await Promise.all([early, ...late]);
    expect(store.headReads - before).toBe(2);
    expect(reading.latest('alpha')?.id).toBe('alpha:1');
    expect(reading.latest('beta')?.id).toBe('beta:1');
  });

  it('fails only the calls that shared a failed read: a call made while it ran gets the next read', async () => {
    const { deploy, reading, store } = await twoServices();
    await deploy('alpha', 'first');
    store.failNextRead(new Error('connection terminated'));
    const failing = reading.catchUp();
    const during = reading.catchUp();
    await expect(failing).rejects.toThrow('connection terminated');
    await during;
    expect(reading.latest('alpha')?.id).toBe('alpha:1');
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

  it('lists every deployment, oldest first, in the registry that deployed and in the one that caught up, after a reload too', async () => {
    const { deploy, deploying, reading } = await twoServices();
    const first = await deploy('alpha', 'first');
    const again = await deploy('alpha', 'first');
    await reading.catchUp();
    for (const registry of [deploying, reading]) {
      expect(registry.deployments()).toEqual([
        { id: first.id, name: 'alpha.bpmn', deployedAt: first.deployedAt, resourceNames: ['alpha.bpmn'] },
        { id: again.id, name: 'alpha.bpmn', deployedAt: again.deployedAt, resourceNames: ['alpha.bpmn'] },
      ]);
    }
    await reading.reload();
    expect(reading.deployments().map((deployment) => deployment.id)).toEqual([first.id, again.id]);
  });
});
