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
import { CqrsModule } from '@nestjs/cqrs';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { MESSAGE_BUS, type MessageBus, subscriptionReadiness } from '@trellis/messaging';
import { StreamProjectionRunner } from '@trellis/persistence';
import { ReadinessChecks, type ReadinessIndicator, postgresDataSourceProvider } from '@trellis/platform';
import type { DataSource } from 'typeorm';

import { DECISION_CONTROLLERS, decisionEvaluatorProvider } from './api/decision-controllers.js';
import { DECISION_CATALOG } from './decision-catalog.js';
import { DECISION_QUERY_HANDLERS } from './decision-definition.queries.js';
import { DecisionDefinitionsProjection } from './decision-definitions.projection.js';
import { BusDecisionEvaluationLog, DECISION_EVALUATION_LOG } from './decision-evaluation-log.js';
import { DecisionEvaluator } from './decision-evaluator.js';
import { DecisionJobResponder } from './decision-job.responder.js';
import { DECISIONS_MIGRATIONS } from './decisions.migrations.js';
import { DECISIONS_MODULE_OPTIONS, DMN_SERVICE_GROUP, type DecisionsModuleOptions, topicNamesOf } from './decisions.options.js';
import { DmnMessagesConsumer } from './dmn-messages.consumer.js';
import { PostgresDecisionCatalog } from './postgres-decision-catalog.js';

export interface DecisionsModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  /** Providers the factory injects that no imported module gives (a data source provider...). */
  readonly extraProviders?: readonly Provider[];
  readonly inject?: FactoryProvider['inject'];
  /** Builds the module's options from injected providers (the data source, the message bus, the settings...). */
  readonly useFactory: (...dependencies: never[]) => DecisionsModuleOptions | Promise<DecisionsModuleOptions>;
}

const indicators = new HealthIndicatorService();

/** The consumer in `/health/ready`: down until it has joined its group (the topics may not exist yet). */
export class DmnConsumerHealthIndicator implements ReadinessIndicator {
  readonly key = 'dmnConsumer';

  constructor(private readonly consumer: Pick<DmnMessagesConsumer, 'status'>) {}

  check(): PromiseLike<HealthIndicatorResult> {
    const { ready, details } = subscriptionReadiness(this.consumer.status());
    const session = indicators.check(this.key);
    return Promise.resolve(ready ? session.up(details) : session.down(details));
  }
}

/** Starts the consumer with the application; stops it before the data source and bus close. */
@Injectable()
class DecisionsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Decisions');
  private unregister: (() => void) | undefined;

  constructor(
    private readonly consumer: DmnMessagesConsumer,
    @Inject(DECISIONS_MODULE_OPTIONS) private readonly options: DecisionsModuleOptions,
    @Optional() private readonly readiness?: ReadinessChecks,
  ) {}

  onApplicationBootstrap(): void {
    this.unregister = this.readiness?.register(new DmnConsumerHealthIndicator(this.consumer));
    // Not awaited: the service answers (and says it is not ready yet) while the consumer waits for its topics.
    void this.consumer.start().catch((error: unknown) => this.logger.error(`The consumer stopped trying: ${String(error)}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    this.unregister?.();
    await this.options.dispose?.();
  }
}

/** `DecisionsModule.forRoot`: everything but the data source and the bus, which come from the platform. */
export type DecisionsModuleRootOptions = Omit<DecisionsModuleOptions, 'dataSource' | 'bus' | 'dispose'> & {
  /** The dmn-service's Postgres schema (`TRELLIS_DMN_SCHEMA`). */
  readonly schema: string;
};

/** The dmn-service's data source: its schema, with `DECISIONS_MIGRATIONS` run. */
export const DECISIONS_DATA_SOURCE = Symbol('trellis.DecisionsDataSource');

/**
 * The dmn-service: decision definitions in its own Postgres schema, filled from the deployments topic; the
 * `/decision-definitions` and `/decisions` API with evaluation, and Camunda 7's and Camunda 8's decision evaluation
 * endpoints; decision jobs evaluated and answered from the process-instance events; every evaluation published to
 * the decision evaluations topic (`DecisionEvaluated`). Needs `CqrsModule.forRoot()` at the root.
 */
@Module({})
export class DecisionsModule {
  /**
   * On the platform: a data source in `schema` from the `TRELLIS_POSTGRES_*` settings (pool metrics, readiness, closed
   * at shutdown) and the application's `MESSAGE_BUS` (`MessagingModule`). Needs `PlatformModule` and `MessagingModule`.
   */
  static forRoot(options: DecisionsModuleRootOptions): DynamicModule {
    const { schema, ...rest } = options;
    return DecisionsModule.forRootAsync({
      extraProviders: [postgresDataSourceProvider(DECISIONS_DATA_SOURCE, { schema, migrations: DECISIONS_MIGRATIONS, applicationName: 'trellis-dmn-service' })],
      inject: [DECISIONS_DATA_SOURCE, MESSAGE_BUS],
      useFactory: (dataSource: DataSource, bus: MessageBus): DecisionsModuleOptions => ({ ...rest, dataSource, bus }),
    });
  }

  /** With a data source and a bus of the caller's making (given by `useFactory`; `dispose` closes what it opened). */
  static forRootAsync(options: DecisionsModuleAsyncOptions): DynamicModule {
    return {
      module: DecisionsModule,
      imports: [CqrsModule, ...(options.imports ?? [])],
      controllers: DECISION_CONTROLLERS,
      providers: [
        ...(options.extraProviders ?? []),
        { provide: DECISIONS_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: DECISION_CATALOG,
          useFactory: (moduleOptions: DecisionsModuleOptions) => new PostgresDecisionCatalog(moduleOptions.dataSource),
          inject: [DECISIONS_MODULE_OPTIONS],
        },
        {
          provide: StreamProjectionRunner,
          useFactory: (moduleOptions: DecisionsModuleOptions) => new StreamProjectionRunner(moduleOptions.dataSource, new DecisionDefinitionsProjection()),
          inject: [DECISIONS_MODULE_OPTIONS],
        },
        {
          provide: DECISION_EVALUATION_LOG,
          useFactory: (moduleOptions: DecisionsModuleOptions) => new BusDecisionEvaluationLog(moduleOptions.bus, topicNamesOf(moduleOptions).decisionEvaluations),
          inject: [DECISIONS_MODULE_OPTIONS],
        },
        decisionEvaluatorProvider,
        {
          provide: DecisionJobResponder,
          useFactory: (moduleOptions: DecisionsModuleOptions, evaluator: DecisionEvaluator) =>
            new DecisionJobResponder({
              dataSource: moduleOptions.dataSource,
              evaluator,
              bus: moduleOptions.bus,
              runtimeCommandsTopic: topicNamesOf(moduleOptions).runtimeCommands,
            }),
          inject: [DECISIONS_MODULE_OPTIONS, DecisionEvaluator],
        },
        {
          provide: DmnMessagesConsumer,
          useFactory: (moduleOptions: DecisionsModuleOptions, runner: StreamProjectionRunner, responder: DecisionJobResponder) => {
            const logger = new Logger('DmnConsumer');
            return new DmnMessagesConsumer({
              logger: { warn: (message, context) => logger.warn(context === undefined ? message : { msg: message, ...context }) },
              bus: moduleOptions.bus,
              groupId: moduleOptions.groupId ?? DMN_SERVICE_GROUP,
              topics: topicNamesOf(moduleOptions),
              runner,
              responder,
            });
          },
          inject: [DECISIONS_MODULE_OPTIONS, StreamProjectionRunner, DecisionJobResponder],
        },
        DecisionsLifecycle,
        ...DECISION_QUERY_HANDLERS,
      ],
      exports: [DECISION_CATALOG, DecisionEvaluator, StreamProjectionRunner, DmnMessagesConsumer],
    };
  }
}
