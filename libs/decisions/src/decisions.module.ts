import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  type FactoryProvider,
  Inject,
  Injectable,
  Module,
  type ModuleMetadata,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { StreamProjectionRunner } from '@trellis/persistence';

import { DecisionDefinitionsController } from './api/decision-definitions.controller.js';
import { DECISION_CATALOG, type DecisionCatalog } from './decision-catalog.js';
import { DECISION_QUERY_HANDLERS } from './decision-definition.queries.js';
import { DecisionDefinitionsProjection } from './decision-definitions.projection.js';
import { DecisionJobResponder } from './decision-job.responder.js';
import { DECISIONS_MODULE_OPTIONS, DMN_SERVICE_GROUP, type DecisionsModuleOptions, topicNamesOf } from './decisions.options.js';
import { DmnMessagesConsumer } from './dmn-messages.consumer.js';
import { PostgresDecisionCatalog } from './postgres-decision-catalog.js';

export interface DecisionsModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: FactoryProvider['inject'];
  /** Builds the module's options from injected providers (the data source, the message bus, the settings...). */
  readonly useFactory: (...dependencies: never[]) => DecisionsModuleOptions | Promise<DecisionsModuleOptions>;
}

/** Starts the consumer with the application; stops it before the data source and bus close. */
@Injectable()
class DecisionsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly consumer: DmnMessagesConsumer,
    @Inject(DECISIONS_MODULE_OPTIONS) private readonly options: DecisionsModuleOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.options.dispose?.();
  }
}

/**
 * The dmn-service: decision definitions in its own Postgres schema, filled from the deployments topic; the
 * `/decision-definitions` API; decision jobs answered from the process-instance events (with an incident, until the
 * decision engine of issue #8). Needs `CqrsModule.forRoot()` at the root.
 */
@Module({})
export class DecisionsModule {
  static forRootAsync(options: DecisionsModuleAsyncOptions): DynamicModule {
    return {
      module: DecisionsModule,
      imports: [CqrsModule, ...(options.imports ?? [])],
      controllers: [DecisionDefinitionsController],
      providers: [
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
          provide: DecisionJobResponder,
          useFactory: (moduleOptions: DecisionsModuleOptions, catalog: DecisionCatalog) =>
            new DecisionJobResponder({
              dataSource: moduleOptions.dataSource,
              catalog,
              bus: moduleOptions.bus,
              runtimeCommandsTopic: topicNamesOf(moduleOptions).runtimeCommands,
            }),
          inject: [DECISIONS_MODULE_OPTIONS, DECISION_CATALOG],
        },
        {
          provide: DmnMessagesConsumer,
          useFactory: (moduleOptions: DecisionsModuleOptions, runner: StreamProjectionRunner, responder: DecisionJobResponder) =>
            new DmnMessagesConsumer({
              bus: moduleOptions.bus,
              groupId: moduleOptions.groupId ?? DMN_SERVICE_GROUP,
              topics: topicNamesOf(moduleOptions),
              runner,
              responder,
            }),
          inject: [DECISIONS_MODULE_OPTIONS, StreamProjectionRunner, DecisionJobResponder],
        },
        DecisionsLifecycle,
        ...DECISION_QUERY_HANDLERS,
      ],
      exports: [DECISION_CATALOG, StreamProjectionRunner, DmnMessagesConsumer],
    };
  }
}
