import { STATUS_CODES } from 'node:http';

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { type ProblemDetails, ProblemError, ProblemType } from './problem-details.js';
import type { Request, Response } from 'express';

/** Body-parser errors carry their HTTP status and a `type` such as `entity.parse.failed`. */
interface HttpishError {
  readonly status?: unknown;
  readonly statusCode?: unknown;
  readonly type?: unknown;
  readonly message?: unknown;
}

/**
 * Renders the errors of the requests under one path in another shape than problem+json: a compatible API (Camunda 7's
 * `/engine-rest`) answers errors as the clients written for it read them.
 */
export interface ProblemRenderer {
  /** The path it answers the errors of (`/engine-rest`): the path itself and every path under it. */
  readonly pathPrefix: string;
  /** Sends the error response; `problem` is what problem+json would have said, `exception` what was thrown (if anything). */
  render(response: Response, problem: ProblemDetails, exception: unknown): void;
}

/** Renders every error as `application/problem+json` (RFC 9457), never leaking a stack trace, or as a renderer of its path wants. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly renderers: readonly ProblemRenderer[] = []) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const problem: ProblemDetails = { ...this.problemOf(exception), instance: request.originalUrl.split('?')[0] ?? request.originalUrl };
    if (problem.status >= 500) {
      this.logger.error(
        `${request.method} ${request.originalUrl} failed: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`,
      );
    }
    renderProblem(request, response, problem, exception, this.renderers);
  }

  private problemOf(exception: unknown): ProblemDetails {
    if (exception instanceof ProblemError) return exception.problem;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const cause = exception.cause as HttpishError | undefined;
      if (status === 400 && (cause?.type === 'entity.parse.failed' || exception.message.includes('JSON'))) {
        return malformedJson(typeof cause?.message === 'string' ? cause.message : exception.message);
      }
      const message =
        typeof body === 'object' && body !== null && 'message' in body
          ? [(body as { message: unknown }).message].flat().map(String).join('; ')
          : exception.message;
      return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: message };
    }
    const httpish = (typeof exception === 'object' && exception !== null ? exception : {}) as HttpishError;
    const status = typeof httpish.status === 'number' ? httpish.status : typeof httpish.statusCode === 'number' ? httpish.statusCode : 500;
    if (httpish.type === 'entity.parse.failed') return malformedJson(String(httpish.message));
    if (status >= 400 && status < 500) {
      return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail: String(httpish.message ?? STATUS_CODES[status]) };
    }
    return {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred; it has been logged on the server.',
    };
  }
}

export function sendProblem(response: Response, problem: ProblemDetails): void {
  if (response.headersSent) return;
  response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** The renderer whose path the request is on, if any. */
function rendererFor(request: Request, renderers: readonly ProblemRenderer[]): ProblemRenderer | undefined {
  const path = request.originalUrl.split('?')[0] ?? request.originalUrl;
  return renderers.find((renderer) => path === renderer.pathPrefix || path.startsWith(`${renderer.pathPrefix}/`));
}

/** Sends `problem` as problem+json, or as the renderer of the request's path wants it. */
export function renderProblem(request: Request, response: Response, problem: ProblemDetails, exception: unknown, renderers: readonly ProblemRenderer[]): void {
  if (response.headersSent) return;
  const renderer = rendererFor(request, renderers);
  if (renderer === undefined) sendProblem(response, problem);
  else renderer.render(response, problem, exception);
}

/** Answers requests that no route took, as problem+json or as the renderer of their path wants. */
export function notFoundProblemWith(renderers: readonly ProblemRenderer[]) {
  return function notFound(request: Request, response: Response): void {
    const path = request.originalUrl.split('?')[0] ?? request.originalUrl;
    const problem: ProblemDetails = { type: 'about:blank', title: 'Not Found', status: 404, detail: `Cannot ${request.method} ${request.originalUrl}`, instance: path };
    renderProblem(request, response, problem, undefined, renderers);
  };
}

/** Answers requests outside `/api` that no route took (Nest's own not-found handler covers `/api` only). */
export const notFoundProblem = notFoundProblemWith([]);

function malformedJson(message: string): ProblemDetails {
  return {
    type: ProblemType.malformedRequest,
    title: 'Malformed JSON',
    status: 400,
    detail: `The request body is not valid JSON: ${message}`,
  };
}
