import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

import type { Env } from './load-settings.js';

/**
 * The environment a service reads its settings from: the process's variables, over `.env.<environment>`, over `.env`
 * (both optional, in `directory`). The environment is found the way the settings find it: TRELLIS_ENV, else NODE_ENV,
 * else development, whichever of the process and `.env` sets it first.
 */
export function environmentWithFiles(processEnv: Env, directory: string): Env {
  const base = readEnvFile(join(directory, '.env'));
  const pick = (name: string): string | undefined => nonEmpty(processEnv[name]) ?? nonEmpty(base[name]);
  const environment = pick('TRELLIS_ENV') ?? pick('NODE_ENV') ?? 'development';
  // Only a plain name picks a file: a value such as `../x` is left for validation to refuse.
  const specific = /^[a-z]+$/.test(environment) ? readEnvFile(join(directory, `.env.${environment}`)) : {};
  return { ...base, ...specific, ...processEnv };
}

function readEnvFile(file: string): Env {
  return existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}
