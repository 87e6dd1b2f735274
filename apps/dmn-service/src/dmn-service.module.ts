import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DECISIONS_MIGRATIONS, DecisionsModule, type DecisionsTopicNames } from '@trellis/decisions';
import { KafkaMessageBus } from '@trellis/messaging';
import { createPostgresDataSource, poolStats } from '@trellis/persistence';
import { PlatformModule, PostgresHealthIndicator, ReadinessChecks, registerPoolMetrics } from '@trellis/platform';
import { Registry } from 'prom-client';

import type { DmnServiceSettings } from './dmn-service.settings.js';

export interface DmnServiceOptions {
  readonly settings: DmnServiceSettings;
  /** Tests only: topics and a consumer group of their own instead of `TOPICS` and `trellis.dmn-service`. */
  readonly topics?: Partial<DecisionsTopicNames>;
  readonly groupId?: string;
}

/** The dmn-service: the platform (settings, logs, metrics, health) and the decisions module on Postgres and Kafka. */
@Module({})
export class DmnServiceModule {
  static forRoot(options: DmnServiceOptions): DynamicModule {
    const { settings } = options;
    return {
      module: DmnServiceModule,
      imports: [
        PlatformModule.forRoot({ settings, service: 'dmn-service' }),
        CqrsModule.forRoot(),
        DecisionsModule.forRootAsync({
          inject: [Registry, ReadinessChecks],
          useFactory: async (registry: Registry, readiness: ReadinessChecks) => {
            const dataSource = await createPostgresDataSource({
              url: settings.TRELLIS_POSTGRES_URL,
              schema: settings.TRELLIS_DMN_SCHEMA,
              migrations: DECISIONS_MIGRATIONS,
              applicationName: 'trellis-dmn-service',
              poolMax: settings.TRELLIS_POSTGRES_POOL_MAX,
              connectionTimeoutMs: settings.TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS,
              idleTimeoutMs: settings.TRELLIS_POSTGRES_IDLE_TIMEOUT_MS,
              statementTimeoutMs: settings.TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS,
            });
            const unregister = [
              registerPoolMetrics(registry, settings.TRELLIS_DMN_SCHEMA, () => poolStats(dataSource)),
              readiness.register(new PostgresHealthIndicator(dataSource)),
            ];
            let bus: KafkaMessageBus;
            try {
              bus = await KafkaMessageBus.connect({
                brokers: settings.TRELLIS_KAFKA_BROKERS,
                clientId: settings.TRELLIS_KAFKA_CLIENT_ID,
                connectionTimeoutMs: settings.TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS,
                requestTimeoutMs: settings.TRELLIS_KAFKA_REQUEST_TIMEOUT_MS,
                retries: settings.TRELLIS_KAFKA_RETRIES,
                retryInitialMs: settings.TRELLIS_KAFKA_RETRY_INITIAL_MS,
                retryMaxMs: settings.TRELLIS_KAFKA_RETRY_MAX_MS,
                sessionTimeoutMs: settings.TRELLIS_KAFKA_SESSION_TIMEOUT_MS,
                heartbeatIntervalMs: settings.TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS,
              });
            } catch (error) {
              for (const done of unregister) done();
              await dataSource.destroy();
              throw error;
            }
            return {
              dataSource,
              bus,
              ...(options.topics === undefined ? {} : { topics: options.topics }),
              ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
              dispose: async () => {
                await bus.close();
                for (const done of unregister) done();
                await dataSource.destroy();
              },
            };
          },
        }),
      ],
    };
  }
}
