import type { PostgresOptions } from '@trellis/persistence';
import type { TrellisSettings } from '@trellis/platform';
import type { EventRelayOptions } from './event-relay.js';
import { PostgresRelayLeadership } from './postgres-relay-leadership.js';

type RelaySettings = Pick<TrellisSettings, 'TRELLIS_RELAY_NAME' | 'TRELLIS_RELAY_BATCH_SIZE' | 'TRELLIS_RELAY_TOPIC_PARTITIONS'>;

/** The relay options the settings give (`TRELLIS_RELAY_*`): spread them into `EventRelay`'s or `RelayModule`'s options. */
export function relayOptionsOf(settings: RelaySettings): Required<Pick<EventRelayOptions, 'name' | 'batchSize' | 'createTopics'>> {
  return {
    name: settings.TRELLIS_RELAY_NAME,
    batchSize: settings.TRELLIS_RELAY_BATCH_SIZE,
    createTopics: { partitions: settings.TRELLIS_RELAY_TOPIC_PARTITIONS },
  };
}

type CheckpointSettings = Pick<
  TrellisSettings,
  | 'TRELLIS_POSTGRES_URL'
  | 'TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS'
  | 'TRELLIS_POSTGRES_IDLE_TIMEOUT_MS'
  | 'TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS'
  | 'TRELLIS_RELAY_SCHEMA'
>;

/**
 * `PostgresRelayCheckpointStore.connect` options from the settings. The pool has two connections: the relay saves one
 * checkpoint at a time, and a health check may run meanwhile.
 */
export function relayCheckpointStoreOptionsOf(settings: CheckpointSettings): Omit<PostgresOptions, 'migrations'> {
  return {
    url: settings.TRELLIS_POSTGRES_URL,
    schema: settings.TRELLIS_RELAY_SCHEMA,
    applicationName: 'trellis-relay',
    poolMax: 2,
    connectionTimeoutMs: settings.TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS,
    idleTimeoutMs: settings.TRELLIS_POSTGRES_IDLE_TIMEOUT_MS,
    statementTimeoutMs: settings.TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS,
  };
}

type LeadershipSettings = Pick<TrellisSettings, 'TRELLIS_POSTGRES_URL' | 'TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS' | 'TRELLIS_RELAY_NAME'>;

/** The settings a service's relay reads: its name, batches and topics, its Postgres checkpoints and leadership. */
export type RelayServiceSettings = RelaySettings & CheckpointSettings & LeadershipSettings;

/**
 * Leadership among the replicas of a service by an advisory lock named after the relay (`TRELLIS_RELAY_NAME`) on the
 * Postgres server of `TRELLIS_POSTGRES_URL`: pass it as the relay's `leadership` when the service may run scaled out.
 */
export function relayLeadershipOf(settings: LeadershipSettings): PostgresRelayLeadership {
  return new PostgresRelayLeadership({
    url: settings.TRELLIS_POSTGRES_URL,
    name: settings.TRELLIS_RELAY_NAME,
    applicationName: `trellis-relay-leader:${settings.TRELLIS_RELAY_NAME}`.slice(0, 63),
    connectionTimeoutMs: settings.TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS,
  });
}
