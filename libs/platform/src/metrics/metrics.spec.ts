import { readFileSync } from 'node:fs';

import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore, WrongExpectedRevisionError } from '@trellis/event-store';
import { Registry } from 'prom-client';

import { MeteredEventStore } from './metered-event-store.js';
import {
  eventStoreMetrics,
  exposition,
  httpRequestDuration,
  queryDurationObserver,
  registerConsumerLag,
  registerPoolMetrics,
  registerRelayLag,
} from './metrics.js';

/** The sample lines of a metric in the exposition, without comments. */
async function samples(registry: Registry, name: string): Promise<string[]> {
  const { text } = await exposition(registry);
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('exposition', () => {
  it('serves the process metrics with the application ones, in the Prometheus text format', async () => {
    const { contentType, text } = await exposition(new Registry());
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });
});

describe('registerPoolMetrics', () => {
  it('reads every pool at each scrape, by pool name', async () => {
    const registry = new Registry();
    let inUse = 3;
    registerPoolMetrics(registry, 'runtime', () => ({ total: 5, inUse, waiting: 2, max: 10 }));
    registerPoolMetrics(registry, 'history', async () => ({ total: 1, inUse: 0, waiting: 0 }));
    expect(await samples(registry, 'trellis_db_pool_connections_in_use')).toEqual([
      'trellis_db_pool_connections_in_use{pool="runtime"} 3',
      'trellis_db_pool_connections_in_use{pool="history"} 0',
    ]);
    inUse = 4;
    expect(await samples(registry, 'trellis_db_pool_connections_in_use')).toContain('trellis_db_pool_connections_in_use{pool="runtime"} 4');
    expect(await samples(registry, 'trellis_db_pool_connections')).toEqual([
      'trellis_db_pool_connections{pool="runtime"} 5',
      'trellis_db_pool_connections{pool="history"} 1',
    ]);
    expect(await samples(registry, 'trellis_db_pool_waiting')).toContain('trellis_db_pool_waiting{pool="runtime"} 2');
    expect(await samples(registry, 'trellis_db_pool_max')).toEqual(['trellis_db_pool_max{pool="runtime"} 10']);
  });

  it('drops a pool once removed, and a pool that fails to answer from that scrape only', async () => {
    const registry = new Registry();
    let broken = true;
    const remove = registerPoolMetrics(registry, 'runtime', () => ({ total: 5, inUse: 1, waiting: 0 }));
    registerPoolMetrics(registry, 'history', () => {
      if (broken) throw new Error('pool closed');
      return { total: 2, inUse: 2, waiting: 7 };
    });
    expect(await samples(registry, 'trellis_db_pool_waiting')).toEqual(['trellis_db_pool_waiting{pool="runtime"} 0']);
    broken = false;
    remove();
    expect(await samples(registry, 'trellis_db_pool_waiting')).toEqual(['trellis_db_pool_waiting{pool="history"} 7']);
  });

  it('refuses a second pool of the same name', () => {
    const registry = new Registry();
    registerPoolMetrics(registry, 'runtime', () => ({ total: 0, inUse: 0, waiting: 0 }));
    expect(() => registerPoolMetrics(registry, 'runtime', () => ({ total: 0, inUse: 0, waiting: 0 }))).toThrow('The pool runtime already has its metrics registered');
  });
});

describe('queryDurationObserver', () => {
  it('records each query in seconds by operation and outcome', async () => {
    const registry = new Registry();
    const observe = queryDurationObserver(registry);
    observe({ operation: 'select', durationMs: 3, success: true });
    observe({ operation: 'select', durationMs: 30, success: true });
    observe({ operation: 'insert', durationMs: 2000, success: false });
    const lines = await samples(registry, 'trellis_db_query_duration_seconds_count');
    expect(lines).toEqual([
      'trellis_db_query_duration_seconds_count{operation="select",outcome="ok"} 2',
      'trellis_db_query_duration_seconds_count{operation="insert",outcome="error"} 1',
    ]);
    expect(await samples(registry, 'trellis_db_query_duration_seconds_sum')).toContain('trellis_db_query_duration_seconds_sum{operation="insert",outcome="error"} 2');
    expect(await samples(registry, 'trellis_db_query_duration_seconds_bucket')).toContain(
      'trellis_db_query_duration_seconds_bucket{le="0.005",operation="select",outcome="ok"} 1',
    );
  });
});

describe('registerRelayLag and registerConsumerLag', () => {
  it('publish the lag their readers report at each scrape', async () => {
    const registry = new Registry();
    let behind = 12;
    registerRelayLag(registry, 'events', async () => behind);
    registerConsumerLag(registry, 'history-service', () => [
      { topic: 'trellis.process-instance.events', partition: 0, lag: 4 },
      { topic: 'trellis.process-instance.events', partition: 1, lag: 0 },
    ]);
    expect(await samples(registry, 'trellis_relay_lag_events')).toEqual(['trellis_relay_lag_events{relay="events"} 12']);
    behind = 0;
    expect(await samples(registry, 'trellis_relay_lag_events')).toEqual(['trellis_relay_lag_events{relay="events"} 0']);
    expect(await samples(registry, 'trellis_kafka_consumer_lag_messages')).toEqual([
      'trellis_kafka_consumer_lag_messages{group="history-service",topic="trellis.process-instance.events",partition="0"} 4',
      'trellis_kafka_consumer_lag_messages{group="history-service",topic="trellis.process-instance.events",partition="1"} 0',
    ]);
  });
});

describe('MeteredEventStore', () => {
  it('counts the events appended and times every append by outcome, passing everything through', async () => {
    const registry = new Registry();
    const store = new MeteredEventStore(new InMemoryEventStore(), registry);
    const event = (id: string) => ({ id, type: 'Happened', data: { id } });
    await store.appendToStream('order-1', [event('a'), event('b')], { expectedRevision: 'no_stream' });
    await store.appendToStream('order-1', [event('c')], { expectedRevision: 1 });
    await expect(store.appendToStream('order-1', [event('d')], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);

    expect(await samples(registry, 'trellis_events_appended_total')).toEqual(['trellis_events_appended_total 3']);
    expect(await samples(registry, 'trellis_event_store_append_duration_seconds_count')).toEqual([
      'trellis_event_store_append_duration_seconds_count{outcome="ok"} 2',
      'trellis_event_store_append_duration_seconds_count{outcome="conflict"} 1',
    ]);
    expect((await store.readStream('order-1')).map((recorded) => recorded.id)).toEqual(['a', 'b', 'c']);
    expect(await store.streamRevision('order-1')).toBe(2);
    await store.close();
    await expect(store.appendToStream('order-2', [event('e')], { expectedRevision: 'any' })).rejects.toThrow();
    expect(await samples(registry, 'trellis_event_store_append_duration_seconds_count')).toContain(
      'trellis_event_store_append_duration_seconds_count{outcome="error"} 1',
    );
  });
});

describe('docs/operations.md', () => {
  it('documents every Trellis metric with its type and labels', async () => {
    const registry = new Registry();
    httpRequestDuration(registry);
    eventStoreMetrics(registry);
    registerPoolMetrics(registry, 'pool', () => ({ total: 0, inUse: 0, waiting: 0, max: 1 }));
    queryDurationObserver(registry);
    registerRelayLag(registry, 'relay', () => 0);
    registerConsumerLag(registry, 'group', () => []);
    const documented = readFileSync(new URL('../../../../docs/operations.md', import.meta.url), 'utf8');
    const metrics = await registry.getMetricsAsJSON();
    expect(metrics.length).toBe(10);
    for (const metric of metrics) {
      const row = documented.split('\n').find((line) => line.startsWith(`| \`${metric.name}\` |`));
      expect(row).toBeDefined();
      const [, , type, labels] = (row ?? '').split('|').map((cell) => cell.trim());
      expect(type).toBe(metric.type);
      const labelNames = (registry.getSingleMetric(metric.name) as unknown as { labelNames: readonly string[] }).labelNames;
      for (const label of labelNames) expect(labels).toContain(`\`${label}\``);
      if (labelNames.length === 0) expect(labels).toBe('-');
    }
  });
});
