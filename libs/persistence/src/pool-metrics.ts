import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import type { AfterQueryEvent, BeforeQueryEvent, DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';

export interface PoolStats {
  /** Connections open (idle + in use). */
  readonly total: number;
  readonly idle: number;
  readonly inUse: number;
  /** Callers waiting for a connection because all are in use. */
  readonly waiting: number;
  /** Most connections the pool opens. */
  readonly max: number;
}

/** The counts of the pg pool behind a Postgres DataSource, read at the moment of the call (for gauges). */
export function poolStats(dataSource: DataSource): PoolStats {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('The data source has no Postgres pool: is it a Postgres DataSource, and initialized?');
  return {
    total: pool.totalCount,
    idle: pool.idleCount,
    inUse: pool.totalCount - pool.idleCount,
    waiting: pool.waitingCount,
    max: pool.options.max,
  };
}

export type QueryOperation = 'select' | 'insert' | 'update' | 'delete' | 'other';

export interface QueryDuration {
  readonly operation: QueryOperation;
  readonly durationMs: number;
  readonly success: boolean;
}

export type QueryDurationObserver = (duration: QueryDuration) => void;

/** The kind of statement by its first keyword (TypeORM writes no CTEs; a `WITH` query counts as `other`). */
export function queryOperation(sql: string): QueryOperation {
  const keyword = /^[\s(]*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase();
  return keyword === 'select' || keyword === 'insert' || keyword === 'update' || keyword === 'delete' ? keyword : 'other';
}

/**
 * Reports the duration of every query the data source runs. A subscriber rather than a TypeORM Logger: a Logger is
 * told a query's duration only when it is slower than `maxQueryExecutionTime`, and then in whole milliseconds.
 * Queries of one query runner run one after the other on its connection, so their start times queue up in order.
 */
class QueryDurationSubscriber implements EntitySubscriberInterface {
  private readonly starts = new WeakMap<QueryRunner, number[]>();

  constructor(private readonly observer: QueryDurationObserver) {}

  beforeQuery(event: BeforeQueryEvent): void {
    const starts = this.starts.get(event.queryRunner);
    if (starts) starts.push(performance.now());
    else this.starts.set(event.queryRunner, [performance.now()]);
  }

  afterQuery(event: AfterQueryEvent): void {
    const start = this.starts.get(event.queryRunner)?.shift();
    if (start === undefined) return;
    this.observer({ operation: queryOperation(event.query), durationMs: performance.now() - start, success: event.success });
  }
}

/** Starts reporting query durations to `observer`; returns the function that stops it. */
export function observeQueryDurations(dataSource: DataSource, observer: QueryDurationObserver): () => void {
  const subscriber = new QueryDurationSubscriber(observer);
  dataSource.subscribers.push(subscriber);
  return () => {
    const index = dataSource.subscribers.indexOf(subscriber);
    if (index !== -1) dataSource.subscribers.splice(index, 1);
  };
}
