import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DefinitionRegistry, DefinitionsModule } from '@trellis/deployment';
import { RuntimeModule } from '@trellis/runtime';

import { DECISION_CONTROLLERS, decisionEvaluatorProvider } from './api/decision-controllers.js';
import { DecisionEvaluationsHistoryController } from './api/decision-evaluations-history.controller.js';
import { DECISION_CATALOG } from './decision-catalog.js';
import { DECISION_EVALUATION_LOG, MemoryDecisionEvaluationLog } from './decision-evaluation-log.js';
import { DECISION_QUERY_HANDLERS } from './decision-definition.queries.js';
import { EmbeddedDecisionJobs } from './embedded-decision-jobs.js';
import { RegistryDecisionCatalog } from './registry-decision-catalog.js';

/**
 * The dmn-service's part of the standalone server, in process and without Postgres or Kafka: the
 * `/decision-definitions` and `/decisions` API over the deployment registry, Camunda 7's and Camunda 8's decision
 * evaluation (`/engine-rest/decision-definition/...`, `/v2/decision-definitions/evaluation`), and decision jobs
 * evaluated and answered through the runtime's commands. Every evaluation is recorded in an in-memory log served at
 * `/history/decision-evaluations` (the standalone server has no history-service). Needs the `EVENT_STORE` provider, `DeploymentModule` and `RuntimeModule` in the application, and
 * `CqrsModule.forRoot()` at the root.
 */
@Module({
  imports: [CqrsModule, DefinitionsModule, RuntimeModule],
  controllers: [...DECISION_CONTROLLERS, DecisionEvaluationsHistoryController],
  providers: [
    { provide: MemoryDecisionEvaluationLog, useFactory: () => new MemoryDecisionEvaluationLog() },
    { provide: DECISION_EVALUATION_LOG, useExisting: MemoryDecisionEvaluationLog },
    { provide: DECISION_CATALOG, useFactory: (registry: DefinitionRegistry) => new RegistryDecisionCatalog(registry), inject: [DefinitionRegistry] },
    decisionEvaluatorProvider,
    EmbeddedDecisionJobs,
    ...DECISION_QUERY_HANDLERS,
  ],
  exports: [DECISION_CATALOG, decisionEvaluatorProvider.provide],
})
export class EmbeddedDecisionsModule {}
