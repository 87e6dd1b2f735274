// The five services of the distributed mode as separate child processes for the end-to-end and fault tests and
// bench:distributed: each with its own Postgres schemas, the run's own topics and consumer groups (run-names.ts),
// on free ports, with the gateway in front of them in this process. Services can be killed with SIGKILL and started
// again on the same port; the runtime-service can run as several replicas.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

import { Kafka, logLevel } from 'kafkajs';

import { createGateway } from '../gateway.js';
import { ServiceProcess } from '../service-process.js';
import { SERVICES, type ServiceName } from '../topology.js';
import { runTopics } from './run-names.js';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ClusterOptions {
  readonly postgresUrl: string;
  readonly kafkaBrokers: readonly string[];
  /** Replicas of the runtime-service (default 1). */
  readonly runtimeReplicas?: number;
  /** Partitions of the keyed topics (events, commands, results, dead letter). Default 4. */
  readonly partitions?: number;
  /** Every output line of every service; default: kept (the last 200 per service) for `lastLines`, not printed. */
  readonly output?: (service: string, line: string) => void;
  /** Variables over the cluster's own for one service. */
  readonly env?: Partial<Record<ServiceName, Readonly<Record<string, string>>>>;
  readonly readyTimeoutMs?: number;
}

export interface ClusterSchemas {
  readonly events: string;
  readonly relay: string;
  readonly tasks: string;
  readonly history: string;
  readonly dmn: string;
}

interface Member {
  readonly service: ServiceName;
  readonly replica: number;
  readonly port: number;
  readonly env: Record<string, string | undefined>;
  process: ServiceProcess;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The caller's environment without what would change how a child runs (jest's NODE_OPTIONS, a developer's TRELLIS_* settings). */
function baseEnvironment(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !name.startsWith('TRELLIS_')));
}

export class DistributedCluster {
  readonly run: string;
  readonly schemas: ClusterSchemas;
  readonly topics: ReturnType<typeof runTopics>;
  private readonly members: Member[] = [];
  private gateway: Server | undefined;
  private gatewayPort = 0;

  private constructor(private readonly options: ClusterOptions) {
    this.run = randomUUID().slice(0, 8);
    const schema = (what: string): string => `e2e_${this.run}_${what}`;
    this.schemas = { events: schema('events'), relay: schema('relay'), tasks: schema('tasks'), history: schema('history'), dmn: schema('dmn') };
    this.topics = runTopics(this.run);
  }

  /** Creates the run's topics, starts deployment-service (it creates the shared store's tables), then the others, then the gateway. */
  static async start(options: ClusterOptions): Promise<DistributedCluster> {
    const cluster = new DistributedCluster(options);
    try {
      await cluster.createTopics();
      const replicas = options.runtimeReplicas ?? 1;
      for (const service of SERVICES) {
        const count = service.name === 'runtime-service' ? replicas : 1;
        for (let replica = 0; replica < count; replica++) cluster.members.push(await cluster.member(service.name, replica));
      }
      const [first, ...rest] = cluster.members;
      first.process.start();
      await first.process.waitReady(cluster.readyTimeoutMs);
      for (const member of rest) member.process.start();
      await Promise.all(rest.map((member) => member.process.waitReady(cluster.readyTimeoutMs)));
      await cluster.startGateway();
      return cluster;
    } catch (error) {
      const why = cluster.members
        .filter((member) => member.process.pid !== undefined)
        .map((member) => `--- ${member.process.name}:\n${member.process.lastLines().slice(-30).join('\n')}`)
        .join('\n');
      await cluster.stop();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${why}`);
    }
  }

  private get readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? 120_000;
  }

  private async createTopics(): Promise<void> {
    const partitions = this.options.partitions ?? 4;
    const kafka = new Kafka({ clientId: `trellis-e2e-${this.run}`, brokers: [...this.options.kafkaBrokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: Object.entries(this.topics).map(([key, topic]) => ({ topic, numPartitions: key === 'deployments' ? 1 : partitions })),
      });
    } finally {
      await admin.disconnect();
    }
  }

  /** Deletes the run's topics (the schemas are the caller's to drop: `schemas`). */
  async deleteTopics(): Promise<void> {
    const kafka = new Kafka({ clientId: `trellis-e2e-${this.run}`, brokers: [...this.options.kafkaBrokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: Object.values(this.topics) });
    } catch {
      // Best effort: a leftover topic of a finished run harms nobody.
    } finally {
      await admin.disconnect();
    }
  }

  private async member(service: ServiceName, replica: number): Promise<Member> {
    const port = await freePort();
    const writesEvents = SERVICES.find((candidate) => candidate.name === service)?.writesEvents === true;
    const env: Record<string, string | undefined> = {
      ...baseEnvironment(),
      TRELLIS_TEST_SERVICE: service,
      TRELLIS_TEST_RUN: this.run,
      TRELLIS_ENV: 'test',
      TRELLIS_LOG_LEVEL: 'warn',
      PORT: String(port),
      TRELLIS_HOST: '127.0.0.1',
      TRELLIS_POSTGRES_URL: this.options.postgresUrl,
      TRELLIS_KAFKA_BROKERS: this.options.kafkaBrokers.join(','),
      TRELLIS_KAFKA_CLIENT_ID: `${service}-${replica}-${this.run}`,
      ...(writesEvents
        ? {
            TRELLIS_EVENT_STORE: 'postgres',
            TRELLIS_EVENT_STORE_SCHEMA: this.schemas.events,
            TRELLIS_RELAY_SCHEMA: this.schemas.relay,
            // The leadership lock is keyed by the relay's name: the run's own, so that no other run's relay leads it.
            TRELLIS_RELAY_NAME: `${service}-${this.run}`,
            TRELLIS_RELAY_TOPIC_PARTITIONS: String(this.options.partitions ?? 4),
          }
        : {}),
      ...(service === 'task-service' ? { TRELLIS_TASKS_SCHEMA: this.schemas.tasks } : {}),
      ...(service === 'history-service' ? { TRELLIS_HISTORY_SCHEMA: this.schemas.history } : {}),
      ...(service === 'dmn-service' ? { TRELLIS_DMN_SCHEMA: this.schemas.dmn } : {}),
      ...this.options.env?.[service],
    };
    return { service, replica, port, env, process: this.processOf(service, replica, port, env) };
  }

  private processOf(service: ServiceName, replica: number, port: number, env: Record<string, string | undefined>): ServiceProcess {
    const name = replica === 0 ? service : `${service}#${replica + 1}`;
    const output = this.options.output;
    return new ServiceProcess({
      name,
      main: 'tools/distributed/testing/run-service.ts',
      cwd: repositoryRoot,
      env,
      url: `http://127.0.0.1:${port}`,
      keepLines: 200,
      output: (process, line) => output?.(process, line),
    });
  }

  private find(service: ServiceName, replica: number): Member {
    const member = this.members.find((candidate) => candidate.service === service && candidate.replica === replica);
    if (member === undefined) throw new Error(`no ${service} replica ${replica} in this cluster`);
    return member;
  }

  private async startGateway(): Promise<void> {
    this.gateway = createGateway({
      upstreams: SERVICES.map((service) => ({ service: service.name, url: this.url(service.name), prefixes: service.prefixes })),
      log: () => undefined,
    });
    this.gatewayPort = await freePort();
    await new Promise<void>((resolve, reject) => {
      this.gateway?.once('error', reject);
      this.gateway?.listen(this.gatewayPort, '127.0.0.1', resolve);
    });
  }

  /** The gateway's base URL: one for the whole REST API. */
  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.gatewayPort}`;
  }

  url(service: ServiceName, replica = 0): string {
    return `http://127.0.0.1:${this.find(service, replica).port}`;
  }

  /** Process ids of the running services, by process name (`runtime-service`, `runtime-service#2`). */
  pids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const member of this.members) if (member.process.pid !== undefined && member.process.exit === undefined) pids[member.process.name] = member.process.pid;
    return pids;
  }

  lastLines(service: ServiceName, replica = 0): readonly string[] {
    return this.find(service, replica).process.lastLines();
  }

  /** SIGKILL, no shutdown hook runs; resolves once it has exited. */
  async kill(service: ServiceName, replica = 0): Promise<void> {
    const member = this.find(service, replica);
    member.process.signal('SIGKILL');
    await member.process.exited;
  }

  /** Starts one more runtime-service replica (in the same consumer group, on the same store) and waits until it is ready; answers its replica number. */
  async addRuntimeReplica(): Promise<number> {
    const replica = Math.max(...this.members.filter((member) => member.service === 'runtime-service').map((member) => member.replica)) + 1;
    const member = await this.member('runtime-service', replica);
    this.members.push(member);
    member.process.start();
    await member.process.waitReady(this.readyTimeoutMs);
    return replica;
  }

  /** Starts a killed or stopped service again on its port and waits until it is ready. */
  async restart(service: ServiceName, replica = 0): Promise<void> {
    const member = this.find(service, replica);
    if (member.process.exit === undefined && member.process.pid !== undefined) throw new Error(`${member.process.name} is still running`);
    member.process = this.processOf(service, replica, member.port, member.env);
    member.process.start();
    await member.process.waitReady(this.readyTimeoutMs);
  }

  /** Stops the gateway and every service (SIGTERM, SIGKILL after 15 s). */
  async stop(): Promise<void> {
    if (this.gateway !== undefined) {
      this.gateway.closeAllConnections();
      await new Promise<void>((resolve) => this.gateway?.close(() => resolve()));
      this.gateway = undefined;
    }
    await Promise.all(this.members.filter((member) => member.process.pid !== undefined).map((member) => member.process.stop(15_000)));
  }
}
