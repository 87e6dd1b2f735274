import { performance } from 'node:perf_hooks';

import {
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '@trellis/event-store';
import type { Registry } from 'prom-client';

import { eventStoreMetrics, type EventStoreMetrics } from './metrics.js';

/**
 * An event store that counts what is appended through it (`trellis_events_appended_total`) and times each append
 * (`trellis_event_store_append_duration_seconds{outcome}`), and otherwise passes every call through unchanged.
 */
export class MeteredEventStore implements EventStore {
  private readonly metrics: EventStoreMetrics;

  constructor(
    private readonly store: EventStore,
    registry: Registry,
  ) {
    this.metrics = eventStoreMetrics(registry);
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: { readonly expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const start = performance.now();
    try {
      const result = await this.store.appendToStream(streamId, events, options);
      this.metrics.appendDuration.observe({ outcome: 'ok' }, (performance.now() - start) / 1000);
      this.metrics.appended.inc(events.length);
      return result;
    } catch (error) {
      const outcome = error instanceof WrongExpectedRevisionError ? 'conflict' : 'error';
      this.metrics.appendDuration.observe({ outcome }, (performance.now() - start) / 1000);
      throw error;
    }
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.store.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.store.readAll(options);
  }

  subscribeToAll(handler: (event: RecordedEvent) => Promise<void> | void, options?: SubscribeOptions): Subscription {
    return this.store.subscribeToAll(handler, options);
  }

  streamRevision(streamId: string): Promise<number | undefined> {
    return this.store.streamRevision(streamId);
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
