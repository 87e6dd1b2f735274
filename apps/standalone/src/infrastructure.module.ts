import { mkdir } from 'node:fs/promises';

import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EmbeddedEventStore, type EventStore, InMemoryEventStore } from '@trellis/event-store';
import { EVENT_STORE, EventStoreHealthIndicator, MeteredEventStore, ReadinessChecks } from '@trellis/platform';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '@trellis/runtime';
import { Registry } from 'prom-client';

import type { StandaloneEventStore, StandaloneSettings } from './configuration.js';

export interface InfrastructureOptions {
  readonly settings: StandaloneSettings & { readonly TRELLIS_EVENT_STORE: StandaloneEventStore };
  /** Runtime tunables that are no setting (tests lower `maxCommandAttempts`). */
  readonly runtime?: Partial<RuntimeOptions>;
}

async function openEventStore(settings: InfrastructureOptions['settings']): Promise<EventStore> {
  switch (settings.TRELLIS_EVENT_STORE) {
    case 'memory':
      return new InMemoryEventStore();
    case 'embedded':
      await mkdir(settings.TRELLIS_DATA_DIR, { recursive: true });
      return EmbeddedEventStore.open(settings.TRELLIS_DATA_DIR);
  }
}

/** Closes the store last, after the modules that read from it have stopped. */
@Injectable()
class EventStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EventStore');
  private unregister?: () => void;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    this.unregister = this.readiness.register(new EventStoreHealthIndicator(this.store));
  }

  async onApplicationShutdown(): Promise<void> {
    this.unregister?.();
    await this.store.close();
    this.logger.log('Event store closed');
  }
}

/**
 * The adapters the feature modules reach through tokens: the event store (metered: appends are counted and timed)
 * and the runtime's tunables. The store's health is part of `/health/ready`.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    const runtime: Partial<RuntimeOptions> = { instanceCacheSize: options.settings.TRELLIS_INSTANCE_CACHE_SIZE, ...options.runtime };
    return {
      module: InfrastructureModule,
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: async (registry: Registry) => new MeteredEventStore(await openEventStore(options.settings), registry),
          inject: [Registry],
        },
        { provide: RUNTIME_OPTIONS, useValue: runtime },
        EventStoreLifecycle,
      ],
      exports: [EVENT_STORE, RUNTIME_OPTIONS],
    };
  }
}
