// `npm run start:distributed` as a user runs it: the five real services as processes, the gateway in front, a process
// run through the gateway from deployment to history, a service killed, and Ctrl-C. The run gets a Kafka broker and a
// Postgres database of its own (deploy/local/kafka on other ports with its own data dir; a new database), because the
// services' topics and consumer groups are fixed names: sharing the machine's broker would put these services in the
// same consumer groups as any other distributed run, and each would take the other's messages.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';

import { postgresUrl } from '@trellis/persistence/testing';

import { SERVICES } from './topology.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const orderProcessBpmn = readFileSync(new URL('../../examples/order-process.bpmn', import.meta.url), 'utf8');

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive free ports from a random start. */
async function freePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 20_000);
    const free = await Promise.all(Array.from({ length: count }, (_, index) => isFree(first + index)));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

function databaseUrl(database: string): string {
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not happen within ${timeoutMs / 1000} s${last === undefined ? '' : ` (last error: ${String(last)})`}`);
}

describe('npm run start:distributed', () => {
  const database = `trellis_distributed_${process.pid}_${Date.now().toString(36)}`;
  let kafkaEnv: Record<string, string>;
  let kafkaData: string;
  let basePort: number;
  let gateway: string;
  let child: ChildProcess;
  let output = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const pids = new Map<string, number>();

  /** Waits until the output shows `text`; fails at once, with the whole output, when start:distributed ended first. */
  const waitForOutput = async (text: string | RegExp, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    const found = (): boolean => (typeof text === 'string' ? output.includes(text) : text.test(output));
    while (!found()) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (found()) return;
        throw new Error(`start:distributed ended (${child.exitCode ?? child.signalCode}) before printing ${String(text)}:\n${output}`);
      }
      if (Date.now() > deadline) throw new Error(`start:distributed did not print ${String(text)} within ${timeoutMs / 1000} s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  beforeAll(async () => {
    await admin((client) => client.query(`CREATE DATABASE ${database}`));
    kafkaData = await mkdtemp(join(tmpdir(), 'trellis-distributed-kafka-'));
    const kafkaPort = await freePorts(2);
    kafkaEnv = {
      TRELLIS_KAFKA_PORT: String(kafkaPort),
      TRELLIS_KAFKA_CONTROLLER_PORT: String(kafkaPort + 1),
      TRELLIS_KAFKA_DATA: kafkaData,
      TRELLIS_KAFKA_HEAP_OPTS: '-Xms64m -Xmx384m',
      // A second JVM on a busy 2-core machine: its first start has taken up to a minute.
      TRELLIS_KAFKA_START_TIMEOUT: '240',
    };
    basePort = await freePorts(SERVICES.length + 1);
    gateway = `http://127.0.0.1:${basePort}`;

    child = spawn(process.execPath, ['--enable-source-maps', '--import', './tools/register.mjs', 'tools/distributed/start-distributed.ts', '--base-port', String(basePort), '--ready-timeout', '240'], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        ...kafkaEnv,
        NODE_OPTIONS: '',
        TRELLIS_KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
        TRELLIS_POSTGRES_URL: databaseUrl(database),
        NO_COLOR: '1',
        // Jest sets NODE_ENV=test, whose default log level (warn) would hide the lines a user sees, the serving line among them.
        TRELLIS_LOG_LEVEL: 'log',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await waitForOutput('Trellis distributed mode is running', 420_000);
  }, 480_000);

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      for (const pid of pids.values()) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (kafkaEnv !== undefined) spawnSync('deploy/local/kafka', ['wipe'], { cwd: repositoryRoot, env: { ...process.env, ...kafkaEnv }, stdio: 'ignore' });
    if (kafkaData !== undefined) await rm(kafkaData, { recursive: true, force: true });
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)).catch(() => undefined);
  }, 120_000);

  it('prints where the gateway and each service listen, with its pid', () => {
    for (const [index, service] of SERVICES.entries()) {
      const row = new RegExp(`^  ${service.name}\\s+http://127\\.0\\.0\\.1:${basePort + index + 1}\\s+(\\d+)\\s+${service.prefixes.join(', ').replace(/[/]/g, '\\/')}$`, 'm').exec(output);
      expect(row).not.toBeNull();
      pids.set(service.name, Number(row?.[1]));
      expect(alive(Number(row?.[1]))).toBe(true);
    }
    expect(output).toMatch(new RegExp(`^  gateway\\s+${gateway.replace(/[.]/g, '\\.')}`, 'm'));
    expect(output).toContain(`REST API: ${gateway}/api/...`);
  });

  it('prefixes each line a service writes with its name', async () => {
    expect(output).toMatch(/^kafka\s+\| kafka: /m);
    // Each service logs where it serves once it listens; the line may still be in its pipe when the table is printed.
    for (const service of SERVICES) await waitForOutput(new RegExp(`^${service.name}\\s+\\| \\{"level":`, 'm'), 30_000);
    expect(output).toMatch(/^trellis\s+\| deployment-service is ready$/m);
  });

  it('answers /health for every service through the gateway', async () => {
    const response = await fetch(`${gateway}/health`);
    const body = (await response.json()) as { status: string; services: Record<string, { status: string }> };
    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.fromEntries(Object.entries(body.services).map(([name, health]) => [name, health.status]))).toEqual(
      Object.fromEntries(SERVICES.map((service) => [service.name, 'up'])),
    );
  });

  it('runs the order process through the one base URL: deployed, started, its task completed in the task-service, ended in the runtime and in history', async () => {
    const form = new FormData();
    form.append('resources', new Blob([orderProcessBpmn], { type: 'application/xml' }), 'order-process.bpmn');
    const deployed = await fetch(`${gateway}/api/deployments`, { method: 'POST', body: form });
    expect(deployed.status).toBe(201);

    const started = await eventually('the runtime knows the deployment', async () => {
      const response = await fetch(`${gateway}/api/process-instances`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ processId: 'order-process', businessKey: 'distributed-1', variables: { customer: 'ACME', items: ['bolt', 'nut'] } }),
      });
      return response.status === 201 ? ((await response.json()) as { id: string }) : undefined;
    });

    const task = await eventually('the task-service shows the user task', async () => {
      const response = await fetch(`${gateway}/api/tasks?processInstanceId=${started.id}&state=CREATED`);
      const page = (await response.json()) as { items: { id: string; elementId: string }[] };
      return page.items?.[0];
    });
    expect(task.elementId).toBe('approve-order');
    const completing = await fetch(`${gateway}/api/tasks/${task.id}/complete`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ variables: { approved: true } }),
    });
    expect(completing.status).toBe(202);

    const instance = await eventually('the runtime ends the instance', async () => {
      const body = (await (await fetch(`${gateway}/api/process-instances/${started.id}`)).json()) as { state: string; variables: Record<string, unknown> };
      return body.state === 'COMPLETED' ? body : undefined;
    });
    expect(instance.variables).toEqual(expect.objectContaining({ approved: true, shipmentNote: 'Ship 2 items to ACME' }));

    await eventually('the task-service shows the task completed', async () => {
      const body = (await (await fetch(`${gateway}/api/tasks/${task.id}`)).json()) as { state: string };
      return body.state === 'COMPLETED' ? body : undefined;
    });
    const history = await eventually('the history-service shows the instance completed', async () => {
      const response = await fetch(`${gateway}/api/history/process-instances/${started.id}`);
      const body = (await response.json()) as { state?: string; businessKey?: string };
      return response.status === 200 && body.state === 'COMPLETED' ? body : undefined;
    });
    expect(history.businessKey).toBe('distributed-1');

    const decisions = await fetch(`${gateway}/api/decision-definitions`);
    expect(decisions.status).toBe(200);
  });

  it('names a service that dies, how it ended and its last lines; the gateway answers 503 for its paths and the others keep running', async () => {
    const pid = pids.get('dmn-service');
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    await waitForOutput(`dmn-service (pid ${pid}) was killed by SIGKILL. Its last lines:`, 30_000);
    await waitForOutput("The other services keep running; the gateway answers 503 for dmn-service's paths", 5_000);

    const response = await fetch(`${gateway}/api/decision-definitions`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual(expect.objectContaining({ type: 'urn:trellis:problem:service-unavailable', details: expect.objectContaining({ service: 'dmn-service' }) }));
    const health = (await (await fetch(`${gateway}/health`)).json()) as { status: string; services: Record<string, { status: string }> };
    expect(health.status).toBe('error');
    expect(health.services['dmn-service'].status).toBe('down');
    expect(health.services['runtime-service'].status).toBe('up');
  });

  it('stops the gateway and every service on SIGTERM, and leaves Kafka running', async () => {
    child.kill('SIGTERM');
    const ended = await exit;
    expect(ended).toEqual({ code: 0, signal: null });
    expect(output).toContain('Kafka keeps running: deploy/local/kafka stop stops it');
    for (const [name, pid] of pids) expect([name, alive(pid)]).toEqual([name, false]);
    await expect(fetch(`${gateway}/health`)).rejects.toThrow();
    const status = spawnSync('deploy/local/kafka', ['status'], { cwd: repositoryRoot, env: { ...process.env, ...kafkaEnv }, encoding: 'utf8' });
    expect(status.status).toBe(0);
  }, 60_000);
});
