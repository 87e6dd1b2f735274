import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Camunda7DeploymentRestModule } from '@trellis/camunda7-rest';
import type { TopicName } from '@trellis/contracts';
import { DeploymentModule } from '@trellis/deployment';
import { EventStoreModule, MessagingModule, PlatformModule } from '@trellis/platform';
import { RELAYED_STREAMS, RelayModule } from '@trellis/relay';

import type { DeploymentServiceSettings } from './deployment-service.settings.js';

export interface DeploymentServiceOptions {
  readonly settings: DeploymentServiceSettings;
  /** Tests only: the topic each contract topic is published to (default: its name in `TOPICS`). */
  readonly topicName?: (topic: TopicName) => string;
}

/**
 * The deployment-service: the platform (settings, logs, metrics, health), the shared event store (it appends only to
 * the `deployments` stream), the deployment module (deploy BPMN, DMN and form resources; process definitions) and the
 * relay of the `deployments` stream to `trellis.deployments.v1`, led by one replica at a time.
 */
@Module({})
export class DeploymentServiceModule {
  static forRoot(options: DeploymentServiceOptions): DynamicModule {
    const { settings } = options;
    return {
      module: DeploymentServiceModule,
      imports: [
        PlatformModule.forRoot({ settings, service: 'deployment-service' }),
        CqrsModule.forRoot(),
        EventStoreModule.forRoot(settings),
        MessagingModule.forRoot(settings, { kind: 'kafka' }),
        DeploymentModule,
        // Camunda 7's POST /engine-rest/deployment/create: what Camunda Modeler deploys with.
        Camunda7DeploymentRestModule,
        RelayModule.forService(settings, {
          streams: RELAYED_STREAMS.deployments,
          ...(options.topicName === undefined ? {} : { topicName: options.topicName }),
        }),
      ],
    };
  }
}
