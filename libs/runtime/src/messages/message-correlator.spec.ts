// MessageCorrelator across a restart, on the in-memory event store: what a runtime rebuilds from the store at startup
// (open subscriptions, buffered messages) and what it settles then.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import type { JsonValue } from '@trellis/engine';
import { InMemoryEventStore } from '@trellis/event-store';
import { ManualClock } from '@trellis/platform';

import { ProcessInstanceRepository } from '../process-instance.repository.js';
import { RuntimeProjection } from '../runtime.projection.js';
import { MessageCorrelator } from './message-correlator.js';
import { MESSAGE_PUBLISHED, type MessagePublishedData, messageStream } from './message-streams.js';

const exampleBpmn = readFileSync(new URL('../../../../examples/order-messages.bpmn', import.meta.url), 'utf8');
const T0 = '2026-03-01T09:00:00.000Z';

/** One runtime on the store: its registry, repository, views and correlator, started as the module starts them. */
async function runtimeOn(store: InMemoryEventStore, clock: ManualClock) {
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  const repository = new ProcessInstanceRepository(store, registry);
  const projection = new RuntimeProjection(store);
  const correlator = new MessageCorrelator(projection, repository, store, registry, clock);
  await projection.start();
  correlator.onApplicationBootstrap();
  const stop = async () => {
    await correlator.onModuleDestroy();
    await projection.stop();
  };
  return { registry, repository, projection, correlator, stop };
}

describe('MessageCorrelator across a restart', () => {
  it('knows the open subscriptions and the live buffered messages again, and correlates what a crash left between them', async () => {
    const store = new InMemoryEventStore();
    const clock = new ManualClock(T0);
    const first = await runtimeOn(store, clock);
    const deploy = new DeployResourcesHandler(store, first.registry);
    await deploy.execute(new DeployResourcesCommand([{ name: 'order-messages.bpmn', content: exampleBpmn }]));
    await first.registry.catchUp();
    const definition = first.registry.list({ latest: true }).find((candidate) => candidate.processId === 'order-messages')!;
    const start = async (orderId: string) => {
      const id = randomUUID();
      const outcome = await first.repository.execute(id, {
        type: 'CreateProcessInstance',
        processInstanceId: id,
        processDefinitionId: definition.id,
        version: definition.version,
        variables: { orderId },
      });
      await first.projection.waitForPosition(outcome.position!);
      return id;
    };
    const waiting = await start('X-1');
    // A message buffered the ordinary way, and one whose publisher crashed after storing it, before correlating it.
    await first.correlator.publish({ name: 'order-cancelled', correlationKey: 'X-2', timeToLiveMs: 3_600_000 });
    await first.stop();
    const crashed: MessagePublishedData = {
      messageKey: randomUUID(),
      name: 'payment-received',
      correlationKey: 'X-1',
      variables: { amount: 9 },
      publishedAt: T0,
      expiresAt: new Date(Date.parse(T0) + 3_600_000).toISOString(),
    };
    await store.appendToStream(messageStream(crashed.messageKey, crashed.name, crashed.correlationKey, undefined), [
      { id: randomUUID(), type: MESSAGE_PUBLISHED, data: crashed as unknown as JsonValue, metadata: { schemaVersion: 1 } },
    ], { expectedRevision: 'no_stream' });

    const second = await runtimeOn(store, clock);
    try {
      await second.correlator.idle();
      expect(second.correlator.bufferedMessages().map((message) => message.name).sort()).toEqual(['order-cancelled', 'payment-received']);
      const state = second.projection.instanceState(waiting)!;
      expect(Object.values(state.elementInstances).map((instance) => instance.elementId)).toEqual(['pack-order']);
      expect(state.variables[waiting]).toEqual({ orderId: 'X-1', amount: 9 });
      expect(second.correlator.openSubscriptions('address-changed', 'X-1')).toHaveLength(1);
      expect(second.correlator.openSubscriptions('payment-received')).toEqual([]);

      // Once their time to live has passed, neither is offered any more.
      clock.advance(3_600_000);
      expect(second.correlator.bufferedMessages()).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});
