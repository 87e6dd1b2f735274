/**
 * bench:distributed — `shared/bench/one-task.bpmn` on the distributed mode (the five services as separate processes
 * on Postgres and Kafka, the gateway in front) and on the standalone server, one after the other in the same run, with
 * the same workload: `--concurrency` clients each start an instance over REST and wait until its job is done before
 * starting the next (a closed loop), and a worker does the jobs over the API (GET /api/jobs, POST
 * /api/jobs/{id}/complete, `--workers` completions in flight), for `--seconds` after `--warmup-seconds`. Measured:
 * instances/s and jobs/s completed in the window, start-to-end latency (from sending the start to the answer of the job
 * completion that ended the instance, for instances started in the window), consumer and relay lag sampled each second
 * from the services' /metrics, CPU (from /proc/<pid>/stat) and RSS (/proc/<pid>/status) of every service and of this
 * driver, and the machine's load average before and after (other work on the machine shows there). Progress on stderr; the last stdout line is the JSON result (bench/run-bench.ts prints and stores it).
 *
 * Options: --seconds (60), --warmup-seconds (5), --concurrency (32), --workers (32),
 *          --targets distributed,standalone,standalone-postgres (the last: the standalone server on the Postgres event store,
 *          which separates what the store costs from what the distribution costs)
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { dropSchema, postgresUrl } from '@trellis/persistence/testing';

import { ServiceProcess } from '../tools/distributed/service-process.js';
import { DistributedCluster } from '../tools/distributed/testing/distributed-cluster.js';
import { call, deploy, jobWorker, type OpenJob } from '../tools/distributed/testing/workload.js';
import { arg, latencySummary, type LatencySummary } from './bench-stats.js';

const seconds = Number(arg('seconds', '60'));
const warmupSeconds = Number(arg('warmup-seconds', '5'));
const concurrency = Number(arg('concurrency', '32'));
const workers = Number(arg('workers', '32'));
const targets = arg('targets', 'distributed,standalone,standalone-postgres').split(',');
const kafkaBrokers = (process.env['TRELLIS_KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');
const repositoryRoot = fileURLToPath(new URL('../', import.meta.url));
const oneTaskBpmn = readFileSync(new URL('../../shared/bench/one-task.bpmn', import.meta.url), 'utf8');
const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;

function progress(line: string): void {
  process.stderr.write(`bench:distributed: ${line}\n`);
}

/** CPU seconds (user + system) and resident memory of one process, from /proc. */
function processSample(pid: number): { cpuSeconds: number; rssBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number(fields[21]) * (PAGE_SIZE / 1024));
    return { cpuSeconds, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

/** Sum of a metric's samples in a Prometheus text answer. */
function metricSum(text: string, name: string): number | undefined {
  const lines = text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
  if (lines.length === 0) return undefined;
  return lines.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function lagOf(url: string): Promise<{ consumer?: number; relay?: number }> {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(2000) });
    const text = await response.text();
    const consumer = metricSum(text, 'trellis_kafka_consumer_lag_messages');
    const relay = metricSum(text, 'trellis_relay_lag_events');
    return { ...(consumer === undefined ? {} : { consumer }), ...(relay === undefined ? {} : { relay }) };
  } catch {
    return {};
  }
}

/** Sum and count of a histogram over all its series, from a Prometheus text answer. */
function histogramTotals(text: string, name: string): { sum: number; count: number } {
  return { sum: metricSum(text, `${name}_sum`) ?? 0, count: metricSum(text, `${name}_count`) ?? 0 };
}

async function metricsText(url: string): Promise<string> {
  try {
    const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
    return await response.text();
  } catch {
    return '';
  }
}

/** Mean of a histogram's observations between two scrapes, in ms; undefined when it observed nothing. */
function meanMsBetween(before: string, after: string, name: string): number | undefined {
  const start = histogramTotals(before, name);
  const end = histogramTotals(after, name);
  const count = end.count - start.count;
  return count > 0 ? ((end.sum - start.sum) / count) * 1000 : undefined;
}

export interface ServiceFigures {
  readonly service: string;
  /** CPU used in the measured window, in cores (1.0 = one core busy all the time). */
  readonly cpuCores: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  readonly consumerLag?: { readonly mean: number; readonly max: number };
  readonly relayLag?: { readonly mean: number; readonly max: number };
  /** Mean duration of its event store appends in the window (writers only), ms. */
  readonly appendMs?: number;
  /** Mean duration of the HTTP requests it answered in the window, ms. */
  readonly httpMs?: number;
}

export interface TargetResult {
  readonly target: string;
  readonly seconds: number;
  readonly instancesStarted: number;
  readonly instancesCompleted: number;
  readonly jobsCompleted: number;
  readonly instancesPerSecond: number;
  readonly jobsPerSecond: number;
  readonly startToEndMs: LatencySummary;
  /** Instances started in the window that had not ended when it closed. */
  readonly unfinished: number;
  readonly errors: { readonly starts: number; readonly worker: number };
  readonly services: readonly ServiceFigures[];
  /** The machine's 1-minute load average when the window opened and when it closed. */
  readonly loadAverage: { readonly before: number; readonly after: number };
}

interface Target {
  readonly name: string;
  readonly baseUrl: string;
  /** Processes to measure, by name. */
  pids(): Record<string, number>;
  /** Base URLs whose /metrics carry lag, by service name. */
  readonly metricsUrls: Record<string, string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function startDistributed(): Promise<Target> {
  const cluster = await DistributedCluster.start({ postgresUrl, kafkaBrokers: kafkaBrokers.map((broker) => broker.trim()) });
  const metricsUrls = Object.fromEntries(
    (['deployment-service', 'runtime-service', 'task-service', 'dmn-service', 'history-service'] as const).map((service) => [service, cluster.url(service)]),
  );
  return {
    name: 'distributed (5 services, Postgres store, Kafka)',
    baseUrl: cluster.gatewayUrl,
    pids: () => cluster.pids(),
    metricsUrls,
    stop: async () => {
      await cluster.stop();
      await cluster.deleteTopics();
      for (const schema of Object.values(cluster.schemas)) await dropSchema(schema);
    },
  };
}

async function startStandalone(store: 'embedded' | 'postgres'): Promise<Target> {
  const schema = `bench_standalone_${Date.now()}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'trellis-bench-standalone-'));
  const port = await freePort();
  const server = new ServiceProcess({
    name: 'standalone',
    main: 'apps/standalone/src/main.ts',
    cwd: repositoryRoot,
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !name.startsWith('TRELLIS_'))),
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
    name: store === 'postgres' ? 'standalone-postgres (one process, Postgres store, in-process bus)' : 'standalone (one process, embedded store, in-process bus)',
    baseUrl: server.url,
    pids: (): Record<string, number> => (server.pid === undefined ? {} : { standalone: server.pid }),
    metricsUrls: {},
    stop: async () => {
      await server.stop(15_000);
      await rm(dataDir, { recursive: true, force: true });
      if (store === 'postgres') await dropSchema(schema);
    },
  };
}

async function measure(target: Target): Promise<TargetResult> {
  await deploy(target.baseUrl, 'one-task.bpmn', oneTaskBpmn);
  const waiting = new Map<string, () => void>();
  const latencies: number[] = [];
  let measuring = false;
  let stopping = false;
  let started = 0;
  let completed = 0;
  let jobs = 0;
  let startErrors = 0;
  const inWindow = new Set<string>();

  const worker = jobWorker([target.baseUrl], 'work', workers, (job: OpenJob) => {
    if (measuring) jobs++;
    // The job's completion ended the instance (one-task.bpmn: start, the job, end).
    waiting.get(job.processInstanceId)?.();
  });

  // A closed loop: each of `concurrency` clients starts an instance, waits until a worker has done its job, and
  // starts the next; so the load follows what the platform completes and the latency stays that of one instance.
  const clients = Array.from({ length: concurrency }, async () => {
    while (!stopping) {
      const begin = Date.now();
      let id: string;
      try {
        const answer = await call<{ id: string }>('POST', `${target.baseUrl}/api/process-instances`, { processId: 'one-task', variables: { orderId: started } }, 10_000);
        if (answer.status !== 201) {
          startErrors++;
          continue;
        }
        id = answer.body.id;
      } catch {
        startErrors++;
        continue;
      }
      const counted = measuring;
      if (counted) {
        started++;
        inWindow.add(id);
      }
      const ended = await new Promise<boolean>((resolve) => {
        waiting.set(id, () => resolve(true));
        // An instance that does not end within 30 s is left (counted as unfinished) so that the client goes on.
        setTimeout(() => resolve(false), 30_000).unref();
      });
      waiting.delete(id);
      if (ended && measuring) {
        completed++;
        if (counted) {
          latencies.push(Date.now() - begin);
          inWindow.delete(id);
        }
      }
    }
  });

  progress(`${target.name}: ${warmupSeconds} s of warm-up`);
  await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
  const pids = target.pids();
  pids['driver (this process)'] = process.pid;
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processSample(pid)]));
  const peakRss: Record<string, number> = {};
  const consumerLag: Record<string, number[]> = {};
  const relayLag: Record<string, number[]> = {};
  const metricsBefore = Object.fromEntries(await Promise.all(Object.entries(target.metricsUrls).map(async ([name, url]) => [name, await metricsText(url)] as const)));
  const loadBefore = loadavg()[0];
  measuring = true;
  const windowStart = Date.now();
  progress(`${target.name}: measuring for ${seconds} s`);
  const sampler = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) {
      const sample = processSample(pid);
      if (sample !== undefined) peakRss[name] = Math.max(peakRss[name] ?? 0, sample.rssBytes);
    }
    for (const [name, url] of Object.entries(target.metricsUrls)) {
      void lagOf(url).then((lag) => {
        if (lag.consumer !== undefined) (consumerLag[name] ??= []).push(lag.consumer);
        if (lag.relay !== undefined) (relayLag[name] ??= []).push(lag.relay);
      });
    }
  }, 1000);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  measuring = false;
  const elapsed = (Date.now() - windowStart) / 1000;
  clearInterval(sampler);
  const loadAfter = loadavg()[0];
  const metricsAfter = Object.fromEntries(await Promise.all(Object.entries(target.metricsUrls).map(async ([name, url]) => [name, await metricsText(url)] as const)));
  const after = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processSample(pid)]));
  stopping = true;
  await Promise.all(clients);
  await worker.stop();

  const summary = (values: number[] | undefined) =>
    values === undefined || values.length === 0 ? undefined : { mean: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values) };
  const services: ServiceFigures[] = Object.keys(pids).map((name) => {
    const start = before[name];
    const end = after[name];
    const consumer = summary(consumerLag[name]);
    const relay = summary(relayLag[name]);
    const appendMs = metricsBefore[name] === undefined ? undefined : meanMsBetween(metricsBefore[name], metricsAfter[name] ?? '', 'trellis_event_store_append_duration_seconds');
    const httpMs = metricsBefore[name] === undefined ? undefined : meanMsBetween(metricsBefore[name], metricsAfter[name] ?? '', 'trellis_http_request_duration_seconds');
    return {
      ...(appendMs === undefined ? {} : { appendMs }),
      ...(httpMs === undefined ? {} : { httpMs }),
      service: name,
      cpuCores: start !== undefined && end !== undefined ? (end.cpuSeconds - start.cpuSeconds) / elapsed : 0,
      rssBytes: end?.rssBytes ?? 0,
      peakRssBytes: peakRss[name] ?? end?.rssBytes ?? 0,
      ...(consumer === undefined ? {} : { consumerLag: consumer }),
      ...(relay === undefined ? {} : { relayLag: relay }),
    };
  });
  return {
    target: target.name,
    seconds: elapsed,
    instancesStarted: started,
    instancesCompleted: completed,
    jobsCompleted: jobs,
    instancesPerSecond: completed / elapsed,
    jobsPerSecond: jobs / elapsed,
    startToEndMs: latencySummary(latencies),
    unfinished: inWindow.size,
    errors: { starts: startErrors, worker: worker.counts.errors },
    services,
    loadAverage: { before: loadBefore, after: loadAfter },
  };
}

const results: TargetResult[] = [];
for (const name of targets) {
  progress(`starting ${name}`);
  const target =
    name === 'distributed' ? await startDistributed() : name === 'standalone' ? await startStandalone('embedded') : name === 'standalone-postgres' ? await startStandalone('postgres') : undefined;
  if (target === undefined) throw new Error(`--targets: ${name} is none of distributed, standalone, standalone-postgres`);
  try {
    results.push(await measure(target));
  } finally {
    await target.stop();
  }
}
console.log(JSON.stringify({ seconds, warmupSeconds, concurrency, workers, model: 'shared/bench/one-task.bpmn', results }));
process.exit(0);
