import type { JsonValue } from '@trellis/engine';
import type { RecordedEvent } from './event-store.port.js';

/**
 * Reading the SQL stores' commit rows (one row per append, see event-store.sql.ts) back as events, shared by the
 * embedded and the Postgres adapters: only how a page of commits is fetched differs between them.
 */

export const READ_PAGE_SIZE = 10_000;

/** An event in a page's commit: [event_id, type, data] with the commit's metadata, or [event_id, type, data, metadata]. */
export type PageEvent = [string, string, JsonValue] | [string, string, JsonValue, JsonValue | null];
/** A commit of READ_STREAM_COMMITS_SQL: [first_position, first_revision, recorded_at_ms, metadata JSON text, events]. */
export type StreamPageCommit = [number, number, number, string | null, PageEvent[]];
/** A commit of READ_ALL_COMMITS_SQL: [first_position, stream_id, first_revision, recorded_at_ms, metadata JSON text, events]. */
export type LogPageCommit = [number, string, number, number, string | null, PageEvent[]];

/** A page arrives as one JSON text (or null when empty). */
export function parsePageText(text: unknown): unknown[] {
  return typeof text === 'string' ? (JSON.parse(text) as unknown[]) : [];
}

export function pageEvent(item: PageEvent, commitMetadata: string | null, streamId: string, revision: number, position: number, recordedAt: string): RecordedEvent {
  const metadata = item.length > 3 ? (item[3] ?? null) : commitMetadata === null ? null : (JSON.parse(commitMetadata) as JsonValue);
  return { id: item[0], type: item[1], data: item[2], metadata, streamId, revision, position, recordedAt };
}

/** The events of one stream from `fromRevision`, at most `maxCount`, fetching commit pages of at most READ_PAGE_SIZE. */
export async function readStreamInPages(
  streamId: string,
  fromRevision: number,
  maxCount: number | undefined,
  fetchPage: (fromRevision: number, size: number) => Promise<StreamPageCommit[]>,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const limit = maxCount ?? Number.POSITIVE_INFINITY;
  let from = fromRevision;
  while (events.length < limit) {
    const size = Math.min(READ_PAGE_SIZE, limit - events.length);
    const page = await fetchPage(from, size);
    let next = from;
    for (const [firstPosition, firstRevision, recordedAtMs, metadata, items] of page) {
      const recordedAt = new Date(recordedAtMs).toISOString();
      for (let i = Math.max(0, from - firstRevision); i < items.length && events.length < limit; i++) {
        events.push(pageEvent(items[i] as PageEvent, metadata, streamId, firstRevision + i, firstPosition + i, recordedAt));
      }
      next = firstRevision + items.length;
    }
    // A commit after the last one read would have started within the page: the stream ends here.
    if (next < from + size) break;
    from = next;
  }
  return events;
}

/** The events of the log after `afterPosition`, at most `maxCount`, in pages of at most READ_PAGE_SIZE. */
export async function readAllInPages(
  afterPosition: number,
  maxCount: number | undefined,
  readAfter: (afterPosition: number, maxCount: number) => Promise<RecordedEvent[]>,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const limit = maxCount ?? Number.POSITIVE_INFINITY;
  let after = afterPosition;
  while (events.length < limit) {
    const page = await readAfter(after, Math.min(READ_PAGE_SIZE, limit - events.length));
    if (page.length === 0) break;
    for (const event of page) events.push(event);
    after = (page[page.length - 1] as RecordedEvent).position;
  }
  return events;
}
