/**
 * Problem details (RFC 9457): the one shape of every error response of the REST API.
 * Domain errors carry their problem, so the HTTP layer renders them without knowing each kind.
 */
export interface ProblemFieldError {
  /** The request field concerned, as a dotted path (`variables`, `retries`). */
  readonly field?: string;
  /** The deployed resource concerned (its file name). */
  readonly resource?: string;
  /** The BPMN element concerned. */
  readonly elementId?: string;
  /** 1-based position in the resource, where known. */
  readonly line?: number;
  readonly column?: number;
  /** Machine-readable kind of the problem, e.g. `NO_START_EVENT`. */
  readonly code?: string;
  readonly message: string;
}

export interface ProblemDetails {
  /** A URI identifying the kind of problem (`about:blank` for plain HTTP errors). */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The request path the problem occurred on. */
  readonly instance?: string;
  readonly errors?: readonly ProblemFieldError[];
  /** What the problem is about, e.g. `{ "jobId": "…" }`. */
  readonly details?: Readonly<Record<string, string>>;
}

/** Problem type URIs of this API, listed in docs/api.md. */
export const ProblemType = {
  validation: 'urn:trellis:problem:validation',
  malformedRequest: 'urn:trellis:problem:malformed-request',
  unsupportedMediaType: 'urn:trellis:problem:unsupported-media-type',
  invalidBpmn: 'urn:trellis:problem:invalid-bpmn',
  notFound: 'urn:trellis:problem:not-found',
  invalidState: 'urn:trellis:problem:invalid-state',
  invalidArgument: 'urn:trellis:problem:invalid-argument',
  alreadyExists: 'urn:trellis:problem:already-exists',
  conflict: 'urn:trellis:problem:conflict',
  forbidden: 'urn:trellis:problem:forbidden',
} as const;

/** An error that knows how it is reported to a client. */
export class ProblemError extends Error {
  constructor(readonly problem: ProblemDetails) {
    super(problem.detail);
    this.name = 'ProblemError';
  }
}
