import { type DynamicModule, Module } from '@nestjs/common';
import { HistoryModule } from '@trellis/history';
import { MessagingModule, PlatformModule } from '@trellis/platform';

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
  /** Tests only: a decision evaluations topic of their own instead of `trellis.decision-evaluations.v1`. */
  readonly decisionEvaluationsTopic?: string;
}

/**
 * The history-service: the platform (settings, logs, metrics, health, shutdown), Kafka as `MESSAGE_BUS`, and the
 * history module in its Postgres schema.
 */
@Module({})
export class HistoryServiceModule {
  static forRoot(options: HistoryServiceOptions): DynamicModule {
    const { settings } = options;
    return {
      module: HistoryServiceModule,
      imports: [
        PlatformModule.forRoot({ settings, service: 'history-service' }),
        MessagingModule.forRoot(settings, { kind: 'kafka', bus: { partitionsConsumedConcurrently: HISTORY_PARTITIONS_CONSUMED_CONCURRENTLY } }),
        HistoryModule.forRoot({
          schema: settings.TRELLIS_HISTORY_SCHEMA,
          consumer: {
            ...(options.groupId === undefined ? {} : { groupId: options.groupId }),
            ...(options.topics === undefined ? {} : { topics: options.topics }),
            ...(options.deadLetterTopic === undefined ? {} : { deadLetterTopic: options.deadLetterTopic }),
          },
          decisionEvaluations: {
            // A test's group of its own reads the decision evaluations in a group derived from it.
            ...(options.groupId === undefined ? {} : { groupId: `${options.groupId}.decision-evaluations` }),
            ...(options.decisionEvaluationsTopic === undefined ? {} : { topic: options.decisionEvaluationsTopic }),
          },
        }),
      ],
    };
  }
}
