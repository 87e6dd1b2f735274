import type { IncomingMessage, ServerResponse } from 'node:http';

import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination, type LevelWithSilent, stdTimeFunctions } from 'pino';

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
 * pino through nestjs-pino: one JSON object per line on stdout, Nest's own logs included (after
 * `app.useLogger(app.get(Logger))`), written synchronously. One line per finished request with method, URL, status and duration, never a
 * header or a body. nestjs-pino keeps one logger per process: the first application's options hold for the others.
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
              serializers: {
                req: (request: { id: unknown; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url }),
                res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
              },
              customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
                error !== undefined || response.statusCode >= 500 ? 'error' : 'info',
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
