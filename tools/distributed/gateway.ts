// One base URL for the REST API of the distributed mode: a reverse proxy that sends each request to the service that
// owns its path (docs/operations.md has the map), answers `/health` for all of them at once, and says in
// problem+json which service did not answer when one is down. Plain node:http and http-proxy-3, no framework: it
// holds no state and decides nothing but the upstream.
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import { createProxyServer } from 'http-proxy-3';

export interface GatewayUpstream {
  /** The service's name, as error answers and `/health` show it. */
  readonly service: string;
  /** Its base URL (`http://127.0.0.1:8081`). */
  readonly url: string;
  /** Path prefixes it owns (`/api/deployments`): the path itself and everything under it. */
  readonly prefixes: readonly string[];
}

export interface GatewayOptions {
  readonly upstreams: readonly GatewayUpstream[];
  /** How long each service's readiness may take to answer `/health` before it counts as down. Default 2000 ms. */
  readonly healthTimeoutMs?: number;
  /** How long a service may take to start answering a proxied request before the gateway answers 504. Default 60 s. */
  readonly requestTimeoutMs?: number;
  /** Where the gateway reports upstream failures (one line each). Default: stderr. */
  readonly log?: (line: string) => void;
}

/** Problem type URIs the gateway answers with, beside the services' own (docs/api.md). */
export const GatewayProblemType = {
  notFound: 'urn:trellis:problem:not-found',
  serviceUnavailable: 'urn:trellis:problem:service-unavailable',
  badGateway: 'urn:trellis:problem:bad-gateway',
  gatewayTimeout: 'urn:trellis:problem:gateway-timeout',
} as const;

/** Upstream errors that mean nothing listens there (not running, not resolvable): 503 rather than 502. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** The upstream owning `path` (a request target; its query is ignored), or undefined when no service serves it. */
export function routeFor(upstreams: readonly GatewayUpstream[], path: string): GatewayUpstream | undefined {
  const pathname = path.split(/[?#]/, 1)[0];
  let best: { readonly upstream: GatewayUpstream; readonly length: number } | undefined;
  for (const upstream of upstreams) {
    for (const prefix of upstream.prefixes) {
      const owns = pathname === prefix || pathname.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
      if (owns && (best === undefined || prefix.length > best.length)) best = { upstream, length: prefix.length };
    }
  }
  return best?.upstream;
}

/** Each service's readiness, and the gateway's verdict: ok only when every service is ready. */
export interface AggregatedHealth {
  readonly status: 'ok' | 'error';
  readonly services: Readonly<Record<string, ServiceHealth>>;
}

export interface ServiceHealth {
  readonly status: 'up' | 'down';
  readonly url: string;
  /** The HTTP status of the service's `/health/ready`, when it answered. */
  readonly statusCode?: number;
  /** Why it is down, when it did not answer or was not ready. */
  readonly message?: string;
  /** The service's own readiness body (its checks), when it answered with JSON. */
  readonly checks?: unknown;
}

/** Asks every service's `/health/ready` at once, each bounded by `timeoutMs`. */
export async function aggregateHealth(upstreams: readonly GatewayUpstream[], timeoutMs: number): Promise<AggregatedHealth> {
  const entries = await Promise.all(upstreams.map(async (upstream) => [upstream.service, await serviceHealth(upstream, timeoutMs)] as const));
  const services = Object.fromEntries(entries);
  return { status: entries.every(([, health]) => health.status === 'up') ? 'ok' : 'error', services };
}

async function serviceHealth(upstream: GatewayUpstream, timeoutMs: number): Promise<ServiceHealth> {
  try {
    const response = await fetch(new URL('/health/ready', upstream.url), { signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let checks: unknown;
    try {
      checks = JSON.parse(text);
    } catch {
      checks = undefined;
    }
    if (response.status === 200) return { status: 'up', url: upstream.url, statusCode: 200, checks };
    return { status: 'down', url: upstream.url, statusCode: response.status, message: downMessage(checks, response.status), checks };
  } catch (error) {
    return { status: 'down', url: upstream.url, message: fetchFailure(error, timeoutMs) };
  }
}

/** The failing checks of a terminus readiness body (`postgres: connection refused`), else the status. */
function downMessage(checks: unknown, status: number): string {
  const failing = (checks as { error?: Record<string, { message?: unknown }> } | undefined)?.error;
  const reasons = failing === undefined || failing === null ? [] : Object.entries(failing).map(([key, check]) => `${key}: ${String(check?.message ?? 'down')}`);
  return reasons.length > 0 ? `not ready (${reasons.join('; ')})` : `not ready (HTTP ${status})`;
}

function fetchFailure(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors may come from another realm (a test runner's VM context), where instanceof fails.
  const failure = error as { name?: unknown; message?: unknown; cause?: { message?: unknown } } | null;
  if (failure?.name === 'TimeoutError' || failure?.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  // undici's "fetch failed" hides the reason (connect ECONNREFUSED ...) in its cause.
  if (typeof failure?.cause?.message === 'string' && failure.cause.message !== '') return failure.cause.message;
  return typeof failure?.message === 'string' ? failure.message : String(error);
}

interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly details?: Readonly<Record<string, string>>;
}

function sendProblem(res: ServerResponse, problem: Problem): void {
  const body = JSON.stringify(problem);
  res.writeHead(problem.status, { 'Content-Type': 'application/problem+json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

/** The problem an upstream failure is answered with, naming the service. */
export function upstreamProblem(upstream: GatewayUpstream, error: NodeJS.ErrnoException, instance: string | undefined): Problem {
  const details = { service: upstream.service, upstream: upstream.url };
  const reason = error.message || error.code || 'unknown error';
  if (error.code === 'ETIMEDOUT') {
    return {
      type: GatewayProblemType.gatewayTimeout,
      title: 'Gateway Timeout',
      status: 504,
      detail: `${upstream.service} at ${upstream.url} did not answer in time (${reason})`,
      instance,
      details,
    };
  }
  if (error.code !== undefined && UNREACHABLE.has(error.code)) {
    return {
      type: GatewayProblemType.serviceUnavailable,
      title: 'Service Unavailable',
      status: 503,
      detail: `${upstream.service} is not reachable at ${upstream.url} (${reason}): is it running?`,
      instance,
      details,
    };
  }
  return {
    type: GatewayProblemType.badGateway,
    title: 'Bad Gateway',
    status: 502,
    detail: `${upstream.service} at ${upstream.url} failed to answer (${reason})`,
    instance,
    details,
  };
}

/** The gateway's HTTP server, not listening yet; closing it also closes its upstream connections. */
export function createGateway(options: GatewayOptions): Server {
  const upstreams = options.upstreams;
  const healthTimeoutMs = options.healthTimeoutMs ?? 2000;
  const requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Kept-alive connections: a new TCP connection per proxied request would cost more than the proxying itself.
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const proxy = createProxyServer({ agent, xfwd: true });
  const prefixes = upstreams.flatMap((upstream) => upstream.prefixes).join(', ');

  proxy.on('proxyReq', (proxyReq) => {
    // The proxy's own timeout destroys the request without a reason, which would read as a reset connection.
    proxyReq.setTimeout(requestTimeoutMs, () => {
      proxyReq.destroy(Object.assign(new Error(`no answer within ${requestTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
  });

  proxy.on('proxyRes', (proxyRes, _req, res) => {
    // A service that breaks the connection mid-answer: the piped response would otherwise wait forever.
    proxyRes.once('close', () => {
      if (!proxyRes.complete) res.destroy();
    });
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const pathname = url.split(/[?#]/, 1)[0];
    if (pathname === '/health' || pathname === '/health/ready') {
      void aggregateHealth(upstreams, healthTimeoutMs).then(
        (health) => sendJson(res, health.status === 'ok' ? 200 : 503, health),
        (error: unknown) => sendJson(res, 503, { status: 'error', message: String(error) }),
      );
      return;
    }
    if (pathname === '/health/live') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    const upstream = routeFor(upstreams, url);
    if (upstream === undefined) {
      sendProblem(res, {
        type: GatewayProblemType.notFound,
        title: 'Not Found',
        status: 404,
        detail: `No Trellis service serves ${pathname}: the gateway routes ${prefixes}, /health and /health/live`,
        instance: pathname,
      });
      return;
    }
    proxy.web(req, res, { target: upstream.url }, (error: NodeJS.ErrnoException, _req, response: ServerResponse | Socket) => {
      log(`gateway: ${req.method ?? 'GET'} ${pathname} → ${upstream.service} (${upstream.url}) failed: ${error.code ?? ''} ${error.message}`.trim());
      if (!('writeHead' in response)) return;
      if (response.headersSent) {
        // The answer had begun: cut it, so the client sees a broken response rather than a silently short one.
        response.destroy(error);
        return;
      }
      sendProblem(response, upstreamProblem(upstream, error, pathname));
    });
  });
  server.on('close', () => {
    proxy.close();
    agent.destroy();
  });
  return server;
}
