import type { EventEnvelope } from '@trellis/contracts';
import type { DataSource, EntityManager, MigrationInterface, QueryRunner } from 'typeorm';

import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '@trellis/resilience';
import { inTransaction } from './sessions.js';

/**
 * A read model fed from Kafka: turns event envelopes into rows. Kafka keeps order only per key (per stream), and
 * partitions interleave freely, so a store-wide position cannot serve as the checkpoint; each stream has its own.
 */
export interface StreamProjection {
  /** Names its checkpoints: unique within the service's schema. */
  readonly name: string;
  /** Applies one event. Write only through `manager`: it is the transaction that also moves the stream's checkpoint. */
  handle(event: EventEnvelope, manager: EntityManager): Promise<void>;
  /**
   * Applies several events at once, with set-based statements instead of a few per event. When present, the runner
   * calls it (instead of `handle` per event) with the events of one transaction that were not applied yet: each
   * stream's events in revision order, streams interleaved as they arrived. It must leave the rows exactly as `handle`
   * on each event in that order would.
   */
  handleBatch?(events: readonly EventEnvelope[], manager: EntityManager): Promise<void>;
  /** Empties the read model's tables (rebuild). */
  reset?(manager: EntityManager): Promise<void>;
}

/**
 * A stream's events arrived with a hole: revision `received` came while the read model had applied up to `applied`.
 * The relay publishes every stream in order and redelivers from its checkpoint, so a hole means events were lost
 * upstream (a topic truncated by retention, a consumer group started from the latest offset). Applying past it would
 * make the read model silently wrong; the error is not retriable, so the message goes to the dead-letter topic with
 * this text, and the read model must be rebuilt from the event store.
 */
export class StreamProjectionGapError extends Error {
  readonly nonRetriable = true;

  constructor(
    readonly projection: string,
    readonly streamId: string,
    readonly applied: number,
    readonly received: number,
  ) {
    super(
      `Projection ${projection} misses events of stream ${streamId}: it applied up to revision ${applied} and received revision ${received}; ` +
        'rebuild the read model from the event store',
    );
    this.name = 'StreamProjectionGapError';
  }
}

export interface StreamProjectionRunnerOptions {
  /** Retries of a transaction that failed transiently (default: `DEFAULT_RETRY_POLICY`). */
  readonly retry?: RetryPolicy;
}

/**
 * Runs one projection over envelopes delivered at least once and in order per stream. Each call is one transaction
 * that locks the checkpoint rows of the streams it touches, skips every event at or below its stream's checkpoint,
 * applies the rest and moves the checkpoints: rows and checkpoints commit together, so each event is applied exactly
 * once, whatever Kafka redelivers. The row locks also serialise two replicas that briefly both hold a partition
 * during a rebalance.
 */
export class StreamProjectionRunner {
  private readonly retry: RetryPolicy;

  constructor(
    private readonly dataSource: DataSource,
    readonly projection: StreamProjection,
    options: StreamProjectionRunnerOptions = {},
  ) {
    this.retry = { operation: `projection ${projection.name}`, ...(options.retry ?? DEFAULT_RETRY_POLICY) };
  }

  /** Applies, in one transaction, the events not applied yet; returns how many it applied. */
  async apply(events: readonly EventEnvelope[]): Promise<number> {
    if (events.length === 0) return 0;
    return withRetry(
      () =>
        inTransaction(this.dataSource, async (manager) => {
          const applied = await lockStreamCheckpoints(manager, this.projection.name, [...new Set(events.map((event) => event.streamId))]);
          const moved = new Set<string>();
          const fresh: EventEnvelope[] = [];
          for (const event of events) {
            const last = applied.get(event.streamId) ?? -1;
            if (event.revision <= last) continue;
            if (event.revision !== last + 1) throw new StreamProjectionGapError(this.projection.name, event.streamId, last, event.revision);
            fresh.push(event);
            applied.set(event.streamId, event.revision);
            moved.add(event.streamId);
          }
          if (this.projection.handleBatch) {
            if (fresh.length > 0) await this.projection.handleBatch(fresh, manager);
          } else {
            for (const event of fresh) await this.projection.handle(event, manager);
          }
          const count = fresh.length;
          if (moved.size > 0) {
            // One statement for every stream the transaction moved.
            const streamIds = [...moved];
            await manager.query(
              'UPDATE projection_stream_checkpoints AS c SET revision = m.revision, updated_at = now() ' +
                'FROM unnest($2::text[], $3::bigint[]) AS m (stream_id, revision) WHERE c.projection = $1 AND c.stream_id = m.stream_id',
              [this.projection.name, streamIds, streamIds.map((streamId) => applied.get(streamId))],
            );
          }
          return count;
        }),
      this.retry,
    );
  }

  /** The revision of the last event applied of a stream (-1: none). */
  async revision(streamId: string): Promise<number> {
    const rows: { revision: string }[] = await this.dataSource.query(
      'SELECT revision FROM projection_stream_checkpoints WHERE projection = $1 AND stream_id = $2',
      [this.projection.name, streamId],
    );
    return rows.length === 0 ? -1 : Number(rows[0].revision);
  }

  /**
   * Empties the read model and its checkpoints in one transaction. Stop its consumers first; then replay the streams
   * (from the event store, or by resetting the consumer group's offsets to the beginning).
   */
  async reset(): Promise<void> {
    const { reset } = this.projection;
    if (!reset) throw new Error(`Projection ${this.projection.name} cannot be reset: it has no reset`);
    await withRetry(
      () =>
        inTransaction(this.dataSource, async (manager) => {
          await manager.query('DELETE FROM projection_stream_checkpoints WHERE projection = $1', [this.projection.name]);
          await reset.call(this.projection, manager);
        }),
      this.retry,
    );
  }
}

/** Locks (creating where missing) the checkpoint rows of the streams, in a fixed order so two transactions cannot deadlock. */
async function lockStreamCheckpoints(manager: EntityManager, projection: string, streamIds: readonly string[]): Promise<Map<string, number>> {
  const sorted = [...streamIds].sort();
  await manager.query(
    'INSERT INTO projection_stream_checkpoints (projection, stream_id, revision) SELECT $1, unnest($2::text[]), -1 ON CONFLICT DO NOTHING',
    [projection, sorted],
  );
  const rows: { stream_id: string; revision: string }[] = await manager.query(
    'SELECT stream_id, revision FROM projection_stream_checkpoints WHERE projection = $1 AND stream_id = ANY($2::text[]) ORDER BY stream_id FOR UPDATE',
    [projection, sorted],
  );
  return new Map(rows.map((row) => [row.stream_id, Number(row.revision)]));
}

/**
 * The table of per-stream checkpoints of the service's Kafka-fed projections. Add it to the service's migrations.
 * Unqualified: it lands in the service's schema, first on the search path.
 */
export class CreateProjectionStreamCheckpoints1796342400000 implements MigrationInterface {
  readonly name = 'CreateProjectionStreamCheckpoints1796342400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE projection_stream_checkpoints (projection text NOT NULL, stream_id text NOT NULL, revision bigint NOT NULL, ' +
        'updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (projection, stream_id))',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE projection_stream_checkpoints');
  }
}
