/**
 * How fast the history projection applies envelopes through the `StreamProjectionRunner`, on Postgres: the workload
 * the distributed benchmark's history service sees (many order instances in flight, their events interleaved),
 * applied in batches as the consumer's group commit hands them over. Prints; asserts nothing.
 *
 *   node --import ./tools/register.mjs libs/history/src/history-batch-throughput.bench.ts [--events 20000] [--batch 500] [--rounds 3]
 *
 * Needs Postgres at TRELLIS_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test); works in a schema of its
 * own and drops it. `--per-event` runs the projection as it was before `handleBatch` (`PerEventHistoryProjection`: one
 * or two statements per event), for the comparison.
 */
import type { EventEnvelope } from '@trellis/contracts';
import { createPostgresDataSource, StreamProjectionRunner } from '@trellis/persistence';
import { dropSchema, postgresUrl, requirePostgres, uniqueSchema } from '@trellis/persistence/testing';
import { EngineDriver } from '@trellis/runtime/testing';

import { PerEventHistoryProjection } from './history-batch-reference.fixture.js';
import { historyEntities } from './history.entities.js';
import { historyMigrations } from './history.migrations.js';
import { HistoryProjection } from './history.projection.js';
import { orderBpmn } from './testing/history-models.js';

function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}

const targetEvents = Number(arg('events', '20000'));
const batchSize = Number(arg('batch', '500'));
const rounds = Number(arg('rounds', '3'));
const perEvent = process.argv.includes('--per-event');

/** Orders started 50 at a time, each charged and shipped: every instance's whole life, interleaved with 49 others. */
async function workload(): Promise<EventEnvelope[]> {
  const engine = new EngineDriver();
  await engine.deploy(orderBpmn, 'order.bpmn');
  let events = 0;
  while (events < targetEvents) {
    const ids: string[] = [];
    for (let index = 0; index < 50; index++) ids.push(await engine.start('order', { variables: { amount: index, customer: `c-${index}` } }));
    for (const [index, id] of ids.entries()) {
      if (index % 10 === 0) await engine.failJob(id, 'charge', 2, 'card declined');
      await engine.completeJob(id, 'charge', { charged: true });
    }
    for (const id of ids) await engine.completeUserTask(id, 'ship', { trackingNumber: `T-${id}` });
    events = (await engine.store.readAll()).length;
  }
  return (await engine.envelopes()).slice(0, targetEvents);
}

await requirePostgres();
const envelopes = await workload();
const schema = uniqueSchema('history_batch_bench');
const dataSource = await createPostgresDataSource({ url: postgresUrl, schema, entities: historyEntities, migrations: historyMigrations });
try {
  const logger = { warn: (message: string) => console.error(message) };
  const runner = new StreamProjectionRunner(dataSource, perEvent ? new PerEventHistoryProjection(logger) : new HistoryProjection(logger));
  const rates: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await runner.reset();
    const started = performance.now();
    // This process's CPU is what the history service spends (Postgres works in its own processes).
    const cpuBefore = process.cpuUsage();
    let applied = 0;
    for (let start = 0; start < envelopes.length; start += batchSize) applied += await runner.apply(envelopes.slice(start, start + batchSize));
    const seconds = (performance.now() - started) / 1000;
    const { user, system } = process.cpuUsage(cpuBefore);
    rates.push(applied / seconds);
    cpu.push((user + system) / 1000 / (applied / 1000));
    console.log(
      `round ${round + 1}: ${applied} events in ${seconds.toFixed(2)} s = ${Math.round(applied / seconds)} events/s, ` +
        `${cpu[cpu.length - 1].toFixed(1)} ms of this process's CPU per 1,000 events`,
    );
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log(
    JSON.stringify({
      mode: perEvent ? 'per-event statements (before)' : 'handleBatch',
      events: envelopes.length,
      batchSize,
      rounds,
      medianEventsPerSecond: Math.round(median(rates)),
      medianCpuMsPer1000Events: Number(median(cpu).toFixed(1)),
    }),
  );
} finally {
  await dataSource.destroy();
  await dropSchema(schema);
}
