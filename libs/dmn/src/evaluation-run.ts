import { FeelDateTime, FeelEvaluationOptions, FeelSession, FeelValue, FeelWarning } from '@trellis/feel';
import type { DmnWarning, EvaluatedDecision, EvaluatedDecisionTable } from './dmn-types.js';

/** At most this many warnings are kept per evaluation (a table can warn once per rule and input). */
const MAX_WARNINGS = 200;

/**
 * What one evaluation carries along: the inputs, the decisions evaluated so far (each once), the clock the caller
 * gave, the warnings and the audit of decision tables.
 */
export class EvaluationRun {
  /** Decision values by `namespace#name`. */
  readonly cache = new Map<string, FeelValue>();
  readonly feelOptions: FeelEvaluationOptions;
  private readonly frames: { decisionId: string; tables: EvaluatedDecisionTable[] }[] = [];
  /** `DmnEvaluationOptions.variablesInScope`: the inputs given by name are in every decision's scope. */
  variablesInScope = false;

  constructor(
    /** Inputs by name (for the evaluated model) and by `namespace#name` (for input data of any model). */
    readonly inputs: ReadonlyMap<string, FeelValue>,
    /** The namespace of the model whose input data the inputs give by name alone. */
    readonly namespace: string,
    readonly now: FeelDateTime | null,
    readonly warnings: DmnWarning[] = [],
    readonly evaluated: EvaluatedDecision[] = [],
  ) {
    this.feelOptions = now ? { now } : {};
  }

  /** A run for a decision service invoked with its own inputs: a fresh cache, the same warnings and audit. */
  nested(inputs: ReadonlyMap<string, FeelValue>, namespace: string): EvaluationRun {
    const run = new EvaluationRun(inputs, namespace, this.now, this.warnings, this.evaluated);
    run.variablesInScope = this.variablesInScope;
    run.frames.push(...this.frames);
    return run;
  }

  /** The input given for an input data of a model. */
  input(namespace: string, name: string): FeelValue | undefined {
    return this.inputs.get(`${namespace}#${name}`) ?? (namespace === this.namespace ? this.inputs.get(name) : undefined);
  }

  get decisionId(): string | undefined {
    return this.frames.at(-1)?.decisionId;
  }

  warn(code: string, message: string, elementId?: string): null {
    if (this.warnings.length < MAX_WARNINGS) {
      const decisionId = this.decisionId;
      this.warnings.push({ code, message, ...(decisionId ? { decisionId } : {}), ...(elementId ? { elementId } : {}) });
    }
    return null;
  }

  feelWarnings(warnings: readonly FeelWarning[], elementId?: string): void {
    for (const w of warnings) this.warn(w.code, w.message, elementId);
  }

  /** A FEEL session for invoking functions, whose warnings land in this run. */
  session(): FeelSession {
    const warnings: FeelWarning[] = [];
    return {
      now: this.now,
      warnings,
      warn: (warning) => {
        warnings.push(warning);
        return this.warn(warning.code, warning.message);
      },
    };
  }

  enterDecision(decisionId: string): void {
    this.frames.push({ decisionId, tables: [] });
  }

  leaveDecision(): EvaluatedDecisionTable[] {
    return this.frames.pop()?.tables ?? [];
  }

  recordTable(table: EvaluatedDecisionTable): void {
    this.frames.at(-1)?.tables.push(table);
  }
}
