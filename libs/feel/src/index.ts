export {
  evaluateExpression,
  evaluateUnaryTests,
  parseExpression,
  parseUnaryTests,
  type FeelEvaluation,
  type FeelEvaluationOptions,
  type FeelExpression,
  type FeelParseOptions,
  type FeelParseResult,
  type FeelSyntaxError,
  type FeelUnaryTests,
  type FeelVariables,
} from './feel.js';
export { builtinFunction, builtinNames } from './builtins.js';
export { fromFeelValue, toFeelValue } from './conversion.js';
export { coerce, conformsTo, feelCompare, feelEquals, feelToString, namedType } from './semantics.js';
export { parseTemporalLiteral } from './temporal-values.js';
export {
  DaysTimeDuration,
  FeelContext,
  FeelDate,
  FeelDateTime,
  FeelFunction,
  FeelNumber,
  FeelRange,
  FeelTime,
  YearsMonthsDuration,
  isList,
  isNumber,
  typeNameOf,
  type FeelArguments,
  type FeelSession,
  type FeelType,
  type FeelValue,
  type FeelWarning,
} from './values.js';
