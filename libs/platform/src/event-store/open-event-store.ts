import { mkdir } from 'node:fs/promises';

import { EmbeddedEventStore, type EventStore, InMemoryEventStore, PostgresEventStore } from '@trellis/event-store';

import type { EventStoreSettings, PostgresSettings } from '../configuration/trellis.settings.js';
import { HEALTH_STREAM } from '../health/readiness.js';

/** What opening an event store reads: the store's own settings, and the Postgres pool's for the postgres store. */
export type EventStoreModuleSettings = EventStoreSettings & PostgresSettings;

/** The event store could not be opened: says which store, where (without credentials), and why. */
export class EventStoreOpenError extends Error {
  constructor(
    readonly where: string,
    cause: unknown,
  ) {
    super(`The event store ${where} cannot be opened: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'EventStoreOpenError';
  }
}

/**
 * Opens the store the settings name, and proves it answers (a read of a stream nobody writes), so that a server that
 * cannot reach its store stops at startup with the reason instead of failing its first request. The EventStoreDB
 * client is imported only when that store is chosen.
 */
export async function openEventStore(settings: EventStoreModuleSettings): Promise<EventStore> {
  const where = describeEventStore(settings);
  let store: EventStore;
  try {
    store = await open(settings);
  } catch (error) {
    throw new EventStoreOpenError(where, error);
  }
  try {
    await store.streamRevision(HEALTH_STREAM);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new EventStoreOpenError(where, error);
  }
  return store;
}

async function open(settings: EventStoreModuleSettings): Promise<EventStore> {
  switch (settings.TRELLIS_EVENT_STORE) {
    case 'memory':
      return new InMemoryEventStore();
    case 'embedded':
      await mkdir(settings.TRELLIS_DATA_DIR, { recursive: true });
      return EmbeddedEventStore.open(settings.TRELLIS_DATA_DIR);
    case 'postgres':
      return PostgresEventStore.open({
        connectionString: settings.TRELLIS_POSTGRES_URL,
        schema: settings.TRELLIS_EVENT_STORE_SCHEMA,
        poolMax: settings.TRELLIS_POSTGRES_POOL_MAX,
        connectionTimeoutMs: settings.TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS,
        idleTimeoutMs: settings.TRELLIS_POSTGRES_IDLE_TIMEOUT_MS,
        statementTimeoutMs: settings.TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS,
      });
    case 'eventstoredb': {
      const url = settings.TRELLIS_EVENTSTORE_URL;
      // Validation requires it with this store; checked again for the type.
      if (url === undefined) throw new Error('TRELLIS_EVENTSTORE_URL is not set');
      const { EventStoreDbEventStore } = await import('@trellis/event-store/eventstoredb');
      return EventStoreDbEventStore.connect(url);
    }
  }
}

/** The store the settings name, for logs and errors: `embedded in /data`, `postgres at db:5432/trellis, schema x`... */
export function describeEventStore(settings: EventStoreModuleSettings): string {
  switch (settings.TRELLIS_EVENT_STORE) {
    case 'memory':
      return 'in memory';
    case 'embedded':
      return `embedded in ${settings.TRELLIS_DATA_DIR}`;
    case 'postgres':
      return `postgres at ${withoutCredentials(settings.TRELLIS_POSTGRES_URL)}, schema ${settings.TRELLIS_EVENT_STORE_SCHEMA}`;
    case 'eventstoredb':
      return `eventstoredb at ${withoutCredentials(settings.TRELLIS_EVENTSTORE_URL ?? '')}`;
  }
}

/** A connection string without `user:password@` (EventStoreDB's multi-host lists are no WHATWG URL, so no URL parser). */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1');
}
