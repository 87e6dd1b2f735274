import { type Env, historySettings, httpSettings, kafkaSettings, postgresSettings, type SettingsOf, validateSettings } from '@trellis/platform';

/** What the history-service reads: HTTP, Postgres (its read model), Kafka, and the schema of its read model. */
export const historyServiceSettings = { ...httpSettings, ...postgresSettings, ...kafkaSettings, ...historySettings };
export type HistoryServiceSettings = SettingsOf<typeof historyServiceSettings>;

/** The history-service's settings, validated (see docs/configuration.md); throws a `ConfigurationError` naming each bad one. */
export function loadHistoryServiceSettings(env: Env): HistoryServiceSettings {
  return validateSettings(historyServiceSettings, env);
}
