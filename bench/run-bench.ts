/**
 * `npm run bench`: the straight-through model on (a) Trellis on the in-memory store, (b) Trellis on the
 * embedded durable store, (c) bpmn-engine, side by side; then the parked user-task benchmark; the Postgres event
 * store's appends beside pgbench; the relay to Kafka (catch-up throughput, append-to-consumer latency).
 * Each variant runs in a child process so that its peak RSS is its own. Prints tables, writes JSON to bench/results/.
 *
 * Options: --n <instances> (default 3000), --warmup <untimed instances first> (default 1000), --concurrency <in-flight instances for Trellis> (default 32),
 *          --parked <instances for the user-task benchmark> (default 10000),
 *          --seconds <per Postgres case, and the measured window of each live relay run> (default 5),
 *          --events <events stored before the relay's catch-up> (default 50000), --instances <their streams> (default 1000),
 *          --batch-sizes <relay batch sizes timed> (default 100,500,2000),
 *          --rate <events/s appended while the relay is live; comma-separated for several runs> (default 100,500),
 *          --warmup-seconds <untimed start of each live relay run> (default 2),
 *          --stores <event stores under the relay: postgres, embedded, memory> (default all three),
 *          --evaluations <timed evaluations per decision for --only decisions> (default 20000), --tck-runs (default 1),
 *          --only straight-through|user-task|postgres|relay|external-tasks|decisions|distributed
 * `--only external-tasks` (also part of the default run): 4 workers fetching 50 at a time over /api/external-tasks on the
 * standalone server (embedded and Postgres stores) and the distributed mode, see bench/external-tasks.bench.ts
 * (--tasks 5000, --warmup 1000, --workers 4, --max-tasks 50, --samples 200, --targets standalone,standalone-postgres,distributed,
 * --profile <dir>: cpu profiles of the standalone servers).
 * `--only distributed` (npm run bench:distributed; not part of the default run, it takes minutes and needs Postgres and
 * Kafka): one-task.bpmn over REST on the five services and on the standalone server, see bench/distributed.bench.ts
 * `--only decisions`: DMN decision evaluations/s (a generated 50-rule table with FIRST, COLLECT and COLLECT SUM, the
 * TCK model 0004-lending) and the time of a full TCK run, see bench/decisions.bench.ts.
 * (--seconds there defaults to 60; --warmup-seconds 5, --concurrency 32 clients in a closed loop, --workers 32, --targets distributed,standalone,standalone-postgres).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { arg, mb, printTable, writeResult, type VariantResult } from './bench-stats.js';
import type { DecisionsBenchResult } from './decisions.bench.js';

const n = arg('n', '3000');
const warmup = arg('warmup', '1000');
const concurrency = arg('concurrency', '32');
const parked = arg('parked', '10000');
const only = arg('only', 'all');
const seconds = arg('seconds', '5');
const relayEvents = arg('events', '50000');
const relayInstances = arg('instances', '1000');
const batchSizes = arg('batch-sizes', '100,500,2000');
const rates = arg('rate', '100,500');
const warmupSeconds = arg('warmup-seconds', '2');
const relayStores = arg('stores', 'postgres,embedded,memory').split(',');

function runNode(script: string, args: string[]): string {
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', './tools/register.mjs', script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1];
}

const machine = { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem() };

if (only === 'all' || only === 'straight-through') {
  const variants: [string, string, string[]][] = [
    ['(a) trellis, in-memory store', 'memory', ['--concurrency', concurrency]],
    ['(b) trellis, embedded durable store', 'embedded', ['--concurrency', concurrency]],
    ['(c) bpmn-engine 25', 'bpmn-engine', []],
  ];
  const results: (VariantResult & { label: string })[] = [];
  for (const [label, variant, extra] of variants) {
    console.error(`running ${label} ...`);
    const r = JSON.parse(runNode('bench/straight-through.variant.ts', ['--variant', variant, '--n', n, '--warmup', warmup, ...extra])) as VariantResult;
    results.push({ ...r, label });
  }
  const baseline = results[2].instances / results[2].seconds;
  console.log(`\nstraight-through.bpmn, ${n} instances each`);
  printTable(
    ['variant', 'in flight', 'instances/s', 'p50 ms', 'p99 ms', 'peak RSS', 'x bpmn-engine'],
    results.map((r) => {
      const rate = r.instances / r.seconds;
      return [r.label, String(r.concurrency), rate.toFixed(0), r.latenciesMs.p50.toFixed(2), r.latenciesMs.p99.toFixed(2), mb(r.peakRssBytes), (rate / baseline).toFixed(1)];
    }),
  );
  const file = writeResult('straight-through', {
    machine,
    model: 'shared/bench/straight-through.bpmn',
    results: results.map((r) => ({ ...r, instancesPerSecond: r.instances / r.seconds, ratioToBpmnEngine: r.instances / r.seconds / baseline })),
  });
  console.log(`written ${file}\n`);
}

if (only === 'all' || only === 'user-task') {
  console.error('running the parked user-task benchmark ...');
  const r = JSON.parse(runNode('bench/user-task-restart.bench.ts', ['--n', parked])) as Record<string, number>;
  console.log(`user-task.bpmn: ${parked} instances parked on the embedded store, store restarted, all completed`);
  printTable(
    ['measure', 'value'],
    [
      ['start rate (instances/s)', r.startRate.toFixed(0)],
      ['RSS while parked', mb(r.rssParkedBytes)],
      ['serving again after restart (s)', r.restartSeconds.toFixed(2)],
      ['completion rate (tasks/s)', r.completionRate.toFixed(0)],
      ['instances completed', String(r.completed)],
    ],
  );
  const file = writeResult('user-task-restart', { machine, model: 'shared/bench/user-task.bpmn', ...r });
  console.log(`written ${file}`);
}

if (only === 'all' || only === 'postgres') {
  console.error('running the Postgres event store appends against pgbench ...');
  const r = JSON.parse(runNode('bench/postgres-appends.bench.ts', ['--seconds', seconds])) as {
    rows: { writers: number; eventsPerAppend: number; appendsPerSecond: number; eventsPerSecond: number; pgbenchInsertsPerSecond: number; ratioToPgbench: number }[];
  };
  console.log(`\nPostgres event store appends (new stream each), ${seconds} s per case, beside pgbench single-row inserts on the same server`);
  printTable(
    ['writers', 'events/append', 'appends/s', 'events/s', 'pgbench inserts/s', 'appends / pgbench'],
    r.rows.map((row) => [String(row.writers), String(row.eventsPerAppend), row.appendsPerSecond.toFixed(0), row.eventsPerSecond.toFixed(0), row.pgbenchInsertsPerSecond.toFixed(0), row.ratioToPgbench.toFixed(2)]),
  );
  const file = writeResult('postgres-appends', { machine, ...r });
  console.log(`written ${file}`);
}

if (only === 'all' || only === 'relay') {
  interface Summary {
    p50: number;
    p95: number;
    p99: number;
    max: number;
  }
  interface RelayResult {
    store: string;
    events: number;
    instances: number;
    partitions: number;
    loadAverage: { before: number; after: number };
    throughput: { batchSize: number; events: number; seconds: number; eventsPerSecond: number }[];
    latency: { rate: number; achievedRate: number; measured: number; duplicates: number; failedAppends: number; appendMs: Summary; appendToConsumerMs: Summary; appendToProducerMs: Summary; producerToConsumerMs: Summary }[];
  }
  const results: RelayResult[] = [];
  for (const store of relayStores) {
    console.error(`running the relay to Kafka on the ${store} event store ...`);
    const args = ['--store', store, '--events', relayEvents, '--instances', relayInstances, '--batch-sizes', batchSizes, '--rate', rates, '--seconds', seconds, '--warmup-seconds', warmupSeconds];
    results.push(JSON.parse(runNode('bench/relay.bench.ts', args)) as RelayResult);
  }
  const first = results[0];
  if (first !== undefined) {
    console.log(`\nload average (1 min) before and after each store's run: ${results.map((r) => `${r.store} ${r.loadAverage.before.toFixed(1)} → ${r.loadAverage.after.toFixed(1)}`).join(', ')}`);
    console.log(`relay to Kafka, catching up on ${first.events} stored events over ${first.instances} instances (${first.partitions} partitions), from position 0 until its checkpoint is at the head`);
    printTable(
      ['store', 'batch size', 'events/s', 'seconds'],
      results.flatMap((r) => r.throughput.map((row) => [r.store, String(row.batchSize), row.eventsPerSecond.toFixed(0), row.seconds.toFixed(2)])),
    );
    console.log(`\nrelay live: one-event appends at a steady rate, latency from the append's start to a Kafka consumer's receipt, ${seconds} s after ${warmupSeconds} s of warm-up`);
    const ms = (value: number): string => value.toFixed(1);
    printTable(
      ['store', 'events/s', 'achieved', 'append p50', 'append p99', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'events', 'failed appends'],
      results.flatMap((r) =>
        r.latency.map((row) => [
          r.store,
          String(row.rate),
          row.achievedRate.toFixed(0),
          ms(row.appendMs.p50),
          ms(row.appendMs.p99),
          ms(row.appendToConsumerMs.p50),
          ms(row.appendToConsumerMs.p95),
          ms(row.appendToConsumerMs.p99),
          ms(row.appendToConsumerMs.max),
          String(row.measured),
          String(row.failedAppends),
        ]),
      ),
    );
    console.log(`\nthe same latency cut at the relay's producer (the message's Kafka timestamp, whole ms)`);
    printTable(
      ['store', 'events/s', 'append→producer p50', 'p99', 'producer→consumer p50', 'p99'],
      results.flatMap((r) =>
        r.latency.map((row) => [r.store, String(row.rate), ms(row.appendToProducerMs.p50), ms(row.appendToProducerMs.p99), ms(row.producerToConsumerMs.p50), ms(row.producerToConsumerMs.p99)]),
      ),
    );
  }
  const file = writeResult('relay', { machine, results });
  console.log(`written ${file}`);
}

if (only === 'all' || only === 'external-tasks') {
  interface ExternalTasksResult {
    tasks: number;
    workers: number;
    maxTasks: number;
    samples: number;
    results: {
      target: string;
      startsPerSecond: number;
      tasksPerSecond: number;
      meanTasksPerFetch: number;
      fetchToCompleteMs: { p50: number; p99: number };
      longPollMs: { p50: number; p99: number };
      startToFetchMs: { p50: number; p99: number };
      errors: number;
      cpuCores: Record<string, number>;
      serverCpuMsPerTask: number;
      loadAverage: { before: number; after: number };
    }[];
  }
  const externalArgs: string[] = [];
  for (const option of ['tasks', 'warmup', 'workers', 'max-tasks', 'samples', 'starters', 'targets', 'profile']) {
    const value = arg(option, '');
    if (value !== '') externalArgs.push(`--${option}`, value);
  }
  console.error('running external tasks: workers fetching and completing over /api/external-tasks ...');
  const r = JSON.parse(runNode('bench/external-tasks.bench.ts', externalArgs)) as ExternalTasksResult;
  console.log(`\nexternal tasks (one-task.bpmn): ${r.tasks} waiting tasks done by ${r.workers} workers fetching ${r.maxTasks} at a time (long polling); ${r.samples} long-poll samples`);
  console.log(`load average (1 min) before and after each throughput phase: ${r.results.map((t) => `${t.target.split(' ')[0]} ${t.loadAverage.before.toFixed(1)} → ${t.loadAverage.after.toFixed(1)}`).join(', ')}`);
  const ms = (value: number): string => value.toFixed(1);
  printTable(
    ['target', 'tasks/s', 'lock→complete p50 ms', 'p99 ms', 'long poll p50 ms', 'p99 ms', 'start sent→fetch p50 ms', 'p99 ms', 'tasks/fetch', 'starts/s', 'server CPU', 'CPU ms/task', 'errors'],
    r.results.map((t) => [
      t.target.split(' ')[0],
      t.tasksPerSecond.toFixed(0),
      ms(t.fetchToCompleteMs.p50),
      ms(t.fetchToCompleteMs.p99),
      ms(t.longPollMs.p50),
      ms(t.longPollMs.p99),
      ms(t.startToFetchMs.p50),
      ms(t.startToFetchMs.p99),
      t.meanTasksPerFetch.toFixed(1),
      t.startsPerSecond.toFixed(0),
      Object.entries(t.cpuCores)
        .filter(([name]) => !name.startsWith('driver'))
        .reduce((sum, [, cores]) => sum + cores, 0)
        .toFixed(2),
      t.serverCpuMsPerTask.toFixed(2),
      String(t.errors),
    ]),
  );
  const file = writeResult('external-tasks', { machine, ...r });
  console.log(`written ${file}`);
}

if (only === 'all' || only === 'decisions') {
  console.error('running the DMN decision evaluations and the TCK ...');
  const decisionArgs = ['--evaluations', arg('evaluations', '20000'), '--warmup', arg('warmup', '2000'), '--tck-runs', arg('tck-runs', '1')];
  const tckRoot = arg('tck-root', '');
  if (tckRoot !== '') decisionArgs.push('--tck-root', tckRoot);
  const r = JSON.parse(runNode('bench/decisions.bench.ts', decisionArgs)) as DecisionsBenchResult;
  console.log(`\nDMN decisions: compiled once, ${r.evaluations} evaluations each after ${r.warmup} untimed, one at a time`);
  printTable(['model', 'compile ms'], r.compile.map((c) => [c.model, c.ms.toFixed(1)]));
  console.log('');
  const us = (value: number): string => value.toFixed(0);
  printTable(
    ['decision', 'evaluations/s', 'p50 µs', 'p99 µs', 'max µs', 'rules matched', 'warnings'],
    r.rows.map((row) => [row.name, row.evaluationsPerSecond.toFixed(0), us(row.latencyUs.p50), us(row.latencyUs.p99), us(row.latencyUs.max), row.meanMatchedRules.toFixed(2), String(row.warnings)]),
  );
  if (r.tck) {
    console.log(`\nfull DMN TCK run (${r.tck.levels.join(', ')}), through runTck: reads, compiles and evaluates every test folder`);
    printTable(
      ['cases', 'passed', 'seconds (each run)', 'cases/s (best)'],
      [[String(r.tck.cases), String(r.tck.casesPassed), r.tck.seconds.map((s) => s.toFixed(2)).join(', '), r.tck.casesPerSecond.toFixed(0)]],
    );
  }
  const file = writeResult('decisions', { machine, ...r });
  console.log(`written ${file}`);
}

if (only === 'distributed') {
  interface Lag {
    mean: number;
    max: number;
  }
  interface DistributedResult {
    seconds: number;
    concurrency: number;
    workers: number;
    results: {
      target: string;
      seconds: number;
      instancesStarted: number;
      instancesCompleted: number;
      jobsCompleted: number;
      instancesPerSecond: number;
      jobsPerSecond: number;
      startToEndMs: { count: number; p50: number; p95: number; p99: number; max: number };
      unfinished: number;
      errors: { starts: number; worker: number };
      services: { service: string; cpuCores: number; rssBytes: number; peakRssBytes: number; consumerLag?: Lag; relayLag?: Lag; appendMs?: number; httpMs?: number }[];
      loadAverage: { before: number; after: number };
    }[];
  }
  const distributedArgs = ['--seconds', arg('seconds', '60')];
  for (const option of ['warmup-seconds', 'concurrency', 'workers', 'targets']) {
    const value = arg(option, '');
    if (value !== '') distributedArgs.push(`--${option}`, value);
  }
  console.error('running one-task.bpmn on the distributed mode and on the standalone server ...');
  const r = JSON.parse(runNode('bench/distributed.bench.ts', distributedArgs)) as DistributedResult;
  console.log(`\none-task.bpmn over REST, ${r.concurrency} clients in a closed loop and ${r.workers} job completions in flight, ${r.seconds} s measured (target: >= 300 instances/s, p99 < 500 ms)`);
  console.log(`load average (1 min) when each window opened and closed: ${r.results.map((t) => `${t.target.split(' ')[0]} ${t.loadAverage.before.toFixed(1)} → ${t.loadAverage.after.toFixed(1)}`).join(', ')}`);
  printTable(
    ['target', 'instances/s', 'jobs/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'started', 'unfinished', 'errors'],
    r.results.map((t) => [
      t.target,
      t.instancesPerSecond.toFixed(0),
      t.jobsPerSecond.toFixed(0),
      t.startToEndMs.p50.toFixed(0),
      t.startToEndMs.p95.toFixed(0),
      t.startToEndMs.p99.toFixed(0),
      t.startToEndMs.max.toFixed(0),
      String(t.instancesStarted),
      String(t.unfinished),
      String(t.errors.starts + t.errors.worker),
    ]),
  );
  console.log('\nper process in the measured window (CPU in cores: 1.00 = one core busy throughout; lag sampled each second, mean / max; mean event store append and HTTP request durations from its /metrics)');
  const lag = (value: Lag | undefined): string => (value === undefined ? '-' : `${value.mean.toFixed(0)} / ${value.max.toFixed(0)}`);
  printTable(
    ['target', 'process', 'CPU cores', 'RSS', 'peak RSS', 'consumer lag', 'relay lag', 'append ms', 'HTTP ms'],
    r.results.flatMap((t) =>
      t.services.map((s) => [
        t.target.split(' ')[0],
        s.service,
        s.cpuCores.toFixed(2),
        mb(s.rssBytes),
        mb(s.peakRssBytes),
        lag(s.consumerLag),
        lag(s.relayLag),
        s.appendMs === undefined ? '-' : s.appendMs.toFixed(1),
        s.httpMs === undefined ? '-' : s.httpMs.toFixed(1),
      ]),
    ),
  );
  const file = writeResult('distributed', { machine, ...r });
  console.log(`written ${file}`);
}
