import { resolve } from 'node:path';

import type { LogLevel } from '@nestjs/common';

/** Everything the standalone server reads from its environment, validated. See docs/configuration.md. */
export interface StandaloneConfiguration {
  readonly port: number;
  readonly host: string;
  readonly eventStore: 'embedded' | 'memory';
  /** Absolute directory of the embedded store's files. */
  readonly dataDir: string;
  readonly instanceCacheSize: number;
  readonly logLevel: LogLevel;
}

/** Bad configuration: lists every problem at once, so one restart fixes them all. */
export class ConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee docs/configuration.md.`);
    this.name = 'ConfigurationError';
  }
}

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Log levels from the least to the most verbose: a level enables itself and every one before it. */
export function logLevelsUpTo(level: LogLevel): LogLevel[] {
  return logLevels.slice(0, logLevels.indexOf(level) + 1);
}

export function loadConfiguration(env: Readonly<Record<string, string | undefined>>): StandaloneConfiguration {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === '' ? undefined : raw;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${name}=${JSON.stringify(env[name])}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    if (!allowed.includes(raw as T)) {
      problems.push(`${name}=${JSON.stringify(env[name])}: expected one of ${allowed.join(', ')}`);
      return fallback;
    }
    return raw as T;
  };

  const configuration: StandaloneConfiguration = {
    port: integer('PORT', 8080, 0, 65_535),
    host: value('TRELLIS_HOST') ?? '0.0.0.0',
    eventStore: oneOf('TRELLIS_EVENT_STORE', ['embedded', 'memory'], 'embedded'),
    dataDir: resolve(value('TRELLIS_DATA_DIR') ?? './data'),
    instanceCacheSize: integer('TRELLIS_INSTANCE_CACHE_SIZE', 10_000, 1, 10_000_000),
    logLevel: oneOf('TRELLIS_LOG_LEVEL', logLevels, 'log'),
  };
  if (problems.length > 0) throw new ConfigurationError(problems);
  return configuration;
}
