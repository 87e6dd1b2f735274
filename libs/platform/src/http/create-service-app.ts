import { type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';

import type { HttpSettings } from '../configuration/trellis.settings.js';
import { PROCESS_LOGGER } from '../logging/logging.module.js';
import { requestLog } from '../logging/request-log.middleware.js';
import { configurePlatformHttp } from '../platform.module.js';
import { answerJsonExactly } from './exact-json-content-type.middleware.js';
import { notFoundProblemWith, ProblemDetailsFilter, type ProblemRenderer } from './problem/problem-details.filter.js';
import { requestBodyContentType } from './request-body-content-type.middleware.js';
import { validationPipe } from './validation.js';

/** The version every service's OpenAPI document carries. */
export const API_VERSION = '0.1.0';

export interface ServiceAppOptions {
  /** The service's root module; it imports `PlatformModule.forRoot(...)` (logger, metrics, health). */
  readonly module: DynamicModule | Type;
  /** The service's validated settings (its schema spreads `httpSettings`). */
  readonly settings: HttpSettings;
  /** Title of the OpenAPI document. */
  readonly title: string;
  /** What the API does, for the OpenAPI document (the problem+json sentence is appended). */
  readonly description: string;
  /** Close the application (and what its modules opened) on SIGINT/SIGTERM. */
  readonly shutdownHooks?: boolean;
  /** Prefix of the application's routes; health and metrics stay at the root. Default `api`. */
  readonly globalPrefix?: string;
  /**
   * Paths whose routes stay outside the global prefix, with everything under them (`engine-rest`: a compatible API
   * served at the path its clients call).
   */
  readonly routesOutsidePrefix?: readonly string[];
  /** Errors of requests under these renderers' paths are answered in their shape rather than problem+json. */
  readonly problemRenderers?: readonly ProblemRenderer[];
}

/**
 * Builds a Trellis HTTP service, initialised but not listening: Express without `X-Powered-By` or ETags, the platform's
 * logger and request log, metrics, security headers and CORS, request bodies refused unless JSON (or multipart uploads),
 * JSON answered as exactly `application/json`, class-validator on every body and query, every error as
 * `application/problem+json`, OpenAPI at `/docs` (Swagger UI) and `/docs-json`, and a problem+json 404 for any route
 * nothing answered.
 * Every module's `onModuleInit` and `onApplicationBootstrap` has run when it returns.
 */
export async function createServiceApp(options: ServiceAppOptions): Promise<INestApplication> {
  // Nest's own logs wait in a buffer for the platform's JSON logger; a startup that fails (a store that does not
  // answer) throws to the caller without writing them, or its error, to the console in Nest's text format.
  const app = await NestFactory.create<NestExpressApplication>(options.module, { bufferLogs: true, abortOnError: false, logger: false });
  const express = app.getHttpAdapter().getInstance();
  express.disable('x-powered-by');
  // Express hashes every response body into a weak ETag; nothing asks an API answer to be revalidated (If-None-Match),
  // so it was a SHA-1 of every answer for nothing.
  express.set('etag', false);
  // Also shapes the problems answered before any route (the 415 of requestBodyContentType).
  answerJsonExactly(express);
  // First, so that its response time covers the whole pipeline and it sees every request, outside the prefix too.
  app.use(requestLog(app.get<symbol, Logger>(PROCESS_LOGGER)));
  configurePlatformHttp(app, options.settings, { globalPrefix: options.globalPrefix ?? 'api', routesOutsidePrefix: options.routesOutsidePrefix ?? [] });
  const renderers = options.problemRenderers ?? [];
  // Before Nest's body parsers, which `init` registers.
  app.use(requestBodyContentType(undefined, renderers));
  app.useGlobalPipes(validationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter(renderers));
  if (options.shutdownHooks) app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setDescription(`${options.description} Every error is \`application/problem+json\` (RFC 9457).`)
      .setVersion(API_VERSION)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  await app.init();
  // Registered after every route, so it only sees requests nothing else answered.
  app.getHttpAdapter().getInstance().use(notFoundProblemWith(renderers));
  return app;
}
