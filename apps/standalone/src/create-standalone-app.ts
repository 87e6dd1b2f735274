import { type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { RuntimeOptions } from '@trellis/runtime';

import { AppModule } from './app.module.js';
import { exactJsonContentType } from './exact-json-content-type.middleware.js';
import { notFoundProblem, ProblemDetailsFilter } from './problem-details.filter.js';
import { validationPipe } from './validation.js';

export interface StandaloneAppOptions {
  readonly eventStore: 'embedded' | 'memory';
  /** Directory of the embedded store. */
  readonly dataDir?: string;
  readonly runtime?: Partial<RuntimeOptions>;
  /** Log levels to print, or false for none (tests). */
  readonly logger?: LogLevel[] | false;
  /** Close the application (and the store) on SIGINT/SIGTERM. */
  readonly shutdownHooks?: boolean;
}

/**
 * Builds the standalone server, initialised but not listening: the definitions are loaded and the
 * runtime projection has caught up with the store, so the first request already sees everything.
 */
export async function createStandaloneApp(options: StandaloneAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({
      eventStore: options.eventStore,
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(options.runtime !== undefined ? { runtime: options.runtime } : {}),
    }),
    { logger: options.logger ?? ['fatal', 'error', 'warn', 'log'], abortOnError: false },
  );
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  app.use(exactJsonContentType);
  app.setGlobalPrefix('api');
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
