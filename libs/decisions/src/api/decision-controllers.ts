import type { FactoryProvider } from '@nestjs/common';
import { CLOCK, type Clock, systemClock } from '@trellis/platform';

import { DECISION_CATALOG, type DecisionCatalog } from '../decision-catalog.js';
import { DECISION_EVALUATION_LOG, type DecisionEvaluationLog } from '../decision-evaluation-log.js';
import { DecisionEvaluator } from '../decision-evaluator.js';
import { Camunda7DecisionDefinitionsController, Camunda8DecisionDefinitionsController } from './camunda-decisions.controller.js';
import { DecisionDefinitionsController, DecisionsController } from './decision-definitions.controller.js';

/** The decision APIs: native (`/api/decision-definitions`, `/api/decisions`), Camunda 7 and Camunda 8. */
export const DECISION_CONTROLLERS = [DecisionDefinitionsController, DecisionsController, Camunda7DecisionDefinitionsController, Camunda8DecisionDefinitionsController];

/**
 * The evaluator over the module's catalog, at the application's `CLOCK` (the system clock where none is given),
 * recording each evaluation in the module's `DECISION_EVALUATION_LOG` when it has one.
 */
export const decisionEvaluatorProvider: FactoryProvider<DecisionEvaluator> = {
  provide: DecisionEvaluator,
  useFactory: (catalog: DecisionCatalog, clock?: Clock, log?: DecisionEvaluationLog) => new DecisionEvaluator(catalog, clock ?? systemClock, log),
  inject: [DECISION_CATALOG, { token: CLOCK, optional: true }, { token: DECISION_EVALUATION_LOG, optional: true }],
};
