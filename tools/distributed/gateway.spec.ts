import { describe, expect, it } from '@jest/globals';

import { routeFor, upstreamProblem } from './gateway.js';
import { parseGatewayArguments } from './run-gateway.js';
import { SERVICES } from './topology.js';

const upstreams = SERVICES.map((service) => ({ service: service.name, url: `http://127.0.0.1:${service.port}`, prefixes: service.prefixes }));

describe('the path map', () => {
  it.each([
    ['/api/deployments', 'deployment-service'],
    ['/api/deployments?tenant=a', 'deployment-service'],
    ['/api/process-definitions/order-process:1/xml', 'deployment-service'],
    ['/api/process-instances', 'runtime-service'],
    ['/api/process-instances/3f1c/variables', 'runtime-service'],
    ['/api/jobs/activate', 'runtime-service'],
    ['/api/external-tasks/fetch-and-lock', 'runtime-service'],
    ['/api/workers', 'runtime-service'],
    ['/api/incidents/i-1/resolve', 'runtime-service'],
    ['/api/user-tasks?state=CREATED', 'runtime-service'],
    ['/api/tasks', 'task-service'],
    ['/api/tasks/t-1/complete', 'task-service'],
    ['/api/decision-definitions/d-1/xml', 'dmn-service'],
    ['/api/history/process-instances?sort=startTime:desc', 'history-service'],
    // Camunda 7's API: deployments are made by the deployment-service, everything else is the runtime's.
    ['/engine-rest/deployment/create', 'deployment-service'],
    ['/engine-rest/deployment?sortBy=name&sortOrder=asc', 'runtime-service'],
    ['/engine-rest/process-definition/key/order/start', 'runtime-service'],
    ['/engine-rest/history/process-instance', 'runtime-service'],
    ['/engine-rest/external-task/fetchAndLock', 'runtime-service'],
    // ... but Camunda 7's tasks, which the task-service keeps.
    ['/engine-rest/task', 'task-service'],
    ['/engine-rest/task/t-1/claim', 'task-service'],
    // Camunda 8's user tasks too.
    ['/v2/user-tasks/search', 'task-service'],
    ['/v2/user-tasks/t-1/assignment', 'task-service'],
    // Decisions are evaluated by the dmn-service in every dialect.
    ['/api/decisions/risk-check/evaluate?version=2', 'dmn-service'],
    ['/engine-rest/decision-definition/key/risk-check/evaluate', 'dmn-service'],
    ['/v2/decision-definitions/evaluation', 'dmn-service'],
  ])('sends %s to %s', (path, service) => {
    expect(routeFor(upstreams, path)?.service).toBe(service);
  });

  it.each(['/api', '/api/', '/api/deploymentsX', '/api/task', '/api/tasks-archive', '/docs', '/', '/history', '/api/historyx/y', '/engine-restx', '/v2/user-tasksx'])(
    'sends %s nowhere',
    (path) => {
      expect(routeFor(upstreams, path)).toBeUndefined();
    },
  );

  it('gives each prefix to exactly one service', () => {
    const prefixes = SERVICES.flatMap((service) => service.prefixes);
    expect(new Set(prefixes).size).toBe(prefixes.length);
  });

  it('prefers the longest prefix when one lies under another', () => {
    const nested = [
      { service: 'history-service', url: 'http://h', prefixes: ['/api/history'] },
      { service: 'task-service', url: 'http://t', prefixes: ['/api/history/user-tasks'] },
    ];
    expect(routeFor(nested, '/api/history/user-tasks/1')?.service).toBe('task-service');
    expect(routeFor(nested, '/api/history/jobs')?.service).toBe('history-service');
  });
});

describe('upstream failures', () => {
  const upstream = upstreams[1];
  const failure = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

  it('is 503 when nothing listens at the service address', () => {
    expect(upstreamProblem(upstream, failure('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:8082'), '/api/jobs')).toEqual({
      type: 'urn:trellis:problem:service-unavailable',
      title: 'Service Unavailable',
      status: 503,
      detail: 'runtime-service is not reachable at http://127.0.0.1:8082 (connect ECONNREFUSED 127.0.0.1:8082): is it running?',
      instance: '/api/jobs',
      details: { service: 'runtime-service', upstream: 'http://127.0.0.1:8082' },
    });
    expect(upstreamProblem(upstream, failure('ENOTFOUND', 'getaddrinfo ENOTFOUND runtime'), '/api/jobs').status).toBe(503);
  });

  it('is 502 when the service broke the connection, 504 when it did not answer in time', () => {
    expect(upstreamProblem(upstream, failure('ECONNRESET', 'socket hang up'), '/api/jobs')).toEqual(
      expect.objectContaining({ status: 502, type: 'urn:trellis:problem:bad-gateway', detail: expect.stringContaining('runtime-service') }),
    );
    expect(upstreamProblem(upstream, failure('ETIMEDOUT', 'no answer within 60000 ms'), '/api/jobs')).toEqual(
      expect.objectContaining({ status: 504, type: 'urn:trellis:problem:gateway-timeout', detail: expect.stringContaining('runtime-service') }),
    );
  });
});

describe('run-gateway command line', () => {
  it('expects each service at its start:distributed port on loopback by default', () => {
    const options = parseGatewayArguments([]);
    expect(options.port).toBe(8080);
    expect(options.host).toBe('0.0.0.0');
    expect(options.upstreams.map((upstream) => [upstream.service, upstream.url])).toEqual([
      ['deployment-service', 'http://127.0.0.1:8081'],
      ['runtime-service', 'http://127.0.0.1:8082'],
      ['task-service', 'http://127.0.0.1:8083'],
      ['dmn-service', 'http://127.0.0.1:8084'],
      ['history-service', 'http://127.0.0.1:8085'],
    ]);
  });

  it('takes a service address per --upstream, as compose gives them', () => {
    const options = parseGatewayArguments(['--port', '9000', '--upstream', 'task-service=http://task-service:8080/', '--request-timeout-ms', '5000']);
    expect(options.port).toBe(9000);
    expect(options.requestTimeoutMs).toBe(5000);
    expect(options.upstreams.find((upstream) => upstream.service === 'task-service')?.url).toBe('http://task-service:8080');
  });

  it.each([
    [['--upstream', 'tasks=http://x:1'], 'unknown service tasks'],
    [['--upstream', 'task-service'], 'expected <service>=<http://host:port>'],
    [['--port', 'eighty'], '--port eighty: expected a whole number from 0 to 65535'],
    [['--colour'], "Unknown option '--colour'"],
  ])('refuses %j, saying why', (args, message) => {
    expect(() => parseGatewayArguments(args)).toThrow(message);
  });
});
