import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  type FactoryProvider,
  Inject,
  Injectable,
  Logger,
  Module,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import type { MessageBus } from '@trellis/messaging';
import { StreamProjectionRunner } from '@trellis/persistence';
import { registerConsumerLag } from '@trellis/platform';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

import { HistoryController } from './api/history.controller.js';
import type { ConsumerGroupAdmin } from './consumer-group-admin.js';
import { HistoryConsumer, type HistoryConsumerOptions } from './history-consumer.js';
import { HistoryRebuild } from './history-rebuild.js';
import { HistoryStatusReader } from './history-status.js';
import { HistoryProjection } from './history.projection.js';
import { HistoryQueries } from './history.queries.js';

export interface HistoryModuleOptions {
  /** Connected to the history schema, its migrations run (`historyMigrations`), with `historyEntities`. */
  readonly dataSource: DataSource;
  readonly bus: MessageBus;
  /** Moves the group's offsets for a rebuild, and reads its lag (`KafkaConsumerGroupAdmin`). */
  readonly groupAdmin: ConsumerGroupAdmin;
  /** The consumer's group, topics and batching; `start: false` serves the API without consuming (default true). */
  readonly consumer?: HistoryConsumerOptions & { readonly start?: boolean };
}

export interface HistoryModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: FactoryProvider['inject'];
  readonly useFactory: (...dependencies: never[]) => HistoryModuleOptions | Promise<HistoryModuleOptions>;
}

const HISTORY_MODULE_OPTIONS = Symbol('trellis.HistoryModuleOptions');

/** Starts the consumer once the application is up, stops it before the bus and the data source close. */
@Injectable()
class HistoryLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('History');
  private unregisterLag: (() => void) | undefined;

  constructor(
    private readonly consumer: HistoryConsumer,
    @Inject(HISTORY_MODULE_OPTIONS) private readonly options: HistoryModuleOptions,
    @Optional() private readonly registry?: Registry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.registry) {
      this.unregisterLag = registerConsumerLag(this.registry, this.consumer.groupId, () =>
        this.options.groupAdmin.lag(this.consumer.groupId, this.consumer.topics),
      );
    }
    if (this.options.consumer?.start === false) return;
    await this.consumer.start();
    this.logger.log(`Consuming ${this.consumer.topics.join(', ')} as group ${this.consumer.groupId}`);
  }

  /** Before `onApplicationShutdown`, where the application closes the bus and the data source. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    this.unregisterLag?.();
    this.unregisterLag = undefined;
  }
}

/**
 * The history service: the projection of every process-instance event into the history tables, its Kafka consumer,
 * the query API under `history/` and the rebuild. Inject `HistoryQueries`, `HistoryConsumer`, `HistoryRebuild`.
 * With a prom-client `Registry` (from `PlatformModule`) the group's lag is `trellis_kafka_consumer_lag_messages`.
 */
@Module({})
export class HistoryModule {
  static forRootAsync(options: HistoryModuleAsyncOptions): DynamicModule {
    const fromOptions = <T>(build: (moduleOptions: HistoryModuleOptions, ...rest: never[]) => T, inject: FactoryProvider['inject'] = []) => ({
      useFactory: build,
      inject: [HISTORY_MODULE_OPTIONS, ...inject],
    });
    return {
      module: HistoryModule,
      imports: options.imports ?? [],
      controllers: [HistoryController],
      providers: [
        { provide: HISTORY_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: HistoryProjection, useFactory: () => new HistoryProjection() },
        {
          provide: StreamProjectionRunner,
          ...fromOptions((moduleOptions, projection: HistoryProjection) => new StreamProjectionRunner(moduleOptions.dataSource, projection), [HistoryProjection]),
        },
        { provide: HistoryQueries, ...fromOptions((moduleOptions) => new HistoryQueries(moduleOptions.dataSource)) },
        {
          provide: HistoryConsumer,
          ...fromOptions(
            (moduleOptions, runner: StreamProjectionRunner) => new HistoryConsumer(moduleOptions.bus, runner, moduleOptions.consumer),
            [StreamProjectionRunner],
          ),
        },
        {
          provide: HistoryRebuild,
          ...fromOptions(
            (moduleOptions, runner: StreamProjectionRunner, consumer: HistoryConsumer) => new HistoryRebuild(runner, moduleOptions.groupAdmin, consumer),
            [StreamProjectionRunner, HistoryConsumer],
          ),
        },
        {
          provide: HistoryStatusReader,
          ...fromOptions(
            (moduleOptions, runner: StreamProjectionRunner, projection: HistoryProjection, consumer: HistoryConsumer, rebuild: HistoryRebuild) =>
              new HistoryStatusReader(moduleOptions.dataSource, runner, projection, consumer, rebuild, moduleOptions.groupAdmin),
            [StreamProjectionRunner, HistoryProjection, HistoryConsumer, HistoryRebuild],
          ),
        },
        HistoryLifecycle,
      ],
      exports: [HistoryQueries, HistoryConsumer, HistoryRebuild, StreamProjectionRunner],
    };
  }
}
