import {
  HistoryProjection,
  HistoryRebuild,
  type HistoryRebuildReport,
  historyEntities,
  historyMigrations,
  KafkaConsumerGroupAdmin,
} from '@trellis/history';
import { createPostgresDataSource, StreamProjectionRunner } from '@trellis/persistence';
import { describeEventStore, type EventStoreModuleSettings, openEventStore } from '@trellis/platform';

import type { HistoryServiceSettings } from './history-service.settings.js';

export interface RebuildHistoryOptions {
  readonly settings: HistoryServiceSettings;
  /** Also replay the event store these settings name (for topics that no longer hold every event). */
  readonly eventStore?: EventStoreModuleSettings;
  /** Default `trellis.history-service`. */
  readonly groupId?: string;
  readonly log?: (line: string) => void;
}

/**
 * The operator's rebuild, with every history-service replica stopped: deletes the consumer group's offsets, empties the
 * read model and its checkpoints, and, with an event store, replays its process-instance and deployments streams into
 * the model. The service, started again, replays the topics from the oldest message kept (what the event store gave
 * is skipped). Refused (`HistoryRebuildRefusedError`) while a replica is still in the group.
 */
export async function rebuildHistory(options: RebuildHistoryOptions): Promise<HistoryRebuildReport> {
  const { settings } = options;
  const log = options.log ?? (() => undefined);
  const dataSource = await createPostgresDataSource({
    url: settings.TRELLIS_POSTGRES_URL,
    schema: settings.TRELLIS_HISTORY_SCHEMA,
    entities: historyEntities,
    migrations: historyMigrations,
    applicationName: 'trellis-history-rebuild',
    connectionTimeoutMs: settings.TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS,
    // A replay applies big batches: no statement limit.
    statementTimeoutMs: 0,
  });
  const admin = new KafkaConsumerGroupAdmin({
    brokers: settings.TRELLIS_KAFKA_BROKERS,
    clientId: settings.TRELLIS_KAFKA_CLIENT_ID,
    connectionTimeoutMs: settings.TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: settings.TRELLIS_KAFKA_REQUEST_TIMEOUT_MS,
    retries: settings.TRELLIS_KAFKA_RETRIES,
  });
  const store = options.eventStore ? await openEventStore(options.eventStore) : undefined;
  try {
    const runner = new StreamProjectionRunner(dataSource, new HistoryProjection({ warn: log }));
    const rebuild = new HistoryRebuild(runner, admin, undefined, options.groupId === undefined ? {} : { groupId: options.groupId });
    log(`Rebuilding the history in schema ${settings.TRELLIS_HISTORY_SCHEMA} for consumer group ${rebuild.groupId}`);
    if (options.eventStore) log(`Replaying the event store ${describeEventStore(options.eventStore)}`);
    return await rebuild.rebuild(store ? { fromEventStore: store } : {});
  } finally {
    await store?.close();
    await admin.close();
    await dataSource.destroy();
  }
}
