import type { NextFunction, Request, Response } from 'express';

import { ProblemType } from './problem/problem-details.js';
import { type ProblemRenderer, renderProblem } from './problem/problem-details.filter.js';

/** The media types a Trellis API reads a request body as: JSON, and multipart form data for file uploads. */
export const REQUEST_BODY_TYPES = ['application/json', 'multipart/form-data'] as const;

/**
 * Refuses a request body of any other media type with a 415 problem, before a body parser sees it. Without it,
 * `curl -d '{"processId":"x"}'` (which sends `application/x-www-form-urlencoded`) had its JSON parsed as one form field
 * named after the whole text, and the answer was a baffling "property {"processId":"x"} should not exist"; a body
 * of `text/plain` was ignored and answered as if it were missing. Requests without a body pass.
 */
export function requestBodyContentType(allowed: readonly string[] = REQUEST_BODY_TYPES, renderers: readonly ProblemRenderer[] = []) {
  return function refuseOtherBodyTypes(request: Request, response: Response, next: NextFunction): void {
    if (!hasBody(request)) return next();
    const header = request.headers['content-type'];
    const mediaType = header?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (allowed.includes(mediaType)) return next();
    const [json, ...others] = allowed;
    const problem = {
      type: ProblemType.unsupportedMediaType,
      title: 'Unsupported media type',
      status: 415,
      detail:
        `The request body must be sent with Content-Type: ${json}` +
        (others.length > 0 ? ` (${others.join(', ')} for file uploads)` : '') +
        `; this one has ${header === undefined ? 'none' : `Content-Type: ${header}`}`,
      instance: request.originalUrl.split('?')[0] ?? request.originalUrl,
    };
    renderProblem(request, response, problem, undefined, renderers);
  };
}

/** A body is announced by a positive Content-Length or by Transfer-Encoding (chunked). */
function hasBody(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(request.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}
