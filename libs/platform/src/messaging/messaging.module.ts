import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InProcessMessageBus, type InProcessMessageBusOptions, KafkaMessageBus, type KafkaMessageBusOptions, MESSAGE_BUS, type MessageBus } from '@trellis/messaging';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { Registry } from 'prom-client';

import type { KafkaSettings } from '../configuration/trellis.settings.js';
import { KafkaHealthIndicator, ReadinessChecks } from '../health/readiness.js';
import { ConsumerLagMessageBus } from './consumer-lag.js';
import { kafkaMessageBusOptionsOf, nestMessagingLogger } from './kafka-options.js';

export interface KafkaMessagingOptions {
  readonly kind: 'kafka';
  /** Options of the bus that are no setting (a handler retry policy, `partitionsConsumedConcurrently`...). */
  readonly bus?: Partial<Omit<KafkaMessageBusOptions, 'brokers'>>;
}

export interface InProcessMessagingOptions {
  readonly kind: 'in-process';
  readonly bus?: InProcessMessageBusOptions;
}

export type MessagingOptions = KafkaMessagingOptions | InProcessMessagingOptions;

/** The bus and what the module opened beside it, closed together at shutdown. */
interface OpenedMessaging {
  readonly bus: MessageBus;
  /** Kafka: the admin client of the readiness check and the lag metric. */
  readonly admin?: Admin;
}

const OPENED_MESSAGING = Symbol('trellis.OpenedMessaging');

/** Registers the Kafka readiness check; closes the bus at shutdown, after the modules that consume from it stopped. */
@Injectable()
class MessagingLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MessageBus');
  private unregister?: () => void;

  constructor(
    @Inject(OPENED_MESSAGING) private readonly opened: OpenedMessaging,
    private readonly readiness: ReadinessChecks,
  ) {}

  onModuleInit(): void {
    if (this.opened.admin !== undefined) this.unregister = this.readiness.register(new KafkaHealthIndicator(this.opened.admin));
  }

  /** `onApplicationShutdown` comes after every `onModuleDestroy` and `beforeApplicationShutdown` (consumers, the relay). */
  async onApplicationShutdown(): Promise<void> {
    this.unregister?.();
    // Closes any subscription still open (committing what was handled) before the producer.
    await this.opened.bus.close();
    await this.opened.admin?.disconnect();
    this.logger.log('Message bus closed');
  }
}

/** Connects the producer and an admin client (no retries: a check or a scrape fails fast, the next one asks again). */
async function openKafka(settings: KafkaSettings, options: KafkaMessagingOptions, registry: Registry): Promise<OpenedMessaging> {
  const busOptions: KafkaMessageBusOptions = {
    ...kafkaMessageBusOptionsOf(settings),
    logger: nestMessagingLogger(new Logger('Kafka')),
    ...options.bus,
  };
  const bus = await KafkaMessageBus.connect(busOptions);
  const admin = new Kafka({
    clientId: busOptions.clientId ?? settings.TRELLIS_KAFKA_CLIENT_ID,
    brokers: [...settings.TRELLIS_KAFKA_BROKERS],
    connectionTimeout: settings.TRELLIS_KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeout: settings.TRELLIS_KAFKA_REQUEST_TIMEOUT_MS,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
  } catch (error) {
    await bus.close();
    throw error;
  }
  return { bus: new ConsumerLagMessageBus(bus, admin, registry), admin };
}

/**
 * The message bus of a service, as `MESSAGE_BUS` (of `@trellis/messaging`) everywhere (global):
 * - `kind: 'kafka'`: a `KafkaMessageBus` configured from the `TRELLIS_KAFKA_*` settings, connected at startup (a
 *   cluster that cannot be reached stops the service after the configured retries); `/health/ready` gets the `kafka`
 *   check; every consumer group subscribed through it shows its lag as `trellis_kafka_consumer_lag_messages`.
 * - `kind: 'in-process'`: an `InProcessMessageBus` (the embedded mode: every consumer is in this process).
 * At shutdown the bus is closed after the modules that consume from it (and the relay) stopped: open subscriptions
 * commit what they handled, then the producer disconnects. Needs `PlatformModule` (the registry and readiness).
 */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(settings: KafkaSettings, options: KafkaMessagingOptions): DynamicModule;
  static forRoot(settings: object, options: InProcessMessagingOptions): DynamicModule;
  static forRoot(settings: object, options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: OPENED_MESSAGING,
          useFactory: async (registry: Registry): Promise<OpenedMessaging> =>
            options.kind === 'kafka'
              ? openKafka(settings as KafkaSettings, options, registry)
              : { bus: new InProcessMessageBus({ logger: nestMessagingLogger(new Logger('MessageBus')), ...options.bus }) },
          inject: [Registry],
        },
        { provide: MESSAGE_BUS, useFactory: (opened: OpenedMessaging) => opened.bus, inject: [OPENED_MESSAGING] },
        MessagingLifecycle,
      ],
      exports: [MESSAGE_BUS],
    };
  }
}
