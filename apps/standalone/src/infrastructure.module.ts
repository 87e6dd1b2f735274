import { type DynamicModule, Global, Module } from '@nestjs/common';
import { EventStoreModule } from '@trellis/platform';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '@trellis/runtime';

import type { StandaloneSettings } from './configuration.js';

export interface InfrastructureOptions {
  readonly settings: StandaloneSettings;
  /** Runtime tunables that are no setting (tests lower `maxCommandAttempts`). */
  readonly runtime?: Partial<RuntimeOptions>;
}

/**
 * The adapters the feature modules reach through tokens: the event store the settings name (`EVENT_STORE`, metered,
 * in `/health/ready`, closed last) and the runtime's tunables.
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    const runtime: Partial<RuntimeOptions> = {
      instanceCacheSize: options.settings.TRELLIS_INSTANCE_CACHE_SIZE,
      snapshotEvery: options.settings.TRELLIS_SNAPSHOT_EVERY,
      ...options.runtime,
    };
    return {
      module: InfrastructureModule,
      imports: [EventStoreModule.forRoot(options.settings)],
      providers: [{ provide: RUNTIME_OPTIONS, useValue: runtime }],
      exports: [RUNTIME_OPTIONS],
    };
  }
}
