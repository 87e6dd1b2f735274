import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '@trellis/engine';
import {
  decideAppend,
  type EncodedEvent,
  encodeEvents,
  expectedRevisionHolds,
  normalizeExpectedRevision,
  type StoredEventPlace,
} from './append-rules.js';
import { CatchUpSubscription, CommitSignal } from './catch-up-subscription.js';
import { DirectoryLock } from './directory-lock.js';
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
  COPY_EVENTS_SQL,
  EVENT_PLACES_SQL,
  EVENT_STORE_MIGRATIONS,
  LAST_POSITION_SQL,
  MIGRATIONS_TABLE_SQL,
  READ_ALL_PAGE_SQL,
  READ_STREAM_PAGE_SQL,
  STREAM_HEAD_SQL,
  STREAM_REVISIONS_SQL,
} from './event-store.sql.js';
import { PgliteWorker } from './pglite-worker.js';
import { checkReadAllOptions, checkReadStreamOptions } from './read-options.js';
import { bindLiterals, COPY_NULL, copyField } from './sql-text.js';

export interface EmbeddedEventStoreOptions {
  /** The clock that stamps `recordedAt` (default: the system clock). */
  readonly clock?: () => Date;
  /** How many streams' last revisions the writer remembers (least recently used are forgotten). Default 100,000. */
  readonly streamRevisionCacheSize?: number;
  /** How many of the latest events stay in memory to feed subscriptions without a read. Default 10,000. */
  readonly recentEventsKept?: number;
}

/**
 * PGlite's settings: a single process with no replicas needs the least WAL, and keeps pg_wal small. Shared buffers
 * live in the WASM heap, which never shrinks: 64 MB instead of PGlite's 128 MB keeps about 60 MB of RSS off, and
 * measured as fast (32 MB measured slower at starting instances).
 */
const POSTGRES_SETTINGS = [
  'standard_conforming_strings=on',
  'wal_level=minimal',
  'max_wal_senders=0',
  'max_wal_size=256MB',
  'min_wal_size=32MB',
  'shared_buffers=64MB',
];

/** The most events one group commit writes (a larger single append is written alone). */
const MAX_GROUP_EVENTS = 10_000;
/** Reads go in pages so that no single JSON text grows without bound. */
const READ_PAGE_SIZE = 10_000;

/** An event ready to write or written, kept in the form it is written in. */
interface LogEntry extends EncodedEvent, StoredEventPlace {
  readonly recordedAt: string;
}

interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly EncodedEvent[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

interface PlannedAppend {
  readonly append: PendingAppend;
  readonly entries: readonly LogEntry[];
}

/**
 * The durable event store of the embedded mode (`npm start`): PostgreSQL compiled to WASM (PGlite) in a directory,
 * run on a worker thread.
 *
 * Single process by design: the writer keeps the log's last position and streams' revisions in memory, so a lock
 * file keeps any second store (here or in another process) out of the directory.
 *
 * Appends queue up while the database is busy and are committed together in one transaction (group commit): each is
 * still checked against its stream's expected revision, in order, and the unique keys on (stream_id, revision) and
 * event_id stand behind those checks. When a group fails, its appends are retried one by one, so that one bad append
 * fails alone. Positions are assigned at commit, one transaction at a time, so readers see the log without holes and
 * in commit order.
 */
export class EmbeddedEventStore implements EventStore {
  private readonly revisions: StreamRevisionCache;
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly clock: () => Date;
  private readonly recentEventsKept: number;
  /** The latest committed events, positions without holes, the last one at `lastPosition`. */
  private recent: LogEntry[] = [];
  private queue: PendingAppend[] = [];
  private draining: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly directory: string,
    private readonly db: PgliteWorker,
    private readonly lock: DirectoryLock,
    private lastPosition: number,
    options: EmbeddedEventStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.revisions = new StreamRevisionCache(options.streamRevisionCacheSize ?? 100_000);
    this.recentEventsKept = options.recentEventsKept ?? 10_000;
  }

  /**
   * Opens the store in `directory` (created if missing; the database is created on first use, which takes a few
   * seconds), brings its schema up to date, and locks the directory. Fails with `DirectoryInUseError` when another
   * store has it open.
   */
  static async open(directory: string, options: EmbeddedEventStoreOptions = {}): Promise<EmbeddedEventStore> {
    mkdirSync(directory, { recursive: true });
    const lock = DirectoryLock.acquire(directory);
    try {
      const db = await PgliteWorker.start(join(directory, 'pgdata'), POSTGRES_SETTINGS);
      try {
        await migrate(db);
        const [rows] = await db.exec(LAST_POSITION_SQL);
        return new EmbeddedEventStore(directory, db, lock, Number(rows?.[0]?.[0] ?? 0), options);
      } catch (error) {
        await db.close().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  appendToStream(streamId: string, events: readonly NewEvent[], options: { readonly expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    try {
      this.assertOpen();
      const encoded = encodeEvents(streamId, events);
      const expected = normalizeExpectedRevision(options.expectedRevision);
      return new Promise<AppendResult>((resolve, reject) => {
        this.queue.push({ streamId, events: encoded, expected, resolve, reject });
        this.draining ??= this.drain();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { fromRevision, maxCount } = checkReadStreamOptions(options);
    const events: RecordedEvent[] = [];
    let from = fromRevision;
    let remaining = maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const size = Math.min(READ_PAGE_SIZE, remaining);
      const [rows] = await this.db.exec(bindLiterals(READ_STREAM_PAGE_SQL, [streamId, from, size]));
      const page = parsePage(rows);
      for (const item of page) events.push(streamPageEvent(streamId, item));
      if (page.length < size) break;
      from += page.length;
      remaining -= page.length;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { afterPosition, maxCount } = checkReadAllOptions(options);
    const events: RecordedEvent[] = [];
    let after = afterPosition;
    let remaining = maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const size = Math.min(READ_PAGE_SIZE, remaining);
      const page = await this.readAfter(after, size);
      events.push(...page);
      if (page.length < size) break;
      after = (page[page.length - 1] as RecordedEvent).position;
      remaining -= page.length;
    }
    return events;
  }

  subscribeToAll(handler: (event: RecordedEvent) => Promise<void> | void, options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const subscription = new CatchUpSubscription(
      (position, maxCount) => this.readAfter(position, maxCount),
      this.commits,
      handler,
      options,
      (closed) => this.subscriptions.delete(closed),
    );
    this.subscriptions.add(subscription);
    return subscription;
  }

  async streamRevision(streamId: string): Promise<number | undefined> {
    this.assertOpen();
    const known = this.revisions.peek(streamId);
    if (known !== undefined) return known < 0 ? undefined : known;
    const [rows] = await this.db.exec(bindLiterals(STREAM_HEAD_SQL, [streamId]));
    const head = rows?.[0];
    return head ? Number(head[0]) : undefined;
  }

  /** Stops subscriptions, writes the appends already accepted, closes the database and releases the directory. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
      await this.draining;
      try {
        await this.db.close();
      } finally {
        this.lock.release();
      }
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The event store is closed');
  }

  /** Reads the log after `afterPosition`, from memory when the latest events cover it. */
  private async readAfter(afterPosition: number, maxCount: number): Promise<RecordedEvent[]> {
    const first = this.recent[0]?.position;
    if (first !== undefined && afterPosition >= first - 1) {
      const start = afterPosition - first + 1;
      return this.recent.slice(start, start + maxCount).map(recentEvent);
    }
    if (afterPosition >= this.lastPosition) return [];
    const [rows] = await this.db.exec(bindLiterals(READ_ALL_PAGE_SQL, [afterPosition, maxCount]));
    return parsePage(rows).map(logPageEvent);
  }

  /**
   * Writes the queue group after group. A group's callers learn their results only once the next group is on its
   * way to the database: the work they do next (the engine deciding the next command) then overlaps the database's.
   */
  private async drain(): Promise<void> {
    let settlePrevious: (() => void) | undefined;
    try {
      while (this.queue.length > 0 || settlePrevious) {
        const writing = this.queue.length > 0 ? this.commitGroup(this.takeGroup()) : undefined;
        settlePrevious?.();
        settlePrevious = writing ? await writing : undefined;
      }
    } finally {
      this.draining = undefined;
    }
  }

  private takeGroup(): PendingAppend[] {
    let events = 0;
    let count = 0;
    for (const append of this.queue) {
      if (count > 0 && events + append.events.length > MAX_GROUP_EVENTS) break;
      events += append.events.length;
      count++;
    }
    const group = this.queue.slice(0, count);
    this.queue = this.queue.slice(count);
    return group;
  }

  /** Writes a group; returns what tells its callers the outcome (appends settled alone are told at once). */
  private async commitGroup(group: readonly PendingAppend[]): Promise<() => void> {
    const unknown = this.unknownStreams(group);
    if (unknown.length > 0) {
      try {
        await this.learnRevisions(unknown);
      } catch (error) {
        return () => {
          for (const append of group) append.reject(error);
        };
      }
    }
    const recordedAt = this.clock().toISOString();
    const planned: PlannedAppend[] = [];
    const alone: PendingAppend[] = [];
    const tentative = new Map<string, number>();
    const ids = new Set<string>();
    let position = this.lastPosition;
    for (const append of group) {
      const known = tentative.get(append.streamId) ?? this.revisions.get(append.streamId);
      // Unknown only for 'no_stream' (learnRevisions looked the others up): assumed missing, the unique key checks it.
      const actual = known === undefined || known < 0 ? undefined : known;
      if (
        append.events.length === 0 ||
        (known === undefined && append.expected !== 'no_stream') ||
        !expectedRevisionHolds(append.expected, actual) ||
        append.events.some((event) => ids.has(event.id))
      ) {
        // Failures, retries and corner cases are settled one by one after the group, against what is stored.
        alone.push(append);
        continue;
      }
      const first = (actual ?? -1) + 1;
      const entries = logEntries(append, first, position + 1, recordedAt);
      position += entries.length;
      tentative.set(append.streamId, first + entries.length - 1);
      for (const event of append.events) ids.add(event.id);
      planned.push({ append, entries });
    }
    const results: { readonly append: PendingAppend; readonly result: AppendResult }[] = [];
    if (planned.length > 0) {
      let written = false;
      try {
        await this.db.exec(COPY_EVENTS_SQL, copyRows(planned.flatMap((plan) => plan.entries)));
        written = true;
      } catch {
        // The whole group rolled back: retried one by one, so that whoever caused it gets its own error.
        alone.unshift(...planned.map((plan) => plan.append));
      }
      if (written) for (const plan of planned) results.push({ append: plan.append, result: this.committed(plan.append.streamId, plan.entries) });
    }
    for (const append of alone) await this.appendAlone(append);
    return () => {
      for (const { append, result } of results) append.resolve(result);
    };
  }

  /** Streams of the group whose revision the writer must look up ('no_stream' appends need none). */
  private unknownStreams(group: readonly PendingAppend[]): string[] {
    const unknown = new Set<string>();
    for (const append of group) {
      if (append.expected !== 'no_stream' && append.events.length > 0 && !this.revisions.has(append.streamId)) {
        unknown.add(append.streamId);
      }
    }
    return [...unknown];
  }

  /** Looks up, in one query, the revisions of streams the writer does not remember. */
  private async learnRevisions(streamIds: readonly string[]): Promise<void> {
    const [rows] = await this.db.exec(bindLiterals(STREAM_REVISIONS_SQL, [streamIds]));
    const found = new Map((rows ?? []).map((row) => [String(row[0]), Number(row[1])]));
    for (const streamId of streamIds) this.revisions.set(streamId, found.get(streamId) ?? -1);
  }

  /** Settles one append against what is stored: new, an idempotent retry, or a failure with the actual revision. */
  private async appendAlone(append: PendingAppend): Promise<void> {
    try {
      const ids = append.events.map((event) => event.id);
      const [headRows, placeRows] = await this.db.exec(
        `${bindLiterals(STREAM_HEAD_SQL, [append.streamId])};\n${bindLiterals(EVENT_PLACES_SQL, [ids])}`,
      );
      const headRow = headRows?.[0];
      const head = headRow ? { revision: Number(headRow[0]), position: Number(headRow[1]) } : undefined;
      this.revisions.set(append.streamId, head?.revision ?? -1);
      const stored = new Map(
        (placeRows ?? []).map((row) => [String(row[0]), { streamId: String(row[1]), revision: Number(row[2]), position: Number(row[3]) }]),
      );
      const decision = decideAppend(append.streamId, append.expected, head, ids, stored);
      if (decision.kind === 'done') {
        append.resolve(decision.result);
        return;
      }
      const recordedAt = this.clock().toISOString();
      const first = (head?.revision ?? -1) + 1;
      const entries = logEntries(append, first, this.lastPosition + 1, recordedAt);
      await this.db.exec(COPY_EVENTS_SQL, copyRows(entries));
      append.resolve(this.committed(append.streamId, entries));
    } catch (error) {
      append.reject(error);
    }
  }

  /** Takes a written append into the writer's memory and wakes subscriptions. */
  private committed(streamId: string, entries: readonly LogEntry[]): AppendResult {
    const last = entries[entries.length - 1] as LogEntry;
    this.lastPosition = last.position;
    this.revisions.set(streamId, last.revision);
    this.remember(entries);
    this.commits.notify();
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  private remember(entries: readonly LogEntry[]): void {
    if (this.recentEventsKept <= 0) return;
    this.recent.push(...entries);
    // Trimmed in steps, not on every commit, to keep the copying rare.
    if (this.recent.length > 2 * this.recentEventsKept) this.recent = this.recent.slice(this.recent.length - this.recentEventsKept);
  }
}

/** Brings the schema up to date; each migration runs in its own transaction with its bookkeeping row. */
async function migrate(db: PgliteWorker): Promise<void> {
  const [, versionRows] = await db.exec(`${MIGRATIONS_TABLE_SQL};\n${APPLIED_MIGRATIONS_SQL}`);
  const applied = Number(versionRows?.[0]?.[0] ?? 0);
  const latest = EVENT_STORE_MIGRATIONS[EVENT_STORE_MIGRATIONS.length - 1]?.version ?? 0;
  if (applied > latest) {
    throw new Error(`The event store's schema is at version ${applied}, newer than this version of Trellis knows (${latest})`);
  }
  for (const migration of EVENT_STORE_MIGRATIONS) {
    if (migration.version <= applied) continue;
    await db.exec(
      `${migration.sql};\n${bindLiterals('INSERT INTO event_store_migrations (version, description) VALUES ($1, $2)', [migration.version, migration.description])}`,
    );
  }
}

function logEntries(append: PendingAppend, firstRevision: number, firstPosition: number, recordedAt: string): LogEntry[] {
  // Literal objects of one shape: cheaper than spreading, and this runs for every event.
  return append.events.map((event, i) => ({
    id: event.id,
    type: event.type,
    dataJson: event.dataJson,
    metadataJson: event.metadataJson,
    streamId: append.streamId,
    revision: firstRevision + i,
    position: firstPosition + i,
    recordedAt,
  }));
}

function copyRows(entries: readonly LogEntry[]): string {
  let text = '';
  for (const entry of entries) {
    const metadata = entry.metadataJson === null ? COPY_NULL : copyField(entry.metadataJson);
    text += `${entry.position}\t${copyField(entry.streamId)}\t${entry.revision}\t${copyField(entry.id)}\t${copyField(entry.type)}\t${copyField(entry.dataJson)}\t${metadata}\t${entry.recordedAt}\n`;
  }
  return text;
}

function parsePage(rows: unknown[][] | undefined): unknown[][] {
  const text = rows?.[0]?.[0];
  return typeof text === 'string' ? (JSON.parse(text) as unknown[][]) : [];
}

/** An item of READ_STREAM_PAGE_SQL: [position, revision, event_id, type, data, metadata, recorded_at_ms]. */
function streamPageEvent(streamId: string, item: unknown[]): RecordedEvent {
  return {
    id: item[2] as string,
    type: item[3] as string,
    data: item[4] as JsonValue,
    metadata: (item[5] ?? null) as JsonValue | null,
    streamId,
    revision: item[1] as number,
    position: item[0] as number,
    recordedAt: new Date(item[6] as number).toISOString(),
  };
}

/** An item of READ_ALL_PAGE_SQL: [position, stream_id, revision, event_id, type, data, metadata, recorded_at_ms]. */
function logPageEvent(item: unknown[]): RecordedEvent {
  return {
    id: item[3] as string,
    type: item[4] as string,
    data: item[5] as JsonValue,
    metadata: (item[6] ?? null) as JsonValue | null,
    streamId: item[1] as string,
    revision: item[2] as number,
    position: item[0] as number,
    recordedAt: new Date(item[7] as number).toISOString(),
  };
}

/** Each reader gets its own objects, parsed from the text that was written. */
function recentEvent(entry: LogEntry): RecordedEvent {
  return {
    id: entry.id,
    type: entry.type,
    data: JSON.parse(entry.dataJson) as JsonValue,
    metadata: entry.metadataJson === null ? null : (JSON.parse(entry.metadataJson) as JsonValue),
    streamId: entry.streamId,
    revision: entry.revision,
    position: entry.position,
    recordedAt: entry.recordedAt,
  };
}

/** Streams' last revisions (-1: known not to exist), the least recently used forgotten beyond the capacity. */
class StreamRevisionCache {
  private readonly revisions = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  has(streamId: string): boolean {
    return this.revisions.has(streamId);
  }

  peek(streamId: string): number | undefined {
    return this.revisions.get(streamId);
  }

  get(streamId: string): number | undefined {
    const revision = this.revisions.get(streamId);
    if (revision !== undefined) {
      this.revisions.delete(streamId);
      this.revisions.set(streamId, revision);
    }
    return revision;
  }

  set(streamId: string, revision: number): void {
    this.revisions.delete(streamId);
    this.revisions.set(streamId, revision);
    if (this.revisions.size > this.capacity) {
      const oldest = this.revisions.keys().next();
      if (!oldest.done) this.revisions.delete(oldest.value);
    }
  }
}
