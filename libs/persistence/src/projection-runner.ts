import type { EventStore, RecordedEvent, Subscription } from '@trellis/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, withRetry } from '@trellis/resilience';
import { inTransaction } from './sessions.js';

/** A read model: turns events into rows. */
export interface Projection {
  /** Names its checkpoint: unique within the service's schema. */
  readonly name: string;
  /** Applies one event. Write only through `manager`: it is the transaction that also moves the checkpoint. */
  handle(event: RecordedEvent, manager: EntityManager): Promise<void>;
  /** Empties the read model's tables (needed by `rebuild`). */
  reset?(manager: EntityManager): Promise<void>;
}

export interface ProjectionRunnerOptions {
  /** Retries of a transaction that failed transiently (default: `DEFAULT_RETRY_POLICY`). */
  readonly retry?: RetryPolicy;
  /** Events read and applied per transaction while rebuilding (default 500). */
  readonly replayBatchSize?: number;
}

export interface SubscribeProjectionOptions {
  /** Called once when applying an event fails for good; delivery then stops (see `EventStore.subscribeToAll`). */
  readonly onError?: (error: unknown) => void;
}

/** Applying an event failed: names the projection and the event. The handler's error is the `cause`. */
export class ProjectionError extends Error {
  constructor(
    readonly projection: string,
    readonly event: RecordedEvent,
    cause: unknown,
  ) {
    super(`Projection ${projection} failed on event ${event.id} (${event.type}) at position ${event.position}: ${String(cause instanceof Error ? cause.message : cause)}`, {
      cause,
    });
    this.name = 'ProjectionError';
  }
}

interface Live {
  readonly store: EventStore;
  readonly options: SubscribeProjectionOptions;
  subscription: Subscription;
}

/**
 * Runs one projection over events delivered at least once, in position order, maybe more than once. Each batch is
 * one transaction that locks the projection's checkpoint row, skips the events at or below it, applies the rest and
 * moves the checkpoint: rows and checkpoint commit together or not at all, so every event is applied exactly once.
 * The lock also serializes replicas that run the same projection.
 */
export class ProjectionRunner {
  private readonly retry: RetryPolicy;
  private live: Live | undefined;

  constructor(
    private readonly dataSource: DataSource,
    readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.retry = { operation: `projection ${projection.name}`, ...(options.retry ?? DEFAULT_RETRY_POLICY) };
  }

  /** The position of the last event applied (0: none). */
  async position(): Promise<number> {
    const rows: { position: string }[] = await this.dataSource.query('SELECT position FROM projection_checkpoints WHERE name = $1', [
      this.projection.name,
    ]);
    return rows.length === 0 ? 0 : Number(rows[0].position);
  }

  /** Applies, in one transaction, the events above the checkpoint; returns how many it applied. */
  async apply(events: readonly RecordedEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    return withRetry(
      () =>
        inTransaction(this.dataSource, async (manager) => {
          let position = await lockCheckpoint(manager, this.projection.name);
          let applied = 0;
          for (const event of events) {
            if (event.position <= position) continue;
            try {
              await this.projection.handle(event, manager);
            } catch (error) {
              throw new ProjectionError(this.projection.name, event, error);
            }
            position = event.position;
            applied++;
          }
          if (applied > 0) await saveCheckpoint(manager, this.projection.name, position);
          return applied;
        }),
      this.retry,
    );
  }

  /** Applies events (or batches of events) from any source, such as a Kafka consumer, until it ends. */
  async run(source: AsyncIterable<RecordedEvent | readonly RecordedEvent[]>): Promise<void> {
    for await (const item of source) await this.apply(isBatch(item) ? item : [item]);
  }

  /** Follows the store from the checkpoint on: catch-up, then live. Closing the returned subscription stops it. */
  async subscribe(store: EventStore, options: SubscribeProjectionOptions = {}): Promise<Subscription> {
    if (this.live) throw new Error(`Projection ${this.projection.name} is already subscribed`);
    const live: Live = { store, options, subscription: await this.follow(store, options) };
    this.live = live;
    return {
      close: async () => {
        if (this.live === live) this.live = undefined;
        await live.subscription.close();
      },
    };
  }

  /**
   * Empties the read model and its checkpoint in one transaction, then replays the store from position 0. This
   * runner's own subscription is paused meanwhile; stop other feeds of the projection (other replicas, a Kafka
   * consumer) first, or they would move the checkpoint past events not yet replayed.
   */
  async rebuild(store: Pick<EventStore, 'readAll'>): Promise<void> {
    const { reset } = this.projection;
    if (!reset) throw new Error(`Projection ${this.projection.name} cannot be rebuilt: it has no reset`);
    const live = this.live;
    if (live) await live.subscription.close();
    try {
      await withRetry(
        () =>
          inTransaction(this.dataSource, async (manager) => {
            await lockCheckpoint(manager, this.projection.name);
            await reset.call(this.projection, manager);
            await saveCheckpoint(manager, this.projection.name, 0);
          }),
        this.retry,
      );
      const batchSize = this.options.replayBatchSize ?? 500;
      for (let after = 0; ; ) {
        const events = await store.readAll({ afterPosition: after, maxCount: batchSize });
        if (events.length === 0) break;
        await this.apply(events);
        after = events[events.length - 1].position;
      }
    } finally {
      if (live && this.live === live) live.subscription = await this.follow(live.store, live.options);
    }
  }

  private async follow(store: EventStore, options: SubscribeProjectionOptions): Promise<Subscription> {
    return store.subscribeToAll(
      async (event) => {
        await this.apply([event]);
      },
      { afterPosition: await this.position(), onError: options.onError },
    );
  }
}

async function lockCheckpoint(manager: EntityManager, name: string): Promise<number> {
  const select = 'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE';
  let rows: { position: string }[] = await manager.query(select, [name]);
  if (rows.length === 0) {
    await manager.query('INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [name]);
    rows = await manager.query(select, [name]);
  }
  return Number(rows[0].position);
}

async function saveCheckpoint(manager: EntityManager, name: string, position: number): Promise<void> {
  await manager.query('UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1', [name, position]);
}

function isBatch(item: RecordedEvent | readonly RecordedEvent[]): item is readonly RecordedEvent[] {
  return Array.isArray(item);
}
