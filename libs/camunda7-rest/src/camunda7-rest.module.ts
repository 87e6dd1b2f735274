import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DefinitionsModule } from '@trellis/deployment';

import { DeploymentCreateController } from './api/deployment-create.controller.js';
import { DeploymentsController } from './api/deployments.controller.js';
import { EngineController } from './api/engine.controller.js';
import { HistoricProcessInstancesController } from './api/history.controller.js';
import { IncidentsController } from './api/incidents.controller.js';
import { MessagesController } from './api/messages.controller.js';
import { ProcessDefinitionsController } from './api/process-definitions.controller.js';
import { ProcessInstanceViews } from './api/process-instance-views.js';
import { ProcessInstancesController } from './api/process-instances.controller.js';

/**
 * Camunda 7's REST API at `/engine-rest`, over the runtime: version, deployments and process definitions (read),
 * starting instances, messages, signals, process instances, their history and incidents. Give it the application's
 * runtime module (the very `RuntimeModule.forRoot(...)` the application imports, so that there is one runtime), and
 * create the application with `routesOutsidePrefix: [ENGINE_REST_PATH]` and `problemRenderers: [camunda7ProblemRenderer]`.
 */
@Module({})
export class Camunda7RestModule {
  static forRuntime(runtime: DynamicModule | Type): DynamicModule {
    return {
      module: Camunda7RestModule,
      imports: [CqrsModule, DefinitionsModule, runtime],
      controllers: [
        EngineController,
        DeploymentsController,
        ProcessDefinitionsController,
        ProcessInstancesController,
        HistoricProcessInstancesController,
        IncidentsController,
        MessagesController,
      ],
      providers: [ProcessInstanceViews],
    };
  }
}

/**
 * `POST /engine-rest/deployment/create`, where deployments are made: the standalone server and the
 * deployment-service. Needs the `DeploymentModule` in the application (its command handler deploys).
 */
@Module({
  imports: [CqrsModule],
  controllers: [DeploymentCreateController],
})
export class Camunda7DeploymentRestModule {}
