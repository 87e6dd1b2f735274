import type { JsonValue } from '../model/json.js';

/** Why an expression could not be evaluated: becomes an incident on the element that evaluated it. */
export interface ExpressionFailure {
  readonly message: string;
  readonly expression: string;
}

/**
 * Variables visible to an expression: the element's scope first, then its enclosing scopes.
 * Returning `undefined` means the variable does not exist (distinct from a variable holding null).
 */
export type VariableLookup = (name: string) => JsonValue | undefined;

export interface EvaluationContext {
  readonly variables: VariableLookup;
  /** The decision's time (ISO 8601): what FEEL `now()` and `today()` return. The engine reads no clock. */
  readonly now: string;
}
