// The relay against the embedded mode's parts: the in-memory event store, the in-process bus and in-memory
// checkpoints. The same relay against Kafka and Postgres: event-relay.int.spec.ts.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DEPLOYMENTS_STREAM_ID, HEADERS, TOPICS } from '@trellis/contracts';
import { InMemoryEventStore } from '@trellis/event-store';
import { InProcessMessageBus } from '@trellis/messaging';
import { EventRelay, type EventRelayOptions, RELAYED_STREAMS, RelayCheckpointAheadError } from './event-relay.js';
import { InMemoryRelayCheckpointStore } from './in-memory-relay-checkpoint-store.js';
import {
  FailingBus,
  type Received,
  RecordingLogger,
  appendToInstances,
  consume,
  eventually,
  instanceEvents,
  leaderChange,
  orderPerKey,
  recordTooLarge,
} from './relay-test-support.js';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 }, restart: { baseDelayMs: 5, maxDelayMs: 20 } } as const;

interface Setup {
  readonly store: InMemoryEventStore;
  readonly bus: FailingBus;
  readonly checkpoints: InMemoryRelayCheckpointStore;
  readonly logger: RecordingLogger;
  readonly received: Received;
  relay(options?: Partial<EventRelayOptions>): EventRelay;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<Setup> {
  const store = new InMemoryEventStore();
  const inner = new InProcessMessageBus({ logger: new RecordingLogger() });
  await inner.ensureTopics([
    { topic: TOPICS.processInstanceEvents, partitions: 4 },
    { topic: TOPICS.deployments, partitions: 1 },
  ]);
  const bus = new FailingBus(inner);
  const { received, subscription } = await consume(inner, [TOPICS.processInstanceEvents, TOPICS.deployments], `group-${randomUUID()}`);
  const checkpoints = new InMemoryRelayCheckpointStore();
  const logger = new RecordingLogger();
  const relays: EventRelay[] = [];
  cleanups.push(async () => {
    for (const relay of relays) await relay.stop();
    await subscription.close();
    await bus.close();
    await store.close();
  });
  return {
    store,
    bus,
    checkpoints,
    logger,
    received,
    relay: (options = {}) => {
      const relay = new EventRelay({ store, bus, checkpoints, logger, ...fast, ...options });
      relays.push(relay);
      return relay;
    },
  };
}

async function head(store: InMemoryEventStore): Promise<number> {
  const all = await store.readAll();
  return all[all.length - 1]?.position ?? 0;
}

describe('EventRelay', () => {
  it('publishes every event of process-instance and deployments streams as an envelope keyed by instance, and passes over others', async () => {
    const { store, received, relay } = await setup();
    await store.appendToStream('process-instance-a1', instanceEvents(2), { expectedRevision: 'no_stream' });
    await store.appendToStream(DEPLOYMENTS_STREAM_ID, [{ id: 'd-1', type: 'DeploymentCreated', data: { key: 'order' }, metadata: { schemaVersion: 2 } }], {
      expectedRevision: 'no_stream',
    });
    await store.appendToStream('$health', [{ id: 'h-1', type: 'Checked', data: null }], { expectedRevision: 'any' });
    await store.appendToStream('process-instance-a1', instanceEvents(1, 2), { expectedRevision: 1 });
    const recorded = await store.readAll();
    const published = recorded.filter((event) => event.streamId !== '$health');

    const running = relay();
    running.start();
    await running.whenCheckpointed(await head(store));
    await received.untilAll(
      published.map((event) => event.id),
      5_000,
    );

    expect(received.envelopes).toHaveLength(4);
    const byId = new Map(received.envelopes.map((envelope, i) => [envelope.eventId, { envelope, message: received.messages[i] }]));
    for (const event of published) {
      const got = byId.get(event.id);
      expect(got?.envelope).toEqual({
        eventId: event.id,
        type: event.type,
        schemaVersion: event.streamId === DEPLOYMENTS_STREAM_ID ? 2 : 1,
        streamId: event.streamId,
        revision: event.revision,
        position: event.position,
        ...(event.streamId === DEPLOYMENTS_STREAM_ID ? {} : { processInstanceId: 'a1' }),
        recordedAt: event.recordedAt,
        data: event.data,
        metadata: event.metadata,
      });
      expect(got?.message.topic).toBe(event.streamId === DEPLOYMENTS_STREAM_ID ? TOPICS.deployments : TOPICS.processInstanceEvents);
      expect(got?.message.key).toBe(event.streamId === DEPLOYMENTS_STREAM_ID ? DEPLOYMENTS_STREAM_ID : 'a1');
      expect(got?.message.headers[HEADERS.eventId]).toBe(event.id);
    }
    expect(received.eventIds.has('h-1')).toBe(false);
    // The passed-over event is behind the checkpoint too: nothing is left to publish.
    expect(running.status()).toMatchObject({ state: 'live', checkpoint: recorded[recorded.length - 1]?.position, published: 4, consecutiveFailures: 0 });
    expect(await running.lag()).toBe(0);
  });

  it('publishes only the streams its filter owns: process instances for the runtime, deployments for the deployment service', async () => {
    const { store, received, relay } = await setup();
    await store.appendToStream('process-instance-b1', instanceEvents(3), { expectedRevision: 'no_stream' });
    await store.appendToStream(DEPLOYMENTS_STREAM_ID, [{ id: 'd-2', type: 'DeploymentCreated', data: { key: 'order' } }], { expectedRevision: 'no_stream' });
    await store.appendToStream('process-instance-b2', instanceEvents(2), { expectedRevision: 'no_stream' });
    const recorded = await store.readAll();

    const runtimeRelay = relay({ name: 'runtime-service', streams: RELAYED_STREAMS.processInstances });
    const deploymentRelay = relay({ name: 'deployment-service', streams: RELAYED_STREAMS.deployments });
    runtimeRelay.start();
    deploymentRelay.start();
    await runtimeRelay.whenCheckpointed(await head(store));
    await deploymentRelay.whenCheckpointed(await head(store));
    await received.untilAll(
      recorded.map((event) => event.id),
      5_000,
    );

    // Each event once: the two relays split the streams between them, and each checkpoint passed the other's events.
    expect(received.envelopes.map((envelope) => envelope.eventId).sort()).toEqual(recorded.map((event) => event.id).sort());
    expect(runtimeRelay.status()).toMatchObject({ published: 5, checkpoint: recorded.at(-1)?.position });
    expect(deploymentRelay.status()).toMatchObject({ published: 1, checkpoint: recorded.at(-1)?.position });
  });

  it('catches up on stored events, then publishes events appended while it runs, in order per instance', async () => {
    const { store, received, relay } = await setup();
    const instances = Array.from({ length: 12 }, (_, i) => `instance-${i}`);
    await appendToInstances(store, instances, 30, 3);

    const running = relay({ batchSize: 25 });
    running.start();
    await running.whenCheckpointed(await head(store));
    await eventually(() => running.status().state === 'live', 'the relay to go live');
    await appendToInstances(
      store,
      instances.map((instance) => `${instance}-later`),
      20,
      4,
    );
    await Promise.all(instances.map((instance) => store.appendToStream(`process-instance-${instance}`, instanceEvents(5, 30), { expectedRevision: 29 })));
    const all = await store.readAll();
    await running.whenCheckpointed(await head(store));
    await received.untilAll(
      all.map((event) => event.id),
      5_000,
    );

    expect(received.envelopes).toHaveLength(all.length);
    const order = orderPerKey(received.envelopes);
    expect(order.violations).toEqual([]);
    expect(order.redeliveries).toBe(0);
    for (const instance of instances) {
      expect(order.lastRevisions.get(instance)).toBe(34);
      expect(order.lastRevisions.get(`${instance}-later`)).toBe(19);
    }
  });

  it('publishes in batches of at most batchSize, each one call per topic, in position order', async () => {
    const { store, bus, relay } = await setup();
    await appendToInstances(store, ['a', 'b', 'c'], 35, 5);
    const all = await store.readAll();

    const running = relay({ batchSize: 10 });
    running.start();
    await running.whenCheckpointed(all[all.length - 1]?.position ?? 0);

    expect(bus.accepted.map((call) => call.messages.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
    expect(bus.acceptedEventIds()).toEqual(all.map((event) => event.id));
  });

  it('gathers the events appended while a publish is in flight into the next batch', async () => {
    const { store, bus, relay } = await setup();
    await store.appendToStream('process-instance-a', instanceEvents(1), { expectedRevision: 'no_stream' });
    const running = relay({ batchSize: 100 });
    running.start();
    await running.whenCheckpointed(1);

    const release = bus.hold();
    await store.appendToStream('process-instance-a', instanceEvents(1, 1), { expectedRevision: 0 });
    await eventually(() => bus.calls === 2, 'the second publish to start');
    for (let revision = 2; revision < 40; revision++) await store.appendToStream('process-instance-a', instanceEvents(1, revision), { expectedRevision: revision - 1 });
    release();
    await running.whenCheckpointed(40);

    expect(bus.accepted.map((call) => call.messages.length)).toEqual([1, 1, 38]);
  });

  it('moves the checkpoint only once the bus acknowledged the batch', async () => {
    const { store, bus, checkpoints, relay } = await setup();
    await appendToInstances(store, ['a'], 5);
    const release = bus.hold();

    const running = relay();
    running.start();
    await eventually(() => bus.calls === 1, 'the publish to start');
    const whileHeld = { status: running.status().checkpoint, stored: await checkpoints.load(running.name) };
    release();
    await running.whenCheckpointed(5);

    expect(whileHeld).toEqual({ status: 0, stored: 0 });
    expect(await checkpoints.load(running.name)).toBe(5);
  });

  it('stops after the publish in flight, saving its checkpoint, and a relay started again publishes nothing twice', async () => {
    const { store, bus, checkpoints, received, relay } = await setup();
    await appendToInstances(store, ['a', 'b'], 10);
    const first = relay();
    first.start();
    await first.whenCheckpointed(20);
    const release = bus.hold();
    await appendToInstances(store, ['c'], 10);
    await eventually(() => bus.calls === 2, 'the publish to start');

    const stopping = first.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    const stoppedBeforeAck = stopped;
    release();
    await stopping;

    expect(stoppedBeforeAck).toBe(false);
    expect(first.status()).toMatchObject({ state: 'stopped', checkpoint: 30 });
    expect(await checkpoints.load(first.name)).toBe(30);

    await appendToInstances(store, ['d'], 10);
    const second = relay();
    second.start();
    await second.whenCheckpointed(40);
    const all = await store.readAll();
    await received.untilAll(
      all.map((event) => event.id),
      5_000,
    );
    expect(bus.acceptedEventIds()).toEqual(all.map((event) => event.id));
    expect(received.envelopes).toHaveLength(40);
  });

  it('retries a transiently failing publish without losing, reordering or checkpointing past anything', async () => {
    const { store, bus, checkpoints, logger, received, relay } = await setup();
    await appendToInstances(store, ['a', 'b', 'c', 'd'], 25, 5);
    const all = await store.readAll();
    bus.failNext(3, leaderChange);

    const running = relay({ batchSize: 20 });
    running.start();
    await running.whenCheckpointed(100);
    await received.untilAll(
      all.map((event) => event.id),
      5_000,
    );

    expect(bus.acceptedEventIds()).toEqual(all.map((event) => event.id));
    expect(orderPerKey(received.envelopes)).toMatchObject({ violations: [], redeliveries: 0 });
    expect(logger.entries.filter((entry) => entry.level === 'warn' && /retrying/.test(entry.message))).toHaveLength(3);
    expect(running.status()).toMatchObject({ consecutiveFailures: 0, lastError: { message: leaderChange().message } });
    expect(await checkpoints.load(running.name)).toBe(100);
  });

  it('republishes a batch whose acknowledgement was lost, so that every key still arrives in order', async () => {
    const { store, bus, received, relay } = await setup();
    await appendToInstances(store, ['a', 'b'], 15, 3);
    const all = await store.readAll();
    bus.failNext(2, leaderChange, { afterPublishing: true });

    const running = relay({ batchSize: 10 });
    running.start();
    await running.whenCheckpointed(30);
    await eventually(() => received.envelopes.length === 50, 'the 30 events and 20 republished ones');

    const order = orderPerKey(received.envelopes);
    expect(order.violations).toEqual([]);
    expect(order.redeliveries).toBeGreaterThan(0);
    expect(received.eventIds).toEqual(new Set(all.map((event) => event.id)));
  });

  it('holds at the failing event through failures no retry fixes, reports them, and goes on once they stop', async () => {
    const { store, bus, checkpoints, logger, received, relay } = await setup();
    await appendToInstances(store, ['a'], 10);
    const running = relay({ batchSize: 4 });
    running.start();
    await running.whenCheckpointed(10);
    bus.failNext(6, recordTooLarge);
    await appendToInstances(store, ['b'], 10);

    await eventually(() => running.status().state === 'retrying' && running.status().consecutiveFailures >= 2, 'the relay to fail twice');
    const failing = running.status();
    const storedWhileFailing = await checkpoints.load(running.name);
    await running.whenCheckpointed(20);
    await received.untilAll(
      (await store.readAll()).map((event) => event.id),
      5_000,
    );

    expect(failing).toMatchObject({ state: 'retrying', checkpoint: 10, lastError: { message: recordTooLarge().message } });
    expect(failing.consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(storedWhileFailing).toBe(10);
    expect(logger.entries.some((entry) => entry.level === 'error' && entry.message.includes('starting again from position 10'))).toBe(true);
    expect(orderPerKey(received.envelopes)).toMatchObject({ violations: [], redeliveries: 0 });
    expect(running.status()).toMatchObject({ state: 'live', consecutiveFailures: 0 });
  });

  it('goes on from what Kafka acknowledged when saving the checkpoint fails, without publishing it again', async () => {
    const { store, bus, checkpoints, logger, received, relay } = await setup();
    await appendToInstances(store, ['a', 'b'], 10);
    let failingSaves = 3;
    const unreachable = (): Error => Object.assign(new Error('permission denied for table relay_checkpoints'), { code: '42501' });
    const flaky = {
      load: (name: string) => checkpoints.load(name),
      save: async (name: string, position: number) => {
        if (failingSaves-- > 0) throw unreachable();
        await checkpoints.save(name, position);
      },
    };

    const running = relay({ checkpoints: flaky, batchSize: 5 });
    running.start();
    await running.whenCheckpointed(20);
    await received.untilAll(
      (await store.readAll()).map((event) => event.id),
      5_000,
    );

    expect(logger.entries.filter((entry) => entry.level === 'error' && entry.message.includes('permission denied'))).toHaveLength(3);
    expect(bus.acceptedEventIds()).toEqual((await store.readAll()).map((event) => event.id));
    expect(orderPerKey(received.envelopes)).toMatchObject({ violations: [], redeliveries: 0 });
    expect(await checkpoints.load(running.name)).toBe(20);
  });

  it('refuses to publish from a checkpoint past the end of the store, which would skip events', async () => {
    const { store, bus, checkpoints, relay } = await setup();
    await appendToInstances(store, ['a'], 3);
    await checkpoints.save('trellis', 50);

    const running = relay();
    running.start();
    await eventually(() => running.status().state === 'retrying', 'the relay to refuse');

    expect(running.status().lastError?.message).toContain(new RelayCheckpointAheadError('trellis', 50, 3).message);
    expect(bus.calls).toBe(0);
  });

  it('reports its lag as the store head minus the checkpoint', async () => {
    const { store, bus, relay } = await setup();
    await appendToInstances(store, ['a', 'b'], 10);
    const running = relay({ batchSize: 5 });
    running.start();
    await running.whenCheckpointed(20);
    const release = bus.hold();
    await appendToInstances(store, ['c'], 12);
    await eventually(() => bus.calls === 5, 'the publish to start');

    const lagWhileHeld = await running.lag();
    release();
    await running.whenCheckpointed(32);

    expect(lagWhileHeld).toBe(12);
    expect(await running.lag()).toBe(0);
  });

  it('rejects lag before the checkpoint is loaded, and whenCheckpointed once stopped short of it', async () => {
    const { relay } = await setup();
    const idle = relay();

    await expect(idle.lag()).rejects.toThrow('has not loaded its checkpoint');
    const waiting = idle.whenCheckpointed(10);
    await idle.stop();
    await expect(waiting).rejects.toThrow('stopped at checkpoint 0');
    expect(idle.status().state).toBe('stopped');
  });
});
