/**
 * A throwaway PostgreSQL server of a test's own: a fresh cluster (`initdb`) in a temporary directory, on a free port of
 * 127.0.0.1, which the test may shut down, crash and start again without disturbing the machine's shared server that
 * every other suite uses. Reliability tests use it to restart the database under a running workload.
 *
 * Postgres refuses to run as root: when the test runs as root, `initdb` and `pg_ctl` run as the `postgres` OS user
 * (`runuser -u postgres --`), which owns the directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** How `pg_ctl stop` ends the server: `fast` rolls back open transactions and checkpoints; `immediate` is a crash (recovery at the next start). */
export type PostgresShutdownMode = 'smart' | 'fast' | 'immediate';

export interface PrivatePostgresOptions {
  /** Extra server settings (`-c name=value`), added to the defaults below. */
  readonly settings?: Readonly<Record<string, string | number>>;
  /** How long `pg_ctl start` and `stop` may wait (default 60 s). */
  readonly timeoutSeconds?: number;
}

export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: trust authentication, the same port across restarts. */
  readonly url: string;
  readonly port: number;
  /** The cluster's data directory (its server log is `<dir>/server.log`, one level up). */
  readonly dataDir: string;
  /** Stops the server with `mode` (default `fast`), waits `downMs` (default 0) while it is down, and starts it again. */
  restart(options?: { readonly mode?: PostgresShutdownMode; readonly downMs?: number }): Promise<void>;
  /** Stops the server with `mode` (default `fast`), keeping its data; `start()` brings it back. */
  shutdown(mode?: PostgresShutdownMode): Promise<void>;
  /** Starts the stopped (or killed) server on the same port and data, waiting until it accepts connections. */
  start(): Promise<void>;
  /** SIGKILLs the postmaster: no shutdown at all, its backends die on their own; `start()` then runs crash recovery. */
  kill(): Promise<void>;
  /** Ends the server (immediately) and deletes its directory. Idempotent; call it in `afterAll`. */
  stop(): Promise<void>;
  /** The last lines of the server's log, for failure messages. */
  logTail(lines?: number): Promise<string>;
}

const DEFAULT_SETTINGS: Readonly<Record<string, string | number>> = {
  listen_addresses: '127.0.0.1',
  max_connections: 100,
  shared_buffers: '32MB',
  // Commits are still written to the OS at commit (synchronous_commit stays on), so a crash of the server process
  // loses nothing acknowledged; only an OS crash would, which these tests do not simulate.
  fsync: 'off',
  full_page_writes: 'off',
  log_min_messages: 'warning',
  log_connections: 'off',
};

/** Where `initdb`, `pg_ctl` and `postgres` are: `TRELLIS_POSTGRES_BIN`, else the newest `/usr/lib/postgresql/<major>/bin`. */
export function postgresBinDir(): string | undefined {
  const configured = process.env['TRELLIS_POSTGRES_BIN'];
  if (configured) return existsSync(join(configured, 'pg_ctl')) ? configured : undefined;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(root, name, 'bin', 'initdb')) && existsSync(join(root, name, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], 'bin');
}

/**
 * Creates and starts a private cluster. Fails (never skips) when the server's binaries are missing, saying how to get
 * them; the suite that calls it fails the same way with or without CI=true.
 */
export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) {
    throw new Error(
      'A private PostgreSQL server needs initdb and pg_ctl (looked in TRELLIS_POSTGRES_BIN and /usr/lib/postgresql/<major>/bin): ' +
        'install the server package (on Debian: `apt-get install postgresql`), or set TRELLIS_POSTGRES_BIN to the directory holding them.',
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'trellis-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const timeoutSeconds = options.timeoutSeconds ?? 60;
  if (asRoot) {
    const ids = await run('id', ['-u', 'postgres'], { asPostgres: false, cwd: dir }).catch(() => undefined);
    const gid = await run('id', ['-g', 'postgres'], { asPostgres: false, cwd: dir }).catch(() => undefined);
    if (ids === undefined || gid === undefined) {
      await rm(dir, { recursive: true, force: true });
      throw new Error('Running as root, a private PostgreSQL server needs the `postgres` OS user to run as (Postgres refuses root)');
    }
    await chown(dir, Number(ids.trim()), Number(gid.trim()));
  }
  const exec = (program: string, args: readonly string[]): Promise<string> => run(join(bin, program), args, { asPostgres: asRoot, cwd: dir });

  let port = 0;
  let stopped = false;
  const settings = { ...DEFAULT_SETTINGS, ...options.settings, unix_socket_directories: dir };

  const startServer = async (): Promise<void> => {
    const serverOptions = [`-p ${port}`, ...Object.entries(settings).map(([name, value]) => `-c ${name}=${String(value)}`)].join(' ');
    // -w: returns once the server accepts connections (after crash recovery, if any).
    await exec('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', String(timeoutSeconds), '-o', serverOptions]);
  };

  const postmasterPid = async (): Promise<number | undefined> => {
    const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
    const pid = Number(text?.split('\n')[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  };

  // A test run that ends without `stop()` (a crash, Ctrl-C) must not leave a server behind: SIGQUIT is an immediate
  // shutdown, sent synchronously as the process exits.
  let knownPid: number | undefined;
  const onExit = (): void => {
    if (knownPid !== undefined && !stopped) {
      try {
        process.kill(knownPid, 'SIGQUIT');
      } catch {
        // Already gone.
      }
    }
  };
  process.once('exit', onExit);

  try {
    // The superuser is called postgres whoever runs the server, so the URL is the same everywhere.
    await exec('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // A free port, taken from the kernel and released just before the server binds it: another process could take it
    // in between, so a start that fails is tried again on a new port (the server's log says why it failed).
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await startServer();
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    knownPid = await postmasterPid();
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    process.removeListener('exit', onExit);
    await rm(dir, { recursive: true, force: true });
    throw new Error(`The private PostgreSQL server did not start: ${error instanceof Error ? error.message : String(error)}\n${log.split('\n').slice(-20).join('\n')}`);
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const shutdown = async (mode: PostgresShutdownMode = 'fast'): Promise<void> => {
    await exec('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w', '-t', String(timeoutSeconds)]);
  };

  const start = async (): Promise<void> => {
    // After a kill, the old backends notice the postmaster's death and exit within moments; until they have, the
    // shared memory is in use and the new postmaster refuses to start.
    for (let attempt = 1; ; attempt++) {
      try {
        await startServer();
        knownPid = await postmasterPid();
        return;
      } catch (error) {
        if (attempt >= 20) throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await logTail(logFile, 20)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };

  return {
    url,
    port,
    dataDir,
    shutdown,
    start,
    async restart({ mode = 'fast', downMs = 0 } = {}) {
      await shutdown(mode);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async kill() {
      const pid = await postmasterPid();
      if (pid === undefined) throw new Error('The private PostgreSQL server is not running (no postmaster.pid)');
      process.kill(pid, 'SIGKILL');
      // Dead once the pid no longer answers signal 0 (bounded: SIGKILL cannot be ignored).
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`The postmaster (pid ${pid}) survived SIGKILL`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      try {
        if (await postmasterPid()) await shutdown('immediate').catch(() => undefined);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    logTail: (lines = 40) => logTail(logFile, lines),
  };
}

/** Resolves once a connection to `url` succeeds, trying for at most `deadlineMs`. */
export async function untilPostgresAccepts(url: string, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

async function logTail(file: string, lines: number): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs a program without blocking the event loop (the workload under test keeps running meanwhile), as the `postgres`
 * OS user when asked. Rejects with its output when it exits non-zero.
 */
function run(program: string, args: readonly string[], options: { readonly asPostgres: boolean; readonly cwd: string }): Promise<string> {
  const [file, argv] = options.asPostgres ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, [...args]];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { cwd: options.cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}
