import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ProblemError, type ProblemFieldError, ProblemType } from './problem/problem-details.js';

function fieldErrors(errors: readonly ValidationError[], parent = ''): ProblemFieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/** class-validator on every body and query, failing with a problem that names each field. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const listed = fieldErrors(errors);
      return new ProblemError({
        type: ProblemType.validation,
        title: 'Invalid request',
        status: 400,
        detail: `The request has ${listed.length} invalid field(s): ${listed.map((error) => error.message).join('; ')}`,
        errors: listed,
      });
    },
  });
}
