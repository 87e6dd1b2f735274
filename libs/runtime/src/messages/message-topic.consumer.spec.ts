// Messages over the message bus, on the embedded mode's parts: the in-memory event store and the in-process bus (which
// keeps Kafka's delivery rules: order per key, at least once, dead letters).
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

import { afterEach, describe, expect, it } from '@jest/globals';
import { type DeadLetterEnvelope, type MessagePublication, TOPICS, messagePublicationMessageOf } from '@trellis/contracts';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { InMemoryEventStore } from '@trellis/event-store';
import { InProcessMessageBus, asDeadLetterEnvelope, silentMessagingLogger } from '@trellis/messaging';

import { ProcessInstanceRepository } from '../process-instance.repository.js';
import { RuntimeProjection } from '../runtime.projection.js';
import { MessageCorrelator } from './message-correlator.js';
import { MessageTopicConsumer } from './message-topic.consumer.js';

const exampleBpmn = readFileSync(new URL('../../../../examples/order-messages.bpmn', import.meta.url), 'utf8');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Waits (at most 5 s) for a condition that the bus makes true asynchronously. */
async function until(test: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`Waited 5 s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function setUp() {
  const store = new InMemoryEventStore();
  const registry = new DefinitionRegistry(store);
  await registry.reload();
  await new DeployResourcesHandler(store, registry).execute(new DeployResourcesCommand([{ name: 'order-messages.bpmn', content: exampleBpmn }]));
  const repository = new ProcessInstanceRepository(store, registry);
  const projection = new RuntimeProjection(store);
  const correlator = new MessageCorrelator(projection, repository, store, registry);
  await projection.start();
  correlator.onApplicationBootstrap();
  const bus = new InProcessMessageBus({ logger: silentMessagingLogger, retry: { baseDelayMs: 1, maxDelayMs: 10 } });
  await bus.ensureTopics([{ topic: TOPICS.messages, partitions: 4 }]);
  const deadLetters: DeadLetterEnvelope[] = [];
  const deadLetterSubscription = await bus.subscribe({
    topics: TOPICS.deadLetter,
    groupId: `dead-letters-${randomUUID()}`,
    fromBeginning: true,
    decode: asDeadLetterEnvelope,
    deadLetterTopic: `${TOPICS.deadLetter}.of-dead-letters`,
    handler: (envelope: DeadLetterEnvelope) => {
      deadLetters.push(envelope);
    },
  });
  const consumer = new MessageTopicConsumer(correlator, { commands: { consume: true } }, bus);
  consumer.onApplicationBootstrap();
  await consumer.start();
  cleanups.push(async () => {
    await consumer.beforeApplicationShutdown();
    await correlator.onModuleDestroy();
    await deadLetterSubscription.close();
    await bus.close();
    await projection.stop();
  });

  const start = async (orderId: string): Promise<string> => {
    const processInstanceId = randomUUID();
    const definition = registry.list({ latest: true }).find((candidate) => candidate.processId === 'order-messages')!;
    const outcome = await repository.execute(processInstanceId, {
      type: 'CreateProcessInstance',
      processInstanceId,
      processDefinitionId: definition.id,
      version: definition.version,
      variables: { orderId },
    });
    await projection.waitForPosition(outcome.position!);
    return processInstanceId;
  };
  const active = (processInstanceId: string): string[] => Object.values(projection.instanceState(processInstanceId)?.elementInstances ?? {}).map((instance) => instance.elementId);
  const handled = () => Object.values(consumer.handled).reduce((sum, count) => sum + count, 0);
  const send = (...messages: unknown[]) =>
    bus.publish(
      TOPICS.messages,
      messages.map((message) => (typeof message === 'string' ? { key: 'bad', value: message } : messagePublicationMessageOf(message as MessagePublication))),
    );
  return { correlator, start, active, handled, send, deadLetters };
}

describe('MessageTopicConsumer', () => {
  it('correlates a message from the topic to the instance waiting with its key, with its variables', async () => {
    const { start, active, send, handled } = await setUp();
    const waiting = await start('K-1');
    const other = await start('K-2');
    await send({ name: 'payment-received', correlationKey: 'K-1', variables: { amount: 5 } });
    await until(() => handled() === 1, 'the message');
    expect(active(waiting)).toEqual(['pack-order']);
    expect(active(other)).toEqual(['await-payment']);
  });

  it('buffers a message with a time to live for an instance that starts later, and ignores its repeat by message id', async () => {
    const { start, active, send, handled, correlator, deadLetters } = await setUp();
    const message: MessagePublication = { name: 'payment-received', correlationKey: 'K-3', timeToLive: 'PT1H', messageId: 'pay-3' };
    await send(message, message);
    await until(() => handled() === 2, 'both messages');
    expect(correlator.bufferedMessages()).toHaveLength(1);
    const id = await start('K-3');
    await correlator.idle();
    expect(active(id)).toEqual(['pack-order']);
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters a message that matched nothing and has no time to live, and an invalid one, saying why', async () => {
    const { send, deadLetters, correlator } = await setUp();
    await send({ name: 'payment-received', correlationKey: 'nobody' }, JSON.stringify({ name: '', correlationKey: 7 }));
    await until(() => deadLetters.length === 2, 'two dead letters');
    const unmatched = deadLetters.find((letter) => letter.key === 'nobody');
    expect(unmatched).toEqual(
      expect.objectContaining({ reason: 'rejected', originalTopic: TOPICS.messages, error: expect.stringContaining('matched no subscription and has no time to live') }),
    );
    const invalid = deadLetters.find((letter) => letter.key === 'bad');
    expect(invalid).toEqual(expect.objectContaining({ reason: 'invalid-message' }));
    expect(invalid?.problems?.map((problem) => problem.path).sort()).toEqual(['correlationKey', 'name']);
    expect(correlator.bufferedMessages()).toEqual([]);
  });
});
