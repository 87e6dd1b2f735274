// The EventStoreDB (KurrentDB) adapter, apart from the package's index: its client loads a gRPC stack and a native
// core (about 150 ms), which a service on another store should not pay for. Import it as
// `@trellis/event-store/eventstoredb`, lazily (`await import(...)`) where the store is chosen at run time.
export { EventStoreDbEventStore, EventStoreDbUnavailableError } from './eventstoredb-event-store.js';
