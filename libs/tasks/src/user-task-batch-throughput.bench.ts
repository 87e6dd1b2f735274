/**
 * How fast the user-task projection applies envelopes through the `StreamProjectionRunner`, on Postgres: instances
 * of the task models (`userTaskWorkload`: every life a task can have, 50 instances in flight, their events interleaved),
 * applied in batches as the task-service's consumer hands them over. Prints; asserts nothing.
 *
 *   node --import ./tools/register.mjs libs/tasks/src/user-task-batch-throughput.bench.ts [--events 20000] [--batch 500] [--rounds 3]
 *
 * Needs Postgres at TRELLIS_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); works in a schema of its
 * own and drops it. `--per-event` makes the runner call `handle` once per event (as it does for a projection without
 * `handleBatch`).
 */
import { createPostgresDataSource, type StreamProjection, StreamProjectionRunner } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';

import { TASKS_MIGRATIONS } from './tasks.migrations.js';
import { envelopesOf, userTaskWorkload, workloadProcesses } from './user-task-batch-workload.js';
import { UserTaskProjection } from './user-task.projection.js';

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

const targetEvents = Number(arg('events', '20000'));
const batchSize = Number(arg('batch', '500'));
const rounds = Number(arg('rounds', '3'));
const perEvent = process.argv.includes('--per-event');

const processes = await workloadProcesses();
let instances = 400;
let envelopes = envelopesOf(userTaskWorkload(processes, instances, 50));
while (envelopes.length < targetEvents) {
  instances = Math.ceil((instances * targetEvents) / envelopes.length) + 50;
  envelopes = envelopesOf(userTaskWorkload(processes, instances, 50));
}
// Each stream's events stay a prefix of its life: the runner sees no gap.
envelopes = envelopes.slice(0, targetEvents);

await requirePostgres();
const schema = uniqueSchema('tasks_batch_bench');
const dataSource = await createPostgresDataSource({ url: postgresUrl, schema, migrations: TASKS_MIGRATIONS });
try {
  const tasks = new UserTaskProjection();
  const projection: StreamProjection = perEvent ? { name: tasks.name, handle: (event, manager) => tasks.handle(event, manager), reset: (manager) => tasks.reset(manager) } : tasks;
  const runner = new StreamProjectionRunner(dataSource, projection);
  const rates: number[] = [];
  const cpuPerEvent: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await runner.reset();
    const started = performance.now();
    const cpu = process.cpuUsage();
    let applied = 0;
    for (let start = 0; start < envelopes.length; start += batchSize) applied += await runner.apply(envelopes.slice(start, start + batchSize));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    rates.push(applied / seconds);
    cpuPerEvent.push((used.user + used.system) / applied);
    console.log(
      `round ${round + 1}: ${applied} events in ${seconds.toFixed(2)} s = ${Math.round(applied / seconds)} events/s, ` +
        `${cpuPerEvent[round].toFixed(1)} µs of this process's CPU per event`,
    );
  }
  const [{ count }]: { count: number }[] = await dataSource.query('SELECT count(*)::int AS count FROM user_tasks');
  const sorted = [...rates].sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      mode: perEvent ? 'handle per event' : 'handleBatch',
      events: envelopes.length,
      tasks: count,
      batchSize,
      rounds,
      medianEventsPerSecond: Math.round(sorted[Math.floor(sorted.length / 2)]),
      // The client's CPU (statement submission, JSON, the projection's own work): what the task-service spends.
      medianClientCpuMicrosPerEvent: Number([...cpuPerEvent].sort((a, b) => a - b)[Math.floor(cpuPerEvent.length / 2)].toFixed(1)),
    }),
  );
} finally {
  await dataSource.destroy();
  await dropSchema(schema);
}
