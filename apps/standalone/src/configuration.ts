import type { LogLevel } from '@nestjs/common';
import {
  ConfigurationError,
  type Env,
  eventStoreSettings,
  httpSettings,
  postgresSettings,
  runtimeSettings,
  type SettingsOf,
  type TrellisLogLevel,
  validateSettings,
} from '@trellis/platform';

export { ConfigurationError };

/**
 * What the standalone server reads: HTTP, its event store (with the Postgres settings, for the postgres store), the
 * runtime. No Kafka: its modules talk in process.
 */
export const standaloneSettings = { ...httpSettings, ...eventStoreSettings, ...postgresSettings, ...runtimeSettings };
export type StandaloneSettings = SettingsOf<typeof standaloneSettings>;

/** Every setting of the standalone server, validated (see docs/configuration.md); throws a `ConfigurationError`. */
export function loadStandaloneSettings(env: Env): StandaloneSettings {
  return validateSettings(standaloneSettings, env);
}

const nestLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The TRELLIS_LOG_LEVEL that prints the given Nest levels: the most verbose of them (`silent` for none). */
export function logLevelOf(levels: readonly LogLevel[] | false): TrellisLogLevel {
  if (levels === false || levels.length === 0) return 'silent';
  return nestLevels[Math.max(...levels.map((level) => nestLevels.indexOf(level)))] ?? 'log';
}
