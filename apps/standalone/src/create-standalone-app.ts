import { type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { configurePlatformHttp, type Env } from '@trellis/platform';
import type { RuntimeOptions } from '@trellis/runtime';

import { AppModule } from './app.module.js';
import { loadStandaloneSettings, logLevelOf, type StandaloneEventStore } from './configuration.js';
import { exactJsonContentType } from './exact-json-content-type.middleware.js';
import { notFoundProblem, ProblemDetailsFilter } from './problem-details.filter.js';
import { validationPipe } from './validation.js';

export interface StandaloneAppOptions {
  /**
   * The environment variables the settings are read from (docs/configuration.md). Default: none, so every setting
   * has its default; `main.ts` passes the process's. The options below override the variables they correspond to.
   */
  readonly env?: Env;
  /** TRELLIS_EVENT_STORE. */
  readonly eventStore?: StandaloneEventStore;
  /** TRELLIS_DATA_DIR: directory of the embedded store. */
  readonly dataDir?: string;
  /** TRELLIS_INSTANCE_CACHE_SIZE (`instanceCacheSize`), and tunables that are no setting. */
  readonly runtime?: Partial<RuntimeOptions>;
  /** TRELLIS_LOG_LEVEL: the levels to print (the most verbose one counts), or false for none (tests). */
  readonly logger?: LogLevel[] | false;
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
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ settings, ...(options.runtime !== undefined ? { runtime: options.runtime } : {}) }), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  configurePlatformHttp(app, settings, { globalPrefix: 'api' });
  app.use(exactJsonContentType);
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  if (options.shutdownHooks) app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Trellis')
      .setDescription(
        'BPMN 2.0 process automation: deploy process definitions, start and run process instances, do jobs and user tasks. ' +
          'Every error is `application/problem+json` (RFC 9457).',
      )
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  await app.init();
  // Registered after every route, so it only sees requests nothing else answered.
  app.getHttpAdapter().getInstance().use(notFoundProblem);
  return app;
}
