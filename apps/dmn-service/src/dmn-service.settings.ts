import { type Env, type SettingsOf, dmnSettings, httpSettings, kafkaSettings, postgresSettings, validateSettings } from '@trellis/platform';

/** What the dmn-service reads: HTTP, Postgres (its store of decisions), Kafka, and its own schema. */
export const dmnServiceSettings = { ...httpSettings, ...postgresSettings, ...kafkaSettings, ...dmnSettings };
export type DmnServiceSettings = SettingsOf<typeof dmnServiceSettings>;

/** The dmn-service's settings, validated (see docs/configuration.md); throws a `ConfigurationError` naming each bad one. */
export function loadDmnServiceSettings(env: Env): DmnServiceSettings {
  return validateSettings(dmnServiceSettings, env);
}
