import type { FeelDateTime, FeelValue } from '@trellis/feel';
import type { DmnModel } from './dmn-model.js';

/** One thing wrong in a DMN model: where it is (element id, field, line) and why. */
export interface DmnProblem {
  /** A stable machine-readable kind, e.g. `XML_NOT_WELL_FORMED`, `UNKNOWN_HIT_POLICY`. */
  readonly code: DmnProblemCode;
  readonly message: string;
  /** The id of the element at fault (the decision, table, rule, entry...), when it has one. */
  readonly elementId?: string;
  /** The local name of the element at fault, e.g. `inputEntry`, `decisionTable`. */
  readonly element?: string;
  /** The attribute or part at fault, e.g. `hitPolicy`, `text`, `href`. */
  readonly field?: string;
  /** 1-based line in the XML. */
  readonly line?: number;
  /** The namespace of the model when the problem is in an imported model. */
  readonly namespace?: string;
}

export type DmnProblemCode =
  | 'XML_NOT_WELL_FORMED'
  | 'NOT_DMN'
  | 'DUPLICATE_ID'
  | 'IMPORT_NOT_FOUND'
  | 'UNKNOWN_REFERENCE'
  | 'REQUIREMENT_CYCLE'
  | 'MISSING_LOGIC'
  | 'UNKNOWN_HIT_POLICY'
  | 'UNKNOWN_AGGREGATION'
  | 'FEEL_SYNTAX_ERROR'
  | 'TABLE_SHAPE'
  | 'UNSUPPORTED';

/**
 * A model to import: other DMN XML (its namespace is read from its `definitions` unless given), or a model compiled
 * before (a service compiles each deployed model once and reuses it).
 */
export type DmnImportSource = { readonly xml: string; readonly namespace?: string } | { readonly model: DmnModel };

export interface CompileDmnOptions {
  /** Models the compiled one may import (`<import namespace=...>`), by namespace. */
  readonly imports?: ReadonlyArray<DmnImportSource>;
}

/** A decision of a model, for catalogues (the service versions decisions by id). */
export interface DecisionMetadata {
  readonly id: string;
  readonly name: string;
  /** `decision` or `decisionService`. */
  readonly kind: 'decision' | 'decisionService';
  /** The declared type of the result (`typeRef`), when given. */
  readonly typeRef?: string;
  /** The input data the decision needs (directly or through required decisions), by name. */
  readonly inputs: readonly string[];
  /** The decisions it requires directly, by id. */
  readonly requiredDecisions: readonly string[];
  /** The decision logic: `decisionTable`, `literalExpression`, `context`, ... */
  readonly logic?: string;
}

export interface DmnEvaluationOptions {
  /** The instant `now()` and `today()` give: the library reads no clock. Without it they are null with a warning. */
  readonly now?: FeelDateTime | string;
  /**
   * Every variable given is visible to every decision by its name, beneath the model's input data and requirements
   * (which win). Camunda's engines evaluate that way: their models often declare no input data and refer to process
   * variables directly. Default false: only input data (and required decisions) are in scope, as the DMN spec says.
   */
  readonly variablesInScope?: boolean;
}

/** A warning of an evaluation: bad input, a FEEL error, a failed hit policy... the value is null where it failed. */
export interface DmnWarning {
  readonly code: string;
  readonly message: string;
  /** The decision being evaluated when it happened. */
  readonly decisionId?: string;
  /** The element at fault (a decision table, an item definition, an input). */
  readonly elementId?: string;
}

/** A rule of a decision table that matched, for audit. */
export interface MatchedRule {
  readonly ruleId?: string;
  /** 0-based position of the rule in the table. */
  readonly ruleIndex: number;
  /** The rule's outputs by output name (a single unnamed output is keyed by the decision's name), as plain JSON. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

/** One input of a decision table as evaluated: what its input expression gave (for audit, as Camunda reports it). */
export interface EvaluatedTableInput {
  /** `dmn:input/@id`. */
  readonly inputId?: string;
  /** `dmn:input/@label`. */
  readonly label?: string;
  /** The input expression's text. */
  readonly expression: string;
  /** Its value as plain JSON (dates and durations as ISO text); null when it failed. */
  readonly value: unknown;
}

/** A decision table evaluated during the evaluation of a decision. */
export interface EvaluatedDecisionTable {
  readonly tableId?: string;
  readonly hitPolicy: string;
  readonly aggregation?: string;
  /** Each input of the table, in table order. */
  readonly evaluatedInputs: readonly EvaluatedTableInput[];
  readonly matchedRules: readonly MatchedRule[];
}

/** One decision evaluated (the one asked for and each decision it required, once each). */
export interface EvaluatedDecision {
  readonly decisionId: string;
  readonly decisionName: string;
  readonly value: FeelValue;
  /** `value` as plain JSON: numbers as JS numbers, dates and durations as ISO text. */
  readonly output: unknown;
  /** Decision tables evaluated for this decision (its own, and those of the knowledge models it invoked). */
  readonly decisionTables: readonly EvaluatedDecisionTable[];
}

export interface DecisionEvaluationResult {
  readonly decisionId: string;
  readonly decisionName: string;
  /** The result as a FEEL value; null where the evaluation failed (see `warnings`). */
  readonly value: FeelValue;
  /** The result as plain JSON. */
  readonly output: unknown;
  /** Every decision evaluated, required ones first, the asked one last. */
  readonly evaluatedDecisions: readonly EvaluatedDecision[];
  /** The matched rules of the asked decision's table(s) (also in `evaluatedDecisions`). */
  readonly matchedRules: readonly MatchedRule[];
  readonly warnings: readonly DmnWarning[];
}
