export {
  EventRelay,
  type EventRelayOptions,
  RelayCheckpointAheadError,
  type RelayLogger,
  type RelayRestartOptions,
  type RelayRetryOptions,
  type RelayState,
  type RelayStatus,
  RELAYED_STREAMS,
  type StreamFilter,
} from './event-relay.js';
export type { RelayLeadership, RelayLease } from './relay-leadership.port.js';
export { PostgresRelayLeadership, type PostgresRelayLeadershipOptions } from './postgres-relay-leadership.js';
export type { RelayCheckpointStore } from './relay-checkpoint-store.port.js';
export { InMemoryRelayCheckpointStore } from './in-memory-relay-checkpoint-store.js';
export { PostgresRelayCheckpointStore, RELAY_SCHEMA } from './postgres-relay-checkpoint-store.js';
export { CreateRelayCheckpoints1795651200000, RELAY_MIGRATIONS } from './relay-checkpoints.migration.js';
export { storeHead } from './store-head.js';
export { nestRelayLogger, RelayHealthIndicator, RelayModule, type RelayModuleAsyncOptions, type RelayModuleOptions } from './relay.module.js';
export { type RelayServiceSettings, relayCheckpointStoreOptionsOf, relayLeadershipOf, relayOptionsOf } from './relay-settings.js';
