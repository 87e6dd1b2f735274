import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DecisionsModule, type DecisionsTopicNames } from '@trellis/decisions';
import { MessagingModule, PlatformModule } from '@trellis/platform';

import type { DmnServiceSettings } from './dmn-service.settings.js';

export interface DmnServiceOptions {
  readonly settings: DmnServiceSettings;
  /** Tests only: topics and a consumer group of their own instead of `TOPICS` and `trellis.dmn-service`. */
  readonly topics?: Partial<DecisionsTopicNames>;
  readonly groupId?: string;
}

/**
 * The dmn-service: the platform (settings, logs, metrics, health, shutdown), Kafka as `MESSAGE_BUS`, and the decisions
 * module in its Postgres schema.
 */
@Module({})
export class DmnServiceModule {
  static forRoot(options: DmnServiceOptions): DynamicModule {
    const { settings } = options;
    return {
      module: DmnServiceModule,
      imports: [
        PlatformModule.forRoot({ settings, service: 'dmn-service' }),
        MessagingModule.forRoot(settings, { kind: 'kafka' }),
        CqrsModule.forRoot(),
        DecisionsModule.forRoot({
          schema: settings.TRELLIS_DMN_SCHEMA,
          ...(options.topics === undefined ? {} : { topics: options.topics }),
          ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
        }),
      ],
    };
  }
}
