import type { IncomingMessage, ServerResponse } from 'node:http';

import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination, type LevelWithSilent, stdSerializers, stdTimeFunctions } from 'pino';

import type { TrellisLogLevel } from '../configuration/trellis.settings.js';

/** Nest's level names (what TRELLIS_LOG_LEVEL takes) in pino's words. */
const PINO_LEVELS: Readonly<Record<TrellisLogLevel, LevelWithSilent>> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
  silent: 'silent',
};

export function pinoLevel(level: TrellisLogLevel): LevelWithSilent {
  return PINO_LEVELS[level];
}

/** Probes and scrapes come every few seconds: a line each would drown the log. */
const UNLOGGED_PATHS = /^\/(?:health\/(?:live|ready)|metrics)(?:[?/]|$)/;

export interface LoggingOptions {
  readonly level: TrellisLogLevel;
  /** The `name` field of every line: which service wrote it. */
  readonly service: string;
}

/**
 * The level of a finished request's line. A successful request is `debug`: at the default level (`log`) a line per
 * request was a synchronous write to stdout for every call, a real share of a busy service's CPU, and said nothing an
 * operator acts on (the metrics count and time every request). A refused request (4xx) stays visible at `info`: it is
 * a client's mistake someone may have to explain. A failure (5xx, or an error thrown past the response) is `error`.
 */
export function requestLogLevel(_request: IncomingMessage, response: ServerResponse, error?: Error): LevelWithSilent {
  if (error !== undefined || response.statusCode >= 500) return 'error';
  return response.statusCode >= 400 ? 'info' : 'debug';
}

/**
 * pino through nestjs-pino: one JSON object per line on stdout, Nest's own logs included (after
 * `app.useLogger(app.get(Logger))`), written synchronously. One line per finished request with method, URL, status and
 * duration (at the level `requestLogLevel` gives), never a header or a body. nestjs-pino keeps one logger per process:
 * the first application's options hold for the others.
 */
@Module({})
export class PlatformLoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: PlatformLoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [
            {
              name: options.service,
              level: pinoLevel(options.level),
              timestamp: stdTimeFunctions.isoTime,
              // pino-http's wrappers first build pino's full request object for every request (headers, remote
              // address, and Express's query getter, which parses the query string again), only for these to pick
              // three fields of it: the serializers read the raw request and response instead.
              wrapSerializers: false,
              serializers: {
                req: (request: IncomingMessage & { id?: unknown; originalUrl?: string }) => ({
                  id: request.id,
                  method: request.method,
                  url: request.originalUrl ?? request.url,
                }),
                res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
                err: stdSerializers.err,
              },
              customLogLevel: requestLogLevel,
              autoLogging: { ignore: (request: IncomingMessage) => UNLOGGED_PATHS.test(request.url ?? '') },
            },
            // Written before the call returns: the lines of a shutdown (ended by the signal Nest re-raises) or of a
            // crash are not lost in a buffer.
            destination({ dest: 1, sync: true }),
          ],
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
