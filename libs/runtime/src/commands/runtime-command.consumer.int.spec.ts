// The runtime's commands consumer on a Kafka broker (TRELLIS_KAFKA_BROKERS, default 127.0.0.1:9092, from
// `deploy/local/kafka start`) whose topics do not exist yet: a fresh broker, before anything created them.
import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RuntimeCommandResult, TOPICS, type TopicName, decodeRuntimeCommandResult, runtimeCommandMessageOf } from '@trellis/contracts';
import { DefinitionRegistry, DeployResourcesCommand, DeployResourcesHandler } from '@trellis/deployment';
import { InMemoryEventStore } from '@trellis/event-store';
import { KafkaMessageBus, type MessageSubscription, silentMessagingLogger } from '@trellis/messaging';
import { ReadinessChecks } from '@trellis/platform';

import { processInstanceStream, ProcessInstanceRepository } from '../process-instance.repository.js';
import { oneTaskBpmn } from '../process-models.fixture.js';
import { RuntimeProjection } from '../runtime.projection.js';
import { ProcessInstanceCommandRunner } from './process-instance-command.runner.js';
import { RuntimeCommandConsumer } from './runtime-command.consumer.js';

const brokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim());
let bus: KafkaMessageBus;
const topics: string[] = [];
const groups: string[] = [];

beforeAll(async () => {
  bus = await KafkaMessageBus.connect({ brokers, clientId: 'runtime-commands-test', retries: 1, logger: silentMessagingLogger });
}, 60_000);

afterAll(async () => {
  try {
    await bus?.deleteGroups(groups);
    await bus?.deleteTopics(topics);
  } finally {
    await bus?.close();
  }
}, 60_000);

async function until(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('RuntimeCommandConsumer on a broker without its topics', () => {
  it('starts anyway, is not ready while it retries, then consumes once the topics are created', async () => {
    const run = randomUUID();
    const topicName = (topic: TopicName): string => `${topic}.test-${run}`;
    const groupId = `runtime-commands-test.${run}`;
    topics.push(topicName(TOPICS.runtimeCommands), topicName(TOPICS.runtimeCommandResults), topicName(TOPICS.deadLetter));
    groups.push(groupId, `results-${run}`);

    const store = new InMemoryEventStore();
    const registry = new DefinitionRegistry(store);
    await registry.reload();
    await new DeployResourcesHandler(store, registry).execute(new DeployResourcesCommand([{ name: 'one-task.bpmn', content: oneTaskBpmn }]));
    const runner = new ProcessInstanceCommandRunner(new ProcessInstanceRepository(store, registry), new RuntimeProjection(store));
    const readiness = new ReadinessChecks();
    const consumer = new RuntimeCommandConsumer(runner, registry, { commands: { consume: true, groupId, topicName } }, bus, undefined, readiness);
    let results: MessageSubscription | undefined;
    try {
      // Returns at once although the commands topic does not exist: the application goes on starting.
      consumer.onApplicationBootstrap();
      const indicator = readiness.list().find((check) => check.key === 'runtimeCommands');
      expect(indicator).toBeDefined();
      await until(() => (consumer.status()?.attempts ?? 0) >= 2, 'two attempts to subscribe');

      expect(consumer.consuming).toBe(false);
      expect(consumer.status()).toMatchObject({ state: 'subscribing', lastError: { message: expect.stringContaining('does not host this topic-partition') } });
      expect(await indicator!.check(1_000)).toMatchObject({ runtimeCommands: { status: 'down', groupId, state: 'subscribing' } });

      await bus.ensureTopics(topics.slice(-3).map((topic) => ({ topic, partitions: 2 })));
      await consumer.start();
      expect(consumer.consuming).toBe(true);
      expect(await indicator!.check(1_000)).toMatchObject({ runtimeCommands: { status: 'up', state: 'consuming' } });

      const answers: RuntimeCommandResult[] = [];
      results = await bus.subscribe({
        topics: topicName(TOPICS.runtimeCommandResults),
        groupId: `results-${run}`,
        fromBeginning: true,
        decode: (message) => decodeRuntimeCommandResult(message.value),
        deadLetterTopic: topicName(TOPICS.deadLetter),
        handler: (result: RuntimeCommandResult) => void answers.push(result),
      });
      const processInstanceId = randomUUID();
      const commandId = randomUUID();
      await bus.publish(topicName(TOPICS.runtimeCommands), [
        runtimeCommandMessageOf({
          type: 'StartProcessInstance',
          commandId,
          processInstanceId,
          processId: 'one-task',
          issuedBy: 'test',
          issuedAt: new Date().toISOString(),
        }),
      ]);

      await until(() => answers.some((answer) => answer.commandId === commandId), 'the result of the start');
      expect(answers.find((answer) => answer.commandId === commandId)).toMatchObject({ outcome: 'accepted', processInstanceId });
      expect((await store.readStream(processInstanceStream(processInstanceId))).map((event) => event.type)).toContain('ProcessInstanceCreated');
    } finally {
      await results?.close();
      await consumer.beforeApplicationShutdown();
    }
    expect(readiness.list().map((check) => check.key)).not.toContain('runtimeCommands');
  }, 60_000);
});
