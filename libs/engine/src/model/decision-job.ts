import type { DecisionBinding, DecisionResultMapping } from './executable-model.js';

/**
 * The reserved job type of a business rule task that calls a DMN decision. The decision service answers these jobs
 * (in distributed mode it consumes their `JobCreated` events); workers should not subscribe to it.
 */
export const DECISION_JOB_TYPE = 'io.trellis.decision';

/**
 * The custom headers of a decision job: what the decision service needs to find the decision and to hand its
 * result back. Values are text, as every job header is; absent when the model does not say.
 */
export const DECISION_JOB_HEADERS = {
  /** The decision id, evaluated when the task was activated. */
  decisionId: 'decisionId',
  /** The variable the result goes to. */
  resultVariable: 'resultVariable',
  /** `latest`, `deployment`, `version` or `versionTag`. */
  bindingType: 'bindingType',
  /** With binding `version`: the version number, evaluated when the task was activated. */
  version: 'version',
  /** With binding `versionTag`: the tag. */
  versionTag: 'versionTag',
  /** Camunda 7 models: `singleEntry`, `singleResult`, `collectEntries` or `resultList`. */
  mapDecisionResult: 'mapDecisionResult',
  /** The process definition of the instance (`<processId>:<version>`): binding `deployment` resolves through it. */
  processDefinitionId: 'processDefinitionId',
} as const;

export const DECISION_BINDINGS: readonly DecisionBinding[] = ['latest', 'deployment', 'version', 'versionTag'];
export const DECISION_RESULT_MAPPINGS: readonly DecisionResultMapping[] = ['singleEntry', 'singleResult', 'collectEntries', 'resultList'];
