import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DefinitionRegistry, DefinitionsModule } from '@trellis/deployment';
import { RuntimeModule } from '@trellis/runtime';

import { DecisionDefinitionsController } from './api/decision-definitions.controller.js';
import { DECISION_CATALOG } from './decision-catalog.js';
import { DECISION_QUERY_HANDLERS } from './decision-definition.queries.js';
import { EmbeddedDecisionJobs } from './embedded-decision-jobs.js';
import { RegistryDecisionCatalog } from './registry-decision-catalog.js';

/**
 * The dmn-service's part of the standalone server, in process and without Postgres or Kafka: the
 * `/decision-definitions` API over the deployment registry, and decision jobs answered through the runtime's
 * commands. Needs the `EVENT_STORE` provider, `DeploymentModule` and `RuntimeModule` in the application, and
 * `CqrsModule.forRoot()` at the root.
 */
@Module({
  imports: [CqrsModule, DefinitionsModule, RuntimeModule],
  controllers: [DecisionDefinitionsController],
  providers: [
    { provide: DECISION_CATALOG, useFactory: (registry: DefinitionRegistry) => new RegistryDecisionCatalog(registry), inject: [DefinitionRegistry] },
    EmbeddedDecisionJobs,
    ...DECISION_QUERY_HANDLERS,
  ],
  exports: [DECISION_CATALOG],
})
export class EmbeddedDecisionsModule {}
