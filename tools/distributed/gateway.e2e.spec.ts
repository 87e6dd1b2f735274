// The gateway in front of a real Trellis server: the standalone server (`npm start`, in-memory store) as a child
// process stands for the services whose paths it also serves, and a port where nothing listens for a service that is
// down. The full five-service routing is exercised by start-distributed.int.spec.ts.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';

import { riskDmn } from '@trellis/decisions/testing';

import { createGateway, type GatewayUpstream } from './gateway.js';
import { ServiceProcess } from './service-process.js';
import { SERVICES } from './topology.js';

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const orderProcessBpmn = readFileSync(new URL('../../examples/order-process.bpmn', import.meta.url), 'utf8');

/** A port nothing listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function listen(server: Server | TcpServer): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function close(server: Server | TcpServer | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function prefixesOf(name: string): readonly string[] {
  const service = SERVICES.find((candidate) => candidate.name === name);
  if (service === undefined) throw new Error(`no service ${name}`);
  return service.prefixes;
}

describe('gateway in front of a running Trellis server', () => {
  let standalone: ServiceProcess;
  let gateway: Server;
  let gatewayUrl: string;
  let downUrl: string;
  let silent: TcpServer;
  const held: Socket[] = [];
  const failures: string[] = [];

  beforeAll(async () => {
    const port = await closedPort();
    standalone = new ServiceProcess({
      name: 'standalone',
      main: 'apps/standalone/src/main.ts',
      cwd: repositoryRoot,
      env: { ...process.env, PORT: String(port), TRELLIS_HOST: '127.0.0.1', TRELLIS_EVENT_STORE: 'memory', TRELLIS_LOG_LEVEL: 'warn', TRELLIS_ENV: 'development' },
      url: `http://127.0.0.1:${port}`,
      output: () => undefined,
    });
    standalone.start();
    await standalone.waitReady(50_000, 200);

    downUrl = `http://127.0.0.1:${await closedPort()}`;
    // Accepts connections and never answers: a service that hangs.
    silent = createTcpServer((socket) => held.push(socket));
    const silentUrl = await listen(silent);

    const upstreams: GatewayUpstream[] = [
      { service: 'deployment-service', url: standalone.url, prefixes: prefixesOf('deployment-service') },
      { service: 'runtime-service', url: standalone.url, prefixes: prefixesOf('runtime-service') },
      { service: 'dmn-service', url: standalone.url, prefixes: prefixesOf('dmn-service') },
      { service: 'task-service', url: downUrl, prefixes: prefixesOf('task-service') },
      { service: 'history-service', url: silentUrl, prefixes: prefixesOf('history-service') },
    ];
    gateway = createGateway({ upstreams, healthTimeoutMs: 1000, requestTimeoutMs: 1000, log: (line) => failures.push(line) });
    gatewayUrl = await listen(gateway);
  }, 60_000);

  afterAll(async () => {
    await close(gateway);
    held.forEach((socket) => socket.destroy());
    await close(silent);
    await standalone?.stop(10_000);
  });

  it('deploys, starts an instance and completes its user task through one base URL', async () => {
    const http = request(gatewayUrl);
    const deployment = await http.post('/api/deployments').attach('resources', Buffer.from(orderProcessBpmn), 'order-process.bpmn').expect(201);
    expect(deployment.headers['content-type']).toBe('application/json');
    expect(deployment.body.processDefinitions).toEqual([expect.objectContaining({ processId: 'order-process', name: 'Order process' })]);

    const started = await http
      .post('/api/process-instances')
      .send({ processId: 'order-process', businessKey: 'gateway-1', variables: { customer: 'ACME', items: ['bolt'] } })
      .expect(201);
    const tasks = await http.get('/api/user-tasks').query({ processInstanceId: started.body.id, state: 'CREATED' }).expect(200);
    expect(tasks.body).toEqual([expect.objectContaining({ elementId: 'approve-order', processInstanceId: started.body.id })]);
    await http.post(`/api/user-tasks/${tasks.body[0].id}/complete`).send({ variables: { approved: false } }).expect(200);

    const instance = await http.get(`/api/process-instances/${started.body.id}`).expect(200);
    expect(instance.body).toEqual(expect.objectContaining({ id: started.body.id, state: 'COMPLETED', businessKey: 'gateway-1' }));
  });

  it('passes a Camunda 7 client\'s Basic authentication through to /engine-rest, where it is accepted (no identities yet)', async () => {
    const http = request(gatewayUrl);
    const basicBpmn = orderProcessBpmn.replaceAll('order-process', 'basic-auth-process');
    await http.post('/api/deployments').set('Authorization', 'Basic ZGVtbzpkZW1v').attach('resources', Buffer.from(basicBpmn), 'basic-auth-process.bpmn').expect(201);
    const version = await http.get('/engine-rest/version').set('Authorization', 'Basic ZGVtbzpkZW1v').expect(200);
    expect(version.body).toEqual({ version: '7.23.0' });
    const definitions = await http.get('/engine-rest/process-definition').query({ key: 'basic-auth-process' }).set('Authorization', 'Basic ZGVtbzpkZW1v').expect(200);
    expect(definitions.body).toEqual([expect.objectContaining({ key: 'basic-auth-process', version: 1 })]);
  });

  it('sends decision evaluation to the dmn-service in every dialect: native, Camunda 7 (beside the runtime’s /engine-rest) and Camunda 8', async () => {
    const http = request(gatewayUrl);
    await http.post('/api/deployments').attach('resources', Buffer.from(riskDmn('gateway-risk', '"checked"')), 'gateway-risk.dmn').expect(201);
    expect((await http.post('/api/decisions/gateway-risk/evaluate').send({}).expect(200)).body).toMatchObject({ decisionDefinitionId: 'gateway-risk:1', output: 'checked' });
    expect((await http.post('/engine-rest/decision-definition/key/gateway-risk/evaluate').send({}).expect(200)).body).toEqual([
      { 'Decision gateway-risk': { type: 'String', value: 'checked', valueInfo: {} } },
    ]);
    expect((await http.post('/v2/decision-definitions/evaluation').send({ decisionDefinitionId: 'gateway-risk' }).expect(200)).body).toMatchObject({ output: '"checked"' });
  });

  it("passes the service's own problem answers through unchanged", async () => {
    const response = await request(gatewayUrl).get('/api/process-instances/no-such-instance').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual(expect.objectContaining({ status: 404, type: 'urn:trellis:problem:not-found' }));
  });

  it('answers 503 problem+json naming the service that is down', async () => {
    const response = await request(gatewayUrl).get('/api/tasks?state=CREATED').expect(503);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual({
      type: 'urn:trellis:problem:service-unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: expect.stringContaining(`task-service is not reachable at ${downUrl}`),
      instance: '/api/tasks',
      details: { service: 'task-service', upstream: downUrl },
    });
    expect(failures.some((line) => line.includes('task-service') && line.includes('ECONNREFUSED'))).toBe(true);
  });

  it('answers 504 problem+json naming the service that does not answer', async () => {
    const response = await request(gatewayUrl).get('/api/history/process-instances').expect(504);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toEqual(
      expect.objectContaining({ type: 'urn:trellis:problem:gateway-timeout', status: 504, details: expect.objectContaining({ service: 'history-service' }) }),
    );
  });

  it('answers 404 problem+json for a path no service owns, listing the paths it routes', async () => {
    const response = await request(gatewayUrl).get('/api/unknown-things').expect(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body.detail).toContain('/api/unknown-things');
    expect(response.body.detail).toContain('/api/process-instances');
  });

  it("aggregates every service's readiness at /health: 503 while one is down, naming it and why", async () => {
    const response = await request(gatewayUrl).get('/health').expect(503);
    expect(response.body.status).toBe('error');
    expect(response.body.services['deployment-service']).toEqual(
      expect.objectContaining({ status: 'up', statusCode: 200, url: standalone.url, checks: expect.objectContaining({ status: 'ok' }) }),
    );
    expect(response.body.services['task-service']).toEqual({ status: 'down', url: downUrl, message: expect.stringContaining('ECONNREFUSED') });
    expect(response.body.services['history-service']).toEqual(expect.objectContaining({ status: 'down', message: 'no answer within 1000 ms' }));
    await request(gatewayUrl).get('/health/live').expect(200);
  });

  it('is healthy when every service is ready', async () => {
    const healthy = createGateway({ upstreams: [{ service: 'runtime-service', url: standalone.url, prefixes: prefixesOf('runtime-service') }] });
    const url = await listen(healthy);
    try {
      const response = await request(url).get('/health').expect(200);
      expect(response.body).toEqual({ status: 'ok', services: { 'runtime-service': expect.objectContaining({ status: 'up', statusCode: 200 }) } });
    } finally {
      await close(healthy);
    }
  });
});

describe('gateway, when a service answers then breaks the connection', () => {
  it('cuts the response instead of passing on a silently short answer', async () => {
    const breaking = createHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 50);
    });
    const breakingUrl = await listen(breaking);
    const gateway = createGateway({ upstreams: [{ service: 'dmn-service', url: breakingUrl, prefixes: prefixesOf('dmn-service') }], log: () => undefined });
    const url = await listen(gateway);
    try {
      const outcome = await fetch(`${url}/api/decision-definitions`).then(
        (response) => response.text().then(() => 'complete', () => 'cut'),
        () => 'cut',
      );
      expect(outcome).toBe('cut');
    } finally {
      await close(gateway);
      await close(breaking);
    }
  });
});
