import type { Failure } from '@trellis/engine';
import { ProblemError, ProblemType } from '@trellis/platform';

const problemOf: Record<Failure['code'], { status: number; type: string; title: string }> = {
  NOT_FOUND: { status: 404, type: ProblemType.notFound, title: 'Not found' },
  INVALID_STATE: { status: 409, type: ProblemType.invalidState, title: 'Invalid state' },
  INVALID_ARGUMENT: { status: 400, type: ProblemType.invalidArgument, title: 'Invalid argument' },
  ALREADY_EXISTS: { status: 409, type: ProblemType.alreadyExists, title: 'Already exists' },
};

/** The engine (or the runtime around it) refused a command: nothing was changed. */
export class ProcessInstanceCommandRejectedError extends ProblemError {
  constructor(readonly failure: Failure) {
    const { status, type, title } = problemOf[failure.code];
    super({ type, title, status, detail: failure.message, ...(failure.details ? { details: failure.details } : {}) });
  }
}

export const notFound = (message: string, details?: Readonly<Record<string, string>>): ProcessInstanceCommandRejectedError =>
  new ProcessInstanceCommandRejectedError({ code: 'NOT_FOUND', message, ...(details ? { details } : {}) });

/**
 * The instance kept changing under the command (other writers won every race on its revision): nothing was changed,
 * and the same command may well succeed later. `retriable` makes message consumers retry it rather than reject it.
 */
export class ProcessInstanceContendedError extends ProcessInstanceCommandRejectedError {
  readonly retriable = true;
}
