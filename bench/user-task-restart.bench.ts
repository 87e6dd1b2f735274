/**
 * Parks N instances of shared/bench/user-task.bpmn at their user task on the embedded durable store, through the
 * standalone server's REST API; closes the server; starts a new one on the same directory; completes every task.
 * Prints one JSON line: start rate, RSS while parked, time until the restarted server serves, completion rate.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createStandaloneApp } from '../apps/standalone/src/create-standalone-app.js';
import { arg } from './bench-stats.js';

const n = Number(arg('n', '10000'));
const concurrency = Number(arg('concurrency', '32'));
const dataDir = mkdtempSync(join(tmpdir(), 'trellis-bench-parked-'));

async function serve(): Promise<{ app: INestApplication; base: string }> {
  const app = await createStandaloneApp({ eventStore: 'embedded', dataDir, logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') + '/api' };
}

async function call(method: string, url: string, body?: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

async function inParallel(count: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await work(next++);
  }));
}

try {
  let { app, base } = await serve();
  const form = new FormData();
  form.append('resources', new Blob([readFileSync('../shared/bench/user-task.bpmn')]), 'user-task.bpmn');
  const deployed = await fetch(`${base}/deployments`, { method: 'POST', body: form });
  if (!deployed.ok) throw new Error(`deployment failed: ${await deployed.text()}`);

  let t0 = performance.now();
  await inParallel(n, async () => {
    await call('POST', `${base}/process-instances`, { processId: 'user-task', variables: { amount: 1 } });
  });
  const startRate = n / ((performance.now() - t0) / 1000);
  (globalThis as { gc?: () => void }).gc?.();
  const rssParkedBytes = process.memoryUsage().rss;

  await app.close();
  t0 = performance.now();
  ({ app, base } = await serve());
  const restartSeconds = (performance.now() - t0) / 1000;

  t0 = performance.now();
  let completed = 0;
  for (;;) {
    const tasks = (await call('GET', `${base}/user-tasks?state=CREATED&limit=1000`)) as { id: string }[];
    if (tasks.length === 0) break;
    await inParallel(tasks.length, async (i) => {
      await call('POST', `${base}/user-tasks/${tasks[i].id}/complete`, { variables: { approved: true } });
      completed++;
    });
  }
  const completionRate = completed / ((performance.now() - t0) / 1000);
  const finished = (await call('GET', `${base}/process-instances?state=COMPLETED&limit=1`)) as { total: number };
  await app.close();
  if (finished.total !== n) throw new Error(`expected ${n} completed instances, found ${finished.total}`);
  console.log(JSON.stringify({ instances: n, concurrency, startRate, rssParkedBytes, restartSeconds, completionRate, completed }));
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
