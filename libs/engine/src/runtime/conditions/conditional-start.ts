import { evaluateExpressionWithWarnings } from '../../expressions/expressions.js';
import type { ExecutableProcess } from '../../model/executable-model.js';
import type { JsonObject } from '../../model/json.js';

/** A conditional start event of a process, and whether its condition held on the variables it was evaluated with. */
export interface ConditionalStartEvaluation {
  readonly startEventId: string;
  readonly holds: boolean;
  /** Why it did not hold, when its condition could not be evaluated to a boolean (a missing variable, say). */
  readonly problem?: string;
}

/**
 * Evaluates the conditions of a process's conditional start events with `variables` at `now`, as Camunda 7's
 * `evaluateStartConditions()` does: the start events whose condition is true are where instances start, each with the
 * variables. A condition that fails to evaluate or gives anything but true does not hold (no error: another process's
 * condition may be the one meant).
 */
export function evaluateConditionalStarts(process: ExecutableProcess, variables: JsonObject, now: string): ConditionalStartEvaluation[] {
  const lookup = (name: string) => (Object.hasOwn(variables, name) ? variables[name] : undefined);
  return (process.conditionalStartEventIds ?? []).flatMap((startEventId) => {
    const node = process.elements[startEventId];
    if (node?.kind !== 'startEvent' || node.condition === undefined) return [];
    const evaluated = evaluateExpressionWithWarnings(node.condition, { variables: lookup, now });
    if (!evaluated.ok) return [{ startEventId, holds: false, problem: evaluated.error.message }];
    const { value, warnings } = evaluated.value;
    if (typeof value === 'boolean') return [{ startEventId, holds: value }];
    return [{ startEventId, holds: false, problem: `the condition gave ${JSON.stringify(value)}, not a boolean${warnings.length > 0 ? ` (${warnings.join('; ')})` : ''}` }];
  });
}
