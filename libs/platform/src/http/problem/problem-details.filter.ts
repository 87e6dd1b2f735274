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

/** Renders every error as `application/problem+json` (RFC 9457), never leaking a stack trace. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

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
    sendProblem(response, problem);
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

/** Answers requests outside `/api` that no route took (Nest's own not-found handler covers `/api` only). */
export function notFoundProblem(request: Request, response: Response): void {
  const path = request.originalUrl.split('?')[0] ?? request.originalUrl;
  sendProblem(response, { type: 'about:blank', title: 'Not Found', status: 404, detail: `Cannot ${request.method} ${request.originalUrl}`, instance: path });
}

function malformedJson(message: string): ProblemDetails {
  return {
    type: ProblemType.malformedRequest,
    title: 'Malformed JSON',
    status: 400,
    detail: `The request body is not valid JSON: ${message}`,
  };
}
