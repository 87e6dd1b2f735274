/**
 * An expression as written in the model, already checked for syntax at compile time.
 * - `feel`: Camunda 8 style, the source started with `=` (stored without it).
 * - `juel`: Camunda 7 style `${...}` / `#{...}` (a subset of JUEL, see docs/expressions.md).
 * - `static`: a literal string value (no expression markers); evaluates to itself.
 */
export interface Expression {
  readonly language: 'feel' | 'juel' | 'static';
  /** The text to evaluate: FEEL without the leading `=`, JUEL with its `${}` delimiters, or the literal. */
  readonly source: string;
}
