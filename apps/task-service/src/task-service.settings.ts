import { type Env, type SettingsOf, httpSettings, kafkaSettings, postgresSettings, tasksSettings, validateSettings } from '@trellis/platform';

/** What the task-service reads: HTTP, Postgres (its read model and outbox), Kafka, and its own schema and outbox tunables. */
export const taskServiceSettings = { ...httpSettings, ...postgresSettings, ...kafkaSettings, ...tasksSettings };
export type TaskServiceSettings = SettingsOf<typeof taskServiceSettings>;

/** The task-service's settings, validated (see docs/configuration.md); throws a `ConfigurationError` naming each bad one. */
export function loadTaskServiceSettings(env: Env): TaskServiceSettings {
  return validateSettings(taskServiceSettings, env);
}
