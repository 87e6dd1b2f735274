import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DefinitionsModule } from '@trellis/deployment';

import { CamundaDeploymentCreateController } from './api/deployment-create.controller.js';
import { CamundaDeploymentsController } from './api/deployments.controller.js';
import { CamundaEngineController } from './api/engine.controller.js';
import { CamundaExternalTasksController } from './api/external-tasks.controller.js';
import { CamundaHistoricProcessInstancesController } from './api/history.controller.js';
import { CamundaIncidentsController } from './api/incidents.controller.js';
import { CamundaMessagesController } from './api/messages.controller.js';
import { CamundaProcessDefinitionsController } from './api/process-definitions.controller.js';
import { ProcessInstanceViews } from './api/process-instance-views.js';
import { CamundaProcessInstancesController } from './api/process-instances.controller.js';

/**
 * Camunda 7's REST API at `/engine-rest`, over the runtime: version, deployments and process definitions (read),
 * starting instances, messages, signals, process instances, their history, incidents and external tasks. Give it the application's
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
        CamundaEngineController,
        CamundaDeploymentsController,
        CamundaProcessDefinitionsController,
        CamundaProcessInstancesController,
        CamundaHistoricProcessInstancesController,
        CamundaIncidentsController,
        CamundaMessagesController,
        CamundaExternalTasksController,
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
  controllers: [CamundaDeploymentCreateController],
})
export class Camunda7DeploymentRestModule {}
