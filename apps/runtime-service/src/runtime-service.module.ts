import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Camunda7RestModule } from '@trellis/camunda7-rest';
import type { TopicName } from '@trellis/contracts';
import { EventStoreModule, MessagingModule, PlatformModule } from '@trellis/platform';
import { RELAYED_STREAMS, RelayModule } from '@trellis/relay';
import { PostgresExternalTaskLockStore, RuntimeModule } from '@trellis/runtime';

import type { RuntimeServiceSettings } from './runtime-service.settings.js';

/** Partitions of the commands topic one replica handles at the same time. */
export const COMMAND_PARTITIONS_IN_PARALLEL = 8;

export interface RuntimeServiceOptions {
  readonly settings: RuntimeServiceSettings;
  /** Tests only: the topic each contract topic is read from or published to (default: its name in `TOPICS`). */
  readonly topicName?: (topic: TopicName) => string;
  /** Tests only: the consumer group of the commands topic (default `trellis.runtime-service`). */
  readonly groupId?: string;
}

/**
 * The runtime-service: the platform (settings, logs, metrics, health), the shared event store (it appends only to
 * `process-instance-*` streams and reads `deployments`), Kafka, the runtime (REST API, read views, commands consumed
 * from `trellis.runtime-commands.v1`) and the relay of its own streams, led by one replica at a time. There is no
 * deployment endpoint here: the deployment-service deploys, and the runtime's definition registry catches up with the
 * `deployments` stream.
 */
@Module({})
export class RuntimeServiceModule {
  static forRoot(options: RuntimeServiceOptions): DynamicModule {
    const { settings } = options;
    const runtime = RuntimeModule.forRoot(
      {
        instanceCacheSize: settings.TRELLIS_INSTANCE_CACHE_SIZE,
        snapshotEvery: settings.TRELLIS_SNAPSHOT_EVERY,
        timers: { enabled: settings.TRELLIS_TIMERS_ENABLED === 'true' },
        jobExecutor: { enabled: settings.TRELLIS_JOB_EXECUTOR_ENABLED === 'true' },
        externalTasks: { workerUnhealthyAfterMs: settings.TRELLIS_WORKER_UNHEALTHY_AFTER_MS },
        deployedElsewhere: true,
        commands: {
          consume: true,
          createTopics: { partitions: settings.TRELLIS_RELAY_TOPIC_PARTITIONS },
          ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
          ...(options.topicName === undefined ? {} : { topicName: options.topicName }),
        },
      },
      // External-task locks in Postgres: every replica hands out tasks, none twice.
      { externalTaskLockStore: () => PostgresExternalTaskLockStore.open({ url: settings.TRELLIS_POSTGRES_URL, poolMax: 4 }) },
    );
    return {
      module: RuntimeServiceModule,
      imports: [
        PlatformModule.forRoot({ settings, service: 'runtime-service' }),
        CqrsModule.forRoot(),
        EventStoreModule.forRoot(settings),
        // Partitions of the commands topic are handled side by side (each still in order): one slow instance does not
        // hold the others back.
        MessagingModule.forRoot(settings, { kind: 'kafka', bus: { partitionsConsumedConcurrently: COMMAND_PARTITIONS_IN_PARALLEL } }),
        runtime,
        // Camunda 7's REST API at /engine-rest over the same runtime (the deployment-service takes its deployments).
        Camunda7RestModule.forRuntime(runtime),
        RelayModule.forService(settings, {
          streams: RELAYED_STREAMS.processInstances,
          ...(options.topicName === undefined ? {} : { topicName: options.topicName }),
        }),
      ],
    };
  }
}
