import { collectDefaultMetrics, Counter, Gauge, Histogram, type Metric, Registry } from 'prom-client';

/** Durations of database queries and event-store appends, in seconds: 1 ms to 10 s. */
export const STORAGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Durations of HTTP requests, in seconds: 5 ms to 10 s. */
export const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processRegistry: Registry | undefined;

/**
 * The process's own metrics (CPU, memory, event loop, garbage collection, handles), collected once per process:
 * they belong to the process, not to one application in it (tests start many in one process).
 */
export function processMetricsRegistry(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The Prometheus text exposition of the process's metrics and the application's `registry`. */
export async function exposition(registry: Registry): Promise<{ readonly contentType: string; readonly text: string }> {
  const merged = Registry.merge([processMetricsRegistry(), registry]);
  return { contentType: merged.contentType, text: await merged.metrics() };
}

/** The metric of that name in `registry`, created on first use: several modules may feed one metric. */
function singleMetric<M extends Metric>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}

/** The HTTP request histogram (the platform's middleware observes it). */
export function httpRequestDuration(registry: Registry): Histogram<'method' | 'route' | 'status'> {
  return singleMetric(
    registry,
    'trellis_http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'trellis_http_request_duration_seconds',
        help: 'HTTP requests by method, route template and status code, and how long each took to answer.',
        labelNames: ['method', 'route', 'status'] as const,
        buckets: HTTP_BUCKETS,
        registers: [registry],
      }),
  );
}

export interface EventStoreMetrics {
  readonly appended: Counter;
  readonly appendDuration: Histogram<'outcome'>;
}

/** The event-store metrics (the metered event store feeds them). */
export function eventStoreMetrics(registry: Registry): EventStoreMetrics {
  return {
    appended: singleMetric(
      registry,
      'trellis_events_appended_total',
      () => new Counter({ name: 'trellis_events_appended_total', help: 'Events appended to the event store.', registers: [registry] }),
    ),
    appendDuration: singleMetric(
      registry,
      'trellis_event_store_append_duration_seconds',
      () =>
        new Histogram({
          name: 'trellis_event_store_append_duration_seconds',
          help: 'Appends to the event store by outcome (ok, conflict, error), and how long each took.',
          labelNames: ['outcome'] as const,
          buckets: STORAGE_BUCKETS,
          registers: [registry],
        }),
    ),
  };
}

/** A connection pool's counts at the moment of a scrape. */
export interface PoolCounts {
  /** Connections open, idle or in use. */
  readonly total: number;
  readonly inUse: number;
  /** Callers waiting for a connection because every one is in use. */
  readonly waiting: number;
  /** Most connections the pool opens, if known. */
  readonly max?: number;
}

/** Reads a value at scrape time. */
export type Reader<T> = () => T | Promise<T>;

const readerFamilies = new WeakMap<Registry, Map<string, Map<string, Reader<unknown>>>>();

/**
 * Adds `read` under `key` to a family of readers whose gauges `createGauges` makes on the family's first reader
 * (the gauges' `collect` walks the family at every scrape). Returns the function that removes the reader.
 */
function addReader<T>(registry: Registry, family: string, key: string, read: Reader<T>, createGauges: (readers: ReadonlyMap<string, Reader<T>>) => void): () => void {
  let families = readerFamilies.get(registry);
  if (families === undefined) {
    families = new Map();
    readerFamilies.set(registry, families);
  }
  let readers = families.get(family) as Map<string, Reader<T>> | undefined;
  if (readers === undefined) {
    const created = new Map<string, Reader<T>>();
    readers = created;
    families.set(family, created as Map<string, Reader<unknown>>);
    createGauges(created);
  }
  if (readers.has(key)) throw new Error(`The ${family} ${key} already has its metrics registered`);
  readers.set(key, read);
  const registered = readers;
  return () => {
    registered.delete(key);
  };
}

/** Every reader's value, read concurrently; a reader that fails is left out of this scrape rather than failing it. */
async function readAll<T>(readers: ReadonlyMap<string, Reader<T>>): Promise<[string, T][]> {
  const results = await Promise.allSettled([...readers].map(async ([key, read]): Promise<[string, T]> => [key, await read()]));
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

/**
 * Publishes a connection pool's counts as gauges labelled `pool`, read by `read` at every scrape (never stale, no cost
 * between scrapes). Returns the function that removes the pool (call it when the pool closes).
 */
export function registerPoolMetrics(registry: Registry, pool: string, read: Reader<PoolCounts>): () => void {
  return addReader(registry, 'pool', pool, read, (readers) => {
    const gauges: readonly [name: string, help: string, pick: (counts: PoolCounts) => number | undefined][] = [
      ['trellis_db_pool_connections', 'Connections the pool has open, idle or in use.', (counts) => counts.total],
      ['trellis_db_pool_connections_in_use', 'Connections of the pool lent out to a query or transaction.', (counts) => counts.inUse],
      ['trellis_db_pool_waiting', 'Callers waiting for a connection because all are in use.', (counts) => counts.waiting],
      ['trellis_db_pool_max', 'Most connections the pool opens.', (counts) => counts.max],
    ];
    for (const [name, help, pick] of gauges) {
      new Gauge({
        name,
        help,
        labelNames: ['pool'] as const,
        registers: [registry],
        async collect() {
          this.reset();
          for (const [poolName, counts] of await readAll(readers)) {
            const value = pick(counts);
            if (value !== undefined) this.set({ pool: poolName }, value);
          }
        },
      });
    }
  });
}

/** One finished query (the shape `@trellis/persistence` reports). */
export interface QueryDuration {
  /** select, insert, update, delete or other. */
  readonly operation: string;
  readonly durationMs: number;
  readonly success: boolean;
}

/** The observer to hand a data source: records each query in `trellis_db_query_duration_seconds{operation,outcome}`. */
export function queryDurationObserver(registry: Registry): (query: QueryDuration) => void {
  const histogram = singleMetric(
    registry,
    'trellis_db_query_duration_seconds',
    () =>
      new Histogram({
        name: 'trellis_db_query_duration_seconds',
        help: 'Database queries by operation (select, insert, update, delete, other) and outcome (ok, error), and how long each took.',
        labelNames: ['operation', 'outcome'] as const,
        buckets: STORAGE_BUCKETS,
        registers: [registry],
      }),
  );
  return (query) => histogram.observe({ operation: query.operation, outcome: query.success ? 'ok' : 'error' }, query.durationMs / 1000);
}

/**
 * Publishes how far a relay is behind the event store, `trellis_relay_lag_events{relay}`: events appended to the
 * store that the relay has not published yet (the store's last position minus the relay's checkpoint), read at
 * every scrape. Returns the function that removes it.
 */
export function registerRelayLag(registry: Registry, relay: string, read: Reader<number>): () => void {
  return addReader(registry, 'relay', relay, read, (readers) => {
    new Gauge({
      name: 'trellis_relay_lag_events',
      help: 'Events appended to the event store that the relay has not yet published to Kafka.',
      labelNames: ['relay'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const [relayName, lag] of await readAll(readers)) this.set({ relay: relayName }, lag);
      },
    });
  });
}

/** A consumer group's lag on one partition: the partition's end offset minus the group's committed offset. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/**
 * Publishes a consumer group's lag per topic and partition, `trellis_kafka_consumer_lag_messages{group,topic,partition}`,
 * read at every scrape. Returns the function that removes it.
 */
export function registerConsumerLag(registry: Registry, group: string, read: Reader<readonly PartitionLag[]>): () => void {
  return addReader(registry, 'consumer group', group, read, (readers) => {
    new Gauge({
      name: 'trellis_kafka_consumer_lag_messages',
      help: 'Messages of a partition that the consumer group has not yet committed.',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const [groupName, lags] of await readAll(readers)) {
          for (const { topic, partition, lag } of lags) this.set({ group: groupName, topic, partition: String(partition) }, lag);
        }
      },
    });
  });
}
