import { describe, expect, it } from '@jest/globals';

import { describeExit, LastLines, ServiceProcess } from './service-process.js';
import { parseStartArguments, redactedUrl, servicePort } from './start-distributed.js';
import { SERVICES, serviceEnvironment } from './topology.js';

const repositoryRoot = new URL('../../', import.meta.url).pathname;

describe('start:distributed command line', () => {
  it('puts the gateway on 8080 and the services on 8081 to 8085 by default', () => {
    const options = parseStartArguments([]);
    expect(options).toEqual({ basePort: 8080, host: '127.0.0.1', readyTimeoutMs: 180_000, stopTimeoutMs: 20_000 });
    expect(SERVICES.map((_, index) => servicePort(options.basePort, index))).toEqual(SERVICES.map((service) => service.port));
  });

  it('moves every port with --base-port', () => {
    const options = parseStartArguments(['--base-port', '18080', '--ready-timeout', '60']);
    expect(SERVICES.map((_, index) => servicePort(options.basePort, index))).toEqual([18081, 18082, 18083, 18084, 18085]);
    expect(options.readyTimeoutMs).toBe(60_000);
  });

  it('refuses a bad option, naming it', () => {
    expect(() => parseStartArguments(['--base-port', '70000'])).toThrow('--base-port 70000: expected a whole number from 1 to 65530');
    expect(() => parseStartArguments(['--stop-timeout', '-1'])).toThrow('--stop-timeout');
  });

  it('never prints a Postgres password', () => {
    expect(redactedUrl('postgres://trellis:s3cret@db:5432/trellis')).toBe('postgres://trellis:***@db:5432/trellis');
    expect(redactedUrl('postgres://postgres@127.0.0.1:5432/test')).toBe('postgres://postgres@127.0.0.1:5432/test');
  });
});

describe('the environment of each service', () => {
  const shared = { postgresUrl: 'postgres://postgres@127.0.0.1:5432/test', kafkaBrokers: '127.0.0.1:9092', host: '127.0.0.1' };

  it('puts the two writing services on the shared Postgres event store, each relaying under its own name', () => {
    for (const name of ['deployment-service', 'runtime-service']) {
      const service = SERVICES.find((candidate) => candidate.name === name)!;
      expect(serviceEnvironment(service, shared)).toEqual(
        expect.objectContaining({ TRELLIS_EVENT_STORE: 'postgres', TRELLIS_EVENT_STORE_SCHEMA: 'trellis_events', TRELLIS_RELAY_NAME: name }),
      );
    }
  });

  it('gives every service its own port and Kafka client id', () => {
    const environments = SERVICES.map((service) => serviceEnvironment(service, shared));
    expect(new Set(environments.map((env) => env.PORT)).size).toBe(SERVICES.length);
    expect(environments.map((env) => env.TRELLIS_KAFKA_CLIENT_ID)).toEqual(SERVICES.map((service) => service.name));
  });
});

describe('a service process', () => {
  it('says how it ended', () => {
    expect(describeExit(1, null)).toBe('exited with code 1');
    expect(describeExit(null, 'SIGKILL')).toBe('was killed by SIGKILL');
  });

  it('keeps its last lines only', () => {
    const lines = new LastLines(2);
    ['a', 'b', 'c'].forEach((line) => lines.push(line));
    expect(lines.all()).toEqual(['b', 'c']);
  });

  it('that dies before it is ready is reported with its exit code and its last lines, each line prefixed with its name', async () => {
    const output: string[] = [];
    const service = new ServiceProcess({
      name: 'missing-service',
      main: 'apps/missing-service/src/main.ts',
      cwd: repositoryRoot,
      env: process.env,
      url: 'http://127.0.0.1:9',
      output: (name, line) => output.push(`${name} | ${line}`),
    });
    service.start();
    await expect(service.waitReady(30_000, 100)).rejects.toThrow('missing-service exited with code 1 before it was ready');
    expect(service.exit).toEqual({ code: 1, signal: null });
    expect(service.lastLines().join('\n')).toContain('apps/missing-service/src/main.ts');
    expect(output.length).toBeGreaterThan(0);
    expect(output.every((line) => line.startsWith('missing-service | '))).toBe(true);
  });
});
