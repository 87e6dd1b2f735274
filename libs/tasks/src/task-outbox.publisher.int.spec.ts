import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { type RuntimeCommandMessage, validateRuntimeCommand } from '@trellis/contracts';
import type { ExecutableProcess } from '@trellis/engine';
import { KafkaMessageBus, type MessageSubscription, type ReceivedMessage, asJson, silentMessagingLogger } from '@trellis/messaging';
import { Collected, FailingBus, connectionRefused, kafkaBrokers, testTopics } from '@trellis/messaging/testing';
import { StreamProjectionRunner, createPostgresDataSource } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineInstance } from '@trellis/runtime/testing';
import type { DataSource } from 'typeorm';

import { TaskOutboxPublisher } from './task-outbox.publisher.js';
import { TaskRepository } from './task.repository.js';
import { TASKS_MIGRATIONS } from './tasks.migrations.js';
import { compileProcesses } from './testing.js';
import { UserTaskProjection } from './user-task.projection.js';

const schema = uniqueSchema('tasks_outbox');
/** A topic of its own per test: each test's runtime reads it from the beginning. */
let topic: string;
let dataSource: DataSource;
let bus: KafkaMessageBus;
let processes: Record<string, ExecutableProcess>;
const subscriptions: MessageSubscription[] = [];
const publishers: TaskOutboxPublisher[] = [];

const connect = () => createPostgresDataSource({ url: postgresUrl, schema, migrations: TASKS_MIGRATIONS });

beforeAll(async () => {
  await requirePostgres();
  processes = await compileProcesses();
  dataSource = await connect();
  bus = await KafkaMessageBus.connect({ brokers: kafkaBrokers, clientId: 'tasks-outbox-test', logger: silentMessagingLogger });
}, 60_000);

afterEach(async () => {
  await Promise.all(publishers.splice(0).map((publisher) => publisher.stop()));
  await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
});

afterAll(async () => {
  await bus?.close();
  await dataSource?.destroy();
  await dropSchema(schema);
}, 60_000);

beforeEach(async () => {
  topic = testTopics().runtimeCommands;
  await bus.ensureTopics([{ topic, partitions: 3 }]);
  await dataSource.query('TRUNCATE user_tasks, task_process_instances, task_variable_scopes, task_outbox, projection_stream_checkpoints');
});

type Received = { readonly command: RuntimeCommandMessage; readonly message: ReceivedMessage };

/** What the runtime would read from the commands topic, from a group of its own. */
async function runtimeReads(): Promise<Collected<Received>> {
  const received = new Collected<Received>();
  subscriptions.push(
    await bus.subscribe<RuntimeCommandMessage>({
      topics: topic,
      groupId: `tasks-outbox-test.${randomUUID()}`,
      fromBeginning: true,
      decode: asJson(validateRuntimeCommand),
      handler: (command, message) => received.handler({ command, message }),
    }),
  );
  return received;
}

function publisher(options: { dataSource?: DataSource; bus?: FailingBus | KafkaMessageBus; batchSize?: number } = {}): TaskOutboxPublisher {
  const created = new TaskOutboxPublisher({
    dataSource: options.dataSource ?? dataSource,
    bus: options.bus ?? bus,
    topic,
    pollIntervalMs: 100,
    batchSize: options.batchSize ?? 100,
    retryDelayMs: 20,
    maxRetryDelayMs: 100,
  });
  publishers.push(created);
  return created;
}

/** Open tasks of new `approval` instances, projected from the engine's events. */
async function openTasks(count: number, source: DataSource = dataSource): Promise<{ taskId: string; processInstanceId: string }[]> {
  const runner = new StreamProjectionRunner(source, new UserTaskProjection());
  const opened: { taskId: string; processInstanceId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const instance = new EngineInstance(processes.approval);
    for (const envelope of instance.start({ groups: [], users: [], priority: 1 })) await runner.apply([envelope]);
    opened.push({ taskId: instance.userTask('approve').id, processInstanceId: instance.id });
  }
  return opened;
}

/** Completes the tasks as the API does: state change and outbox row in one commit; returns the command ids in order. */
async function complete(tasks: readonly { taskId: string }[], source: DataSource = dataSource): Promise<string[]> {
  const repository = new TaskRepository(source);
  const commandIds: string[] = [];
  for (const { taskId } of tasks) {
    const commandId = randomUUID();
    await repository.requestCompletion({ taskId, commandId, issuedBy: 'task-service', issuedAt: new Date(), variables: { approved: true } });
    commandIds.push(commandId);
  }
  return commandIds;
}

const pending = async (): Promise<number> => (await dataSource.query('SELECT count(*)::int AS count FROM task_outbox'))[0].count;

async function until(condition: () => boolean | Promise<boolean>, what: string, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Waited ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Kafka delivers a batch before the publisher's transaction deletes it: wait for the commit. */
const outboxEmptied = (): Promise<void> => until(async () => (await pending()) === 0, 'an empty outbox');
/** Runs a TypeScript program of the repository in a process of its own until it ends; its signal and output. */
function runToDeath(args: readonly string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', './tools/register.mjs', ...args], { env: { ...process.env, TRELLIS_POSTGRES_URL: postgresUrl } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const commandIdsOf = (received: readonly Received[]): string[] => received.map((item) => item.command.commandId);

describe('TaskOutboxPublisher on Kafka', () => {
  it('publishes committed completions in commit order, keyed by process instance, and empties the outbox', async () => {
    const tasks = await openTasks(5);
    const commandIds = await complete(tasks);
    const received = await runtimeReads();

    publisher({ batchSize: 2 }).start();
    await received.until((items) => items.length >= 5, '5 commands');

    const byKey = new Map(received.items.map((item) => [item.message.key, item]));
    for (const [index, { taskId, processInstanceId }] of tasks.entries()) {
      expect(byKey.get(processInstanceId)?.command).toEqual({
        type: 'CompleteUserTask',
        commandId: commandIds[index],
        processInstanceId,
        issuedBy: 'task-service',
        issuedAt: expect.any(String),
        userTaskId: taskId,
        variables: { approved: true },
      });
      expect(byKey.get(processInstanceId)?.message.headers).toMatchObject({ 'trellis-type': 'CompleteUserTask', 'trellis-command-id': commandIds[index] });
    }
    // One partition holds them in commit order; across partitions, each partition's share is in commit order.
    for (const partition of new Set(received.items.map((item) => item.message.partition))) {
      const inPartition = commandIdsOf(received.items.filter((item) => item.message.partition === partition));
      expect(inPartition).toEqual(commandIds.filter((id) => inPartition.includes(id)));
    }
    await outboxEmptied();
  });

  it('publishes, after a restart, a completion committed by a process killed before it could publish it', async () => {
    const [task] = await openTasks(1);
    const commandId = randomUUID();

    // A process commits the completion as the API does and is SIGKILLed right after the commit, before any publish.
    const crash = await runToDeath(['libs/tasks/src/outbox-crash.process.ts', schema, task.taskId, commandId]);
    expect(crash).toMatchObject({ signal: 'SIGKILL', stdout: 'committed\n' });
    expect(await pending()).toBe(1);
    expect(await new TaskRepository(dataSource).get(task.taskId)).toMatchObject({ state: 'COMPLETING', pendingCommandId: commandId });
    const received = await runtimeReads();

    // The service starts again: its publisher finds the command in the outbox.
    const restarted = await connect();
    publisher({ dataSource: restarted }).start();
    try {
      await received.until((items) => items.length >= 1, 'the command committed before the crash');
      expect(received.items.map((item) => [item.command.commandId, item.command.processInstanceId, item.command.type])).toEqual([
        [commandId, task.processInstanceId, 'CompleteUserTask'],
      ]);
      await outboxEmptied();
    } finally {
      await Promise.all(publishers.splice(0).map((started) => started.stop()));
      await restarted.destroy();
    }
    // A process of its own compiles the sources it runs first.
  }, 90_000);

  it('keeps the commands while Kafka refuses them, reports it, and publishes them once Kafka takes them again', async () => {
    const faulty = new FailingBus(bus);
    faulty.failNext(Number.MAX_SAFE_INTEGER, connectionRefused);
    const commandIds = await complete(await openTasks(2));
    const received = await runtimeReads();

    const started = publisher({ bus: faulty });
    started.start();
    await until(() => started.status().consecutiveFailures >= 3, 'three failed publishes');

    expect(started.status()).toMatchObject({ state: 'retrying', published: 0, lastError: { message: expect.stringContaining('ECONNREFUSED') } });
    expect(await pending()).toBe(2);

    faulty.failNext(0, connectionRefused);
    await received.until((items) => items.length >= 2, 'the commands once Kafka takes them');
    await outboxEmptied();

    expect(commandIdsOf(received.items).sort()).toEqual([...commandIds].sort());
    expect(started.status()).toMatchObject({ state: 'running', published: 2, consecutiveFailures: 0 });
  });

  it('publishes a batch again, with the same command ids, when the acknowledgement was lost after Kafka took it', async () => {
    const faulty = new FailingBus(bus);
    faulty.failNext(1, connectionRefused, { afterPublishing: true });
    const commandIds = await complete(await openTasks(2));
    const received = await runtimeReads();

    publisher({ bus: faulty }).start();
    await received.until((items) => items.length >= 4, 'the batch twice');

    // The runtime handles a command id once: the repeat changes nothing there.
    expect(commandIdsOf(received.items).sort()).toEqual([...commandIds, ...commandIds].sort());
    await outboxEmptied();
  });

  it('with two replicas publishing the same outbox, sends each command once', async () => {
    const commandIds = await complete(await openTasks(30));
    const received = await runtimeReads();

    publisher({ batchSize: 3 }).start();
    publisher({ batchSize: 3 }).start();
    await received.until((items) => items.length >= 30, '30 commands');
    await Promise.all(publishers.splice(0).map((started) => started.stop()));

    expect(commandIdsOf(received.items).sort()).toEqual([...commandIds].sort());
    await outboxEmptied();
  });

  it('publishes at once when woken after a commit, without waiting for the next poll', async () => {
    const started = new TaskOutboxPublisher({ dataSource, bus, topic, pollIntervalMs: 600_000, batchSize: 10 });
    publishers.push(started);
    started.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const received = await runtimeReads();

    const commandIds = await complete(await openTasks(1));
    started.wake();
    await received.until((items) => items.length >= 1, 'the woken command');

    expect(commandIdsOf(received.items)).toEqual(commandIds);
  });

  it('stops with its loop, and says so', async () => {
    const started = publisher();
    started.start();
    await started.stop();

    expect(started.status().state).toBe('stopped');
  });
});
