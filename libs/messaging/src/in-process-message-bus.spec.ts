import { describe, expect, it } from '@jest/globals';
import { TOPICS, eventEnvelopeOf, eventMessageOf } from '@trellis/contracts';
import { asEventEnvelope, asText } from './decoders.js';
import { InProcessMessageBus } from './in-process-message-bus.js';
import { Inbox, RecordingLogger, messageBusContract } from './testing.js';
import { trellisTopics } from './trellis-topics.js';

messageBusContract('in-process', async (logger) => new InProcessMessageBus({ logger }), { deliveryDeadlineMs: 5_000 });

describe('in-process message bus', () => {
  it('keeps the last messages of a partition, and moves a group that fell behind to the oldest one kept', async () => {
    const logger = new RecordingLogger();
    const bus = new InProcessMessageBus({ logger, retainedMessagesPerPartition: 10 });
    await bus.publish('events', Array.from({ length: 30 }, (_, n) => ({ key: 'k', value: `m${n}` })));
    const received = new Inbox<string | null>(5_000);

    const subscription = await bus.subscribe({ topics: 'events', groupId: 'late', fromBeginning: true, decode: asText, handler: received.handler() });
    await received.until(10);
    await bus.close();

    expect(received.bodies[0]).not.toBe('m0');
    expect(received.bodies.at(-1)).toBe('m29');
    expect(received.deliveries.map(({ message }) => Number(message.offset))).toEqual(
      Array.from({ length: received.deliveries.length }, (_, i) => 30 - received.deliveries.length + i),
    );
    await subscription.close();
  });

  it('starts a group without committed offsets at the next message published, unless asked to read from the beginning', async () => {
    const bus = new InProcessMessageBus({ logger: new RecordingLogger() });
    await bus.publish('events', [{ key: 'k', value: 'before' }]);
    const latest = new Inbox<string | null>(5_000);
    const earliest = new Inbox<string | null>(5_000);

    await bus.subscribe({ topics: 'events', groupId: 'latest', decode: asText, handler: latest.handler() });
    await bus.subscribe({ topics: 'events', groupId: 'earliest', fromBeginning: true, decode: asText, handler: earliest.handler() });
    await bus.publish('events', [{ key: 'k', value: 'after' }]);
    await latest.until(1);
    await earliest.until(2);
    await bus.close();

    expect(latest.bodies).toEqual(['after']);
    expect(earliest.bodies).toEqual(['before', 'after']);
  });

  it('hands the partitions of a member that closes to the members left', async () => {
    const bus = new InProcessMessageBus({ logger: new RecordingLogger() });
    await bus.ensureTopics([{ topic: 'events', partitions: 2 }]);
    const first = new Inbox<string | null>(5_000);
    const second = new Inbox<string | null>(5_000);
    const leaving = await bus.subscribe({ topics: 'events', groupId: 'g', fromBeginning: true, decode: asText, handler: first.handler() });
    await bus.subscribe({ topics: 'events', groupId: 'g', fromBeginning: true, decode: asText, handler: second.handler() });

    await leaving.close();
    await bus.publish('events', [
      { key: null, value: 'a' },
      { key: null, value: 'b' },
    ]);
    await second.until(2);
    await bus.close();

    expect(first.bodies).toEqual([]);
    expect(second.bodies.sort()).toEqual(['a', 'b']);
  });

  it('refuses to publish or subscribe once closed', async () => {
    const bus = new InProcessMessageBus({ logger: new RecordingLogger() });
    await bus.close();

    await expect(bus.publish('events', [{ key: 'k', value: 'v' }])).rejects.toThrow('closed');
    await expect(bus.subscribe({ topics: 'events', groupId: 'g', decode: asText, handler: () => undefined })).rejects.toThrow('closed');
  });

  it('creates the Trellis topics: the events of one instance share a partition, deployments have one', async () => {
    const bus = new InProcessMessageBus({ logger: new RecordingLogger() });
    await bus.ensureTopics(trellisTopics({ partitions: 8 }));
    const received = new Inbox<unknown>(5_000);
    await bus.subscribe({ topics: [TOPICS.processInstanceEvents, TOPICS.deployments], groupId: 'history', fromBeginning: true, decode: asEventEnvelope, handler: received.handler() });
    const recorded = (streamId: string, revision: number, position: number) =>
      eventMessageOf(eventEnvelopeOf({ id: `${streamId}-${revision}`, type: 'Happened', streamId, revision, position, recordedAt: '2024-05-01T12:00:00.000Z', data: null, metadata: null }));

    for (let n = 0; n < 10; n++) {
      await bus.publish(TOPICS.processInstanceEvents, [recorded('process-instance-a', n, 3 * n + 1), recorded('process-instance-b', n, 3 * n + 2)]);
      await bus.publish(TOPICS.deployments, [recorded('deployments', n, 3 * n + 3)]);
    }
    await received.until(30);
    await bus.close();

    const partitionsOf = (key: string) => new Set(received.deliveries.filter(({ message }) => message.key === key).map(({ message }) => `${message.topic}:${message.partition}`));
    expect([...partitionsOf('a')]).toHaveLength(1);
    expect([...partitionsOf('b')]).toHaveLength(1);
    expect([...partitionsOf('deployments')]).toEqual([`${TOPICS.deployments}:0`]);
  });
});
