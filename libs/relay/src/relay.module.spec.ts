import { afterEach, describe, expect, it } from '@jest/globals';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { TOPICS } from '@trellis/contracts';
import { type EventStore, InMemoryEventStore } from '@trellis/event-store';
import { InProcessMessageBus, type MessageBus } from '@trellis/messaging';
import { PlatformHealthModule, PlatformMetricsModule, ReadinessChecks, exposition } from '@trellis/platform';
import { Registry } from 'prom-client';
import { EventRelay } from './event-relay.js';
import { InMemoryRelayCheckpointStore } from './in-memory-relay-checkpoint-store.js';
import { RelayHealthIndicator, RelayModule } from './relay.module.js';
import { FailingBus, RecordingLogger, appendToInstances, consume, eventually, recordTooLarge } from './relay-test-support.js';

const STORE = Symbol('store');
const BUS = Symbol('bus');

interface Parts {
  readonly store: InMemoryEventStore;
  readonly bus: InProcessMessageBus;
  readonly checkpoints: InMemoryRelayCheckpointStore;
  readonly disposed: string[];
}

async function application(parts: Parts): Promise<INestApplicationContext> {
  @Global()
  @Module({ providers: [{ provide: STORE, useValue: parts.store }, { provide: BUS, useValue: parts.bus }], exports: [STORE, BUS] })
  class InfrastructureModule {}

  @Module({
    imports: [
      InfrastructureModule,
      PlatformMetricsModule.forRoot(),
      PlatformHealthModule.forRoot({ timeoutMs: 1_000 }),
      RelayModule.forRootAsync({
        inject: [STORE, BUS],
        useFactory: (store: EventStore, bus: MessageBus) => ({
          store,
          bus,
          checkpoints: parts.checkpoints,
          name: 'module-test',
          createTopics: { partitions: 3 },
          logger: new RecordingLogger(),
          dispose: async () => {
            parts.disposed.push('checkpoints');
          },
        }),
      }),
    ],
  })
  class TestModule {}

  const app = await NestFactory.createApplicationContext(TestModule, { logger: false });
  apps.push(app);
  await app.init();
  return app;
}

const apps: INestApplicationContext[] = [];
const opened: Parts[] = [];

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const { bus, store } of opened.splice(0)) {
    await bus.close();
    await store.close();
  }
});

function parts(): Parts {
  const made: Parts = {
    store: new InMemoryEventStore(),
    bus: new InProcessMessageBus({ logger: new RecordingLogger() }),
    checkpoints: new InMemoryRelayCheckpointStore(),
    disposed: [],
  };
  opened.push(made);
  return made;
}

describe('RelayModule', () => {
  it('starts the relay with the application, creates its topics, and shows its lag in /metrics and its state in readiness', async () => {
    const given = parts();
    await appendToInstances(
      given.store,
      Array.from({ length: 10 }, (_, i) => `instance-${i}`),
      1,
    );
    const app = await application(given);
    const relay = app.get(EventRelay);
    await relay.whenCheckpointed(10);
    const { received, subscription } = await consume(given.bus, [TOPICS.processInstanceEvents], 'module-test-consumer');
    await received.untilAll(
      (await given.store.readAll()).map((event) => event.id),
      5_000,
    );
    await subscription.close();
    const metrics = (await exposition(app.get(Registry))).text;
    const readiness = app.get(ReadinessChecks).list();
    const relayCheck = await readiness.find((indicator) => indicator.key === 'relay')?.check(1_000);

    expect(metrics).toContain('trellis_relay_lag_events{relay="module-test"} 0');
    expect(relayCheck).toEqual({ relay: { status: 'up', name: 'module-test', state: 'live', checkpoint: 10, consecutiveFailures: 0 } });
    // The topic was created with the 3 partitions asked for, over which the instances' keys spread.
    expect(new Set(received.messages.map((message) => message.partition))).toEqual(new Set([0, 1, 2]));
  });

  it('stops the relay at shutdown, with its checkpoint saved, before disposing of what the factory opened', async () => {
    const given = parts();
    const app = await application(given);
    const relay = app.get(EventRelay);
    await appendToInstances(given.store, ['a'], 7);
    await relay.whenCheckpointed(7);

    await app.close();

    expect(relay.status()).toMatchObject({ state: 'stopped', checkpoint: 7 });
    expect(await given.checkpoints.load('module-test')).toBe(7);
    expect(given.disposed).toEqual(['checkpoints']);
    expect(app.get(ReadinessChecks).list().map((indicator) => indicator.key)).not.toContain('relay');
  });

  it('reports a relay that keeps failing as degraded, with the error, and as up again once it publishes', async () => {
    const given = parts();
    const bus = new FailingBus(given.bus);
    const relay = new EventRelay({
      store: given.store,
      bus,
      checkpoints: given.checkpoints,
      logger: new RecordingLogger(),
      restart: { baseDelayMs: 5, maxDelayMs: 10 },
    });
    const indicator = new RelayHealthIndicator(relay);
    bus.failNext(3, recordTooLarge);
    await appendToInstances(given.store, ['a'], 2);
    relay.start();

    await eventually(() => relay.status().state === 'retrying', 'the relay to fail');
    const failing = await indicator.check();
    await relay.whenCheckpointed(2);
    const recovered = await indicator.check();
    await relay.stop();
    const stopped = await indicator.check();

    expect(failing).toEqual({
      relay: expect.objectContaining({ status: 'degraded', state: 'retrying', checkpoint: 0, lastError: recordTooLarge().message, lastErrorAt: expect.any(String) }),
    });
    expect(recovered).toEqual({ relay: expect.objectContaining({ status: 'up', checkpoint: 2, consecutiveFailures: 0 }) });
    expect(stopped).toEqual({ relay: expect.objectContaining({ status: 'down', state: 'stopped' }) });
  });
});
