/**
 * A Kafka broker of a test's own, which the test may stop and start again: `deploy/local/kafka` with a data directory
 * under the system's temporary directory and ports picked free at run time, so that it never touches the machine's
 * shared broker (127.0.0.1:9092) and concurrent test files never collide. The jars come from the script's cache, shared
 * with the shared broker (fetched once).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../deploy/local/kafka', import.meta.url));

export interface PrivateKafkaBroker {
  /** `127.0.0.1:<port>`, for `KafkaMessageBus.connect({ brokers })`. */
  readonly brokers: readonly string[];
  readonly port: number;
  readonly dataDir: string;
  /** `deploy/local/kafka stop`: TERM, the broker shuts down in order (KILL after the script's timeout). Data is kept. */
  stop(): Promise<void>;
  /** `deploy/local/kafka start`: the same ports and data (topics, offsets, producer state), waiting until it serves clients. */
  start(): Promise<void>;
  /** Stops the broker and deletes its data. Idempotent; call it in `afterAll`. */
  destroy(): Promise<void>;
  /** The last lines of the broker's log, for failure messages. */
  logTail(lines?: number): Promise<string>;
}

/** Starts a broker on free ports; fails (never skips) with the script's output when it cannot. */
export async function startPrivateKafkaBroker(): Promise<PrivateKafkaBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'trellis-kafka-'));
  let port = 0;
  let controllerPort = 0;
  let destroyed = false;
  const script = (command: 'start' | 'stop'): Promise<string> =>
    run(SCRIPT, [command], {
      ...process.env,
      TRELLIS_KAFKA_PORT: String(port),
      TRELLIS_KAFKA_CONTROLLER_PORT: String(controllerPort),
      TRELLIS_KAFKA_DATA: dataDir,
      TRELLIS_KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
      // A loaded machine (other suites running) has taken more than the script's default 90 s to start a broker.
      TRELLIS_KAFKA_START_TIMEOUT: '180',
      TRELLIS_KAFKA_STOP_TIMEOUT: '30',
    });

  const brokerPid = async (): Promise<number | undefined> => {
    const pid = Number((await readFile(join(dataDir, 'kafka.pid'), 'utf8').catch(() => '')).trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  };
  // The broker runs in a session of its own and would outlive a test run that ends without `destroy()`.
  let knownPid: number | undefined;
  const onExit = (): void => {
    if (knownPid === undefined || destroyed) return;
    try {
      process.kill(knownPid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', onExit);

  const destroy = async (): Promise<void> => {
    if (destroyed) return;
    destroyed = true;
    process.removeListener('exit', onExit);
    try {
      if (port !== 0) await script('stop').catch(() => undefined);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  };

  // Free ports taken from the kernel and released just before the broker binds them: another process may take one in
  // between, so a first start that fails is tried again on new ports.
  for (let attempt = 1; ; attempt++) {
    [port, controllerPort] = await freePorts(2);
    try {
      await script('start');
      knownPid = await brokerPid();
      break;
    } catch (error) {
      if (attempt < 3 && /already accepts connections|controller port .* is taken/.test(String(error))) continue;
      await destroy();
      throw error;
    }
  }

  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    dataDir,
    async stop() {
      await script('stop');
    },
    async start() {
      await script('start');
      knownPid = await brokerPid();
    },
    destroy,
    async logTail(lines = 40) {
      const text = await readFile(join(dataDir, 'kafka.log'), 'utf8').catch(() => '');
      return text.split('\n').slice(-lines).join('\n');
    },
  };
}

/** `count` distinct ports free at this moment on 127.0.0.1. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Runs the script without blocking the event loop (the relay under test keeps running); rejects with its output. */
function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env, timeout: 240_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}
