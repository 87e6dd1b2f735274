import {
  type Env,
  type SettingsOf,
  eventStoreSettings,
  httpSettings,
  kafkaSettings,
  postgresSettings,
  relaySettings,
  runtimeSettings,
  validateSettings,
} from '@trellis/platform';

/**
 * What the runtime-service reads: HTTP, its event store (the shared one: postgres in the distributed mode), Postgres
 * (the relay's checkpoint and leadership lock), Kafka, the relay and the runtime's tunables.
 */
export const runtimeServiceSettings = {
  ...httpSettings,
  ...eventStoreSettings,
  ...postgresSettings,
  ...kafkaSettings,
  ...relaySettings,
  ...runtimeSettings,
};
export type RuntimeServiceSettings = SettingsOf<typeof runtimeServiceSettings>;

/**
 * Where the runtime-service's defaults differ from the platform's: the shared Postgres event store, and its own name
 * for its relay (checkpoint row, leadership lock, metric label) and its Kafka client. A variable that is set wins.
 */
export const RUNTIME_SERVICE_DEFAULTS: Readonly<Record<string, string>> = {
  TRELLIS_EVENT_STORE: 'postgres',
  TRELLIS_RELAY_NAME: 'runtime-service',
  TRELLIS_KAFKA_CLIENT_ID: 'runtime-service',
};

/** The runtime-service's settings, validated (see docs/configuration.md); throws a `ConfigurationError` naming each bad one. */
export function loadRuntimeServiceSettings(env: Env): RuntimeServiceSettings {
  return validateSettings(runtimeServiceSettings, { ...RUNTIME_SERVICE_DEFAULTS, ...definedOnly(env) });
}

function definedOnly(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
}
