// RelayModule in an application built from the service kit: the relay takes the application's EVENT_STORE and
// MESSAGE_BUS when its options name neither.
import { afterEach, describe, expect, it } from '@jest/globals';
import { type DynamicModule, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TOPICS } from '@trellis/contracts';
import type { EventStore } from '@trellis/event-store';
import { MESSAGE_BUS, type MessageBus } from '@trellis/messaging';
import { EVENT_STORE, EventStoreModule, loadSettings, MessagingModule, PlatformModule } from '@trellis/platform';

import { EventRelay } from './event-relay.js';
import { InMemoryRelayCheckpointStore } from './in-memory-relay-checkpoint-store.js';
import { RelayModule } from './relay.module.js';
import { appendToInstances, consume, RecordingLogger } from './relay-test-support.js';

const contexts: INestApplicationContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

function serviceModule(): DynamicModule {
  const settings = loadSettings({ TRELLIS_EVENT_STORE: 'memory', TRELLIS_LOG_LEVEL: 'silent' });
  @Module({})
  class RelayServiceModule {}
  return {
    module: RelayServiceModule,
    imports: [
      PlatformModule.forRoot({ settings, service: 'relay-test' }),
      EventStoreModule.forRoot(settings),
      MessagingModule.forRoot(settings, { kind: 'in-process' }),
      RelayModule.forRootAsync({
        useFactory: () => ({ checkpoints: new InMemoryRelayCheckpointStore(), name: 'tokens-test', createTopics: { partitions: 2 }, logger: new RecordingLogger() }),
      }),
    ],
  };
}

describe('RelayModule without a store or a bus in its options', () => {
  it('publishes what is appended to the application event store on the application message bus', async () => {
    const context = await NestFactory.createApplicationContext(serviceModule(), { logger: false });
    contexts.push(context);
    await context.init();
    const store = context.get<EventStore>(EVENT_STORE);
    const bus = context.get<MessageBus>(MESSAGE_BUS);
    const { received, subscription } = await consume(bus, [TOPICS.processInstanceEvents], 'tokens-test-consumer');

    await appendToInstances(store, ['a', 'b', 'c'], 4);
    await context.get(EventRelay).whenCheckpointed(12);
    await received.untilAll(
      (await store.readAll()).map((event) => event.id),
      5_000,
    );
    await subscription.close();

    expect(received.messages.map((message) => message.key).sort()).toEqual([...Array(4).fill('a'), ...Array(4).fill('b'), ...Array(4).fill('c')]);
  });

  it('stops the relay before the bus and the store close', async () => {
    const context = await NestFactory.createApplicationContext(serviceModule(), { logger: false });
    await context.init();
    const relay = context.get(EventRelay);
    await appendToInstances(context.get<EventStore>(EVENT_STORE), ['a'], 3);
    await relay.whenCheckpointed(3);

    await context.close();

    // Stopped cleanly (not failed on a closed bus or store), with its checkpoint where it was.
    expect(relay.status()).toMatchObject({ state: 'stopped', checkpoint: 3, consecutiveFailures: 0 });
  });
});
