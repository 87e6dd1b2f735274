/**
 * External tasks over the native API (`/api/external-tasks`), `shared/bench/one-task.bpmn` (one service task with
 * `camunda:type="external"`, topic `work`), on the standalone server (embedded store, and the Postgres event store) and
 * on the distributed mode (the five services, the gateway in front). Per target:
 *
 * 1. warm-up: `--warmup` instances started and done, untimed (JIT, caches);
 * 2. throughput: `--tasks` instances started over the API (`--starters` at a time, timed apart), so that that many
 *    tasks wait; then `--workers` workers (each its own workerId) fetch and lock `--max-tasks` at a time with long
 *    polling and complete every task they got (all of one fetch at once), until every task is done. Tasks/s is the
 *    tasks completed over the time from the first fetch to the last completion's answer; fetch-to-complete latency is
 *    from the fetch's answer (the task is locked) to the answer of its completion (acknowledged);
 * 3. long-poll answer latency: the workers hold their fetches (`asyncResponseTimeout` 30 s); one instance at a time is
 *    started (`--samples` of them) and the time from the start's answer (the task exists: the start command created
 *    it) to the held fetch's answer with that task is taken; also from sending the start.
 *
 * The server's CPU (from /proc) in the throughput phase and the machine's load average are reported beside: the machine
 * is shared, and figures move with what else runs. `--profile <dir>` records a CPU profile of each standalone server over
 * its throughput phase (a `.cpuprofile` file there, see bench/external-tasks.server.ts). Progress on stderr; the last stdout line is the JSON result (bench/run-bench.ts prints
 * and stores it).
 *
 * Options: --tasks (5000), --warmup (1000), --workers (4), --max-tasks (50), --samples (200), --starters (32),
 *          --targets standalone,standalone-postgres,distributed, --profile <dir>
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { dropSchema, postgresUrl } from '@trellis/persistence/testing';

import { ServiceProcess } from '../tools/distributed/service-process.js';
import { DistributedCluster } from '../tools/distributed/testing/distributed-cluster.js';
import { call, deploy, eachLimited, startInstance } from '../tools/distributed/testing/workload.js';
import { arg, latencySummary, type LatencySummary } from './bench-stats.js';

const tasks = Number(arg('tasks', '5000'));
const warmup = Number(arg('warmup', '1000'));
const workers = Number(arg('workers', '4'));
const maxTasks = Number(arg('max-tasks', '50'));
const samples = Number(arg('samples', '200'));
const starters = Number(arg('starters', '32'));
const targets = arg('targets', 'standalone,standalone-postgres,distributed').split(',');
const profileDir = arg('profile', '');
const kafkaBrokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));
const oneTaskBpmn = readFileSync(new URL('../../shared/bench/one-task.bpmn', import.meta.url), 'utf8');
const TOPIC = 'work';
const LOCK_DURATION_MS = 600_000;
const CLOCK_TICKS = 100;

function progress(line: string): void {
  process.stderr.write(`bench:external-tasks: ${line}\n`);
}

/** CPU seconds (user + system) of one process, from /proc. */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

interface LockedTask {
  readonly id: string;
  readonly processInstanceId: string;
}

export interface ExternalTaskTargetResult {
  readonly target: string;
  readonly tasks: number;
  readonly workers: number;
  readonly maxTasks: number;
  /** Instances started per second while the tasks were created (before the workers ran). */
  readonly startsPerSecond: number;
  readonly seconds: number;
  readonly tasksPerSecond: number;
  readonly fetches: number;
  /** Mean tasks per fetch answer that had any. */
  readonly meanTasksPerFetch: number;
  readonly fetchToCompleteMs: LatencySummary;
  /** From the start's answer to the held fetch's answer with the task. */
  readonly longPollMs: LatencySummary;
  /** From sending the start to the held fetch's answer with the task. */
  readonly startToFetchMs: LatencySummary;
  readonly errors: number;
  /** CPU of the target's processes over the throughput phase, in cores (1.00: one core busy throughout). */
  readonly cpuCores: Record<string, number>;
  /**
   * CPU the target's processes (the driver aside) spent per task done in the throughput phase, ms: what other work on
   * a shared machine changes least, so what to compare between runs and versions.
   */
  readonly serverCpuMsPerTask: number;
  readonly loadAverage: { readonly before: number; readonly after: number };
}

interface Target {
  readonly name: string;
  readonly baseUrl: string;
  pids(): Record<string, number>;
  /** Starts, then stops and writes the server's CPU profile (`--profile`, standalone servers only). */
  toggleProfile(): void;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

async function startDistributed(): Promise<Target> {
  const cluster = await DistributedCluster.start({ postgresUrl, kafkaBrokers: kafkaBrokers.map((broker) => broker.trim()) });
  return {
    name: 'distributed (5 services, Postgres store and locks, Kafka, gateway)',
    baseUrl: cluster.gatewayUrl,
    pids: () => cluster.pids(),
    toggleProfile: () => undefined,
    stop: async () => {
      await cluster.stop();
      await cluster.deleteTopics();
      for (const schema of Object.values(cluster.schemas)) await dropSchema(schema);
    },
  };
}

async function startStandalone(store: 'embedded' | 'postgres'): Promise<Target> {
  const schema = `bench_external_tasks_${Date.now()}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'trellis-bench-external-tasks-'));
  const port = await freePort();
  const server = new ServiceProcess({
    name: 'standalone',
    main: 'bench/external-tasks.server.ts',
    cwd: repositoryRoot,
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !name.startsWith('TRELLIS_'))),
      ...(profileDir === '' ? {} : { BENCH_CPU_PROFILE: join(resolve(profileDir), `standalone-${store}-${Date.now()}.cpuprofile`) }),
      PORT: String(port),
      TRELLIS_HOST: '127.0.0.1',
      TRELLIS_ENV: 'test',
      TRELLIS_LOG_LEVEL: 'warn',
      TRELLIS_DATA_DIR: dataDir,
      ...(store === 'postgres' ? { TRELLIS_EVENT_STORE: 'postgres', TRELLIS_EVENT_STORE_SCHEMA: schema, TRELLIS_POSTGRES_URL: postgresUrl } : {}),
    },
    url: `http://127.0.0.1:${port}`,
    output: () => undefined,
  });
  server.start();
  try {
    await server.waitReady(120_000);
  } catch (error) {
    await server.stop(5000);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${server.lastLines().join('\n')}`);
  }
  return {
    name: store === 'postgres' ? 'standalone-postgres (Postgres event store, locks in memory)' : 'standalone (embedded store, locks in memory)',
    baseUrl: server.url,
    pids: (): Record<string, number> => (server.pid === undefined ? {} : { standalone: server.pid }),
    toggleProfile: () => {
      if (profileDir !== '') server.signal('SIGUSR2');
    },
    stop: async () => {
      await server.stop(60_000);
      await rm(dataDir, { recursive: true, force: true });
      if (store === 'postgres') await dropSchema(schema);
    },
  };
}

function fetchAndLock(baseUrl: string, workerId: string, asyncResponseTimeout: number, signal?: AbortSignal): Promise<LockedTask[]> {
  return fetch(`${baseUrl}/api/external-tasks/fetch-and-lock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workerId, maxTasks, asyncResponseTimeout, topics: [{ topicName: TOPIC, lockDuration: LOCK_DURATION_MS }] }),
    ...(signal === undefined ? {} : { signal }),
  }).then(async (response) => {
    const text = await response.text();
    if (response.status !== 200) throw new Error(`fetch-and-lock: HTTP ${response.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as LockedTask[];
  });
}

async function completeTask(baseUrl: string, workerId: string, taskId: string): Promise<void> {
  const answer = await call('POST', `${baseUrl}/api/external-tasks/${taskId}/complete`, { workerId }, 30_000);
  if (answer.status !== 200) throw new Error(`complete ${taskId}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
}

/** Starts `count` instances, `starters` at a time; resolves with the starts per second. */
async function startMany(baseUrl: string, count: number): Promise<number> {
  const t0 = performance.now();
  await eachLimited(
    Array.from({ length: count }, (_, i) => i),
    starters,
    async (i) => {
      await startInstance(baseUrl, 'one-task', { orderId: i });
    },
  );
  return count / ((performance.now() - t0) / 1000);
}

/** Workers fetch and complete until `count` tasks are done. */
async function drain(
  baseUrl: string,
  count: number,
  latencies?: number[],
): Promise<{ fetches: number; nonEmptyFetches: number; locked: number; errors: number; lastCompletedAt: number }> {
  let completed = 0;
  let lastCompletedAt = performance.now();
  let fetches = 0;
  let nonEmptyFetches = 0;
  let locked = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const workerId = `bench-worker-${w}`;
      while (completed < count) {
        let batch: LockedTask[];
        try {
          // Long polling: a fetch that finds nothing waits for a task, at most 1 s (then the loop looks at the count).
          batch = await fetchAndLock(baseUrl, workerId, 1000);
        } catch {
          errors++;
          continue;
        }
        fetches++;
        if (batch.length === 0) continue;
        nonEmptyFetches++;
        locked += batch.length;
        const lockedAt = performance.now();
        await Promise.all(
          batch.map(async (task) => {
            try {
              await completeTask(baseUrl, workerId, task.id);
              lastCompletedAt = performance.now();
              latencies?.push(lastCompletedAt - lockedAt);
              completed++;
            } catch {
              errors++;
            }
          }),
        );
      }
    }),
  );
  return { fetches, nonEmptyFetches, locked, errors, lastCompletedAt };
}

/** Held fetches answered with one new task each: `samples` times, one instance at a time. */
async function longPoll(baseUrl: string): Promise<{ afterStart: number[]; fromSend: number[]; errors: number }> {
  const afterStart: number[] = [];
  const fromSend: number[] = [];
  let errors = 0;
  const arrived = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const held = new Set<number>();
  let stopping = false;
  const stop = new AbortController();
  const loops = Array.from({ length: workers }, async (_, w) => {
    const workerId = `bench-poller-${w}`;
    while (!stopping) {
      let batch: LockedTask[];
      held.add(w);
      try {
        batch = await fetchAndLock(baseUrl, workerId, 30_000, stop.signal);
      } catch {
        if (!stopping) errors++;
        continue;
      } finally {
        held.delete(w);
      }
      const at = performance.now();
      for (const task of batch) {
        const waiter = waiters.get(task.processInstanceId);
        if (waiter === undefined) arrived.set(task.processInstanceId, at);
        else waiter(at);
      }
      await Promise.all(batch.map((task) => completeTask(baseUrl, workerId, task.id).catch(() => errors++)));
    }
  });
  for (let i = 0; i < samples; i++) {
    // Every worker's fetch is on its way and (after a moment to arrive) held by the server before the task appears.
    while (held.size < workers) await new Promise((done) => setTimeout(done, 1));
    await new Promise((done) => setTimeout(done, 20));
    const sent = performance.now();
    const started = await startInstance(baseUrl, 'one-task', { orderId: i });
    const answered = performance.now();
    const fetchedAt =
      arrived.get(started.id) ??
      (await new Promise<number>((done) => {
        waiters.set(started.id, done);
      }));
    waiters.delete(started.id);
    arrived.delete(started.id);
    afterStart.push(fetchedAt - answered);
    fromSend.push(fetchedAt - sent);
  }
  stopping = true;
  stop.abort();
  await Promise.all(loops);
  return { afterStart, fromSend, errors };
}

async function measure(target: Target): Promise<ExternalTaskTargetResult> {
  await deploy(target.baseUrl, 'one-task.bpmn', oneTaskBpmn);
  if (warmup > 0) {
    progress(`${target.name}: warm-up, ${warmup} instances`);
    await startMany(target.baseUrl, warmup);
    await drain(target.baseUrl, warmup);
  }
  progress(`${target.name}: starting ${tasks} instances`);
  const startsPerSecond = await startMany(target.baseUrl, tasks);
  const pids = target.pids();
  pids['driver (this process)'] = process.pid;
  const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const loadBefore = loadavg()[0];
  progress(`${target.name}: ${workers} workers fetching ${maxTasks} at a time`);
  const latencies: number[] = [];
  target.toggleProfile();
  const t0 = performance.now();
  const drained = await drain(target.baseUrl, tasks, latencies);
  target.toggleProfile();
  // Up to the last completion's answer: the workers' last fetches, held until their timeout, are no work.
  const seconds = (drained.lastCompletedAt - t0) / 1000;
  const loadAfter = loadavg()[0];
  const cpuCores = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => {
      const before = cpuBefore[name];
      const after = cpuSeconds(pid);
      return [name, before === undefined || after === undefined ? 0 : (after - before) / seconds];
    }),
  );
  progress(`${target.name}: ${samples} long-poll samples`);
  const polled = await longPoll(target.baseUrl);
  return {
    target: target.name,
    tasks,
    workers,
    maxTasks,
    startsPerSecond,
    seconds,
    tasksPerSecond: latencies.length / seconds,
    fetches: drained.fetches,
    meanTasksPerFetch: drained.nonEmptyFetches === 0 ? 0 : drained.locked / drained.nonEmptyFetches,
    fetchToCompleteMs: latencySummary(latencies),
    longPollMs: latencySummary(polled.afterStart),
    startToFetchMs: latencySummary(polled.fromSend),
    errors: drained.errors + polled.errors,
    cpuCores,
    serverCpuMsPerTask:
      latencies.length === 0
        ? 0
        : (Object.entries(cpuCores)
            .filter(([name]) => !name.startsWith('driver'))
            .reduce((sum, [, cores]) => sum + cores, 0) *
            seconds *
            1000) /
          latencies.length,
    loadAverage: { before: loadBefore, after: loadAfter },
  };
}

const results: ExternalTaskTargetResult[] = [];
for (const name of targets) {
  progress(`starting ${name}`);
  const target =
    name === 'distributed' ? await startDistributed() : name === 'standalone' ? await startStandalone('embedded') : name === 'standalone-postgres' ? await startStandalone('postgres') : undefined;
  if (target === undefined) throw new Error(`--targets: ${name} is none of standalone, standalone-postgres, distributed`);
  try {
    results.push(await measure(target));
  } finally {
    await target.stop();
  }
}
console.log(JSON.stringify({ model: 'shared/bench/one-task.bpmn', tasks, warmup, workers, maxTasks, samples, starters, results }));
process.exit(0);
