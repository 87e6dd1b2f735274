import { type DynamicModule, Global, Module } from '@nestjs/common';
import { CLOCK, type Clock, EventStoreModule, systemClock } from '@trellis/platform';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '@trellis/runtime';

import type { StandaloneSettings } from './configuration.js';

export interface InfrastructureOptions {
  readonly settings: StandaloneSettings;
  /** Runtime tunables that are no setting (tests lower `maxCommandAttempts`). */
  readonly runtime?: Partial<RuntimeOptions>;
  /** The clock commands are decided and timers fired by (tests pass a `ManualClock`); default the system clock. */
  readonly clock?: Clock;
}

/**
 * The adapters the feature modules reach through tokens: the event store the settings name (`EVENT_STORE`, metered,
 * in `/health/ready`, closed last), the runtime's tunables and the clock (`CLOCK`).
 */
@Global()
@Module({})
export class InfrastructureModule {
  static forRoot(options: InfrastructureOptions): DynamicModule {
    const runtime: Partial<RuntimeOptions> = {
      instanceCacheSize: options.settings.TRELLIS_INSTANCE_CACHE_SIZE,
      snapshotEvery: options.settings.TRELLIS_SNAPSHOT_EVERY,
      timers: { enabled: options.settings.TRELLIS_TIMERS_ENABLED === 'true' },
      jobExecutor: { enabled: options.settings.TRELLIS_JOB_EXECUTOR_ENABLED === 'true' },
      externalTasks: { workerUnhealthyAfterMs: options.settings.TRELLIS_WORKER_UNHEALTHY_AFTER_MS },
      ...options.runtime,
    };
    return {
      module: InfrastructureModule,
      imports: [EventStoreModule.forRoot(options.settings)],
      providers: [
        { provide: RUNTIME_OPTIONS, useValue: runtime },
        { provide: CLOCK, useValue: options.clock ?? systemClock },
      ],
      exports: [RUNTIME_OPTIONS, CLOCK],
    };
  }
}
