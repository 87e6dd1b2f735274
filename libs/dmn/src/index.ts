export { compileDmn, type CompileDmnResult } from './dmn-compiler.js';
export { evaluateDecision, evaluateDecisionService } from './decision-evaluator.js';
export { DmnModel, decisionsOf } from './dmn-model.js';
export type {
  CompileDmnOptions,
  DecisionEvaluationResult,
  DecisionMetadata,
  DmnEvaluationOptions,
  DmnImportSource,
  DmnProblem,
  DmnProblemCode,
  DmnWarning,
  EvaluatedDecision,
  EvaluatedDecisionTable,
  EvaluatedTableInput,
  MatchedRule,
} from './dmn-types.js';
