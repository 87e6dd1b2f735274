// `npm run start:distributed`: the five services of the distributed mode as separate processes on this machine, against
// the local Kafka broker and a PostgreSQL server, with the gateway in front of them (docs/operations.md).
//
//   npm run start:distributed -- [--base-port 8080] [--host 127.0.0.1] [--ready-timeout 180] [--stop-timeout 20]
//
// 1. starts the local Kafka (deploy/local/kafka start) when TRELLIS_KAFKA_BROKERS is the local broker's address;
// 2. creates the Trellis topics that do not exist yet (TRELLIS_RELAY_TOPIC_PARTITIONS partitions, default 12), and
//    checks that PostgreSQL answers at TRELLIS_POSTGRES_URL;
// 3. starts deployment-service, waits until it is ready (it creates the shared event store's tables), then the four
//    others at once, each with the variables of tools/distributed/topology.ts, and waits until each is ready;
// 4. starts the gateway on the base port and prints where everything listens.
// Ctrl-C or SIGTERM stops the gateway and the services (SIGTERM, SIGKILL after --stop-timeout seconds). Kafka keeps
// running. A service that dies is named, with how it ended and its last lines.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import pg from 'pg';

import { environmentWithFiles } from '@trellis/platform';

import { createGateway } from './gateway.js';
import { provisionTopics } from './kafka-topics.js';
import { describeExit, ServiceProcess } from './service-process.js';
import { GATEWAY_PORT, SERVICES, serviceEnvironment, type SharedInfrastructure } from './topology.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';
/** TRELLIS_RELAY_TOPIC_PARTITIONS's default: what the relays would create the topics with. */
const DEFAULT_TOPIC_PARTITIONS = 12;

export interface StartOptions {
  /** The gateway's port; the services take the next five. */
  readonly basePort: number;
  readonly host: string;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
}

export function parseStartArguments(args: readonly string[]): StartOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      'base-port': { type: 'string', default: String(GATEWAY_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      'ready-timeout': { type: 'string', default: '180' },
      'stop-timeout': { type: 'string', default: '20' },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    basePort: wholeNumber('--base-port', values['base-port'], 1, 65_535 - SERVICES.length),
    host: values.host,
    readyTimeoutMs: wholeNumber('--ready-timeout', values['ready-timeout'], 1, 3600) * 1000,
    stopTimeoutMs: wholeNumber('--stop-timeout', values['stop-timeout'], 1, 600) * 1000,
  };
}

function wholeNumber(option: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${option} ${raw}: expected a whole number from ${min} to ${max}`);
  return value;
}

/**
 * The variables of deploy/local/kafka (docs/development.md): the script's, not the services'. A service would log each
 * as "not a Trellis setting".
 */
const LOCAL_KAFKA_VARIABLES = [
  'TRELLIS_KAFKA_VERSION',
  'TRELLIS_KAFKA_HOME',
  'TRELLIS_KAFKA_DATA',
  'TRELLIS_KAFKA_HOST',
  'TRELLIS_KAFKA_PORT',
  'TRELLIS_KAFKA_CONTROLLER_PORT',
  'TRELLIS_KAFKA_HEAP_OPTS',
  'TRELLIS_KAFKA_START_TIMEOUT',
  'TRELLIS_KAFKA_STOP_TIMEOUT',
];

/** The environment every service starts from: the caller's, without the local Kafka script's variables. */
export function inheritedEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !LOCAL_KAFKA_VARIABLES.includes(name)));
}

/** The port of each service: the base port is the gateway's, the services follow in the topology's order. */
export function servicePort(basePort: number, index: number): number {
  return basePort + index + 1;
}

/** A Postgres URL without its password, for messages. */
export function redactedUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}

class StartupError extends Error {}

const colours = [36, 35, 33, 32, 34, 31];
const useColour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const width = Math.max(...SERVICES.map((service) => service.name.length), 'gateway'.length);

function prefixed(name: string, line: string, index: number): string {
  const label = name.padEnd(width);
  return useColour ? `\x1b[${colours[index % colours.length]}m${label} |\x1b[0m ${line}\n` : `${label} | ${line}\n`;
}

function say(line: string): void {
  process.stdout.write(prefixed('trellis', line, colours.length - 1));
}

/** Runs `deploy/local/kafka start`, its output prefixed; resolves on success, rejects with its exit. */
function startLocalKafka(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('deploy/local/kafka', ['start'], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') process.stdout.write(prefixed('kafka', line, colours.length - 1));
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', (error) => reject(new StartupError(`could not run deploy/local/kafka: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new StartupError(`deploy/local/kafka start ${describeExit(code, signal)}: Kafka is not running (its output is above)`));
    });
  });
}

function isLocalBroker(brokers: string): boolean {
  const local = `${process.env.TRELLIS_KAFKA_HOST ?? '127.0.0.1'}:${process.env.TRELLIS_KAFKA_PORT ?? '9092'}`;
  const first = brokers.split(',')[0].trim();
  return first === local || first === `localhost:${process.env.TRELLIS_KAFKA_PORT ?? '9092'}`;
}

async function checkPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    say(`PostgreSQL ${result.rows[0]?.server_version ?? ''} answers at ${redactedUrl(url)}`);
  } catch (error) {
    throw new StartupError(
      `PostgreSQL does not answer at ${redactedUrl(url)}: ${error instanceof Error ? error.message : String(error)}.\n` +
        'Start a PostgreSQL server (15 or newer) there, or point TRELLIS_POSTGRES_URL at one.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createTopics(brokers: string, partitionsSetting: string | undefined): Promise<void> {
  const partitions = /^\d+$/.test(partitionsSetting?.trim() ?? '') ? Number(partitionsSetting) : DEFAULT_TOPIC_PARTITIONS;
  try {
    const { created, narrower } = await provisionTopics(brokers.split(',').map((broker) => broker.trim()), partitions);
    say(created.length > 0 ? `created the topics ${created.join(', ')}` : 'the Trellis topics exist');
    for (const topic of narrower) {
      say(`${topic.topic} has ${topic.partitions} partition(s), not ${topic.wanted}: left as it is (no more consumers of a group than that can share it)`);
    }
  } catch (error) {
    throw new StartupError(`could not create the Trellis topics on Kafka at ${brokers}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Fails naming the port and its service when something already listens there. */
function checkPortFree(host: string, port: number, owner: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          error.code === 'EADDRINUSE'
            ? `port ${port} (${owner}) on ${host} is already in use: stop what listens there, or choose other ports with --base-port`
            : `cannot listen on ${host}:${port} (${owner}): ${error.message}`,
        ),
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function explainExit(service: ServiceProcess, what: string): void {
  const exit = service.exit;
  const how = exit === undefined ? 'is running but not ready' : describeExit(exit.code, exit.signal);
  process.stderr.write(`\n${service.name} (pid ${service.pid ?? '?'}) ${how}${what}. Its last lines:\n`);
  for (const line of service.lastLines()) process.stderr.write(`  ${line}\n`);
  process.stderr.write('\n');
}

async function main(): Promise<number> {
  let options: StartOptions;
  try {
    options = parseStartArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`start:distributed: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const env = environmentWithFiles(process.env, repositoryRoot);
  const shared: SharedInfrastructure = {
    postgresUrl: env.TRELLIS_POSTGRES_URL?.trim() || DEFAULT_POSTGRES_URL,
    kafkaBrokers: env.TRELLIS_KAFKA_BROKERS?.trim() || DEFAULT_KAFKA_BROKERS,
    host: options.host,
  };

  const services = SERVICES.map((service, index) => {
    const port = servicePort(options.basePort, index);
    return new ServiceProcess({
      name: service.name,
      main: service.main,
      cwd: repositoryRoot,
      env: { ...inheritedEnvironment(env), ...serviceEnvironment({ ...service, port }, shared) },
      url: `http://${options.host}:${port}`,
      output: (name, line) => process.stdout.write(prefixed(name, line, index)),
    });
  });
  const gateway = createGateway({
    upstreams: SERVICES.map((service, index) => ({ service: service.name, url: services[index].url, prefixes: service.prefixes })),
    log: (line) => process.stderr.write(prefixed('gateway', line, colours.length - 2)),
  });

  const ready = new Set<string>();
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    gateway.close();
    gateway.closeAllConnections();
    await Promise.all(
      services.map(async (service) => {
        if (service.pid === undefined || service.exit !== undefined) return;
        const exit = await service.stop(options.stopTimeoutMs);
        say(`${service.name} ${exit.signal === 'SIGKILL' ? `did not stop within ${options.stopTimeoutMs / 1000} s and was killed` : 'stopped'}`);
      }),
    );
  };
  // Whatever ends this process, no service is left running without it.
  process.once('exit', () => services.forEach((service) => service.signal('SIGKILL')));

  const interrupted = new Promise<'signal'>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        say(`${signal} again: killing the services`);
        services.forEach((service) => service.signal('SIGKILL'));
        return;
      }
      say(`${signal}: stopping the gateway and the services (Ctrl-C again kills them)`);
      resolve('signal');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  try {
    const startup = (async () => {
      const missing = SERVICES.filter((service) => !existsSync(new URL(service.main, pathToFileURL(repositoryRoot))));
      if (missing.length > 0) {
        throw new StartupError(`not every service exists in this checkout: ${missing.map((service) => `${service.main} (${service.name})`).join(', ')} missing`);
      }
      for (const [index, service] of SERVICES.entries()) await checkPortFree(options.host, servicePort(options.basePort, index), service.name);
      await checkPortFree(options.host, options.basePort, 'gateway');

      if (isLocalBroker(shared.kafkaBrokers)) await startLocalKafka();
      else say(`Kafka at ${shared.kafkaBrokers} is not the local broker: not starting deploy/local/kafka`);
      await createTopics(shared.kafkaBrokers, env.TRELLIS_RELAY_TOPIC_PARTITIONS);
      await checkPostgres(shared.postgresUrl);

      // deployment-service first: it creates the shared event store's and relay's tables, which the runtime also uses.
      const [first, ...rest] = services;
      first.start();
      say(`starting ${first.name} (pid ${first.pid}) at ${first.url}`);
      await first.waitReady(options.readyTimeoutMs);
      ready.add(first.name);
      say(`${first.name} is ready`);
      for (const service of rest) {
        service.start();
        say(`starting ${service.name} (pid ${service.pid}) at ${service.url}`);
      }
      await Promise.all(rest.map(async (service) => {
        await service.waitReady(options.readyTimeoutMs);
        ready.add(service.name);
        say(`${service.name} is ready`);
      }));

      await new Promise<void>((resolve, reject) => {
        gateway.once('error', (error) => reject(new StartupError(`the gateway cannot listen on ${options.host}:${options.basePort}: ${error.message}`)));
        gateway.listen(options.basePort, options.host, resolve);
      });
    })();
    const outcome = await Promise.race([startup.then(() => 'started' as const), interrupted]);
    if (outcome === 'signal') {
      startup.catch(() => undefined);
      await stopAll();
      say('stopped before every service was ready. Kafka keeps running: deploy/local/kafka stop stops it');
      return 130;
    }
  } catch (error) {
    process.stderr.write(`\nstart:distributed: ${error instanceof Error ? error.message : String(error)}\n`);
    for (const service of services) {
      if (service.exit !== undefined) explainExit(service, ' during startup');
      else if (service.pid !== undefined && !ready.has(service.name)) explainExit(service, '');
    }
    await stopAll();
    return 1;
  }

  printTable(options, shared, services);

  for (const service of services) {
    void service.exited.then(() => {
      if (stopping) return;
      explainExit(service, '');
      const running = services.filter((other) => other.exit === undefined);
      process.stderr.write(
        running.length > 0
          ? `The other services keep running; the gateway answers 503 for ${service.name}'s paths. Ctrl-C stops everything.\n`
          : 'No service is running any more.\n',
      );
    });
  }
  const allDead = Promise.all(services.map((service) => service.exited)).then(() => 'dead' as const);
  const outcome = await Promise.race([interrupted, allDead]);
  await stopAll();
  say('the gateway and the services are stopped. Kafka keeps running: deploy/local/kafka stop stops it');
  return outcome === 'dead' ? 1 : 0;
}

function printTable(options: StartOptions, shared: SharedInfrastructure, services: readonly ServiceProcess[]): void {
  const gatewayUrl = `http://${options.host}:${options.basePort}`;
  const rows = [
    ['service', 'listens at', 'pid', 'REST paths'],
    ['gateway', gatewayUrl, String(process.pid), 'every path below, and /health for all'],
    ...SERVICES.map((service, index) => [service.name, services[index].url, String(services[index].pid ?? ''), service.prefixes.join(', ')]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd());
  process.stdout.write(
    [
      '',
      'Trellis distributed mode is running:',
      '',
      ...lines.map((line) => `  ${line}`),
      '',
      `  REST API: ${gatewayUrl}/api/...   health of every service: ${gatewayUrl}/health`,
      '  each service: OpenAPI at <its url>/docs, metrics at /metrics, health at /health/live and /health/ready',
      `  PostgreSQL ${redactedUrl(shared.postgresUrl)}, Kafka ${shared.kafkaBrokers}`,
      '  Ctrl-C stops the gateway and the services; Kafka keeps running (deploy/local/kafka stop stops it).',
      '',
      '',
    ].join('\n'),
  );
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`start:distributed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
