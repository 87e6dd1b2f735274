import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  type FactoryProvider,
  Inject,
  Injectable,
  Logger,
  Module,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { EventStore } from '@trellis/event-store';
import { MESSAGE_BUS, type MessageBus } from '@trellis/messaging';
import { EVENT_STORE, ReadinessChecks, type ReadinessIndicator, registerRelayLag } from '@trellis/platform';
import { Registry } from 'prom-client';
import { EventRelay, type EventRelayOptions, type RelayLogger } from './event-relay.js';
import { PostgresRelayCheckpointStore } from './postgres-relay-checkpoint-store.js';
import { type RelayServiceSettings, relayCheckpointStoreOptionsOf, relayLeadershipOf, relayOptionsOf } from './relay-settings.js';

export interface RelayModuleOptions extends Omit<EventRelayOptions, 'store' | 'bus'> {
  /** Default: the application's `EVENT_STORE` (`EventStoreModule` of @trellis/platform provides it). */
  readonly store?: EventStore;
  /** Default: the application's `MESSAGE_BUS` (`MessagingModule` of @trellis/platform provides it). */
  readonly bus?: MessageBus;
  /** Called after the relay stopped, at application shutdown: close what the factory opened (a checkpoint store...). */
  readonly dispose?: () => Promise<void>;
}

export interface RelayModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: FactoryProvider['inject'];
  /** Builds the relay's options from the injected providers (the event store, the bus, the settings...). */
  readonly useFactory: (...dependencies: never[]) => RelayModuleOptions | Promise<RelayModuleOptions>;
}

const RELAY_MODULE_OPTIONS = Symbol('trellis.RelayModuleOptions');

/** Nest's logger in the relay's logger shape. */
export function nestRelayLogger(logger: Logger): RelayLogger {
  return {
    info: (message, context) => logger.log(context === undefined ? message : { msg: message, ...context }),
    warn: (message, context) => logger.warn(context === undefined ? message : { msg: message, ...context }),
    error: (message, context) => logger.error(context === undefined ? message : { msg: message, ...context }),
  };
}

const indicators = new HealthIndicatorService();

/**
 * The relay in `/health/ready`: up while it publishes or waits for events; degraded (still ready: the service answers
 * and no event is lost, the relay catches up when it recovers) while publishing fails; down once stopped.
 */
export class RelayHealthIndicator implements ReadinessIndicator {
  constructor(
    private readonly relay: Pick<EventRelay, 'status'>,
    readonly key = 'relay',
  ) {}

  check(): PromiseLike<HealthIndicatorResult> {
    const status = this.relay.status();
    const session = indicators.check(this.key);
    const details = {
      name: status.name,
      state: status.state,
      checkpoint: status.checkpoint ?? null,
      consecutiveFailures: status.consecutiveFailures,
      ...(status.lastError === undefined ? {} : { lastError: status.lastError.message, lastErrorAt: status.lastError.at }),
    };
    if (status.state === 'stopping' || status.state === 'stopped') return Promise.resolve(session.down(details));
    if (status.state === 'retrying' || status.consecutiveFailures > 0) return Promise.resolve(session.degraded(details));
    return Promise.resolve(session.up(details));
  }
}

/** Starts the relay once the application is up; stops it before the store and the bus close. */
@Injectable()
class RelayLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly unregister: (() => void)[] = [];

  constructor(
    private readonly relay: EventRelay,
    @Inject(RELAY_MODULE_OPTIONS) private readonly options: RelayModuleOptions,
    @Optional() private readonly registry?: Registry,
    @Optional() private readonly readiness?: ReadinessChecks,
  ) {}

  onApplicationBootstrap(): void {
    if (this.registry) this.unregister.push(registerRelayLag(this.registry, this.relay.name, () => this.relay.lag()));
    if (this.readiness) this.unregister.push(this.readiness.register(new RelayHealthIndicator(this.relay)));
    this.relay.start();
  }

  /** Before `onApplicationShutdown`, where the application closes the store and the bus. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    for (const unregister of this.unregister.splice(0)) unregister();
    await this.options.dispose?.();
  }
}

/**
 * Runs an `EventRelay` in a Nest application: started at bootstrap, stopped (batch in flight finished, checkpoint
 * saved) at shutdown before the providers it uses close, with its lag as `trellis_relay_lag_events{relay}` when a
 * prom-client `Registry` is provided and its state in `/health/ready` when `ReadinessChecks` is (both come with
 * `PlatformModule`). The store and the bus are the application's `EVENT_STORE` and `MESSAGE_BUS` unless the options
 * give others. Inject `EventRelay` for its `status()`.
 */
@Module({})
export class RelayModule {
  /**
   * The relay of a distributed-mode service that owns `streams` (`RELAYED_STREAMS`): the application's store and bus,
   * checkpoints in Postgres (`TRELLIS_RELAY_SCHEMA`, closed at shutdown), led by one replica at a time (an advisory
   * lock named after `TRELLIS_RELAY_NAME`), with the name, batch size and topic partitions of the settings.
   */
  static forService(
    settings: RelayServiceSettings,
    options: { readonly streams: NonNullable<EventRelayOptions['streams']>; readonly topicName?: EventRelayOptions['topicName'] },
  ): DynamicModule {
    return RelayModule.forRootAsync({
      useFactory: async () => {
        const checkpoints = await PostgresRelayCheckpointStore.connect(relayCheckpointStoreOptionsOf(settings));
        return {
          checkpoints,
          ...relayOptionsOf(settings),
          streams: options.streams,
          leadership: relayLeadershipOf(settings),
          ...(options.topicName === undefined ? {} : { topicName: options.topicName }),
          dispose: () => checkpoints.close(),
        };
      },
    });
  }

  static forRootAsync(options: RelayModuleAsyncOptions): DynamicModule {
    return {
      module: RelayModule,
      imports: options.imports ?? [],
      providers: [
        { provide: RELAY_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        {
          provide: EventRelay,
          useFactory: (relayOptions: RelayModuleOptions, store?: EventStore, bus?: MessageBus) => {
            const relayStore = relayOptions.store ?? store;
            const relayBus = relayOptions.bus ?? bus;
            if (relayStore === undefined) throw new Error('The relay has no event store: give it `store`, or provide EVENT_STORE (EventStoreModule)');
            if (relayBus === undefined) throw new Error('The relay has no message bus: give it `bus`, or provide MESSAGE_BUS (MessagingModule)');
            return new EventRelay({
              logger: nestRelayLogger(new Logger(`Relay ${relayOptions.name ?? 'trellis'}`)),
              ...relayOptions,
              store: relayStore,
              bus: relayBus,
            });
          },
          inject: [RELAY_MODULE_OPTIONS, { token: EVENT_STORE, optional: true }, { token: MESSAGE_BUS, optional: true }],
        },
        RelayLifecycle,
      ],
      exports: [EventRelay],
    };
  }
}
