/**
 * The SQL of the event store, written for PostgreSQL so that the embedded store (PGlite) and a server adapter share it.
 * Parameters are `$n`; the embedded store inlines them as literals (see `sql-text.ts`) to use PGlite's faster simple
 * query protocol.
 *
 * `position` is assigned by the writer, not by a sequence: a sequence leaves holes when a transaction rolls back, and
 * readers following the log by position must never see a hole that is later filled, nor skip one forever.
 */

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS_TABLE_SQL = `CREATE TABLE IF NOT EXISTS event_store_migrations (
  version integer PRIMARY KEY,
  description text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export const APPLIED_MIGRATIONS_SQL = 'SELECT coalesce(max(version), 0) AS version FROM event_store_migrations';

export const EVENT_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events table',
    sql: `CREATE TABLE events (
  position bigint NOT NULL,
  stream_id text NOT NULL,
  revision bigint NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb,
  recorded_at timestamptz NOT NULL,
  CONSTRAINT events_pkey PRIMARY KEY (position),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision),
  CONSTRAINT events_event_id_key UNIQUE (event_id),
  CONSTRAINT events_position_check CHECK (position > 0),
  CONSTRAINT events_revision_check CHECK (revision >= 0)
)`,
  },
];

/** Columns in the order of the COPY rows the embedded store writes. */
export const COPY_EVENTS_SQL = `COPY events (position, stream_id, revision, event_id, type, data, metadata, recorded_at) FROM '/dev/blob'`;

export const LAST_POSITION_SQL = 'SELECT coalesce(max(position), 0) AS position FROM events';

/** $1: stream id. */
export const STREAM_HEAD_SQL = 'SELECT revision, position FROM events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1';

/** $1: stream ids (text[]). Streams that do not exist are absent from the result. */
export const STREAM_REVISIONS_SQL =
  'SELECT stream_id, max(revision) AS revision FROM events WHERE stream_id = ANY($1::text[]) GROUP BY stream_id';

/** $1: event ids (text[]). */
export const EVENT_PLACES_SQL = 'SELECT event_id, stream_id, revision, position FROM events WHERE event_id = ANY($1::text[])';

/**
 * One page as a single JSON text: `[[position, revision, event_id, type, data, metadata, recorded_at_ms], ...]` or
 * null when empty. One JSON text parses much faster in JavaScript than one row per event. $1: stream id,
 * $2: first revision, $3: page size.
 */
export const READ_STREAM_PAGE_SQL = `SELECT json_agg(json_build_array(position, revision, event_id, type, data, metadata,
  floor(extract(epoch FROM recorded_at) * 1000)) ORDER BY revision)::text AS page
FROM (SELECT * FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3) AS page`;

/**
 * One page of the log as a single JSON text: `[[position, stream_id, revision, event_id, type, data, metadata,
 * recorded_at_ms], ...]` or null when empty. $1: position to read after, $2: page size.
 */
export const READ_ALL_PAGE_SQL = `SELECT json_agg(json_build_array(position, stream_id, revision, event_id, type, data, metadata,
  floor(extract(epoch FROM recorded_at) * 1000)) ORDER BY position)::text AS page
FROM (SELECT * FROM events WHERE position > $1 ORDER BY position LIMIT $2) AS page`;

/** SQLSTATE of a unique violation: the backstop behind the writer's own revision checks. */
export const UNIQUE_VIOLATION = '23505';
