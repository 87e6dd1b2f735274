import type { ModelError } from '../model/model-error.js';
import type { SourcePositions } from './source-positions.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Gathers every problem of one resource, so that `compile` reports them all at once. Errors about an element get
 * the line and column of its start tag when the parser did not give one.
 */
export class ModelErrorCollector {
  private readonly errors: ModelError[] = [];

  constructor(private readonly positions: SourcePositions) {}

  add(error: ModelError): void {
    const complete: Mutable<ModelError> = { ...error };
    if (complete.line === undefined && complete.elementId !== undefined) {
      const position = this.positions.ofId(complete.elementId);
      if (position !== undefined) {
        complete.line = position.line;
        complete.column = position.column;
      }
    }
    for (const key of Object.keys(complete) as (keyof ModelError)[]) {
      if (complete[key] === undefined) delete complete[key];
    }
    this.errors.push(complete);
  }

  has(code: ModelError['code'], elementId: string): boolean {
    return this.errors.some((error) => error.code === code && error.elementId === elementId);
  }

  get count(): number {
    return this.errors.length;
  }

  list(): ModelError[] {
    return [...this.errors];
  }
}
