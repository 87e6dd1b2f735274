/**
 * The Nest injection token of the event store (the `EventStore` port of `@trellis/event-store`).
 * The application decides which adapter backs it; the feature modules only see the port.
 */
export const EVENT_STORE = Symbol('trellis.EventStore');
