import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { destination, type LevelWithSilent, type Logger, pino, stdSerializers, stdTimeFunctions } from 'pino';

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

export interface LoggingOptions {
  readonly level: TrellisLogLevel;
  /** The `name` field of every line: which service wrote it. */
  readonly service: string;
}

/** The process's pino logger, which `requestLog` writes the request lines with (see `PlatformLoggingModule`). */
export const PROCESS_LOGGER = Symbol('PROCESS_LOGGER');

let processLogger: Logger | undefined;

function processLoggerOf(options: LoggingOptions): Logger {
  processLogger ??= pino(
    { name: options.service, level: pinoLevel(options.level), timestamp: stdTimeFunctions.isoTime, serializers: { err: stdSerializers.err } },
    // Written before the call returns: the lines of a shutdown (ended by the signal Nest re-raises) or of a crash are
    // not lost in a buffer.
    destination({ dest: 1, sync: true }),
  );
  return processLogger;
}

/**
 * pino: one JSON object per line on stdout, written synchronously; Nest's own logs go through nestjs-pino's `Logger`
 * (after `app.useLogger(app.get(Logger))`). The request lines are `requestLog`'s, which `createServiceApp` installs.
 * One logger per process, as nestjs-pino keeps: the first application's options hold for the others.
 *
 * nestjs-pino's own request middleware is not installed (`forRoutes: []`): it ran every request in an
 * AsyncLocalStorage context, which on Node 20 turns on async hooks for every promise of the process (the store, Kafka
 * and the engine make thousands per instance), and built a child logger per request, whether or not a line would be
 * written. Without it, a line written while a request is handled does not carry the request.
 */
@Module({})
export class PlatformLoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    const logger = processLoggerOf(options);
    return {
      module: PlatformLoggingModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger, autoLogging: false }, forRoutes: [] })],
      providers: [{ provide: PROCESS_LOGGER, useValue: logger }],
      exports: [LoggerModule, PROCESS_LOGGER],
    };
  }
}
