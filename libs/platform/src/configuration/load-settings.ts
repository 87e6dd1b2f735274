import { type Environment, type Setting, type SettingsOf, type SettingsSchema } from './setting.js';
import { type TrellisSettings, trellisSettings } from './trellis.settings.js';

/** Environment variables as Node gives them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Bad configuration: lists every problem at once, so that one restart fixes them all. */
export class ConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee docs/configuration.md.`);
    this.name = 'ConfigurationError';
  }
}

/** A rule spanning several settings, or one a particular service adds: returns its problems (none when satisfied). */
export type SettingsCheck<S> = (settings: S) => readonly string[];

/** The variable that chooses the environment; its own value does not depend on the environment. */
const ENVIRONMENT_KEY = 'TRELLIS_ENV';
/** Variables with this prefix that no setting declares are reported: most are typos. */
const PREFIX = 'TRELLIS_';

/** Reads and validates every Trellis setting; throws a `ConfigurationError` naming every bad key and its rule. */
export function loadSettings(env: Env, checks: readonly SettingsCheck<TrellisSettings>[] = []): TrellisSettings {
  return validateSettings(trellisSettings, env, checks);
}

export function validateSettings<S extends SettingsSchema>(schema: S, env: Env, checks: readonly SettingsCheck<SettingsOf<S>>[] = []): SettingsOf<S> {
  const problems: string[] = [];
  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const values: Record<string, unknown> = {};
  const environmentSetting = schema[ENVIRONMENT_KEY];
  if (environmentSetting !== undefined) values[ENVIRONMENT_KEY] = readSetting(ENVIRONMENT_KEY, environmentSetting, 'development', raw, env, problems);
  const environment = (values[ENVIRONMENT_KEY] ?? 'development') as Environment;
  for (const [key, setting] of Object.entries(schema)) {
    if (key !== ENVIRONMENT_KEY) values[key] = readSetting(key, setting, environment, raw, env, problems);
  }

  for (const [key, setting] of Object.entries(schema)) {
    const when = setting.requiredWhen;
    if (when !== undefined && values[key] === undefined && values[when.key] === when.equals) {
      problems.push(`${key} is not set: required when ${when.key}=${when.equals}; expected ${setting.rule}`);
    }
  }
  for (const [key, setting] of Object.entries(schema)) {
    const limit = setting.lessThan;
    if (limit === undefined || !(limit in schema)) continue;
    const value = values[key];
    const bound = values[limit];
    if (typeof value === 'number' && typeof bound === 'number' && value >= bound) {
      problems.push(`${key}=${value}: expected less than ${limit} (${bound})`);
    }
  }
  const settings = Object.freeze(values) as SettingsOf<S>;
  // Checks see every valid value, and the default in place of each invalid one, so their problems join the others.
  for (const check of checks) problems.push(...check(settings));

  if (problems.length > 0) throw new ConfigurationError(problems);
  return settings;
}

/**
 * `TRELLIS_` variables that are no setting, each with the nearest setting's name: a warning, not an error, because
 * scripts and tests share the prefix (`TRELLIS_TEST_NO_KAFKA`, `deploy/local/kafka`'s `TRELLIS_KAFKA_PORT`).
 */
export function unknownSettings(env: Env, schema: SettingsSchema = trellisSettings): string[] {
  return Object.keys(env)
    .filter((name) => name.startsWith(PREFIX) && !(name in schema) && env[name]?.trim())
    .sort()
    .map((name) => {
      const near = nearest(name, Object.keys(schema));
      return `${name} is not a Trellis setting and is ignored${near === undefined ? '' : ` (did you mean ${near}?)`}`;
    });
}

function readSetting(
  key: string,
  setting: Setting<unknown>,
  environment: Environment,
  raw: (name: string) => string | undefined,
  env: Env,
  problems: string[],
): unknown {
  const inEnvironment = setting.environments?.[environment];
  let source = key;
  let value = raw(key);
  if (value === undefined && setting.fallback !== undefined) {
    source = setting.fallback;
    value = raw(setting.fallback);
  }
  if (value === undefined) {
    if (inEnvironment?.required) {
      problems.push(`${key} is not set: required in ${environment}; expected ${setting.rule}`);
      return undefined;
    }
    const fallback = inEnvironment?.default ?? setting.default;
    return fallback === undefined ? undefined : defaultValue(key, setting, fallback);
  }

  const given = JSON.stringify(env[source]);
  const unset = source === key ? '' : ` (read because ${key} is not set)`;
  const parsed = setting.parse(value);
  if (!parsed.ok) {
    problems.push(`${source}=${given}${unset}: expected ${setting.rule}`);
    return inEnvironment?.required ? undefined : defaultValue(key, setting, inEnvironment?.default ?? setting.default);
  }
  if (inEnvironment?.forbid?.test(parsed.value)) {
    problems.push(`${source}=${given}${unset}: ${inEnvironment.forbid.rule} in ${environment}`);
  }
  return parsed.value;
}

function defaultValue(key: string, setting: Setting<unknown>, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  const parsed = setting.parse(text);
  // A schema bug, not an operator's: the schema's own test makes sure it never ships.
  if (!parsed.ok) throw new Error(`The default ${JSON.stringify(text)} of ${key} breaks its own rule: ${setting.rule}`);
  return parsed.value;
}

/** The closest name within a few edits, for a typo. */
function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: { readonly name: string; readonly distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
