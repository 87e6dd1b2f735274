import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { HistoryModule, historyEntities, historyMigrations, KafkaConsumerGroupAdmin } from '@trellis/history';
import { KafkaMessageBus, type MessagingLogger } from '@trellis/messaging';
import { createPostgresDataSource, poolStats } from '@trellis/persistence';
import { KafkaHealthIndicator, PlatformModule, PostgresHealthIndicator, ReadinessChecks, registerPoolMetrics } from '@trellis/platform';
import { Registry } from 'prom-client';

import type { HistoryServiceSettings } from './history-service.settings.js';

/**
 * Partitions of the events topic one replica handles at the same time. Their messages meet in the group commit, so
 * one transaction applies several envelopes; order within a partition (an instance) always holds.
 */
export const HISTORY_PARTITIONS_CONSUMED_CONCURRENTLY = 8;

export interface HistoryServiceOptions {
  readonly settings: HistoryServiceSettings;
  /** Tests only: a consumer group of their own instead of `trellis.history-service`. */
  readonly groupId?: string;
  /** Tests only: topics of their own instead of `trellis.process-instance-events.v1` and `trellis.deployments.v1`. */
  readonly topics?: readonly string[];
  /** Tests only: a dead-letter topic of their own instead of `trellis.dead-letter.v1`. */
  readonly deadLetterTopic?: string;
}

/** The history-service: the platform (settings, logs, metrics, health) and the history module on Postgres and Kafka. */
@Module({})
export class HistoryServiceModule {
  static forRoot(options: HistoryServiceOptions): DynamicModule {
    const { settings } = options;
    const kafkaClient = {
      brokers: settings.TRELLIS_KAFKA_BROKERS,
      clientId: settings.TRELLIS_KAFKA_CLIENT_ID,
      connectionTimeoutMs: settings.TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS,
      requestTimeoutMs: settings.TRELLIS_KAFKA_REQUEST_TIMEOUT_MS,
      retries: settings.TRELLIS_KAFKA_RETRIES,
    };
    return {
      module: HistoryServiceModule,
      imports: [
        PlatformModule.forRoot({ settings, service: 'history-service' }),
        HistoryModule.forRootAsync({
          inject: [Registry, ReadinessChecks],
          useFactory: async (registry: Registry, readiness: ReadinessChecks) => {
            const dataSource = await createPostgresDataSource({
              url: settings.TRELLIS_POSTGRES_URL,
              schema: settings.TRELLIS_HISTORY_SCHEMA,
              entities: historyEntities,
              migrations: historyMigrations,
              applicationName: 'trellis-history-service',
              poolMax: settings.TRELLIS_POSTGRES_POOL_MAX,
              connectionTimeoutMs: settings.TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS,
              idleTimeoutMs: settings.TRELLIS_POSTGRES_IDLE_TIMEOUT_MS,
              statementTimeoutMs: settings.TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS,
            });
            const groupAdmin = new KafkaConsumerGroupAdmin(kafkaClient);
            const unregister = [
              registerPoolMetrics(registry, settings.TRELLIS_HISTORY_SCHEMA, () => poolStats(dataSource)),
              readiness.register(new PostgresHealthIndicator(dataSource)),
              readiness.register(new KafkaHealthIndicator(groupAdmin)),
            ];
            let bus: KafkaMessageBus;
            try {
              bus = await KafkaMessageBus.connect({
                ...kafkaClient,
                retryInitialMs: settings.TRELLIS_KAFKA_RETRY_INITIAL_MS,
                retryMaxMs: settings.TRELLIS_KAFKA_RETRY_MAX_MS,
                sessionTimeoutMs: settings.TRELLIS_KAFKA_SESSION_TIMEOUT_MS,
                heartbeatIntervalMs: settings.TRELLIS_KAFKA_HEARTBEAT_INTERVAL_MS,
                partitionsConsumedConcurrently: HISTORY_PARTITIONS_CONSUMED_CONCURRENTLY,
                logger: nestMessagingLogger(new Logger('Kafka')),
              });
            } catch (error) {
              for (const done of unregister) done();
              await groupAdmin.close();
              await dataSource.destroy();
              throw error;
            }
            return {
              dataSource,
              bus,
              groupAdmin,
              consumer: {
                ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
                ...(options.topics === undefined ? {} : { topics: options.topics }),
                ...(options.deadLetterTopic === undefined ? {} : { deadLetterTopic: options.deadLetterTopic }),
              },
              dispose: async () => {
                await bus.close();
                await groupAdmin.close();
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

/** Nest's logger (pino in a Trellis service) in the message bus's logger shape. */
function nestMessagingLogger(logger: Logger): MessagingLogger {
  const entry = (message: string, context?: Record<string, unknown>) => (context === undefined ? message : { msg: message, ...context });
  return {
    info: (message, context) => logger.log(entry(message, context)),
    warn: (message, context) => logger.warn(entry(message, context)),
    error: (message, context) => logger.error(entry(message, context)),
  };
}
