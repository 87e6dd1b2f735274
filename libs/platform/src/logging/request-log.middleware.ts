import type { NextFunction, Request, Response } from 'express';
import type { Level, Logger } from 'pino';

/** Probes and scrapes come every few seconds: a line each would drown the log. */
const UNLOGGED_PATHS = /^\/(?:health\/(?:live|ready)|metrics)(?:[?/]|$)/;

/**
 * The level of a request's line. A successful request is `debug`: at the default level (`log`) a line per request
 * was a synchronous write to stdout for every call, a real share of a busy service's CPU, and said nothing an
 * operator acts on (the metrics count and time every request). A refused request (4xx), and one whose connection
 * closed before the answer was sent, stay visible at `info`: someone may have to explain them. A 5xx is `error`.
 */
export function requestLogLevel(statusCode: number, finished: boolean): Level {
  if (!finished) return 'info';
  if (statusCode >= 500) return 'error';
  return statusCode >= 400 ? 'info' : 'debug';
}

/** Like pino-http's default ids: a number per request, from 1, per process. */
let lastRequestId = 0;

/**
 * One line per request once its connection is done with it: method, URL (path and query), status (none when the
 * connection closed before the answer) and `responseTime` in ms, never a header or a body. What it costs per request when its level is not written: a listener and a closure;
 * the line's fields are built only when it is written.
 */
export function requestLog(logger: Logger) {
  return function logRequest(request: Request, response: Response, next: NextFunction): void {
    if (UNLOGGED_PATHS.test(request.url)) return next();
    const started = Date.now();
    const id = (lastRequestId = (lastRequestId + 1) & 0x7fffffff);
    // 'close' comes after 'finish' when the answer was sent, and alone when the connection went first.
    response.once('close', () => {
      const finished = response.writableFinished;
      const level = requestLogLevel(response.statusCode, finished);
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: { id, method: request.method, url: request.originalUrl },
          // An aborted request has no status: none was sent.
          ...(finished ? { res: { statusCode: response.statusCode } } : {}),
          responseTime: Date.now() - started,
        },
        !finished ? 'request aborted' : response.statusCode >= 500 ? 'request errored' : 'request completed',
      );
    });
    next();
  };
}
