import { type ProblemDetails, ProblemError, type ProblemRenderer, ProblemType } from '@trellis/platform';
import type { Response } from 'express';

/** Where the Camunda 7 compatible API is served: the path Camunda's clients (Modeler, external-task clients) call. */
export const ENGINE_REST_PATH = 'engine-rest';

/** The body of every Camunda 7 REST error: the engine exception's simple class name and its message. */
export interface CamundaErrorBody {
  readonly type: string;
  readonly message: string;
  /** Parse problems per resource, for a `ParseException` of a deployment. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * An error answered the way Camunda 7 answers it: a status and `{ type, message }`. It is a `ProblemError` too, so
 * that the platform logs and counts it like every other error before the renderer below shapes it.
 */
export class CamundaRestException extends ProblemError {
  constructor(
    status: number,
    readonly body: CamundaErrorBody,
  ) {
    super({
      type: status === 404 ? ProblemType.notFound : ProblemType.invalidArgument,
      title: body.type,
      status,
      detail: body.message,
    });
    this.name = 'CamundaRestException';
  }
}

/** 400 `InvalidRequestException`: what Camunda answers to a parameter or body it cannot take. */
export const invalidRequest = (message: string): CamundaRestException => new CamundaRestException(400, { type: 'InvalidRequestException', message });

/** 404 `InvalidRequestException`: what Camunda answers when the resource of the path does not exist. */
export const notFoundRequest = (message: string): CamundaRestException => new CamundaRestException(404, { type: 'InvalidRequestException', message });

/**
 * Camunda's exception type for an error the platform raised: 4xx problems are the request's fault
 * (`InvalidRequestException`), anything else the engine's (`ProcessEngineException`, as an uncaught engine error).
 */
export function camundaBodyOf(problem: ProblemDetails, exception: unknown): CamundaErrorBody {
  if (exception instanceof CamundaRestException) return exception.body;
  const type = problem.status >= 400 && problem.status < 500 ? 'InvalidRequestException' : 'ProcessEngineException';
  return { type, message: problem.detail };
}

/** Renders every error under `/engine-rest` as Camunda 7 does: `{ type, message }` as exactly `application/json`. */
export const camunda7ProblemRenderer: ProblemRenderer = {
  pathPrefix: `/${ENGINE_REST_PATH}`,
  render(response: Response, problem: ProblemDetails, exception: unknown): void {
    response.status(problem.status).type('application/json').send(JSON.stringify(camundaBodyOf(problem, exception)));
  },
};
