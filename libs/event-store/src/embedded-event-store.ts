import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonValue } from '@trellis/engine';
import { decideAppend, type EncodedEvent, encodeEvents, expectedRevisionHolds, normalizeExpectedRevision } from './append-rules.js';
import { CatchUpSubscription, CommitSignal } from './catch-up-subscription.js';
import { type LogPageCommit, type PageEvent, pageEvent, parsePageText, readAllInPages, readStreamInPages, type StreamPageCommit } from './commit-pages.js';
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
  COPY_COMMITS_SQL,
  COPY_EVENT_IDS_SQL,
  EVENT_PLACES_SQL,
  EVENT_STORE_MIGRATIONS,
  LAST_POSITION_SQL,
  MIGRATIONS_TABLE_SQL,
  READ_ALL_COMMITS_SQL,
  READ_STREAM_COMMITS_SQL,
  STREAM_HEAD_SQL,
  STREAM_REVISIONS_SQL,
} from './event-store.sql.js';
import { PgliteWorker, type TransactionStep } from './pglite-worker.js';
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
 *
 * Full-page writes guard against pages torn by an operating-system crash or a power cut, which PGlite does not
 * survive anyway: it runs with fsync off. A killed process tears no page (the kernel keeps every completed write).
 * Off, they spare the WAL a copy of each 8 kB page the first time it changes after a checkpoint: with event ids
 * random, that is nearly every index page an append touches.
 */
const POSTGRES_SETTINGS = [
  'standard_conforming_strings=on',
  'wal_level=minimal',
  'max_wal_senders=0',
  'max_wal_size=256MB',
  'min_wal_size=32MB',
  'shared_buffers=64MB',
  'full_page_writes=off',
];

/** The most events one group commit writes (a larger single append is written alone). */
const MAX_GROUP_EVENTS = 10_000;
/** Groups sent to the database thread before the first of them has committed: one being written, one waiting. */
const GROUPS_IN_FLIGHT = 2;
/** Reads go in pages of about this many events, so that no single JSON text grows without bound. */

/** One append as it is written: one row of `event_commits`, its events at consecutive positions and revisions. */
interface Commit {
  readonly streamId: string;
  readonly firstRevision: number;
  readonly firstPosition: number;
  readonly recordedAt: string;
  readonly events: readonly EncodedEvent[];
}

interface PendingAppend {
  readonly streamId: string;
  readonly events: readonly EncodedEvent[];
  readonly expected: ExpectedRevision;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

interface PlannedGroup {
  /** The appends planned, each written as the commit at the same index. */
  readonly appends: readonly PendingAppend[];
  readonly commits: readonly Commit[];
  /** The appends left to settle one by one. */
  readonly alone: readonly PendingAppend[];
  /** The streams' revisions once the group has committed. */
  readonly revisions: ReadonlyMap<string, number>;
  /** The log's last position once the group has committed. */
  readonly lastPosition: number;
}

interface GroupInFlight extends PlannedGroup {
  readonly transactionId: number;
  /** False when the group rolled back or was skipped. */
  readonly committed: Promise<boolean>;
}

/**
 * The durable event store of the embedded mode (`npm start`): PostgreSQL compiled to WASM (PGlite) in a directory,
 * run on a worker thread.
 *
 * Single process by design: the writer keeps the log's last position and streams' revisions in memory, so a lock
 * file keeps any second store (here or in another process) out of the directory.
 *
 * Each append is one row (a commit) holding its events. Appends queue up while the database is busy and are committed
 * together in one transaction (group commit): each is still checked against its stream's expected revision, in order,
 * and the unique keys on a commit's (stream_id, first_revision) and on event ids stand behind those checks. When a
 * group fails, its appends are retried one by one, so that one bad append fails alone. Groups take their positions
 * in order and commit one at a time in that order, and a group that rolls back gives its positions back (with those
 * of the groups sent after it), so readers see the log without holes and in commit order.
 */
export class EmbeddedEventStore implements EventStore {
  private readonly revisions: StreamRevisionCache;
  private readonly commits = new CommitSignal();
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private readonly clock: () => Date;
  private readonly recentEventsKept: number;
  /** The latest commits, positions without holes, the last one ending at `lastPosition`. */
  private recent: Commit[] = [];
  private recentEvents = 0;
  private queue: PendingAppend[] = [];
  private draining: Promise<void> | undefined;
  /** Set while the writer waits for appends to arrive, as well as for a group to commit. */
  private arrived: (() => void) | undefined;
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
        const arrived = this.arrived;
        this.arrived = undefined;
        arrived?.();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const { fromRevision, maxCount } = checkReadStreamOptions(options);
    return readStreamInPages(streamId, fromRevision, maxCount, async (from, size) => {
      const [rows] = await this.db.exec(bindLiterals(READ_STREAM_COMMITS_SQL, [streamId, from, size]));
      return parsePageText(rows?.[0]?.[0]) as StreamPageCommit[];
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

  /** Reads at most `maxCount` (> 0) events of the log after `afterPosition`, from memory when the latest commits cover it. */
  private async readAfter(afterPosition: number, maxCount: number): Promise<RecordedEvent[]> {
    if (maxCount <= 0 || afterPosition >= this.lastPosition) return [];
    const first = this.recent[0]?.firstPosition;
    if (first !== undefined && afterPosition >= first - 1) return this.recentAfter(afterPosition, maxCount);
    const [rows] = await this.db.exec(bindLiterals(READ_ALL_COMMITS_SQL, [afterPosition, maxCount]));
    const events: RecordedEvent[] = [];
    for (const [firstPosition, streamId, firstRevision, recordedAtMs, metadata, items] of parsePageText(rows?.[0]?.[0]) as LogPageCommit[]) {
      const recordedAt = new Date(recordedAtMs).toISOString();
      for (let i = Math.max(0, afterPosition + 1 - firstPosition); i < items.length && events.length < maxCount; i++) {
        events.push(pageEvent(items[i] as PageEvent, metadata, streamId, firstRevision + i, firstPosition + i, recordedAt));
      }
    }
    return events;
  }

  private recentAfter(afterPosition: number, maxCount: number): RecordedEvent[] {
    const events: RecordedEvent[] = [];
    // The first commit ending after the position: commits are in position order, so a binary search finds it.
    let low = 0;
    let high = this.recent.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const commit = this.recent[middle] as Commit;
      if (commit.firstPosition + commit.events.length - 1 > afterPosition) high = middle;
      else low = middle + 1;
    }
    for (let c = low; c < this.recent.length && events.length < maxCount; c++) {
      const commit = this.recent[c] as Commit;
      for (let i = Math.max(0, afterPosition + 1 - commit.firstPosition); i < commit.events.length && events.length < maxCount; i++) {
        events.push(recentEvent(commit, i));
      }
    }
    return events;
  }

  /**
   * Writes the queue group after group, keeping the database thread busy: the next group is planned, on the
   * assumption that the groups in flight commit, and sent while the previous one is still being written. If a group
   * fails, the worker skips those sent after it; its appends are then settled one by one and the skipped ones planned
   * again. Callers learn their results when their group has committed, by which time the next group is on its way, so
   * the work they do next (the engine deciding the next command) overlaps the database's.
   */
  private async drain(): Promise<void> {
    const inFlight: GroupInFlight[] = [];
    /** Appends to settle one by one once nothing is in flight; no group is planned meanwhile. */
    let alone: readonly PendingAppend[] = [];
    try {
      for (;;) {
        while (inFlight.length < GROUPS_IN_FLIGHT && alone.length === 0 && this.queue.length > 0) {
          const group = this.takeGroup();
          try {
            await this.learnRevisions(this.unknownStreams(group, inFlight));
          } catch (error) {
            for (const append of group) append.reject(error);
            continue;
          }
          const planned = this.planGroup(group, inFlight);
          alone = planned.alone;
          if (planned.commits.length > 0) inFlight.push(this.sendGroup(planned, inFlight[inFlight.length - 1]));
        }
        const oldest = inFlight[0];
        if (!oldest) {
          if (alone.length === 0) break;
          for (const append of alone) await this.appendAlone(append);
          alone = [];
          continue;
        }
        // With room in flight, appends arriving meanwhile are sent without waiting for the oldest group.
        const committed = await (inFlight.length < GROUPS_IN_FLIGHT && alone.length === 0
          ? Promise.race([oldest.committed, this.nextArrival()])
          : oldest.committed);
        if (committed === undefined) continue;
        inFlight.shift();
        if (committed) {
          for (let i = 0; i < oldest.commits.length; i++) {
            (oldest.appends[i] as PendingAppend).resolve(this.committed(oldest.commits[i] as Commit));
          }
          continue;
        }
        // The groups sent after it were skipped: their appends are planned again, in order, and its own settled alone.
        for (const later of inFlight) await later.committed;
        this.queue = [...inFlight.splice(0).flatMap((later) => later.appends), ...this.queue];
        // Whoever caused the failure gets its own error; the others go through.
        alone = [...oldest.appends, ...alone];
      }
    } finally {
      this.arrived = undefined;
      this.draining = undefined;
    }
  }

  /**
   * Resolves (to undefined) once appends have arrived: at the end of the turn of the event loop in which the first of
   * them did, so that the appends of callers settled together (each deciding its next command) travel together.
   */
  private nextArrival(): Promise<undefined> {
    if (this.queue.length > 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.arrived = () => setImmediate(() => resolve(undefined));
    });
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

  /**
   * Checks each append of the group against the revisions the writer knows (counting the groups in flight as
   * committed) and places it in the log; the appends that cannot be decided from memory, or fail, are left to settle
   * alone, against what is stored.
   */
  private planGroup(group: readonly PendingAppend[], inFlight: readonly GroupInFlight[]): PlannedGroup {
    const recordedAt = this.clock().toISOString();
    const appends: PendingAppend[] = [];
    const commits: Commit[] = [];
    const alone: PendingAppend[] = [];
    const revisions = new Map<string, number>();
    const ids = new Set<string>();
    let position = inFlight[inFlight.length - 1]?.lastPosition ?? this.lastPosition;
    for (const append of group) {
      const known = revisions.get(append.streamId) ?? this.plannedRevision(append.streamId, inFlight);
      // Unknown only for 'no_stream' (learnRevisions looked the others up): assumed missing, the unique key checks it.
      const actual = known === undefined || known < 0 ? undefined : known;
      if (
        append.events.length === 0 ||
        (known === undefined && append.expected !== 'no_stream') ||
        !expectedRevisionHolds(append.expected, actual) ||
        append.events.some((event) => ids.has(event.id))
      ) {
        // Failures, retries and corner cases are settled one by one, against what is stored.
        alone.push(append);
        continue;
      }
      const commit: Commit = { streamId: append.streamId, firstRevision: (actual ?? -1) + 1, firstPosition: position + 1, recordedAt, events: append.events };
      position += append.events.length;
      revisions.set(append.streamId, commit.firstRevision + append.events.length - 1);
      for (const event of append.events) ids.add(event.id);
      appends.push(append);
      commits.push(commit);
    }
    return { appends, commits, alone, revisions, lastPosition: position };
  }

  /** The stream's revision once the groups in flight have committed, if the writer knows it. */
  private plannedRevision(streamId: string, inFlight: readonly GroupInFlight[]): number | undefined {
    for (let i = inFlight.length - 1; i >= 0; i--) {
      const revision = (inFlight[i] as GroupInFlight).revisions.get(streamId);
      if (revision !== undefined) return revision;
    }
    return this.revisions.get(streamId);
  }

  private sendGroup(planned: PlannedGroup, previous: GroupInFlight | undefined): GroupInFlight {
    const { id, done } = this.db.transaction(writeSteps(planned.commits), previous?.transactionId);
    return {
      ...planned,
      transactionId: id,
      committed: done.then(
        () => true,
        () => false,
      ),
    };
  }

  /** Streams of the group whose revision the writer must look up ('no_stream' appends need none). */
  private unknownStreams(group: readonly PendingAppend[], inFlight: readonly GroupInFlight[]): string[] {
    const unknown = new Set<string>();
    for (const append of group) {
      if (
        append.expected !== 'no_stream' &&
        append.events.length > 0 &&
        !this.revisions.has(append.streamId) &&
        !inFlight.some((group) => group.revisions.has(append.streamId))
      ) {
        unknown.add(append.streamId);
      }
    }
    return [...unknown];
  }

  /** Looks up, in one query, the revisions of streams the writer does not remember. */
  private async learnRevisions(streamIds: readonly string[]): Promise<void> {
    if (streamIds.length === 0) return;
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
      const commit: Commit = {
        streamId: append.streamId,
        firstRevision: (head?.revision ?? -1) + 1,
        firstPosition: this.lastPosition + 1,
        recordedAt: this.clock().toISOString(),
        events: append.events,
      };
      await this.db.transaction(writeSteps([commit])).done;
      append.resolve(this.committed(commit));
    } catch (error) {
      append.reject(error);
    }
  }

  /** Takes a written append into the writer's memory and wakes subscriptions. */
  private committed(commit: Commit): AppendResult {
    const lastRevision = commit.firstRevision + commit.events.length - 1;
    this.lastPosition = commit.firstPosition + commit.events.length - 1;
    this.revisions.set(commit.streamId, lastRevision);
    this.remember(commit);
    this.commits.notify();
    return { nextExpectedRevision: lastRevision, position: this.lastPosition };
  }

  private remember(commit: Commit): void {
    if (this.recentEventsKept <= 0) return;
    this.recent.push(commit);
    this.recentEvents += commit.events.length;
    // Trimmed in steps, not on every commit, to keep the copying rare; the latest commit always stays.
    if (this.recentEvents > 2 * this.recentEventsKept) {
      let drop = 0;
      while (drop < this.recent.length - 1 && this.recentEvents - (this.recent[drop] as Commit).events.length >= this.recentEventsKept) {
        this.recentEvents -= (this.recent[drop] as Commit).events.length;
        drop++;
      }
      this.recent = this.recent.slice(drop);
    }
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

/** The group's rows: one per commit, its events as one JSON text, and one per event id. */
function writeSteps(commits: readonly Commit[]): TransactionStep[] {
  let commitRows = '';
  let idRows = '';
  for (const commit of commits) {
    const count = commit.events.length;
    const metadata = sharedMetadata(commit.events);
    let json = '[';
    for (let i = 0; i < count; i++) {
      const event = commit.events[i] as EncodedEvent;
      json += `${i === 0 ? '' : ','}[${JSON.stringify(event.id)},${JSON.stringify(event.type)},${event.dataJson}${metadata === undefined ? `,${event.metadataJson ?? 'null'}` : ''}]`;
      idRows += `${copyField(event.id)}\t${commit.firstPosition + i}\n`;
    }
    json += ']';
    const metadataField = metadata === undefined || metadata === null ? COPY_NULL : copyField(metadata);
    commitRows += `${commit.firstPosition + count - 1}\t${commit.firstPosition}\t${copyField(commit.streamId)}\t${commit.firstRevision}\t${commit.firstRevision + count - 1}\t${copyField(json)}\t${metadataField}\t${commit.recordedAt}\n`;
  }
  return [
    { sql: COPY_COMMITS_SQL, copyText: commitRows },
    { sql: COPY_EVENT_IDS_SQL, copyText: idRows },
  ];
}

/**
 * The metadata JSON every event of the append has (null: none has any), stored once for the commit; undefined when
 * they differ. The engine gives each event of an append the same metadata, a quarter of a small event's bytes.
 */
function sharedMetadata(events: readonly EncodedEvent[]): string | null | undefined {
  const first = (events[0] as EncodedEvent).metadataJson;
  for (let i = 1; i < events.length; i++) if ((events[i] as EncodedEvent).metadataJson !== first) return undefined;
  return first;
}


/** Each reader gets its own objects, parsed from the text that was written. */
function recentEvent(commit: Commit, i: number): RecordedEvent {
  const event = commit.events[i] as EncodedEvent;
  return {
    id: event.id,
    type: event.type,
    data: JSON.parse(event.dataJson) as JsonValue,
    metadata: event.metadataJson === null ? null : (JSON.parse(event.metadataJson) as JsonValue),
    streamId: commit.streamId,
    revision: commit.firstRevision + i,
    position: commit.firstPosition + i,
    recordedAt: commit.recordedAt,
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
