import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';

import { DeploymentsController } from './api/deployments.controller.js';
import { ProcessDefinitionsController } from './api/process-definitions.controller.js';
import { DeployResourcesHandler } from './commands/deploy-resources.command.js';
import { DefinitionRegistry } from './definition-registry.js';
import {
  GetProcessDefinitionHandler,
  GetProcessDefinitionXmlHandler,
  ListProcessDefinitionsHandler,
} from './queries/process-definition.queries.js';

/**
 * Deploys BPMN resources and serves process definitions. Needs the `EVENT_STORE` provider from the
 * application (a global module) and `CqrsModule.forRoot()` at the root.
 */
@Module({
  imports: [CqrsModule],
  controllers: [DeploymentsController, ProcessDefinitionsController],
  providers: [
    DefinitionRegistry,
    DeployResourcesHandler,
    ListProcessDefinitionsHandler,
    GetProcessDefinitionHandler,
    GetProcessDefinitionXmlHandler,
  ],
  exports: [DefinitionRegistry],
})
export class DeploymentModule {}
