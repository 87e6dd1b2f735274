import pg from 'pg';

import type { ExternalTaskLock, ExternalTaskLockStore } from './external-task-lock-store.js';

export interface PostgresExternalTaskLockStoreOptions {
  /** The Postgres server every runtime replica reaches (`TRELLIS_POSTGRES_URL`). */
  readonly url: string;
  /** The schema of the `external_task_locks` table (default `trellis_runtime`); created with it when missing. */
  readonly schema?: string;
  /** Connections of the pool (default 4). */
  readonly poolMax?: number;
}

interface LockRow {
  readonly task_id: string;
  readonly worker_id: string;
  readonly lock_expires_at: Date;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Locks in one Postgres table shared by every runtime replica. Taking a lock is one conditional upsert: the row of a
 * task is written only when it is free (no worker, or its lock expired) or already the caller's, and never once the task
 * is finished. Postgres serialises
 * writers of one row, and the second re-checks the condition against the first one's row, so of two replicas handing
 * out the same task at the same moment exactly one succeeds: no `SELECT ... FOR UPDATE` round trip is needed.
 */
export class PostgresExternalTaskLockStore implements ExternalTaskLockStore {
  private readonly table: string;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    schema: string,
  ) {
    this.table = `"${schema}".external_task_locks`;
  }

  /** Connects and creates the schema and table when they are missing. */
  static async open(options: PostgresExternalTaskLockStoreOptions): Promise<PostgresExternalTaskLockStore> {
    const schema = options.schema ?? 'trellis_runtime';
    if (!SCHEMA_NAME.test(schema)) throw new TypeError(`'${schema}' is no Postgres schema name (lower-case letters, digits and _)`);
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolMax ?? 4, application_name: 'trellis-external-task-locks' });
    const store = new PostgresExternalTaskLockStore(pool, schema);
    try {
      await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await pool.query(
        `CREATE TABLE IF NOT EXISTS ${store.table} (
           task_id text PRIMARY KEY,
           worker_id text,
           lock_expires_at timestamptz,
           error_details text,
           finished_at timestamptz
         )`,
      );
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Closed with the Nest application that provides it. */
  onModuleDestroy(): Promise<void> {
    return this.close();
  }

  async tryLock(taskId: string, workerId: string, expiresAt: Date, now: Date): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO ${this.table} AS current (task_id, worker_id, lock_expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (task_id) DO UPDATE SET worker_id = EXCLUDED.worker_id, lock_expires_at = EXCLUDED.lock_expires_at
       WHERE current.finished_at IS NULL AND (current.worker_id IS NULL OR current.lock_expires_at <= $4 OR current.worker_id = $2)`,
      [taskId, workerId, expiresAt, now],
    );
    return result.rowCount === 1;
  }

  async tryLockAll(taskIds: readonly string[], workerId: string, expiresAt: Date, now: Date): Promise<Set<string>> {
    // One statement for the whole fetch, with the same condition per row as `tryLock`. Distinct ids (a row may be
    // upserted once per statement) in a fixed order, so that two replicas locking overlapping tasks take their rows in
    // the same order and wait for each other instead of deadlocking.
    const ids = [...new Set(taskIds)].sort();
    if (ids.length === 0) return new Set();
    const result = await this.pool.query<{ task_id: string }>(
      `INSERT INTO ${this.table} AS current (task_id, worker_id, lock_expires_at)
       SELECT id, $2, $3 FROM unnest($1::text[]) WITH ORDINALITY AS wanted(id, n) ORDER BY n
       ON CONFLICT (task_id) DO UPDATE SET worker_id = EXCLUDED.worker_id, lock_expires_at = EXCLUDED.lock_expires_at
       WHERE current.finished_at IS NULL AND (current.worker_id IS NULL OR current.lock_expires_at <= $4 OR current.worker_id = $2)
       RETURNING task_id`,
      [ids, workerId, expiresAt, now],
    );
    return new Set(result.rows.map((row) => row.task_id));
  }

  async extendLock(taskId: string, workerId: string, expiresAt: Date, now: Date): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.table} SET lock_expires_at = $3 WHERE task_id = $1 AND worker_id = $2 AND lock_expires_at > $4`,
      [taskId, workerId, expiresAt, now],
    );
    return result.rowCount === 1;
  }

  async lockOf(taskId: string): Promise<ExternalTaskLock | undefined> {
    return (await this.locksOf([taskId])).get(taskId);
  }

  async locksOf(taskIds: readonly string[]): Promise<Map<string, ExternalTaskLock>> {
    const locks = new Map<string, ExternalTaskLock>();
    if (taskIds.length === 0) return locks;
    const result = await this.pool.query<LockRow>(
      `SELECT task_id, worker_id, lock_expires_at FROM ${this.table} WHERE task_id = ANY($1::text[]) AND worker_id IS NOT NULL`,
      [taskIds],
    );
    for (const row of result.rows) locks.set(row.task_id, lockOf(row));
    return locks;
  }

  async activeLocks(now: Date): Promise<ExternalTaskLock[]> {
    const result = await this.pool.query<LockRow>(
      `SELECT task_id, worker_id, lock_expires_at FROM ${this.table} WHERE worker_id IS NOT NULL AND lock_expires_at > $1`,
      [now],
    );
    return result.rows.map(lockOf);
  }

  async unlock(taskId: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.table} SET worker_id = NULL, lock_expires_at = NULL WHERE task_id = $1`, [taskId]);
  }

  async setErrorDetails(taskId: string, errorDetails: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (task_id, error_details) VALUES ($1, $2)
       ON CONFLICT (task_id) DO UPDATE SET error_details = EXCLUDED.error_details`,
      [taskId, errorDetails],
    );
  }

  async errorDetailsOf(taskId: string): Promise<string | undefined> {
    const result = await this.pool.query<{ error_details: string | null }>(`SELECT error_details FROM ${this.table} WHERE task_id = $1`, [taskId]);
    return result.rows[0]?.error_details ?? undefined;
  }

  async finish(taskId: string, now: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (task_id, finished_at) VALUES ($1, $2)
       ON CONFLICT (task_id) DO UPDATE SET worker_id = NULL, lock_expires_at = NULL, error_details = NULL, finished_at = EXCLUDED.finished_at`,
      [taskId, now],
    );
  }

  async purgeFinished(before: Date): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE finished_at < $1`, [before]);
  }
}

function lockOf(row: LockRow): ExternalTaskLock {
  return { taskId: row.task_id, workerId: row.worker_id, expiresAt: row.lock_expires_at.toISOString() };
}
