export * from './result.js';
export type * from './model/json.js';
export type * from './model/expression.js';
export type * from './model/executable-model.js';
export type * from './model/model-error.js';
export { DECISION_BINDINGS, DECISION_JOB_HEADERS, DECISION_JOB_TYPE, DECISION_RESULT_MAPPINGS } from './model/decision-job.js';
export type * from './expressions/expression-evaluator.js';
export { parseExpression, evaluateExpression } from './expressions/expressions.js';
export { compile } from './compiler/compile.js';
export type * from './runtime/process-instance-events.js';
export type * from './runtime/process-instance-commands.js';
export type * from './runtime/process-instance-state.js';
export type * from './runtime/decision.js';
export { decide, decideWithState, type Decided } from './runtime/decide.js';
export { TASK_LISTENER_HEADERS } from './runtime/task-listeners.js';
export { evolve, replay, initialProcessInstanceState } from './runtime/evolve.js';
export { visibleVariables } from './runtime/variables.js';
export { parseRetryCycle, retryIntervalMs, type RetryCycle } from './runtime/async/retry-cycle.js';
export { evaluateConditionalStarts, type ConditionalStartEvaluation } from './runtime/conditions/conditional-start.js';
export {
  firstTimerStart,
  latestDueTimerStart,
  nextTimerStart,
  timerStartEvents,
  type TimerCycle,
  type TimerSchedule,
  type TimerStartEvent,
} from './runtime/timers/timer-start.js';
