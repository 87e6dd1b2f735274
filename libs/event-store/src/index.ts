export {
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from './event-store.port.js';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './in-memory-event-store.js';
export { EmbeddedEventStore, type EmbeddedEventStoreOptions } from './embedded-event-store.js';
export { DirectoryInUseError } from './directory-lock.js';
// The EventStoreDB adapter is `@trellis/event-store/eventstoredb` (src/eventstoredb.ts): its client is heavy to load.
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store.js';
