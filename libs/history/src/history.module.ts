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
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { MessageBus } from '@trellis/messaging';
import { StreamProjectionRunner } from '@trellis/persistence';
import { ReadinessChecks, type ReadinessIndicator, registerConsumerLag } from '@trellis/platform';
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
  /** Called after the consumer stopped, at application shutdown: close what the factory opened (bus, data source...). */
  readonly dispose?: () => Promise<void>;
}

export interface HistoryModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: FactoryProvider['inject'];
  readonly useFactory: (...dependencies: never[]) => HistoryModuleOptions | Promise<HistoryModuleOptions>;
}

const HISTORY_MODULE_OPTIONS = Symbol('trellis.HistoryModuleOptions');

const indicators = new HealthIndicatorService();

/**
 * The consumer in `/health/ready`: down until it has joined its group (the topics may not exist yet) and while a
 * rebuild has stopped it; the history answers meanwhile, but it is behind.
 */
export class HistoryConsumerHealthIndicator implements ReadinessIndicator {
  readonly key = 'historyConsumer';

  constructor(private readonly consumer: Pick<HistoryConsumer, 'status' | 'groupId'>) {}

  check(): PromiseLike<HealthIndicatorResult> {
    const status = this.consumer.status();
    const details = {
      groupId: this.consumer.groupId,
      state: status.state,
      attempts: status.attempts,
      ...(status.lastError === undefined ? {} : { lastError: status.lastError.message, lastErrorAt: status.lastError.at }),
    };
    const session = indicators.check(this.key);
    return Promise.resolve(status.state === 'consuming' ? session.up(details) : session.down(details));
  }
}

/** Starts the consumer once the application is up, stops it before the bus and the data source close. */
@Injectable()
class HistoryLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('History');
  private readonly unregister: (() => void)[] = [];

  constructor(
    private readonly consumer: HistoryConsumer,
    @Inject(HISTORY_MODULE_OPTIONS) private readonly options: HistoryModuleOptions,
    @Optional() private readonly registry?: Registry,
    @Optional() private readonly readiness?: ReadinessChecks,
  ) {}

  onApplicationBootstrap(): void {
    if (this.registry) {
      this.unregister.push(
        registerConsumerLag(this.registry, this.consumer.groupId, () => this.options.groupAdmin.lag(this.consumer.groupId, this.consumer.topics)),
      );
    }
    if (this.options.consumer?.start === false) return;
    if (this.readiness) this.unregister.push(this.readiness.register(new HistoryConsumerHealthIndicator(this.consumer)));
    // Not awaited: the service answers (and says it is not ready yet) while the consumer waits for its topics.
    void this.consumer.start().then(
      () => {
        if (this.consumer.running) this.logger.log(`Consuming ${this.consumer.topics.join(', ')} as group ${this.consumer.groupId}`);
      },
      (error: unknown) => this.logger.error(`The history consumer stopped trying: ${String(error)}`),
    );
  }

  /** Before `onApplicationShutdown`, where the application closes the bus and the data source. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    for (const unregister of this.unregister.splice(0)) unregister();
    await this.options.dispose?.();
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
            (moduleOptions, runner: StreamProjectionRunner) =>
              new HistoryConsumer(moduleOptions.bus, runner, { logger: new Logger('HistoryConsumer'), ...moduleOptions.consumer }),
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
