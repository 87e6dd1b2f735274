// The deployment artefacts against the services' settings schemas, without Docker or Kubernetes: every environment
// variable deploy/compose, deploy/helm and start:distributed give a service is a setting of THAT service, every
// setting it requires is given, and every value passes validation (so the service would start).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import {
  composeEnvironment,
  containerEnvironments,
  environmentProblems,
  interpolate,
  type Manifest,
  parseCompose,
  parseManifests,
  renderChart,
  renderTemplate,
  type TemplateContext,
} from './deploy-config.js';
import { GATEWAY_SETTINGS, SERVICE_SETTINGS, type ServiceSettings } from './service-schemas.js';
import { SERVICE_NAMES, SERVICES, serviceEnvironment, type ServiceName } from './topology.js';

const repository = new URL('../../', import.meta.url);
const composeText = readFileSync(new URL('deploy/compose/docker-compose.yml', repository), 'utf8');
const chartDirectory = fileURLToPath(new URL('deploy/helm/trellis', repository));

const INFRASTRUCTURE = ['kafka', 'kurrentdb', 'postgres'];

function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** Every problem of a compose file: services the check does not know, and each service's environment. */
function composeProblems(text: string): string[] {
  const compose = parseCompose(text);
  const problems: string[] = [];
  for (const name of Object.keys(compose.services as object)) {
    if (INFRASTRUCTURE.includes(name)) continue;
    const settings: ServiceSettings | undefined = isServiceName(name) ? SERVICE_SETTINGS[name] : name === 'gateway' ? GATEWAY_SETTINGS : undefined;
    if (settings === undefined) {
      problems.push(`compose ${name}: not a Trellis service (${SERVICE_NAMES.join(', ')}, gateway) nor known infrastructure`);
      continue;
    }
    const { env, problems: found } = composeEnvironment(compose, name);
    problems.push(...found, ...environmentProblems(settings.schema, { source: 'compose', service: name, env }, settings.load));
  }
  for (const name of SERVICE_NAMES) if (!(name in (compose.services as object))) problems.push(`compose: ${name} is missing`);
  return problems;
}

/** Every problem of a rendered chart: containers the check does not know, and each one's environment. */
function helmProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { container, env, problems: found } of containerEnvironments(manifests)) {
    const name = String(container.name);
    problems.push(...found);
    if (!isServiceName(name)) {
      problems.push(`helm ${name}: not a Trellis service (${SERVICE_NAMES.join(', ')})`);
      continue;
    }
    seen.add(name);
    problems.push(...environmentProblems(SERVICE_SETTINGS[name].schema, { source: 'helm', service: name, env }, SERVICE_SETTINGS[name].load));
  }
  for (const name of SERVICE_NAMES) if (!seen.has(name)) problems.push(`helm: no Deployment runs ${name}`);
  return problems;
}

describe('deploy/compose/docker-compose.yml', () => {
  const compose = parseCompose(composeText);
  const services = compose.services as Record<string, Record<string, unknown>>;

  it("sets only variables of each service's schema, every required one, each value valid", () => {
    expect(composeProblems(composeText)).toEqual([]);
  });

  it.each(SERVICES.map((service) => [service.name, service.main] as const))('runs %s from %s', (name, main) => {
    expect(services[name].command).toEqual([main]);
    expect(services[name].build).toEqual({ context: '../..', dockerfile: 'deploy/docker/Dockerfile' });
  });

  it.each(SERVICE_NAMES)('checks %s on /health/ready and starts it once Kafka and Postgres are healthy', (name) => {
    expect(JSON.stringify((services[name].healthcheck as { test: unknown }).test)).toContain('/health/ready');
    const dependsOn = services[name].depends_on as Record<string, { condition: string }>;
    expect(dependsOn.kafka).toEqual({ condition: 'service_healthy' });
    expect(dependsOn.postgres).toEqual({ condition: 'service_healthy' });
    for (const dependency of Object.values(dependsOn)) expect(dependency.condition).toBe('service_healthy');
  });

  it('puts the two writing services on KurrentDB, which it runs with Kafka (KRaft) and Postgres 15', () => {
    for (const name of ['deployment-service', 'runtime-service']) {
      expect(composeEnvironment(compose, name).env).toEqual(
        expect.objectContaining({ TRELLIS_EVENT_STORE: 'eventstoredb', TRELLIS_EVENTSTORE_URL: 'kurrentdb://kurrentdb:2113?tls=false' }),
      );
      expect((services[name].depends_on as Record<string, unknown>).kurrentdb).toEqual({ condition: 'service_healthy' });
    }
    expect(services.kafka.image).toMatch(/^apache\/kafka:/);
    expect((services.kafka.environment as Record<string, unknown>).KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.kurrentdb.image).toMatch(/kurrentdb/);
    expect(services.postgres.image).toBe('postgres:15');
  });

  it('routes every service through the gateway, which starts once all five are healthy', () => {
    const command = services.gateway.command as string[];
    expect(command[0]).toBe('tools/distributed/run-gateway.ts');
    expect(command.slice(1).sort()).toEqual(SERVICE_NAMES.map((name) => `--upstream=${name}=http://${name}:8080`).sort());
    expect(Object.keys(services.gateway.depends_on as object).sort()).toEqual([...SERVICE_NAMES].sort());
  });
});

describe('deploy/helm/trellis', () => {
  const { manifests, notes } = renderChart(chartDirectory);
  const deployments = manifests.filter((manifest) => manifest.kind === 'Deployment');
  const containerOf = (name: string): Record<string, unknown> => {
    const found = containerEnvironments(manifests).find((entry) => entry.container.name === name);
    if (found === undefined) throw new Error(`no container ${name}`);
    return found.container;
  };

  it("gives each Deployment only variables of its service's schema, every required one, each value valid", () => {
    expect(helmProblems(manifests)).toEqual([]);
  });

  it('has one Deployment, Service and ConfigMap per service, and one Secret for the connection strings', () => {
    const names = (kind: string): string[] =>
      manifests
        .filter((manifest) => manifest.kind === kind)
        .map((manifest) => String((manifest.metadata as { name: string }).name))
        .sort();
    const expected = SERVICE_NAMES.map((name) => `trellis-${name}`).sort();
    expect(names('Deployment')).toEqual(expected);
    expect(names('Service')).toEqual(expected);
    expect(names('ConfigMap')).toEqual(expected);
    expect(names('Secret')).toEqual(['trellis-connections']);
    expect(deployments).toHaveLength(SERVICE_NAMES.length);
  });

  it.each(SERVICES.map((service) => [service.name, service.main] as const))('runs %s from %s with probes and resources', (name, main) => {
    const container = containerOf(name);
    expect(container.args).toEqual([main]);
    expect(container.readinessProbe).toEqual(expect.objectContaining({ httpGet: { path: '/health/ready', port: 'http' } }));
    expect(container.livenessProbe).toEqual(expect.objectContaining({ httpGet: { path: '/health/live', port: 'http' } }));
    expect(container.resources).toEqual({ requests: { cpu: expect.any(String), memory: expect.any(String) }, limits: { memory: expect.any(String) } });
  });

  it('reads the Postgres and event store URLs from the Secret, and every other setting from the ConfigMap', () => {
    const connections = containerEnvironments(manifests).map(({ container }) => ({
      name: container.name,
      fromSecret: (container.env as { name: string; valueFrom?: { secretKeyRef?: unknown } }[]).filter((env) => env.valueFrom?.secretKeyRef !== undefined).map((env) => env.name),
    }));
    for (const { name, fromSecret } of connections) {
      const writes = SERVICES.find((service) => service.name === name)?.writesEvents;
      expect(fromSecret).toEqual(writes ? ['TRELLIS_POSTGRES_URL', 'TRELLIS_EVENTSTORE_URL'] : ['TRELLIS_POSTGRES_URL']);
    }
  });

  it('maps the REST paths to the services in its Ingress exactly as the gateway does', () => {
    const ingress = manifests.find((manifest) => manifest.kind === 'Ingress') as { spec: { rules: { http: { paths: { path: string; pathType: string; backend: { service: { name: string } } }[] } }[] } };
    const routes = ingress.spec.rules[0].http.paths.map((path) => [path.path, path.pathType, path.backend.service.name]);
    expect(routes).toEqual(SERVICES.flatMap((service) => service.prefixes.map((prefix) => [prefix, 'Prefix', `trellis-${service.name}`])));
  });

  it('renders its notes', () => {
    expect(notes).toContain('release trellis in namespace default');
  });
});

describe('start:distributed', () => {
  it.each(SERVICES.map((service) => [service.name, service] as const))("gives %s only variables of its schema, each valid", (name, service) => {
    const env = serviceEnvironment(service, { postgresUrl: 'postgres://postgres@127.0.0.1:5432/test', kafkaBrokers: '127.0.0.1:9092', host: '127.0.0.1' });
    const { schema, load } = SERVICE_SETTINGS[name];
    expect(environmentProblems(schema, { source: 'start:distributed', service: name, env }, load)).toEqual([]);
  });
});

describe('the check itself, on documents in memory', () => {
  const context: TemplateContext = {
    Values: { image: { tag: '1.2.3' }, resources: { requests: { cpu: '100m' } }, level: 'debug' },
    Release: { Name: 'demo', Namespace: 'ops', Service: 'Helm' },
    Chart: { Name: 'trellis', Version: '0.1.0', AppVersion: '0.1.0' },
  };

  const composeWith = (environment: string): string => `
services:
  task-service:
    command: ['apps/task-service/src/main.ts']
    environment:
${environment}
`;

  it('fails on a variable no setting of that service knows, naming the nearest one', () => {
    expect(composeProblems(composeWith('      TRELLIS_POSTGRES_URLS: postgres://db/x'))).toContain(
      'compose task-service: TRELLIS_POSTGRES_URLS is not a setting of task-service (did you mean TRELLIS_POSTGRES_URL?)',
    );
  });

  it("fails on a setting of another service: the event store is not the task-service's", () => {
    expect(composeProblems(composeWith('      TRELLIS_EVENT_STORE: postgres'))).toContain('compose task-service: TRELLIS_EVENT_STORE is not a setting of task-service');
  });

  it('fails on a value its setting refuses, and on a required setting left out', () => {
    expect(composeProblems(composeWith('      TRELLIS_LOG_LEVEL: loud'))).toContain(
      'compose task-service: TRELLIS_LOG_LEVEL="loud": expected one of fatal, error, warn, log, debug, verbose, silent',
    );
    expect(composeProblems(composeWith('      TRELLIS_ENV: production'))).toContain(
      'compose task-service: TRELLIS_CORS_ORIGINS is not set: required in production; expected * (any origin), none, or comma-separated origins (scheme://host[:port])',
    );
    const schema = { ...SERVICE_SETTINGS['dmn-service'].schema, TRELLIS_REQUIRED_THING: { type: 'string', rule: 'anything', meaning: 'test', parse: (raw: string) => ({ ok: true, value: raw }) } } as const;
    expect(environmentProblems(schema, { source: 'compose', service: 'dmn-service', env: {} })).toContain(
      'compose dmn-service: TRELLIS_REQUIRED_THING is required (it has no default) and is not set',
    );
  });

  it('fails on a service it does not know, and on a service missing from the file', () => {
    const problems = composeProblems(composeWith('      TRELLIS_LOG_LEVEL: warn').replace('task-service:', 'tasks-service:'));
    expect(problems).toContain('compose tasks-service: not a Trellis service (deployment-service, runtime-service, task-service, dmn-service, history-service, gateway) nor known infrastructure');
    expect(problems).toContain('compose: task-service is missing');
  });

  it('reads list-form environments and interpolates as compose does', () => {
    const compose = parseCompose(composeWith('      - TRELLIS_LOG_LEVEL=${LEVEL:-warn}\n      - TRELLIS_KAFKA_CLIENT_ID=$$x\n      - TRELLIS_POSTGRES_URL\n      - TRELLIS_HOST=${HOST}'));
    expect(composeEnvironment(compose, 'task-service')).toEqual({
      env: { TRELLIS_LOG_LEVEL: 'warn', TRELLIS_KAFKA_CLIENT_ID: '$x', TRELLIS_HOST: '' },
      problems: [
        'compose task-service: TRELLIS_POSTGRES_URL is passed through from the shell running compose, so its value is not known',
        'compose task-service: TRELLIS_HOST uses ${HOST}, which has no default',
      ],
    });
    expect(interpolate('a${X-b}c${Y:?need y}')).toEqual({ value: 'abc', unset: ['Y'] });
  });

  it('fails on an unknown variable in a rendered chart, wherever it comes from', () => {
    const manifests = parseManifests(
      renderTemplate(
        `apiVersion: v1
kind: ConfigMap
metadata: { name: {{ .Release.Name }}-history }
data:
  TRELLIS_LOG_LEVEL: {{ .Values.level | quote }}
  TRELLIS_HISTORY_SCHEMAS: trellis_history
---
apiVersion: v1
kind: Secret
metadata: { name: demo-connections }
data:
  url: ${Buffer.from('postgres://db/history').toString('base64')}
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: demo-history }
spec:
  template:
    spec:
      containers:
        - name: history-service
          envFrom: [{ configMapRef: { name: demo-history } }]
          env:
            - { name: TRELLIS_POSTGRES_URL, valueFrom: { secretKeyRef: { name: demo-connections, key: url } } }
            - { name: TRELLIS_KAFKA_BROKERS, valueFrom: { secretKeyRef: { name: demo-connections, key: brokers } } }
            - { name: TRELLIS_RELAY_NAME, value: history }
`,
        context,
      ),
    );
    const [history] = containerEnvironments(manifests);
    expect(history.env).toEqual({ TRELLIS_LOG_LEVEL: 'debug', TRELLIS_HISTORY_SCHEMAS: 'trellis_history', TRELLIS_POSTGRES_URL: 'postgres://db/history', TRELLIS_RELAY_NAME: 'history' });
    expect(helmProblems(manifests)).toEqual(
      expect.arrayContaining([
        'helm history-service: TRELLIS_KAFKA_BROKERS refers to Secret demo-connections key brokers, which the chart does not render',
        'helm history-service: TRELLIS_HISTORY_SCHEMAS is not a setting of history-service (did you mean TRELLIS_HISTORY_SCHEMA?)',
        'helm history-service: TRELLIS_RELAY_NAME is not a setting of history-service',
        'helm: no Deployment runs deployment-service',
      ]),
    );
  });

  it('renders value references, pipelines and trim markers as Helm does, and refuses what it does not understand', () => {
    expect(renderTemplate('image: "x:{{ .Values.image.tag }}"\nns: {{ .Release.Namespace | quote }}', context)).toBe('image: "x:1.2.3"\nns: "ops"');
    expect(renderTemplate('resources:\n  {{- toYaml .Values.resources | nindent 2 }}\n{{/* a comment */}}end', context)).toBe('resources:\n  requests:\n    cpu: 100m\nend');
    expect(() => renderTemplate('{{ .Values.missing.key }}', context, 'x.yaml')).toThrow('x.yaml: {{ .Values.missing.key }}: .Values.missing.key is not set');
    expect(() => renderTemplate('{{- if .Values.level }}', context, 'x.yaml')).toThrow('if is not among the functions the check renders');
    expect(() => renderTemplate('{{ include "trellis.labels" . }}', context, 'x.yaml')).toThrow('include is not among the functions');
    expect(() => renderTemplate('{{ .Values.resources }}', context, 'x.yaml')).toThrow('renders a object, not text');
  });
});
