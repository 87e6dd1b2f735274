import type { JsonValue } from '@trellis/contracts';
import { ProblemError, ProblemType } from '@trellis/platform';

import { VARIABLE_OPERATORS, type TaskCaller, type VariableCondition, type VariableOperator } from '../task.views.js';

/** The headers that say who calls (set by a gateway or a tasklist; the task-service does no authentication). */
export const CALLER_HEADERS = { user: 'x-trellis-user', groups: 'x-trellis-user-groups' } as const;

/** The caller fields a request body may carry instead of the headers. */
export interface CallerFields {
  readonly userId?: string;
  readonly groups?: readonly string[];
}

/**
 * Who calls: the `X-Trellis-User` header (else the body's `userId`) and the groups of `X-Trellis-User-Groups`, a
 * comma list (else the body's `groups`). The headers win: a gateway that authenticates sets them.
 */
export function callerOf(headers: { readonly user?: string; readonly groups?: string }, body: CallerFields = {}): TaskCaller {
  const user = headers.user?.trim();
  const userId = user !== undefined && user.length > 0 ? user : body.userId;
  const groups = headers.groups !== undefined ? headers.groups.split(',').map((group) => group.trim()).filter((group) => group.length > 0) : [...(body.groups ?? [])];
  return { ...(userId === undefined ? {} : { userId }), groups };
}

/**
 * `name:op:value` conditions of a variable filter (`op`: eq, neq, gt, gte, lt, lte, like). The value is read as JSON
 * when it is JSON (`42`, `true`, `null`, `"42"`), else as a text (`ada`). 400 naming the field and the condition.
 */
export function parseVariableConditions(field: string, texts: readonly string[] | undefined): VariableCondition[] | undefined {
  if (texts === undefined) return undefined;
  return texts.map((text) => {
    const first = text.indexOf(':');
    const second = first < 0 ? -1 : text.indexOf(':', first + 1);
    const name = text.slice(0, first);
    const operator = text.slice(first + 1, second) as VariableOperator;
    if (first <= 0 || second < 0 || !VARIABLE_OPERATORS.includes(operator)) {
      throw new ProblemError({
        type: ProblemType.validation,
        title: 'Invalid request',
        status: 400,
        detail: `${field} condition '${text}' is not name:op:value with op one of ${VARIABLE_OPERATORS.join(', ')}`,
        errors: [{ field, message: `'${text}' must be name:op:value with op one of ${VARIABLE_OPERATORS.join(', ')}` }],
      });
    }
    return { name, operator, value: jsonOrText(text.slice(second + 1)) };
  });
}

function jsonOrText(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
