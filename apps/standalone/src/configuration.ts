import type { LogLevel } from '@nestjs/common';
import {
  ConfigurationError,
  type Env,
  eventStoreSettings,
  httpSettings,
  postgresSettings,
  runtimeSettings,
  type SettingsCheck,
  type SettingsOf,
  type TrellisLogLevel,
  validateSettings,
} from '@trellis/platform';

export { ConfigurationError };

/**
 * What the standalone server reads: HTTP, its event store (Postgres settings for the postgres store), the runtime.
 * No Kafka: its modules talk in process.
 */
export const standaloneSettings = { ...httpSettings, ...eventStoreSettings, ...postgresSettings, ...runtimeSettings };
export type StandaloneSettings = SettingsOf<typeof standaloneSettings>;

/** The event stores this build of the standalone server can open. */
export const STANDALONE_EVENT_STORES = ['embedded', 'memory'] as const;
export type StandaloneEventStore = (typeof STANDALONE_EVENT_STORES)[number];

/**
 * The schema knows the postgres and eventstoredb stores that other services use; until the standalone server is
 * wired to them, choosing one is refused at startup, with the other problems, rather than failing later.
 */
const eventStoreAvailable: SettingsCheck<StandaloneSettings> = (settings) =>
  (STANDALONE_EVENT_STORES as readonly string[]).includes(settings.TRELLIS_EVENT_STORE)
    ? []
    : [
        `TRELLIS_EVENT_STORE="${settings.TRELLIS_EVENT_STORE}": the ${settings.TRELLIS_EVENT_STORE} event store is not available ` +
          `in the standalone server yet; expected one of ${STANDALONE_EVENT_STORES.join(', ')}`,
      ];

/** Every setting of the standalone server, validated (see docs/configuration.md); throws a `ConfigurationError`. */
export function loadStandaloneSettings(env: Env): StandaloneSettings & { readonly TRELLIS_EVENT_STORE: StandaloneEventStore } {
  return validateSettings(standaloneSettings, env, [eventStoreAvailable]) as StandaloneSettings & { readonly TRELLIS_EVENT_STORE: StandaloneEventStore };
}

const nestLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The TRELLIS_LOG_LEVEL that prints the given Nest levels: the most verbose of them (`silent` for none). */
export function logLevelOf(levels: readonly LogLevel[] | false): TrellisLogLevel {
  if (levels === false || levels.length === 0) return 'silent';
  return nestLevels[Math.max(...levels.map((level) => nestLevels.indexOf(level)))] ?? 'log';
}
