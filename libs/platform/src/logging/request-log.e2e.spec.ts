// The request log as an operator reads it: a service in its own process, its stdout parsed line by line.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

const repository = fileURLToPath(new URL('../../../../', import.meta.url));
/** Starting the service compiles its sources through SWC first: seconds, not minutes. */
const DEADLINE_MS = 30_000;

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly req?: { readonly id: unknown; readonly method: string; readonly url: string };
  readonly res?: { readonly statusCode: number };
  readonly responseTime?: number;
}

interface Service {
  readonly process: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<void>;
}

function startService(level: string): Service {
  const child = spawn(process.execPath, ['--enable-source-maps', '--import', './tools/register.mjs', 'libs/platform/src/logging/request-log-test-service.process.ts'], {
    cwd: repository,
    // Exactly these variables: Jest's NODE_ENV=test would change the default level, the developer's TRELLIS_* more.
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', PORT: '0', TRELLIS_HOST: '127.0.0.1', TRELLIS_ENV: 'development', TRELLIS_LOG_LEVEL: level },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (lines: string[]) => {
    let partial = '';
    return (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    };
  };
  child.stdout.on('data', collect(stdout));
  child.stderr.on('data', collect(stderr));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { process: child, stdout, stderr, exited };
}

async function waitFor<T>(service: Service, find: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  let ended = false;
  void service.exited.then(() => (ended = true));
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (ended || Date.now() > deadline) {
      throw new Error(`${ended ? 'The service ended' : 'Timed out'} before ${what}.\nstdout:\n${service.stdout.join('\n')}\nstderr:\n${service.stderr.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(service: Service): Promise<void> {
  if (service.process.exitCode === null && service.process.signalCode === null) service.process.kill('SIGTERM');
  const timer = setTimeout(() => service.process.kill('SIGKILL'), DEADLINE_MS);
  try {
    await service.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends a 200, a 404 and a 500 to a service logging at `level`, then a request it gives up on before the answer, then
 * a last 404 whose line marks that the lines before it are written too; returns the request lines.
 */
async function requestLinesAt(level: string): Promise<LogLine[]> {
  const service = startService(level);
  try {
    const port = await waitFor(service, () => service.stdout.map((line) => /serving at http:\/\/localhost:(\d+) /.exec(line)?.[1]).find(Boolean), 'serving');
    const base = `http://127.0.0.1:${port}/api/things`;
    expect((await fetch(`${base}/ok`)).status).toBe(200);
    expect((await fetch(`${base}/missing`)).status).toBe(404);
    expect((await fetch(`${base}/broken`)).status).toBe(500);
    await expect(fetch(`${base}/slow`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    await waitFor(service, () => service.stdout.find((line) => line.includes('/api/things/slow')), 'the abandoned request was logged');
    expect((await fetch(`${base}/missing?last`)).status).toBe(404);
    await waitFor(service, () => service.stdout.find((line) => line.includes('/api/things/missing?last')), 'the last request was logged');
  } finally {
    await stop(service);
  }
  return service.stdout
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine)
    .filter((line) => line.msg.startsWith('request '));
}

describe('the request log', () => {
  it('at the default level (log), writes refused, failed and abandoned requests, not the successful ones', async () => {
    const lines = await requestLinesAt('log');
    expect(lines.map((line) => [line.level, line.msg, line.req?.url])).toEqual([
      [30, 'request completed', '/api/things/missing'],
      [50, 'request errored', '/api/things/broken'],
      [30, 'request aborted', '/api/things/slow'],
      [30, 'request completed', '/api/things/missing?last'],
    ]);
    expect(lines[0]).toEqual(
      expect.objectContaining({ msg: 'request completed', req: { id: expect.anything(), method: 'GET', url: '/api/things/missing' }, responseTime: expect.any(Number) }),
    );
    expect(lines[1]).toEqual(expect.objectContaining({ msg: 'request errored', req: { id: expect.anything(), method: 'GET', url: '/api/things/broken' } }));
    // The request ids count the requests of the process.
    expect(new Set(lines.map((line) => line.req?.id)).size).toBe(4);
  });

  it('at debug, writes every request, the successful ones at debug (20)', async () => {
    const lines = await requestLinesAt('debug');
    expect(lines.map((line) => [line.level, line.req?.url, line.res?.statusCode])).toEqual([
      [20, '/api/things/ok', 200],
      [30, '/api/things/missing', 404],
      [50, '/api/things/broken', 500],
      [30, '/api/things/slow', undefined],
      [30, '/api/things/missing?last', 404],
    ]);
  });
});
