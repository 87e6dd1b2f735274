import { mkdir } from 'node:fs/promises';

import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE } from '@trellis/deployment';
import { EmbeddedEventStore, type EventStore, InMemoryEventStore } from '@trellis/event-store';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '@trellis/runtime';

export interface InfrastructureOptions {
  readonly eventStore: 'embedded' | 'memory';
  /** Directory of the embedded store (ignored for `memory`). */
  readonly dataDir?: string;
  readonly runtime?: Partial<RuntimeOptions>;
}

async function openEventStore(options: InfrastructureOptions): Promise<EventStore> {
  if (options.eventStore === 'memory') return new InMemoryEventStore();
  const dir = options.dataDir ?? './data';
  await mkdir(dir, { recursive: true });
  return EmbeddedEventStore.open(dir);
}

/** Closes the store last, after the modules that read from it have stopped. */
@Injectable()
class EventStoreLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('EventStore');

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    this.logger.log('Event store closed');
  }
}

/** The adapters the feature modules reach through tokens: the event store and the runtime's tunables. */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    return {
      module: InfrastructureModule,
      providers: [
        { provide: EVENT_STORE, useFactory: () => openEventStore(options) },
        { provide: RUNTIME_OPTIONS, useValue: options.runtime ?? {} },
        EventStoreLifecycle,
      ],
      exports: [EVENT_STORE, RUNTIME_OPTIONS],
    };
  }
}
