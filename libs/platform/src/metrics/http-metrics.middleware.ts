import { performance } from 'node:perf_hooks';

import type { NextFunction, Request, Response } from 'express';
import type { Registry } from 'prom-client';

import { httpRequestDuration } from './metrics.js';

/** The route label of a request no route answered (404s, static files): one value, so URLs never become labels. */
export const NO_ROUTE = '(none)';

/**
 * Express middleware that times every request into `trellis_http_request_duration_seconds{method,route,status}`. The
 * route is the template Express matched (`/api/process-instances/:id`), read when the response is finished.
 */
export function httpMetricsMiddleware(registry: Registry): (request: Request, response: Response, next: NextFunction) => void {
  const histogram = httpRequestDuration(registry);
  return (request, response, next) => {
    const start = performance.now();
    let observed = false;
    const observe = (): void => {
      if (observed) return;
      observed = true;
      histogram.observe(
        { method: request.method, route: routeOf(request), status: String(response.statusCode) },
        (performance.now() - start) / 1000,
      );
    };
    response.once('finish', observe);
    // A client that hangs up early still took the server's time; its status is whatever was set by then.
    response.once('close', observe);
    next();
  };
}

function routeOf(request: Request): string {
  const route = (request as { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? `${request.baseUrl}${route.path}` : NO_ROUTE;
}
