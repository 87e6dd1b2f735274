import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { EventStore } from '@trellis/event-store';
import { Registry } from 'prom-client';

import { ReadinessChecks, EventStoreHealthIndicator } from '../health/readiness.js';
import { MeteredEventStore } from '../metrics/metered-event-store.js';
import { EVENT_STORE } from './event-store.token.js';
import { describeEventStore, type EventStoreModuleSettings, openEventStore } from './open-event-store.js';

const EVENT_STORE_DESCRIPTION = Symbol('trellis.EventStoreDescription');

/** Registers the store's readiness check once it is open; closes it last, after the modules that read it stopped. */
@Injectable()
class EventStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EventStore');
  private unregister?: () => void;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(EVENT_STORE_DESCRIPTION) private readonly description: string,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.unregister = this.readiness.register(new EventStoreHealthIndicator(this.store));
    this.logger.log(`Event store open: ${this.description}`);
  }

  /** `onApplicationShutdown` runs after every module's `onModuleDestroy` and `beforeApplicationShutdown`. */
  async onApplicationShutdown(): Promise<void> {
    this.unregister?.();
    await this.store.close();
    this.logger.log('Event store closed');
  }
}

/**
 * The event store of a service, as `EVENT_STORE` everywhere (global): the store `TRELLIS_EVENT_STORE` names (memory,
 * embedded under `TRELLIS_DATA_DIR`, postgres in `TRELLIS_POSTGRES_URL`'s database and `TRELLIS_EVENT_STORE_SCHEMA`
 * with the `TRELLIS_POSTGRES_*` pool settings, or eventstoredb at `TRELLIS_EVENTSTORE_URL`), opened and checked at
 * startup (a store that does not answer stops the application with an `EventStoreOpenError` naming it), metered
 * (`trellis_events_appended_total`, `trellis_event_store_append_duration_seconds`), in `/health/ready` as
 * `eventStore`, and closed at shutdown after everything else. Needs `PlatformModule` (the registry and readiness).
 */
@Global()
@Module({})
export class EventStoreModule {
  static forRoot(settings: EventStoreModuleSettings): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: async (registry: Registry) => new MeteredEventStore(await openEventStore(settings), registry),
          inject: [Registry],
        },
        { provide: EVENT_STORE_DESCRIPTION, useValue: describeEventStore(settings) },
        EventStoreLifecycle,
      ],
      exports: [EVENT_STORE],
    };
  }
}
