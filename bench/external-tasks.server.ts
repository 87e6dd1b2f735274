/**
 * The standalone server as bench/external-tasks.bench.ts runs it: `createStandaloneApp` on the process's environment
 * (the same settings as `apps/standalone/src/main.ts`), which on SIGTERM closes the application and exits. With
 * `BENCH_CPU_PROFILE=<file>` (the bench's `--profile`) it records a CPU profile through the inspector (Node 20 refuses
 * `--cpu-prof` in NODE_OPTIONS, and the service launcher takes no Node flags) between two SIGUSR2 (the bench sends them
 * around its throughput phase), or from the first until it is stopped. Open the file in Chrome DevTools (Performance)
 * or any `.cpuprofile` viewer.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

import { createStandaloneApp } from '../apps/standalone/src/create-standalone-app.js';

const profileFile = process.env['BENCH_CPU_PROFILE'];
const app = await createStandaloneApp({ env: process.env });
await app.listen(Number(process.env['PORT'] ?? '8080'), process.env['TRELLIS_HOST'] ?? '127.0.0.1');

let session: Session | undefined;
async function startProfile(): Promise<void> {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
async function writeProfile(): Promise<void> {
  if (session === undefined || profileFile === undefined) return;
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profileFile, JSON.stringify(profile));
  session.disconnect();
  session = undefined;
}
if (profileFile !== undefined && profileFile !== '') {
  let toggles = 0;
  process.on('SIGUSR2', () => {
    toggles++;
    void (toggles === 1 ? startProfile() : toggles === 2 ? writeProfile() : Promise.resolve());
  });
}

let closing = false;
async function stop(): Promise<void> {
  await writeProfile();
  await app.close();
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void stop().finally(() => process.exit(0));
  });
}
