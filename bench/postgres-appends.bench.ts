/**
 * Appends/s to the Postgres event store with 1 and 16 concurrent writers, single-event and 10-event batches, side by
 * side with pgbench inserting single rows into a plain table on the same server in the same run.
 * Prints a table and one JSON line at the end (read by run-bench.ts). Needs TRELLIS_POSTGRES_URL's server and pgbench.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '@trellis/event-store';
import pg from 'pg';
import { arg } from './bench-stats.js';

const url = process.env['TRELLIS_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const seconds = Number(arg('seconds', '5'));
const schema = `bench_${randomBytes(4).toString('hex')}`;

interface Row {
  writers: number;
  eventsPerAppend: number;
  appendsPerSecond: number;
  eventsPerSecond: number;
  pgbenchInsertsPerSecond: number;
  ratioToPgbench: number;
}

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** pgbench transactions/s for one single-row INSERT per transaction, with `clients` connections. */
function pgbench(clients: number, script: string): number {
  const out = execFileSync('pgbench', ['-n', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds), '-f', script, url], { encoding: 'utf8' });
  const match = /tps = ([\d.]+)/.exec(out);
  if (!match) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(match[1]);
}

async function appendsPerSecond(store: PostgresEventStore, writers: number, eventsPerAppend: number): Promise<number> {
  const payload = { elementId: 'task', elementInstanceId: randomUUID(), amount: 42 };
  let appends = 0;
  const deadline = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < deadline) {
        const events = Array.from({ length: eventsPerAppend }, () => ({ id: randomUUID(), type: 'ElementActivated', data: payload, metadata: { schemaVersion: 1 } }));
        await store.appendToStream(`process-instance-${randomUUID()}`, events, { expectedRevision: 'no_stream' });
        appends++;
      }
    }),
  );
  return appends / ((performance.now() - t0) / 1000);
}

const dir = mkdtempSync(join(tmpdir(), 'trellis-pgbench-'));
const script = join(dir, 'insert.sql');
writeFileSync(script, `INSERT INTO ${schema}.pgbench_rows (v) VALUES (1);\n`);
const store = await PostgresEventStore.open({ connectionString: url, schema, poolMax: 20 });
const rows: Row[] = [];
try {
  await sql(`CREATE TABLE ${schema}.pgbench_rows (id bigserial PRIMARY KEY, v int NOT NULL)`);
  const pgbenchRate = new Map<number, number>();
  for (const writers of [1, 16]) {
    pgbenchRate.set(writers, pgbench(writers, script));
    for (const eventsPerAppend of [1, 10]) {
      const rate = await appendsPerSecond(store, writers, eventsPerAppend);
      const inserts = pgbenchRate.get(writers) as number;
      rows.push({ writers, eventsPerAppend, appendsPerSecond: rate, eventsPerSecond: rate * eventsPerAppend, pgbenchInsertsPerSecond: inserts, ratioToPgbench: rate / inserts });
    }
  }
} finally {
  await store.close();
  await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ seconds, rows }));
