import { type Env, type SettingsOf, eventStoreSettings, httpSettings, kafkaSettings, postgresSettings, relaySettings, validateSettings } from '@trellis/platform';

/**
 * What the deployment-service reads: HTTP, its event store (the shared one: postgres in the distributed mode), Postgres
 * (the relay's checkpoint and leadership lock), Kafka and the relay.
 */
export const deploymentServiceSettings = { ...httpSettings, ...eventStoreSettings, ...postgresSettings, ...kafkaSettings, ...relaySettings };
export type DeploymentServiceSettings = SettingsOf<typeof deploymentServiceSettings>;

/**
 * Where the deployment-service's defaults differ from the platform's: the shared Postgres event store, and its own name
 * for its relay (checkpoint row, leadership lock, metric label) and its Kafka client. A variable that is set wins.
 */
export const DEPLOYMENT_SERVICE_DEFAULTS: Readonly<Record<string, string>> = {
  TRELLIS_EVENT_STORE: 'postgres',
  TRELLIS_RELAY_NAME: 'deployment-service',
  TRELLIS_KAFKA_CLIENT_ID: 'deployment-service',
};

/** The deployment-service's settings, validated (see docs/configuration.md); throws a `ConfigurationError` naming each bad one. */
export function loadDeploymentServiceSettings(env: Env): DeploymentServiceSettings {
  return validateSettings(deploymentServiceSettings, { ...DEPLOYMENT_SERVICE_DEFAULTS, ...definedOnly(env) });
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}
