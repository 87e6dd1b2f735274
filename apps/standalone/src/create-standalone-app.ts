import { type INestApplication, type LogLevel } from '@nestjs/common';
import { camunda7ProblemRenderer, ENGINE_REST_PATH } from '@trellis/camunda7-rest';
import { CAMUNDA8_REST_PATH } from '@trellis/decisions';
import { type Clock, createServiceApp, type Env, type EventStoreKind } from '@trellis/platform';
import type { RuntimeOptions } from '@trellis/runtime';

import { AppModule } from './app.module.js';
import { loadStandaloneSettings, logLevelOf } from './configuration.js';

export interface StandaloneAppOptions {
  /**
   * The environment variables the settings are read from (docs/configuration.md). Default: none, so every setting
   * has its default; `main.ts` passes the process's. The options below override the variables they correspond to.
   */
  readonly env?: Env;
  /** TRELLIS_EVENT_STORE. */
  readonly eventStore?: EventStoreKind;
  /** TRELLIS_DATA_DIR: directory of the embedded store. */
  readonly dataDir?: string;
  /** TRELLIS_INSTANCE_CACHE_SIZE (`instanceCacheSize`), and tunables that are no setting. */
  readonly runtime?: Partial<RuntimeOptions>;
  /** TRELLIS_LOG_LEVEL: the levels to print (the most verbose one counts), or false for none (tests). */
  readonly logger?: LogLevel[] | false;
  /** The clock of decisions and timers (tests pass a `ManualClock` to make timers due); default the system clock. */
  readonly clock?: Clock;
  /** Close the application (and the store) on SIGINT/SIGTERM. */
  readonly shutdownHooks?: boolean;
}

/** The options as the variables they stand for, over `env`: one validation path for both. */
function environmentOf(options: StandaloneAppOptions): Env {
  return {
    ...options.env,
    ...(options.eventStore !== undefined ? { TRELLIS_EVENT_STORE: options.eventStore } : {}),
    ...(options.dataDir !== undefined ? { TRELLIS_DATA_DIR: options.dataDir } : {}),
    ...(options.runtime?.instanceCacheSize !== undefined ? { TRELLIS_INSTANCE_CACHE_SIZE: String(options.runtime.instanceCacheSize) } : {}),
    ...(options.logger !== undefined ? { TRELLIS_LOG_LEVEL: logLevelOf(options.logger) } : {}),
  };
}

/**
 * Builds the standalone server, initialised but not listening: the definitions are loaded and the
 * runtime projection has caught up with the store, so the first request already sees everything.
 * Throws a `ConfigurationError` naming every bad setting before it opens anything.
 */
export async function createStandaloneApp(options: StandaloneAppOptions = {}): Promise<INestApplication> {
  const settings = loadStandaloneSettings(environmentOf(options));
  return createServiceApp({
    module: AppModule.forRoot({
      settings,
      ...(options.runtime !== undefined ? { runtime: options.runtime } : {}),
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
    }),
    settings,
    title: 'Trellis',
    description: 'BPMN 2.0 process automation: deploy process definitions, start and run process instances, do jobs and user tasks.',
    // Camunda 7's REST API, where its clients look for it, answering errors as Camunda does; Camunda 8's decision evaluation at /v2.
    routesOutsidePrefix: [ENGINE_REST_PATH, CAMUNDA8_REST_PATH],
    problemRenderers: [camunda7ProblemRenderer],
    ...(options.shutdownHooks !== undefined ? { shutdownHooks: options.shutdownHooks } : {}),
  });
}
