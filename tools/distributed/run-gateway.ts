// The gateway on its own, for compose or for services started by hand (start:distributed runs it inside its own process):
//
//   node --import ./tools/register.mjs tools/distributed/run-gateway.ts [--port 8080] [--host 0.0.0.0]
//        [--upstream deployment-service=http://127.0.0.1:8081 ...] [--health-timeout-ms 2000] [--request-timeout-ms 60000]
//
// Without --upstream each service is expected on 127.0.0.1 at its start:distributed port (tools/distributed/topology.ts).
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { createGateway, type GatewayUpstream } from './gateway.js';
import { GATEWAY_PORT, SERVICES, serviceNamed } from './topology.js';

export interface GatewayCommandLine {
  readonly port: number;
  readonly host: string;
  readonly upstreams: readonly GatewayUpstream[];
  readonly healthTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

/** Reads the command line; throws an error naming the bad option. */
export function parseGatewayArguments(args: readonly string[]): GatewayCommandLine {
  const { values } = parseArgs({
    args: [...args],
    options: {
      port: { type: 'string', default: String(GATEWAY_PORT) },
      host: { type: 'string', default: '0.0.0.0' },
      upstream: { type: 'string', multiple: true, default: [] },
      'health-timeout-ms': { type: 'string', default: '2000' },
      'request-timeout-ms': { type: 'string', default: '60000' },
    },
    strict: true,
    allowPositionals: false,
  });
  const urls = new Map(SERVICES.map((service) => [service.name as string, `http://127.0.0.1:${service.port}`]));
  for (const item of values.upstream) {
    const match = /^([a-z-]+)=(https?:\/\/\S+)$/.exec(item);
    if (match === null) throw new Error(`--upstream ${item}: expected <service>=<http://host:port>`);
    if (serviceNamed(match[1]) === undefined) {
      throw new Error(`--upstream ${item}: unknown service ${match[1]} (one of ${SERVICES.map((service) => service.name).join(', ')})`);
    }
    urls.set(match[1], match[2].replace(/\/+$/, ''));
  }
  return {
    port: wholeNumber('--port', values.port, 0, 65_535),
    host: values.host,
    upstreams: SERVICES.map((service) => ({ service: service.name, url: urls.get(service.name) ?? '', prefixes: service.prefixes })),
    healthTimeoutMs: wholeNumber('--health-timeout-ms', values['health-timeout-ms'], 1, 600_000),
    requestTimeoutMs: wholeNumber('--request-timeout-ms', values['request-timeout-ms'], 1, 3_600_000),
  };
}

function wholeNumber(option: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${option} ${raw}: expected a whole number from ${min} to ${max}`);
  return value;
}

async function main(): Promise<void> {
  let options: GatewayCommandLine;
  try {
    options = parseGatewayArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`gateway: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  const server = createGateway(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  console.log(`gateway: serving at http://${options.host}:${port} (health of every service at /health)`);
  for (const upstream of options.upstreams) console.log(`gateway:   ${upstream.prefixes.join(', ')} → ${upstream.service} ${upstream.url}`);
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  main().catch((error: unknown) => {
    console.error(`gateway: could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
