// The distributed mode's services, in one place: which app each is, where it listens by default, which REST paths it
// answers and what environment `npm run start:distributed` gives it. The gateway, the start script and the
// deployment-config check (deploy/) all read this table, so a path or a port is changed here once.

/** The five services of the distributed mode, in the order they start. */
export const SERVICE_NAMES = ['deployment-service', 'runtime-service', 'task-service', 'dmn-service', 'history-service'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface DistributedService {
  readonly name: ServiceName;
  /** The entry point, relative to the repository root. */
  readonly main: string;
  /** The port `start:distributed` gives it (compose and helm use 8080 inside each container). */
  readonly port: number;
  /** REST path prefixes it owns: the gateway sends a request whose path is one of these, or under one, to it. */
  readonly prefixes: readonly string[];
  /** It appends to the shared event store (and relays what it appended), rather than only reading Kafka. */
  readonly writesEvents: boolean;
}

export const GATEWAY_PORT = 8080;

export const SERVICES: readonly DistributedService[] = [
  {
    name: 'deployment-service',
    main: 'apps/deployment-service/src/main.ts',
    port: 8081,
    // Camunda Modeler deploys to Camunda 7's /engine-rest/deployment/create.
    prefixes: ['/api/deployments', '/api/process-definitions', '/engine-rest/deployment/create'],
    writesEvents: true,
  },
  {
    name: 'runtime-service',
    main: 'apps/runtime-service/src/main.ts',
    port: 8082,
    // The rest of Camunda 7's /engine-rest is served over the runtime (history included: from the runtime's views).
    prefixes: ['/api/process-instances', '/api/jobs', '/api/external-tasks', '/api/workers', '/api/incidents', '/api/user-tasks', '/api/messages', '/api/signals', '/api/conditionals', '/api/async-continuations', '/engine-rest'],
    writesEvents: true,
  },
  { name: 'task-service', main: 'apps/task-service/src/main.ts', port: 8083, prefixes: ['/api/tasks', '/engine-rest/task', '/v2/user-tasks'], writesEvents: false },
  {
    name: 'dmn-service',
    main: 'apps/dmn-service/src/main.ts',
    port: 8084,
    // Decision evaluation in every dialect: Camunda 7's /engine-rest/decision-definition (longer than the runtime's
    // /engine-rest, so it wins) and Camunda 8's /v2/decision-definitions.
    prefixes: ['/api/decision-definitions', '/api/decisions', '/engine-rest/decision-definition', '/v2/decision-definitions'],
    writesEvents: false,
  },
  { name: 'history-service', main: 'apps/history-service/src/main.ts', port: 8085, prefixes: ['/api/history'], writesEvents: false },
];

export function serviceNamed(name: string): DistributedService | undefined {
  return SERVICES.find((service) => service.name === name);
}

/** What the whole distributed mode shares: one Postgres server and one Kafka cluster. */
export interface SharedInfrastructure {
  readonly postgresUrl: string;
  readonly kafkaBrokers: string;
  /** The interface every service listens on. */
  readonly host: string;
}

/** The schema of the shared Postgres event store (the design's `trellis_events`). */
export const EVENT_STORE_SCHEMA = 'trellis_events';

/**
 * The variables `start:distributed` sets for a service, over the caller's environment (so `TRELLIS_LOG_LEVEL=debug npm
 * run start:distributed` reaches every service). Only keys of that service's settings schema: the deployment-config
 * check (tools/distributed/deploy-config.spec.ts) holds this to the same rule as the compose file and the chart.
 */
export function serviceEnvironment(service: DistributedService, shared: SharedInfrastructure): Record<string, string> {
  const env: Record<string, string> = {
    PORT: String(service.port),
    TRELLIS_HOST: shared.host,
    TRELLIS_POSTGRES_URL: shared.postgresUrl,
    TRELLIS_KAFKA_BROKERS: shared.kafkaBrokers,
    TRELLIS_KAFKA_CLIENT_ID: service.name,
  };
  if (service.writesEvents) {
    env.TRELLIS_EVENT_STORE = 'postgres';
    env.TRELLIS_EVENT_STORE_SCHEMA = EVENT_STORE_SCHEMA;
    // Its relay's checkpoint row, leadership lock and lag metric carry its name.
    env.TRELLIS_RELAY_NAME = service.name;
  }
  return env;
}
