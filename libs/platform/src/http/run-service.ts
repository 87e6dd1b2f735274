import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';

import { environmentWithFiles } from '../configuration/env-files.js';
import { ConfigurationError, type Env, unknownSettings } from '../configuration/load-settings.js';

export interface RunServiceOptions<S extends { readonly PORT: number; readonly TRELLIS_HOST: string }> {
  /** How the service names itself in its first and last lines: `the runtime-service`, `Trellis`. */
  readonly name: string;
  /** The logger context of its serving line (`RuntimeService`). */
  readonly loggerContext: string;
  /** Validates the settings; throws a `ConfigurationError` naming every bad key. */
  readonly loadSettings: (env: Env) => S;
  readonly createApp: (settings: S, env: Env) => Promise<INestApplication>;
  /** What the serving line says after the URL: its APIs and the stores it uses. */
  readonly describe: (settings: S) => string;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * What a service's `main.ts` does: reads the process's variables over `.env.<environment>` and `.env` in the working
 * directory (docs/configuration.md), validates them, builds the app and listens. A bad setting or a startup problem
 * (store, Postgres or Kafka unreachable, port taken) is the operator's to fix: one line saying what, no stack, exit 1.
 */
export async function runService<S extends { readonly PORT: number; readonly TRELLIS_HOST: string }>(options: RunServiceOptions<S>): Promise<INestApplication> {
  const env = environmentWithFiles(process.env, process.cwd());
  let settings: S;
  try {
    settings = options.loadSettings(env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(error.message);
    process.exit(1);
  }

  let app: INestApplication;
  try {
    app = await options.createApp(settings, env);
    await app.listen(settings.PORT, settings.TRELLIS_HOST);
  } catch (error) {
    console.error(`${capitalised(options.name)} could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }

  const logger = new Logger(options.loggerContext);
  // Against every Trellis setting: a deployment may give all services one environment.
  for (const warning of unknownSettings(env)) logger.warn(warning);
  const address = app.getHttpServer().address() as { port: number } | string | null;
  const port = typeof address === 'object' && address !== null ? address.port : settings.PORT;
  logger.log(`${capitalised(options.name)} is serving at http://localhost:${port} (${options.describe(settings)})`);
  return app;
}
