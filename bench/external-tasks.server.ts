/**
 * The standalone server as bench/external-tasks.bench.ts runs it: `createStandaloneApp` on the process's environment
 * (the same settings as `apps/standalone/src/main.ts`), which on SIGTERM closes the application and exits. With
 * `BENCH_CPU_PROFILE=<file>` (the bench's `--profile`) it records a CPU profile from when it serves until it is
 * stopped, through the inspector: Node 20 refuses `--cpu-prof` in NODE_OPTIONS, and the service launcher takes no Node
 * flags. Open the file in Chrome DevTools (Performance) or any `.cpuprofile` viewer.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

import { createStandaloneApp } from '../apps/standalone/src/create-standalone-app.js';

const profileFile = process.env['BENCH_CPU_PROFILE'];
const app = await createStandaloneApp({ env: process.env });
await app.listen(Number(process.env['PORT'] ?? '8080'), process.env['TRELLIS_HOST'] ?? '127.0.0.1');

let session: Session | undefined;
if (profileFile !== undefined && profileFile !== '') {
  session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}

let closing = false;
async function stop(): Promise<void> {
  if (session !== undefined && profileFile !== undefined) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(profileFile, JSON.stringify(profile));
    session.disconnect();
  }
  await app.close();
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void stop().finally(() => process.exit(0));
  });
}
