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
  type Provider,
} from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { MESSAGE_BUS, type MessageBus, subscriptionReadiness } from '@trellis/messaging';
import { StreamProjectionRunner } from '@trellis/persistence';
import { type KafkaSettings, postgresDataSourceProvider, ReadinessChecks, type ReadinessIndicator, SETTINGS } from '@trellis/platform';
import type { DataSource } from 'typeorm';

import { DecisionEvaluationsController } from './api/decision-evaluations.controller.js';
import { HistoryController } from './api/history.controller.js';
import { DecisionEvaluationQueries, DecisionEvaluationsConsumer, type DecisionEvaluationsConsumerOptions } from './decision-evaluations.js';
import { type ConsumerGroupAdmin, KafkaConsumerGroupAdmin } from './consumer-group-admin.js';
import { historyEntities } from './history.entities.js';
import { historyMigrations } from './history.migrations.js';
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
  /** The decision evaluations consumer's group and topic (started and stopped with the history consumer). */
  readonly decisionEvaluations?: DecisionEvaluationsConsumerOptions;
  /** Called after the consumer stopped, at application shutdown: close what the factory opened (bus, data source...). */
  readonly dispose?: () => Promise<void>;
}

export interface HistoryModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  /** Providers of what `useFactory` injects (a data source...). */
  readonly extraProviders?: readonly Provider[];
  readonly inject?: FactoryProvider['inject'];
  readonly useFactory: (...dependencies: never[]) => HistoryModuleOptions | Promise<HistoryModuleOptions>;
}

/** `HistoryModule.forRoot`: on the service kit, in the schema given. */
export interface HistoryModuleRootOptions {
  /** The read model's Postgres schema (`TRELLIS_HISTORY_SCHEMA`). */
  readonly schema: string;
  /** The consumer's group, topics, dead-letter topic and batching (tests give a group and topics of their own). */
  readonly consumer?: HistoryConsumerOptions & { readonly start?: boolean };
  /** The decision evaluations consumer's group, topic and dead-letter topic (tests give their own). */
  readonly decisionEvaluations?: DecisionEvaluationsConsumerOptions;
}

/** The history's data source (`postgresDataSourceProvider` in `forRoot`). */
export const HISTORY_DATA_SOURCE = Symbol('trellis.HistoryDataSource');

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
    const { ready, details } = subscriptionReadiness(this.consumer.status());
    const session = indicators.check(this.key);
    return Promise.resolve(ready ? session.up({ groupId: this.consumer.groupId, ...details }) : session.down({ groupId: this.consumer.groupId, ...details }));
  }
}

/** Starts the consumer once the application is up, stops it before the bus and the data source close. */
@Injectable()
class HistoryLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('History');
  private readonly unregister: (() => void)[] = [];

  constructor(
    private readonly consumer: HistoryConsumer,
    private readonly decisionEvaluations: DecisionEvaluationsConsumer,
    @Inject(HISTORY_MODULE_OPTIONS) private readonly options: HistoryModuleOptions,
    @Optional() private readonly readiness?: ReadinessChecks,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.consumer?.start === false) return;
    if (this.readiness) this.unregister.push(this.readiness.register(new HistoryConsumerHealthIndicator(this.consumer)));
    // Not awaited: the service answers (and says it is not ready yet) while the consumer waits for its topics.
    void this.consumer.start().then(
      () => {
        if (this.consumer.running) this.logger.log(`Consuming ${this.consumer.topics.join(', ')} as group ${this.consumer.groupId}`);
      },
      (error: unknown) => this.logger.error(`The history consumer stopped trying: ${String(error)}`),
    );
    // Its own group on its own topic: the history answers (and keeps consuming events) while this one waits for it.
    void this.decisionEvaluations.start().catch((error: unknown) => this.logger.error(`The decision evaluations consumer stopped trying: ${String(error)}`));
  }

  /** Before `onApplicationShutdown`, where the application closes the bus and the data source. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.decisionEvaluations.stop();
    for (const unregister of this.unregister.splice(0)) unregister();
    await this.options.dispose?.();
  }
}

/**
 * The history service: the projection of every process-instance event into the history tables, its Kafka consumer,
 * the query API under `history/` and the rebuild; and the decision evaluations the dmn-service publishes
 * (`history/decision-evaluations`, consumed by a group of their own, untouched by a rebuild). Inject `HistoryQueries`, `HistoryConsumer`, `HistoryRebuild`.
 */
@Module({})
export class HistoryModule {
  /**
   * On the service kit: the data source from `postgresDataSourceProvider` (migrations, pool metrics, the
   * `postgres:<schema>` check, closed at shutdown), the bus from `MessagingModule` (`MESSAGE_BUS`, which also reports
   * the group's lag), and a Kafka admin client from the `TRELLIS_KAFKA_*` settings for the rebuild.
   */
  static forRoot(options: HistoryModuleRootOptions): DynamicModule {
    return HistoryModule.forRootAsync({
      extraProviders: [
        postgresDataSourceProvider(HISTORY_DATA_SOURCE, {
          schema: options.schema,
          migrations: historyMigrations,
          entities: historyEntities,
          applicationName: 'trellis-history-service',
        }),
      ],
      inject: [HISTORY_DATA_SOURCE, MESSAGE_BUS, SETTINGS],
      useFactory: (dataSource: DataSource, bus: MessageBus, settings: KafkaSettings): HistoryModuleOptions => {
        const groupAdmin = new KafkaConsumerGroupAdmin({
          brokers: settings.TRELLIS_KAFKA_BROKERS,
          clientId: settings.TRELLIS_KAFKA_CLIENT_ID,
          connectionTimeoutMs: settings.TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS,
          requestTimeoutMs: settings.TRELLIS_KAFKA_REQUEST_TIMEOUT_MS,
          retries: settings.TRELLIS_KAFKA_RETRIES,
        });
        return {
          dataSource,
          bus,
          groupAdmin,
          ...(options.consumer === undefined ? {} : { consumer: options.consumer }),
          ...(options.decisionEvaluations === undefined ? {} : { decisionEvaluations: options.decisionEvaluations }),
          dispose: () => groupAdmin.close(),
        };
      },
    });
  }

  /** With a data source, a bus and an admin of the caller's making (`dispose` closes what it opened). */
  static forRootAsync(options: HistoryModuleAsyncOptions): DynamicModule {
    const fromOptions = <T>(build: (moduleOptions: HistoryModuleOptions, ...rest: never[]) => T, inject: FactoryProvider['inject'] = []) => ({
      useFactory: build,
      inject: [HISTORY_MODULE_OPTIONS, ...inject],
    });
    return {
      module: HistoryModule,
      imports: options.imports ?? [],
      controllers: [HistoryController, DecisionEvaluationsController],
      providers: [
        ...(options.extraProviders ?? []),
        { provide: HISTORY_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: HistoryProjection, useFactory: () => new HistoryProjection() },
        {
          provide: StreamProjectionRunner,
          ...fromOptions((moduleOptions, projection: HistoryProjection) => new StreamProjectionRunner(moduleOptions.dataSource, projection), [HistoryProjection]),
        },
        { provide: HistoryQueries, ...fromOptions((moduleOptions) => new HistoryQueries(moduleOptions.dataSource)) },
        { provide: DecisionEvaluationQueries, ...fromOptions((moduleOptions) => new DecisionEvaluationQueries(moduleOptions.dataSource)) },
        {
          provide: DecisionEvaluationsConsumer,
          ...fromOptions((moduleOptions) => {
            const logger = new Logger('DecisionEvaluationsConsumer');
            return new DecisionEvaluationsConsumer(moduleOptions.bus, moduleOptions.dataSource, {
              logger: { warn: (message) => logger.warn(message) },
              ...(moduleOptions.consumer?.deadLetterTopic === undefined ? {} : { deadLetterTopic: moduleOptions.consumer.deadLetterTopic }),
              ...moduleOptions.decisionEvaluations,
            });
          }),
        },
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
      exports: [HistoryQueries, HistoryConsumer, HistoryRebuild, StreamProjectionRunner, DecisionEvaluationQueries, DecisionEvaluationsConsumer],
    };
  }
}
