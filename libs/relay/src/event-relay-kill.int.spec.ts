// Kill the relay at any point and start it again: every event arrives at least once, in order per key. The relay runs
// in a child process (kill-test-relay.process.ts) over the durable parts: the embedded event store in a temporary
// directory, the Kafka broker at TRELLIS_KAFKA_BROKERS and its checkpoint in Postgres at TRELLIS_POSTGRES_URL.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEPLOYMENTS_STREAM_ID, TOPICS } from '@trellis/contracts';
import { EmbeddedEventStore, type RecordedEvent } from '@trellis/event-store';
import type { KafkaMessageBus, MessageSubscription } from '@trellis/messaging';
import {
  type Received,
  RecordingLogger,
  connectKafka,
  consume,
  dropSchema,
  eventually,
  instanceEvents,
  orderPerKey,
  requirePostgres,
  storedCheckpoint,
  uniqueRun,
  uniqueSchema,
} from './relay-test-support.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const run = uniqueRun();
const schema = uniqueSchema('relay_kill');
const relayName = `kill-test-${run}`;
const topics = [TOPICS.processInstanceEvents, TOPICS.deployments].map((topic) => `trellis-test.${run}.${topic}`);
const groupId = `trellis-test.${run}.consumer`;
const directory = mkdtempSync(join(tmpdir(), 'trellis-relay-kill-'));
const INSTANCES = 60;
const EVENTS_PER_INSTANCE = 50;
const BATCH_SIZE = 20;
const KILLS = 4;

let bus: KafkaMessageBus;
let subscription: MessageSubscription | undefined;
let received: Received;
let events: RecordedEvent[] = [];
const children = new Set<ChildProcess>();

/** A relay process, with what it printed. */
class RelayProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcess;
  private stderr = '';
  private waiters: { readonly test: () => boolean; readonly resolve: () => void }[] = [];

  constructor() {
    this.child = spawn(process.execPath, ['--import', './tools/register.mjs', 'libs/relay/src/kill-test-relay.process.ts', directory, run, schema, String(BATCH_SIZE)], {
      cwd: repository,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(this.child);
    let partial = '';
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const text = partial + chunk;
      const complete = text.split('\n');
      partial = complete.pop() ?? '';
      this.lines.push(...complete);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test()) return true;
        waiter.resolve();
        return false;
      });
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        children.delete(this.child);
        resolve({ code, signal });
      }),
    );
  }

  get checkpoints(): number[] {
    return this.lines.filter((line) => line.startsWith('checkpoint ')).map((line) => Number(line.slice('checkpoint '.length)));
  }

  /** Resolves once `test()` holds for what it printed; fails after `deadlineMs`, or when the process ends first. */
  until(test: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new Error(`${why} before ${what}; it printed ${JSON.stringify(this.lines.slice(-5))}, stderr: ${this.stderr.slice(-2000)}`));
      };
      const timer = setTimeout(() => fail(`Waited ${deadlineMs} ms`), deadlineMs);
      void this.exited.then(({ code, signal }) => fail(`The relay process ended (code ${code}, signal ${signal})`));
      this.waiters.push({
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

const randomInt = (low: number, high: number): number => low + Math.floor(Math.random() * (high - low + 1));

beforeAll(async () => {
  await requirePostgres();
  bus = await connectKafka(new RecordingLogger());
  await bus.ensureTopics([
    { topic: topics[0] as string, partitions: 6 },
    { topic: topics[1] as string, partitions: 1 },
  ]);
  // Everything is appended before the first relay starts: the store is the truth the consumer is compared with.
  const store = await EmbeddedEventStore.open(directory);
  try {
    await Promise.all(
      Array.from({ length: INSTANCES }, async (_, instance) => {
        for (let from = 0; from < EVENTS_PER_INSTANCE; from += 10) {
          await store.appendToStream(`process-instance-${run}-${instance}`, instanceEvents(10, from), { expectedRevision: from === 0 ? 'no_stream' : from - 1 });
        }
      }),
    );
    await store.appendToStream(
      DEPLOYMENTS_STREAM_ID,
      Array.from({ length: 5 }, (_, i) => ({ id: randomUUID(), type: 'DeploymentCreated', data: { n: i } })),
      { expectedRevision: 'no_stream' },
    );
    events = await store.readAll();
  } finally {
    await store.close();
  }
  ({ received, subscription } = await consume(bus, topics, groupId));
}, 60_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await subscription?.close();
  try {
    await bus?.deleteGroups([groupId]);
    await bus?.deleteTopics(topics);
  } finally {
    await bus?.close();
    await dropSchema(schema);
    rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

describe('EventRelay killed at random moments', () => {
  it('delivers every event at least once, in order per key, and ends with its checkpoint at the head of the store', async () => {
    const head = events[events.length - 1]?.position as number;
    const killedAt: { readonly signal: NodeJS.Signals | null; readonly checkpoint: number }[] = [];

    for (let kill = 0; kill < KILLS; kill++) {
      const relay = new RelayProcess();
      await relay.until(() => relay.lines.includes('ready'), 'it was ready');
      // The first kill lands anywhere from startup to the first batches; the others after a few checkpoints of this run.
      if (kill === 0) await new Promise((resolve) => setTimeout(resolve, randomInt(0, 300)));
      else {
        const checkpoints = randomInt(1, 6);
        await relay.until(() => relay.checkpoints.length >= checkpoints, `${checkpoints} checkpoints`);
        await new Promise((resolve) => setTimeout(resolve, randomInt(0, 15)));
      }
      relay.kill('SIGKILL');
      const { signal } = await relay.exited;
      killedAt.push({ signal, checkpoint: (await storedCheckpoint(schema, relayName)) ?? 0 });
    }

    const last = new RelayProcess();
    await last.until(() => last.lines.includes('ready'), 'it was ready');
    await received.untilAll(
      events.map((event) => event.id),
      30_000,
    );
    await eventually(async () => (await storedCheckpoint(schema, relayName)) === head, `checkpoint ${head}`, 30_000);
    last.kill('SIGTERM');
    const ended = await last.exited;

    expect(killedAt.map((kill) => kill.signal)).toEqual(Array(KILLS).fill('SIGKILL'));
    // Killed mid-stream: after some events were checkpointed and before all were.
    for (const kill of killedAt.slice(1)) {
      expect(kill.checkpoint).toBeGreaterThan(0);
      expect(kill.checkpoint).toBeLessThan(head);
    }
    expect(killedAt.map((kill) => kill.checkpoint)).toEqual([...killedAt.map((kill) => kill.checkpoint)].sort((a, b) => a - b));

    expect(received.eventIds).toEqual(new Set(events.map((event) => event.id)));
    const order = orderPerKey(received.envelopes);
    expect(order.violations).toEqual([]);
    expect(order.lastRevisions.size).toBe(INSTANCES + 1);
    // Within a partition, each start from an older checkpoint goes back once: redelivery of a suffix, nothing else.
    const backwardsPerPartition = new Map<string, number>();
    const lastPosition = new Map<string, number>();
    received.envelopes.forEach((envelope, i) => {
      const message = received.messages[i];
      const partition = `${message?.topic}/${message?.partition}`;
      if (envelope.position < (lastPosition.get(partition) ?? 0)) backwardsPerPartition.set(partition, (backwardsPerPartition.get(partition) ?? 0) + 1);
      lastPosition.set(partition, envelope.position);
    });
    for (const backwards of backwardsPerPartition.values()) expect(backwards).toBeLessThanOrEqual(KILLS);

    expect(ended).toEqual({ code: 0, signal: null });
    expect(last.lines).toContain(`stopped ${head}`);
    expect(await storedCheckpoint(schema, relayName)).toBe(head);
  }, 90_000);
});
