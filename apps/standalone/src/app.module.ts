import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Camunda7DeploymentRestModule, Camunda7RestModule } from '@trellis/camunda7-rest';
import { EmbeddedDecisionsModule } from '@trellis/decisions';
import { DeploymentModule } from '@trellis/deployment';
import { PlatformModule } from '@trellis/platform';
import { RuntimeModule } from '@trellis/runtime';

import { InfrastructureModule, type InfrastructureOptions } from './infrastructure.module.js';

/** Every module in one process on one event store: what `npm start` runs. */
@Module({})
export class AppModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ settings: options.settings, service: 'trellis-standalone' }),
        CqrsModule.forRoot(),
        InfrastructureModule.forRoot(options),
        DeploymentModule,
        RuntimeModule,
        // Decision definitions and decision jobs in process (the dmn-service's part, without Postgres or Kafka).
        EmbeddedDecisionsModule,
        // Camunda 7's REST API at /engine-rest (Camunda Modeler deploys there), over the same runtime and deployments.
        Camunda7RestModule.forRuntime(RuntimeModule),
        Camunda7DeploymentRestModule,
      ],
    };
  }
}
