import { isTransient } from '@trellis/resilience';
import pg from 'pg';
import { decideAppend, type EncodedEvent, encodeEvents, normalizeExpectedRevision } from './append-rules.js';
import { CatchUpSubscription, CommitSignal } from './catch-up-subscription.js';
import { type LogPageCommit, type PageEvent, pageEvent, parsePageText, readAllInPages, readStreamInPages, type StreamPageCommit } from './commit-pages.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from './event-store.port.js';
import {
  APPLIED_MIGRATIONS_SQL,
  EVENT_PLACES_SQL,
  EVENT_STORE_MIGRATIONS,
  MIGRATIONS_TABLE_SQL,
  READ_ALL_COMMITS_SQL,
  READ_STREAM_COMMITS_SQL,
  STREAM_HEAD_SQL,
} from './event-store.sql.js';
import { AppendQueue, type WaitingAppend } from './postgres-append-queue.js';
import { APPEND_BATCH_SQL, APPEND_LOCK_SQL, APPEND_SQL, LOG_HEAD_SQL, LOG_HEAD_TABLE_SQL, MIGRATION_LOCK_SQL } from './postgres-event-store.sql.js';
import { checkReadAllOptions, checkReadStreamOptions } from './read-options.js';

export interface PostgresEventStoreOptions {
  /** `postgres://user:password@host:port/database` (TRELLIS_POSTGRES_URL). */
  readonly connectionString: string;
  /** The schema holding the store's tables: created if missing. Lower-case letters, digits and `_`, at most 60. */
  readonly schema: string;
  /** Most connections the pool opens (TRELLIS_POSTGRES_POOL_MAX). Default 10. Subscriptions use one more, to listen. */
  readonly poolMax?: number;
  /** Postgres cancels a statement running longer than this; 0: no limit (TRELLIS_POSTGRES_STATEMENT_TIMEOUT_MS). Default 30,000. */
  readonly statementTimeoutMs?: number;
  /** How long opening a connection, or waiting for a free one, may take (TRELLIS_POSTGRES_CONNECTION_TIMEOUT_MS). Default 5,000. */
  readonly connectionTimeoutMs?: number;
  /** How long an unused pooled connection stays open; 0 keeps it (TRELLIS_POSTGRES_IDLE_TIMEOUT_MS). Default 30,000. */
  readonly idleTimeoutMs?: number;
  /**
   * How often a subscription waiting for new events reads anyway, in case a notification was lost (the listening
   * connection dropped). Default 1,000 ms.
   */
  readonly pollIntervalMs?: number;
  /**
   * How many batches of appends may be written at once (each on a pooled connection, at most `poolMax` - 1). Default 1:
   * against a server on the same machine, more batches in flight only split the queue into smaller batches waiting for
   * the same lock, and measured fewer appends/s than one (3: 25-50 % fewer, docs/event-store.md). A server further away, where
   * the round trip is long beside the commit, may gain from 2 or 3, which overlap one batch's round trip with another's
   * commit.
   */
  readonly appendBatchesInFlight?: number;
  /** The clock that stamps `recordedAt` (default: the system clock). */
  readonly clock?: () => Date;
}

const DEFAULTS = { poolMax: 10, statementTimeoutMs: 30_000, connectionTimeoutMs: 5_000, idleTimeoutMs: 30_000, pollIntervalMs: 1_000, appendBatchesInFlight: 1 } as const;

/** A subscription whose reads fail because the server is away reads again after 100 ms, doubling up to this. */
const MAX_READ_RETRY_DELAY_MS = 5_000;

/**
 * Group commit bounds: a batch of 200 appends keeps its statement's parameters to a few hundred kB in the usual case,
 * and the byte bound keeps one of large appends from growing without limit.
 */
const BATCH_LIMITS = { maxAppends: 200, maxBytes: 4 * 1024 * 1024 } as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,59}$/;
const UNIQUE_VIOLATION = '23505';

/**
 * The event store on a PostgreSQL server, for services that run several processes against one database.
 *
 * Tables and reads are the embedded store's (one row per append in `event_commits`, one per event id in `event_ids`);
 * positions come from the one-row table `event_log_head`, moved forward inside each append's transaction, which makes
 * appends take positions in commit order and without holes (see `postgres-event-store.sql.ts`). Because that row lets
 * one transaction through at a time, appends are group-committed: those that arrive while earlier ones are being
 * written queue up (`AppendQueue`) and are written together, to different streams, in one statement. An append alone
 * goes out at once as a single statement. One that its statement cannot settle (expected revision not holding, a
 * collision on the stream's revision or on an event id, which may be a retry, or a batch that collided as a whole) is
 * settled again on its own: first as a single statement, then with the log head locked, where what it reads cannot
 * change before it commits. So each append gets the result or the error it would get alone.
 *
 * Subscriptions read the log page by page; between pages they wait for a notification (`pg_notify` in the append's
 * transaction, delivered at commit, also from other processes) or for the poll interval, whichever comes first.
 */
export class PostgresEventStore implements EventStore {
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly clock: () => Date;
  private readonly pollIntervalMs: number;
  /** The channel appends notify: one per schema, so that stores of other schemas are not woken. */
  private readonly channel: string;
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private poller: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private readonly appends: AppendQueue<PendingAppend>;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
    this.channel = `es_${options.schema}`;
    // Batches in flight each hold a pooled connection: leave at least one to reads and to appends settled on their own.
    const poolMax = options.poolMax ?? DEFAULTS.poolMax;
    const maxInFlight = Math.max(1, Math.min(options.appendBatchesInFlight ?? DEFAULTS.appendBatchesInFlight, poolMax - 1));
    this.appends = new AppendQueue<PendingAppend>({ ...BATCH_LIMITS, maxInFlight }, (batch) => this.writeBatch(batch));
  }

  /**
   * Connects, creates the schema if missing and brings it up to date, under a transaction-scoped advisory lock so that
   * processes opening the same schema at once migrate it once.
   */
  static async open(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    if (!SCHEMA_NAME.test(options.schema)) {
      throw new RangeError(`Event store schema must be lower-case letters, digits and _ (at most 60, not starting with a digit), got ${JSON.stringify(options.schema)}`);
    }
    const inFlight = options.appendBatchesInFlight;
    if (inFlight !== undefined && (!Number.isSafeInteger(inFlight) || inFlight < 1)) {
      throw new RangeError(`appendBatchesInFlight must be an integer >= 1, got ${String(inFlight)}`);
    }
    const pool = new pg.Pool(connectionConfig(options, options.poolMax ?? DEFAULTS.poolMax));
    // An idle connection that fails (the server restarted) must not crash the process: the next query reconnects.
    pool.on('error', () => undefined);
    try {
      await migrate(pool, options.schema);
      return new PostgresEventStore(pool, options);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: { readonly expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    const encoded = encodeEvents(streamId, events);
    const expected = normalizeExpectedRevision(options.expectedRevision);
    if (encoded.length === 0) {
      // Nothing to write: decideAppend returns the stream's head or throws.
      const decision = decideAppend(streamId, expected, await this.streamHead(this.pool, streamId), [], new Map());
      if (decision.kind === 'done') return decision.result;
    }
    return this.appends.enqueue(pendingAppend(streamId, encoded, expected, this.clock().toISOString()));
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { fromRevision, maxCount } = checkReadStreamOptions(options);
    return readStreamInPages(streamId, fromRevision, maxCount, async (from, size) => {
      const result = await this.pool.query<{ page: string | null }>(READ_STREAM_COMMITS_SQL, [streamId, from, size]);
      return parsePageText(result.rows[0]?.page) as StreamPageCommit[];
    });
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { afterPosition, maxCount } = checkReadAllOptions(options);
    return readAllInPages(afterPosition, maxCount, (after, count) => this.readAfter(after, count));
  }

  subscribeToAll(handler: (event: RecordedEvent) => Promise<void> | void, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new CatchUpSubscription(
      (position, maxCount) => this.readAfter(position, maxCount),
      this.commits,
      handler,
      options,
      (closed) => {
        this.subscriptions.delete(closed);
        if (this.subscriptions.size === 0) this.stopPolling();
      },
      // A transient failure (the server restarting or unreachable, a connection lost): read again from the same position
      // once it passes, for as long as it takes (a subscription follows the log for the life of the process). Any
      // other failure stops it.
      (error, failures) => (isTransient(error) ? Math.min(MAX_READ_RETRY_DELAY_MS, 100 * 2 ** Math.min(failures - 1, 16)) : undefined),
    );
    this.subscriptions.add(subscription);
    this.startListening();
    return subscription;
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    this.assertOpen();
    return (await this.streamHead(this.pool, streamId))?.revision;
  }

  /** The log's last committed position (0 when empty). */
  async headPosition(): Promise<number> {
    this.assertOpen();
    const result = await this.pool.query<{ position: string }>(LOG_HEAD_SQL);
    return Number(result.rows[0]?.position ?? 0);
  }

  /** Stops subscriptions, then ends the listening connection and the pool (appends under way or queued finish first). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await this.appends.drained();
      this.stopPolling();
      const listener = this.listener;
      this.listener = undefined;
      await this.listening?.catch(() => undefined);
      await listener?.end().catch(() => undefined);
      await this.pool.end();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The event store is closed');
  }

  private appended(row: { last_position: string; last_revision: string }): AppendResult {
    // Wakes this process's subscriptions without waiting for the notification to come back.
    this.commits.notify();
    return { nextExpectedRevision: Number(row.last_revision), position: Number(row.last_position) };
  }

  /**
   * Writes a batch of the queue: alone, an append is a single statement as ever; several go as one statement
   * (APPEND_BATCH_SQL). Those it did not write, because their expected revision did not hold or because the whole
   * statement collided on a unique key, are settled one by one in queue order, as a lone append would be. Any other
   * failure (the server gone, a statement timeout) rejects each append of the batch with it, as it would reject a lone
   * append: the batch is one transaction, so either all of its written appends are stored or none is, and a caller
   * finds out which by sending its append again (an idempotent retry).
   */
  private async writeBatch(batch: readonly WaitingAppend<PendingAppend>[]): Promise<void> {
    if (batch.length === 1) {
      const [only] = batch as [WaitingAppend<PendingAppend>];
      await this.appendAlone(only.append).then(only.resolve, only.reject);
      return;
    }
    let unsettled: readonly WaitingAppend<PendingAppend>[] = batch;
    try {
      const written = await this.pool.query<{ written: boolean; last_position: string | null; last_revision: string | null }>(
        APPEND_BATCH_SQL,
        batchParameters(batch.map((entry) => entry.append), this.channel),
      );
      if (written.rows.length !== batch.length) throw new Error(`A batch of ${batch.length} appends returned ${written.rows.length} rows`);
      if (written.rows.some((row) => row.written)) this.commits.notify();
      unsettled = batch.filter((entry, i) => {
        const row = written.rows[i] as (typeof written.rows)[number];
        if (!row.written) return true;
        entry.resolve({ nextExpectedRevision: Number(row.last_revision), position: Number(row.last_position) });
        return false;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) {
        for (const entry of batch) entry.reject(error);
        return;
      }
    }
    for (const entry of unsettled) await this.appendAlone(entry.append).then(entry.resolve, entry.reject);
  }

  /** One append on its own: a single statement, then, if that does not settle it, under the log head's lock. */
  private async appendAlone(pending: PendingAppend): Promise<AppendResult> {
    const { streamId, encoded, expected } = pending;
    const append = appendParameters(pending, this.channel);
    try {
      const written = await this.pool.query<{ last_position: string; last_revision: string }>(APPEND_SQL, append);
      const row = written.rows[0];
      if (row) return this.appended(row);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    return this.appendLocked(streamId, encoded, expected, append);
  }

  /**
   * Settles an append with the log head locked: nothing can commit meanwhile, so the stream's head and the stored ids
   * read here are the truth, and the append is new (written by the same statement), a retry (its first result
   * returned again) or a failure (with the actual revision).
   */
  private async appendLocked(streamId: string, encoded: readonly EncodedEvent[], expected: ExpectedRevision, append: unknown[]): Promise<AppendResult> {
    const client = await checkOut(this.pool);
    let released = false;
    try {
      await client.query('BEGIN');
      try {
        await client.query(APPEND_LOCK_SQL);
        const ids = encoded.map((event) => event.id);
        const head = await this.streamHead(client, streamId);
        const places = await client.query<[string, string, string, string]>({ text: EVENT_PLACES_SQL, values: [ids], rowMode: 'array' });
        const stored = new Map(
          places.rows.map(([eventId, placeStreamId, revision, position]) => [eventId, { streamId: placeStreamId, revision: Number(revision), position: Number(position) }]),
        );
        const decision = decideAppend(streamId, expected, head, ids, stored);
        if (decision.kind === 'done') {
          await client.query('ROLLBACK');
          return decision.result;
        }
        const written = await client.query<{ last_position: string; last_revision: string }>(APPEND_SQL, append);
        const row = written.rows[0];
        if (!row) throw new Error(`Append to stream ${streamId} wrote nothing although its expected revision held under lock`);
        await client.query('COMMIT');
        return this.appended(row);
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          // A connection that cannot roll back is not given back to the pool.
          released = true;
          client.release(rollbackError instanceof Error ? rollbackError : true);
        });
        throw error;
      }
    } finally {
      if (!released) client.release();
    }
  }

  private async streamHead(queryable: pg.Pool | pg.PoolClient, streamId: string): Promise<{ revision: number; position: number } | undefined> {
    const result = await queryable.query<{ last_revision: string; last_position: string }>(STREAM_HEAD_SQL, [streamId]);
    const row = result.rows[0];
    return row ? { revision: Number(row.last_revision), position: Number(row.last_position) } : undefined;
  }

  /** Reads at most `maxCount` (> 0) events of the log after `afterPosition`. */
  private async readAfter(afterPosition: number, maxCount: number): Promise<RecordedEvent[]> {
    if (maxCount <= 0) return [];
    const result = await this.pool.query<{ page: string | null }>(READ_ALL_COMMITS_SQL, [afterPosition, maxCount]);
    const events: RecordedEvent[] = [];
    for (const [firstPosition, streamId, firstRevision, recordedAtMs, metadata, items] of parsePageText(result.rows[0]?.page) as LogPageCommit[]) {
      const recordedAt = new Date(recordedAtMs).toISOString();
      for (let i = Math.max(0, afterPosition + 1 - firstPosition); i < items.length && events.length < maxCount; i++) {
        events.push(pageEvent(items[i] as PageEvent, metadata, streamId, firstRevision + i, firstPosition + i, recordedAt));
      }
    }
    return events;
  }

  /**
   * Listens for appends of any process while subscriptions exist, and polls as well: a notification is lost when the
   * listening connection drops, and the poll bounds how late such an event is delivered. A lost connection is opened
   * again at the next poll.
   */
  private startListening(): void {
    this.poller ??= setInterval(() => {
      this.commits.notify();
      if (!this.listener && !this.closing) this.listening = this.listen();
    }, this.pollIntervalMs);
    if (!this.listener && !this.listening) this.listening = this.listen();
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(connectionConfig(this.options, 1));
    this.listener = client;
    client.on('notification', () => this.commits.notify());
    client.on('error', () => {
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => undefined);
    });
    try {
      // A client ended while it connects never settles its connect(): its end settles the wait instead.
      await new Promise<void>((resolve, reject) => {
        client.once('end', () => reject(new Error('The listening connection ended')));
        client.connect().then(() => resolve(), reject);
      });
      await client.query(`LISTEN ${this.channel}`);
      // Whatever committed while the connection was being opened.
      this.commits.notify();
    } catch {
      if (this.listener === client) this.listener = undefined;
      await client.end().catch(() => undefined);
    } finally {
      if (this.closing || this.subscriptions.size === 0) {
        if (this.listener === client) this.listener = undefined;
        await client.end().catch(() => undefined);
      }
      this.listening = undefined;
    }
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    const listener = this.listener;
    this.listener = undefined;
    listener?.end().catch(() => undefined);
  }
}

function connectionConfig(options: PostgresEventStoreOptions, max: number): pg.PoolConfig {
  return {
    connectionString: options.connectionString,
    max,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    statement_timeout: options.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs,
    application_name: 'trellis-event-store',
    options: `-c search_path=${options.schema}`,
  };
}

/** Creates the schema and runs the shared migrations, then the Postgres-only table, in one locked transaction. */
async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const client = await checkOut(pool);
  try {
    await client.query('BEGIN');
    try {
      await client.query(MIGRATION_LOCK_SQL, [schema]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(MIGRATIONS_TABLE_SQL);
      const applied = Number((await client.query<{ version: number }>(APPLIED_MIGRATIONS_SQL)).rows[0]?.version ?? 0);
      const latest = EVENT_STORE_MIGRATIONS[EVENT_STORE_MIGRATIONS.length - 1]?.version ?? 0;
      if (applied > latest) {
        throw new Error(`The event store's schema ${schema} is at version ${applied}, newer than this version of Trellis knows (${latest})`);
      }
      for (const migration of EVENT_STORE_MIGRATIONS) {
        if (migration.version <= applied) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO event_store_migrations (version, description) VALUES ($1, $2)', [migration.version, migration.description]);
      }
      await client.query(LOG_HEAD_TABLE_SQL);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}

/**
 * A connection of the pool for several statements. The pool listens for the errors of the connections it holds, not of
 * those it lent: a connection that the server ends while lent (a restart) would emit an error nobody handles, which
 * crashes the process. The statement under way fails with that error anyway, so the listener only keeps it from
 * escaping; the listener goes with the release, where the pool's own takes over again.
 */
async function checkOut(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  const ignore = (): void => undefined;
  client.on('error', ignore);
  const release = client.release.bind(client);
  client.release = (error?: Error | boolean) => {
    client.removeListener('error', ignore);
    release(error);
  };
  return client;
}

/** An append as it waits in the queue: checked, encoded, stamped when it was called. */
interface PendingAppend {
  readonly streamId: string;
  readonly encoded: readonly EncodedEvent[];
  readonly expected: ExpectedRevision;
  readonly recordedAt: string;
  /** The events as stored: JSON text `[[event_id, type, data, metadata], ...]`. */
  readonly json: string;
  readonly bytes: number;
}

/** Events are stored as the embedded store stores them, each with its own metadata. */
function pendingAppend(streamId: string, encoded: readonly EncodedEvent[], expected: ExpectedRevision, recordedAt: string): PendingAppend {
  let json = '[';
  for (let i = 0; i < encoded.length; i++) {
    const event = encoded[i] as EncodedEvent;
    json += `${i === 0 ? '' : ','}[${JSON.stringify(event.id)},${JSON.stringify(event.type)},${event.dataJson},${event.metadataJson ?? 'null'}]`;
  }
  json += ']';
  return { streamId, encoded, expected, recordedAt, json, bytes: json.length };
}

function expectedRevisionParameter(expected: ExpectedRevision): number | null {
  return expected === 'any' ? null : expected === 'no_stream' ? -1 : expected;
}

/** The parameters of APPEND_SQL. */
function appendParameters({ streamId, encoded, expected, json, recordedAt }: PendingAppend, channel: string): unknown[] {
  return [streamId, encoded.length, expectedRevisionParameter(expected), json, encoded.map((event) => event.id), recordedAt, channel];
}

/** The parameters of APPEND_BATCH_SQL: arrays with an element per append, then per event. */
function batchParameters(appends: readonly PendingAppend[], channel: string): unknown[] {
  const eventIds: string[] = [];
  const appendOrdinals: number[] = [];
  const eventOrdinals: number[] = [];
  appends.forEach((append, i) => {
    append.encoded.forEach((event, j) => {
      eventIds.push(event.id);
      appendOrdinals.push(i + 1);
      eventOrdinals.push(j + 1);
    });
  });
  return [
    appends.map((append) => append.streamId),
    appends.map((append) => append.encoded.length),
    appends.map((append) => expectedRevisionParameter(append.expected)),
    appends.map((append) => append.json),
    appends.map((append) => append.recordedAt),
    eventIds,
    appendOrdinals,
    eventOrdinals,
    channel,
  ];
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
}

