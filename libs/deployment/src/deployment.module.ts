import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';

import { DeploymentsController } from './api/deployments.controller.js';
import { ProcessDefinitionsController } from './api/process-definitions.controller.js';
import { DeployResourcesHandler } from './commands/deploy-resources.command.js';
import { DefinitionsModule } from './definitions.module.js';
import {
  GetProcessDefinitionHandler,
  GetProcessDefinitionXmlHandler,
  ListProcessDefinitionsHandler,
} from './queries/process-definition.queries.js';

/**
 * Deploys BPMN, DMN and form resources and serves process definitions (the dmn-service serves decision definitions). Needs the `EVENT_STORE` provider from the
 * application (a global module) and `CqrsModule.forRoot()` at the root.
 */
@Module({
  imports: [CqrsModule, DefinitionsModule],
  controllers: [DeploymentsController, ProcessDefinitionsController],
  providers: [
    DeployResourcesHandler,
    ListProcessDefinitionsHandler,
    GetProcessDefinitionHandler,
    GetProcessDefinitionXmlHandler,
  ],
  exports: [DefinitionsModule],
})
export class DeploymentModule {}
