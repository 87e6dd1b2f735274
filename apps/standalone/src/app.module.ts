import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
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
      ],
    };
  }
}
