// The server as `npm start` runs it: a child process reading its environment, refusing a bad configuration before it
// opens anything, and logging JSON lines (requests without headers or bodies).
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';
import { EventStoreOpenError } from '@trellis/platform';

import { ConfigurationError } from './configuration.js';
import { createStandaloneApp } from './create-standalone-app.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
/** Starting the server compiles its sources through SWC first: seconds, not minutes. */
const STARTUP_DEADLINE_MS = 30_000;

interface Server {
  readonly process: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/** `npm start` with exactly these variables (and PATH/HOME), so the developer's environment does not leak in. */
function startServer(env: Readonly<Record<string, string>>): Server {
  const child = spawn(process.execPath, ['--enable-source-maps', '--import', './tools/register.mjs', 'apps/standalone/src/main.ts'], {
    cwd: repository,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { process: child, stdout, stderr, exited };
}

/** Resolves with the result of `find` on the output once it has one; fails at the deadline or if the process ends first. */
async function waitFor<T>(server: Server, find: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  let ended = false;
  void server.exited.then(() => (ended = true));
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (ended || Date.now() > deadline) {
      throw new Error(`${ended ? 'The server ended' : 'Timed out'} before ${what}.\nstdout:\n${server.stdout.join('\n')}\nstderr:\n${server.stderr.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Ends the child within the deadline whatever happens, so that Jest never waits on it. */
async function stop(server: Server): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGTERM');
  const timer = setTimeout(() => server.process.kill('SIGKILL'), STARTUP_DEADLINE_MS);
  try {
    return await server.exited;
  } finally {
    clearTimeout(timer);
  }
}

describe('an invalid configuration', () => {
  it('stops `npm start` with exit code 1, naming every bad variable and its rule, without a stack trace', async () => {
    const server = startServer({
      TRELLIS_ENV: 'production',
      PORT: 'eighty',
      TRELLIS_EVENT_STORE: 'postgres',
      TRELLIS_POSTGRES_POOL_MAX: '0',
      TRELLIS_CORS_ORIGINS: '*',
      // Not read by the standalone server (its modules talk in process), so not its problem.
      TRELLIS_KAFKA_BROKERS: 'kafka-1',
    });
    const { code } = await stop(await waitFor(server, () => (server.process.exitCode !== null ? server : undefined), 'exiting'));
    expect(code).toBe(1);
    expect(server.stderr.join('\n')).toBe(
      [
        'Invalid configuration:',
        '  - PORT="eighty": expected a whole number from 0 to 65535',
        '  - TRELLIS_CORS_ORIGINS="*": no wildcard (*) in production',
        '  - TRELLIS_POSTGRES_POOL_MAX="0": expected a whole number from 1 to 1000',
        'See docs/configuration.md.',
      ].join('\n'),
    );
    expect(server.stdout.join('')).toBe('');
  });

  it('is refused by createStandaloneApp before anything opens, with every problem', async () => {
    const attempt = createStandaloneApp({ env: { PORT: '-1', TRELLIS_LOG_LEVEL: 'chatty', TRELLIS_HEALTH_CHECK_TIMEOUT_MS: '0' } });
    await expect(attempt).rejects.toBeInstanceOf(ConfigurationError);
    await expect(attempt).rejects.toEqual(
      expect.objectContaining({
        problems: [
          'PORT="-1": expected a whole number from 0 to 65535',
          'TRELLIS_LOG_LEVEL="chatty": expected one of fatal, error, warn, log, debug, verbose, silent',
          'TRELLIS_HEALTH_CHECK_TIMEOUT_MS="0": expected a whole number from 1 to 60000 (milliseconds)',
        ],
      }),
    );
  });

  it('includes a wildcard or missing CORS origin list in production', async () => {
    await expect(createStandaloneApp({ env: { TRELLIS_ENV: 'production', TRELLIS_CORS_ORIGINS: '*' }, eventStore: 'memory' })).rejects.toThrow(
      'TRELLIS_CORS_ORIGINS="*": no wildcard (*) in production',
    );
    await expect(createStandaloneApp({ env: { NODE_ENV: 'production' }, eventStore: 'memory' })).rejects.toThrow(
      'TRELLIS_CORS_ORIGINS is not set: required in production',
    );
  });
});

/** A loopback port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('an event store that cannot be reached', () => {
  it('stops `npm start` with exit code 1, naming the eventstoredb store and its address without credentials', async () => {
    const port = await closedPort();
    const server = startServer({
      PORT: '0',
      TRELLIS_EVENT_STORE: 'eventstoredb',
      TRELLIS_EVENTSTORE_URL: `esdb://admin:changeit@127.0.0.1:${port}?tls=false`,
      TRELLIS_LOG_LEVEL: 'silent',
    });
    const { code } = await stop(await waitFor(server, () => (server.process.exitCode !== null ? server : undefined), 'exiting'));
    expect(code).toBe(1);
    const stderr = server.stderr.join('\n');
    expect(stderr).toMatch(
      new RegExp(
        `^Trellis could not start: The event store eventstoredb at esdb://127\\.0\\.0\\.1:${port}\\?tls=false cannot be opened: ` +
          `EventStoreDB at 127\\.0\\.0\\.1:${port} cannot be reached`,
      ),
    );
    expect(stderr).not.toContain('changeit');
  });

  it('fails createStandaloneApp on a Postgres server that is not there, naming it', async () => {
    const port = await closedPort();
    const attempt = createStandaloneApp({
      env: { TRELLIS_EVENT_STORE: 'postgres', TRELLIS_POSTGRES_URL: `postgres://trellis:secret@127.0.0.1:${port}/trellis`, TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS: '2000' },
      logger: false,
    });
    await expect(attempt).rejects.toBeInstanceOf(EventStoreOpenError);
    await expect(attempt).rejects.toThrow(`The event store postgres at postgres://127.0.0.1:${port}/trellis, schema trellis_events cannot be opened: `);
  });
});

describe('`npm start` with a valid configuration', () => {
  it('serves, logs JSON lines with one line per request and no body, and stops cleanly on SIGTERM', async () => {
    const server = startServer({
      TRELLIS_ENV: 'development',
      PORT: '0',
      TRELLIS_HOST: '127.0.0.1',
      TRELLIS_EVENT_STORE: 'memory',
      TRELLIS_LOG_LEVEL: 'log',
      TRELLIS_CORS_ORIGIN: 'https://tasks.example.com',
    });
    try {
      const port = await waitFor(server, () => server.stdout.map((line) => /serving at http:\/\/localhost:(\d+) /.exec(line)?.[1]).find(Boolean), 'serving');
      const base = `http://127.0.0.1:${port}`;
      const secret = 'customer-secret-7f3a';
      const answer = await fetch(`${base}/api/process-instances`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer token-secret-9c1e' },
        body: JSON.stringify({ processId: 'missing-process', variables: { customer: secret } }),
      });
      expect(answer.status).toBe(404);
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const requestLine = await waitFor(server, () => server.stdout.find((line) => line.includes('"request completed"')), 'the request was logged');

      expect(JSON.parse(requestLine)).toEqual(
        expect.objectContaining({
          level: 30,
          name: 'trellis-standalone',
          msg: 'request completed',
          req: { id: expect.anything(), method: 'POST', url: '/api/process-instances' },
          res: { statusCode: 404 },
          responseTime: expect.any(Number),
        }),
      );
      const warning = server.stdout.map((line) => JSON.parse(line) as { level: number; msg: string }).find((entry) => entry.level === 40);
      expect(warning?.msg).toBe('TRELLIS_CORS_ORIGIN is not a Trellis setting and is ignored (did you mean TRELLIS_CORS_ORIGINS?)');
    } finally {
      const { code, signal } = await stop(server);
      // Nest closes the application, then ends the process with the signal it received.
      expect(signal === 'SIGTERM' || code === 0).toBe(true);
    }
    const lines = server.stdout.filter((line) => line.trim() !== '');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const text = lines.join('\n');
    expect(text).not.toContain('customer-secret-7f3a');
    expect(text).not.toContain('token-secret-9c1e');
    const entries = lines.map((line) => JSON.parse(line) as { msg: string; req?: { url: string } });
    // Probes come every few seconds: they are not logged.
    expect(entries.filter((entry) => entry.msg === 'request completed').map((entry) => entry.req?.url)).toEqual(['/api/process-instances']);
    expect(entries.map((entry) => entry.msg).slice(-3)).toContain('Event store closed');
    expect(server.stderr.join('')).toBe('');
  });
});
