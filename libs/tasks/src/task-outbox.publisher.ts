import { type RuntimeCommandMessage, runtimeCommandMessageOf } from '@trellis/contracts';
import type { MessageBus } from '@trellis/messaging';
import { inTransaction } from '@trellis/persistence';
import type { DataSource } from 'typeorm';

export interface OutboxLogger {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export interface TaskOutboxPublisherOptions {
  readonly dataSource: DataSource;
  readonly bus: MessageBus;
  /** Where the commands go (`TOPICS.runtimeCommands`). */
  readonly topic: string;
  /** How often the outbox is looked at when nothing woke the publisher (a command committed by another replica). */
  readonly pollIntervalMs: number;
  /** Most commands published in one Kafka request. */
  readonly batchSize: number;
  /** First delay after a failed publish; it doubles after each failure in a row, up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly logger?: OutboxLogger;
}

export type OutboxPublisherState = 'idle' | 'running' | 'retrying' | 'stopping' | 'stopped';

export interface OutboxPublisherStatus {
  readonly state: OutboxPublisherState;
  readonly published: number;
  readonly consecutiveFailures: number;
  readonly lastError?: { readonly message: string; readonly at: string };
}

const silent: OutboxLogger = { warn: () => undefined, error: () => undefined };

/**
 * Publishes the runtime commands of the `task_outbox` table, oldest first, and deletes them once Kafka has them.
 *
 * Each batch is one transaction: read the oldest rows, publish them, delete them, commit. A crash after the publish and
 * before the commit publishes the batch again on the next run; the commands keep their `commandId`, and the runtime
 * handles a command id once, so a repeat changes nothing. One replica publishes at a time (a transaction-scoped advisory
 * lock on the schema's outbox), which keeps the commands in commit order. A failed publish is retried with backoff,
 * without limit: the rows stay until Kafka takes them.
 */
export class TaskOutboxPublisher {
  private readonly logger: OutboxLogger;
  private state: OutboxPublisherState = 'idle';
  private published = 0;
  private consecutiveFailures = 0;
  private lastError: { message: string; at: string } | undefined;
  private loop: Promise<void> | undefined;
  /** Set by `wake` while a batch runs: look again at once instead of sleeping. */
  private woken = false;
  private interruptSleep: (() => void) | undefined;

  constructor(private readonly options: TaskOutboxPublisherOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${options.batchSize}`);
    if (!(options.pollIntervalMs > 0)) throw new RangeError(`pollIntervalMs must be positive, got ${options.pollIntervalMs}`);
    this.logger = options.logger ?? silent;
  }

  /** Starts publishing in the background: what the outbox holds now, then whatever is committed later. */
  start(): void {
    if (this.loop) return;
    this.state = 'running';
    this.loop = this.run();
  }

  /** A command was committed: publish without waiting for the next poll. */
  wake(): void {
    this.woken = true;
    this.interruptSleep?.();
  }

  /** Lets the batch in flight finish (or fail), then stops. Rows not published stay for the next start. */
  async stop(): Promise<void> {
    if (!this.loop) {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.interruptSleep?.();
    await this.loop;
    this.loop = undefined;
    this.state = 'stopped';
  }

  status(): OutboxPublisherStatus {
    return {
      state: this.state,
      published: this.published,
      consecutiveFailures: this.consecutiveFailures,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /** Publishes one batch, oldest first; returns how many commands it published (0 while another replica publishes). */
  async publishBatch(): Promise<number> {
    const { dataSource, bus, topic, batchSize } = this.options;
    return inTransaction(dataSource, async (manager) => {
      const [{ locked }]: { locked: boolean }[] = await manager.query("SELECT pg_try_advisory_xact_lock(hashtext('trellis:task-outbox:' || current_schema())) AS locked");
      if (!locked) return 0;
      const rows: { command_id: string; message: RuntimeCommandMessage }[] = await manager.query(
        'SELECT command_id, message FROM task_outbox ORDER BY seq LIMIT $1',
        [batchSize],
      );
      if (rows.length === 0) return 0;
      await bus.publish(
        topic,
        rows.map((row) => runtimeCommandMessageOf(row.message)),
      );
      await manager.query('DELETE FROM task_outbox WHERE command_id = ANY($1::text[])', [rows.map((row) => row.command_id)]);
      return rows.length;
    });
  }

  /** Commands waiting to be published. */
  async pending(): Promise<number> {
    const [{ count }]: { count: number }[] = await this.options.dataSource.query('SELECT count(*)::int AS count FROM task_outbox');
    return count;
  }

  private get stopping(): boolean {
    return this.state === 'stopping';
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      let delay = this.options.pollIntervalMs;
      try {
        const count = await this.publishBatch();
        this.published += count;
        if (this.consecutiveFailures > 0) this.logger.warn(`Outbox publishing recovered after ${this.consecutiveFailures} failure(s)`);
        this.consecutiveFailures = 0;
        if (!this.stopping) this.state = 'running';
        // A full batch: more may be waiting.
        if (count === this.options.batchSize) continue;
      } catch (error) {
        this.consecutiveFailures++;
        const message = error instanceof Error ? error.message : String(error);
        this.lastError = { message, at: new Date().toISOString() };
        if (!this.stopping) this.state = 'retrying';
        delay = Math.min(this.options.maxRetryDelayMs ?? 30_000, (this.options.retryDelayMs ?? 200) * 2 ** (this.consecutiveFailures - 1));
        this.logger.error(`Publishing the outbox failed (${this.consecutiveFailures} in a row), retrying in ${delay} ms: ${message}`, {
          consecutiveFailures: this.consecutiveFailures,
        });
      }
      if (this.woken && this.consecutiveFailures === 0) continue;
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.interruptSleep = () => {
        this.interruptSleep = undefined;
        done();
      };
    });
  }
}
