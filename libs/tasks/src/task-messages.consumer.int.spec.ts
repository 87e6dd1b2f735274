import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DeadLetterEnvelope, eventMessageOf, runtimeCommandResultMessageOf } from '@trellis/contracts';
import { Deployments } from '@trellis/decisions/testing';
import { KafkaMessageBus, asDeadLetterEnvelope, silentMessagingLogger } from '@trellis/messaging';
import { Collected } from '@trellis/messaging/testing';
import { StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import type { DataSource } from 'typeorm';

import { FormDefinitionStore, FormDefinitionsProjection } from './form-definitions.projection.js';
import { TaskMessagesConsumer } from './task-messages.consumer.js';
import { TaskRepository } from './task.repository.js';
import { TASKS_MIGRATIONS } from './tasks.migrations.js';
import { EngineInstance, compileProcesses, kafkaBrokers, testTopics } from './testing.js';
import { UserTaskProjection } from './user-task.projection.js';

const schema = uniqueSchema('tasks_consumer');
let dataSource: DataSource;
let bus: KafkaMessageBus;

beforeAll(async () => {
  await requirePostgres();
  dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: TASKS_MIGRATIONS });
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: 'tasks-consumer-test', logger: silentMessagingLogger, retries: 1 });
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await dataSource?.destroy();
  await dropSchema(schema);
}, 60_000);

async function until(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('TaskMessagesConsumer on Kafka', () => {
  it('waits for topics that do not exist yet, then projects the events and applies the results of both through one group', async () => {
    const topics = testTopics();
    const processes = await compileProcesses();
    const repository = new TaskRepository(dataSource);
    const warnings: string[] = [];
    const consumer = new TaskMessagesConsumer({
      bus,
      groupId: `tasks-consumer-test.${randomUUID()}`,
      topics,
      deadLetterTopic: topics.deadLetter,
      runner: new StreamProjectionRunner(dataSource, new UserTaskProjection()),
      repository,
      retryDelayMs: 100,
      maxRetryDelayMs: 500,
      logger: { warn: (message) => warnings.push(message) },
    });
    try {
      const started = consumer.start();
      await until(() => consumer.status().attempts >= 2, 'two attempts to subscribe');

      expect(consumer.status()).toMatchObject({ state: 'subscribing', lastError: { message: expect.stringContaining('does not host this topic-partition') } });
      expect(warnings[0]).toContain(`Cannot consume ${topics.processInstanceEvents} and ${topics.runtimeCommandResults} yet`);

      await bus.ensureTopics([
        { topic: topics.processInstanceEvents, partitions: 2 },
        { topic: topics.runtimeCommandResults, partitions: 2 },
        { topic: topics.deadLetter, partitions: 1 },
      ]);
      await started;
      expect(consumer.status().state).toBe('consuming');

      const instance = new EngineInstance(processes.approval);
      await bus.publish(topics.processInstanceEvents, instance.start({ groups: [], users: [], priority: 5 }).map(eventMessageOf));
      const taskId = instance.userTask('approve').id;
      await until(async () => (await repository.get(taskId))?.state === 'CREATED', 'the task');
      await repository.requestCompletion({ taskId, commandId: 'command-1', issuedBy: 'test', issuedAt: new Date() });
      await bus.publish(topics.runtimeCommandResults, [
        runtimeCommandResultMessageOf({
          commandId: 'command-1',
          commandType: 'CompleteUserTask',
          processInstanceId: instance.id,
          outcome: 'rejected',
          rejection: 'invalid-argument',
          detail: 'refused for the test',
          handledAt: new Date().toISOString(),
        }),
      ]);

      await until(async () => (await repository.get(taskId))?.state === 'CREATED', 'the rejection applied');
      expect(await repository.get(taskId)).toMatchObject({ lastError: 'refused for the test' });
    } finally {
      await consumer.stop();
    }
    expect(consumer.status().state).toBe('stopped');
  });

  it('projects a backlog in batches, and dead-letters only the message of a stream with a gap', async () => {
    const topics = testTopics();
    const processes = await compileProcesses();
    const repository = new TaskRepository(dataSource);
    await bus.ensureTopics([
      { topic: topics.processInstanceEvents, partitions: 2 },
      { topic: topics.runtimeCommandResults, partitions: 2 },
      { topic: topics.deadLetter, partitions: 1 },
    ]);
    const instances = Array.from({ length: 20 }, () => new EngineInstance(processes.approval));
    const envelopes = instances.map((instance) => instance.start({ groups: [], users: [], priority: 5 }));
    const gapped = new EngineInstance(processes.approval);
    const [first, , third] = gapped.start({ groups: [], users: [], priority: 5 });
    // A backlog published before the group starts: the bus hands it over in batches.
    await bus.publish(topics.processInstanceEvents, [...envelopes.flat(), first!, third!].map(eventMessageOf));
    const deadLetters = new Collected<DeadLetterEnvelope>();
    const reader = await bus.subscribe({
      topics: topics.deadLetter,
      groupId: `tasks-consumer-test.${randomUUID()}.dead-letters`,
      fromBeginning: true,
      decode: asDeadLetterEnvelope,
      deadLetterTopic: `${topics.deadLetter}.dead`,
      handler: deadLetters.handler,
    });
    const consumer = new TaskMessagesConsumer({
      bus,
      groupId: `tasks-consumer-test.${randomUUID()}`,
      topics,
      deadLetterTopic: topics.deadLetter,
      runner: new StreamProjectionRunner(dataSource, new UserTaskProjection()),
      repository,
    });
    try {
      await consumer.start();
      for (const instance of instances) {
        const taskId = instance.userTask('approve').id;
        await until(async () => (await repository.get(taskId))?.state === 'CREATED', `the task of ${instance.id}`);
      }
      await deadLetters.until((items) => items.length >= 1, 'the dead letter');

      expect(deadLetters.items.map(({ reason, key }) => ({ reason, key }))).toEqual([{ reason: 'rejected', key: gapped.id }]);
      expect(deadLetters.items[0]?.error).toContain(`misses events of stream process-instance-${gapped.id}`);
    } finally {
      await consumer.stop();
      await reader.close();
    }
  });

  it('given the deployments topic, keeps the forms of the deployments in the same group', async () => {
    const topics = testTopics();
    const deploymentsTopic = `${topics.processInstanceEvents}.deployments`;
    await bus.ensureTopics([
      { topic: topics.processInstanceEvents, partitions: 2 },
      { topic: topics.runtimeCommandResults, partitions: 2 },
      { topic: deploymentsTopic, partitions: 1 },
      { topic: topics.deadLetter, partitions: 1 },
    ]);
    const deployments = new Deployments();
    const form = JSON.stringify({ id: 'approval', type: 'default', components: [{ type: 'number', key: 'amount', label: 'Amount' }] });
    const first = await deployments.deploy(['approval.form', form]);
    const second = await deployments.deploy(['approval.form', form.replace('Amount', 'Sum')]);
    await bus.publish(deploymentsTopic, [first.envelope, second.envelope].map(eventMessageOf));
    const store = new FormDefinitionStore(dataSource.manager);
    const consumer = new TaskMessagesConsumer({
      bus,
      groupId: `tasks-consumer-test.${randomUUID()}`,
      topics,
      deadLetterTopic: topics.deadLetter,
      runner: new StreamProjectionRunner(dataSource, new UserTaskProjection()),
      repository: new TaskRepository(dataSource),
      formDeployments: { topic: deploymentsTopic, runner: new StreamProjectionRunner(dataSource, new FormDefinitionsProjection()) },
    });
    try {
      await consumer.start();
      await until(async () => (await store.latest('approval'))?.version === 2, 'the second version of the form');
      expect(await store.get('approval:1')).toMatchObject({ deploymentId: first.view.id, content: form });
      expect(await store.get('approval:2')).toMatchObject({ deploymentId: second.view.id, content: form.replace('Amount', 'Sum') });
    } finally {
      await consumer.stop();
    }
  });

  it('stops while still waiting for its topics', async () => {
    const consumer = new TaskMessagesConsumer({
      bus,
      groupId: `tasks-consumer-test.${randomUUID()}`,
      topics: testTopics(),
      runner: new StreamProjectionRunner(dataSource, new UserTaskProjection()),
      repository: new TaskRepository(dataSource),
      retryDelayMs: 60_000,
    });
    const started = consumer.start();
    await until(() => consumer.status().attempts >= 1 && consumer.status().lastError !== undefined, 'a failed attempt');

    await consumer.stop();
    await started;

    expect(consumer.status()).toMatchObject({ state: 'stopped', attempts: 1 });
  });
});
