/**
 * The SQL of the event store, written for PostgreSQL so that the embedded store (PGlite) and a server adapter share it.
 * Parameters are `$n`; the embedded store inlines them as literals (see `sql-text.ts`) to use PGlite's faster simple
 * query protocol.
 *
 * One row per append (a commit), not per event: an index entry costs Postgres in WASM several microseconds, and a
 * row per event paid three of them. A commit holds its events as one JSON text and the range of positions and
 * revisions they take; readers expand it. Event ids, unique across the store, keep one narrow row each in
 * `event_ids`, the only per-event cost left.
 *
 * Positions are assigned by the writer, not by a sequence: a sequence leaves holes when a transaction rolls back, and
 * readers following the log by position must never see a hole that is later filled, nor skip one forever. Readers
 * rely on the log having no holes: the events after position p are in the commits whose last position is above p.
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
  {
    // `events` is JSON text, `[[event_id, type, data, metadata], ...]`; when every event of the append has the same
    // metadata it is stored once, in `metadata`, and the items are `[event_id, type, data]`. The writer produced the
    // JSON, so Postgres need not parse it (json and jsonb measured 15-30 % slower to write), and `events` is stored
    // EXTERNAL: out of line when large but not compressed (pglz measured 30 % slower to write). Each commit's first
    // revision is unique in its stream: the backstop behind the writer's expected-revision checks (a new stream's
    // first commit starts at 0). The v1 events move over as commits of one event each.
    version: 2,
    description: 'one row per append (event_commits) and the event ids (event_ids)',
    sql: `CREATE TABLE event_commits (
  last_position bigint NOT NULL,
  first_position bigint NOT NULL,
  stream_id text NOT NULL,
  first_revision bigint NOT NULL,
  last_revision bigint NOT NULL,
  events text NOT NULL,
  metadata text,
  recorded_at timestamptz NOT NULL,
  CONSTRAINT event_commits_pkey PRIMARY KEY (last_position),
  CONSTRAINT event_commits_stream_revision_key UNIQUE (stream_id, first_revision),
  CONSTRAINT event_commits_range_check CHECK (
    first_position > 0 AND first_revision >= 0 AND last_revision >= first_revision
    AND last_position - first_position = last_revision - first_revision
  )
);
ALTER TABLE event_commits ALTER COLUMN events SET STORAGE EXTERNAL;
CREATE TABLE event_ids (
  event_id text NOT NULL,
  position bigint NOT NULL,
  CONSTRAINT event_ids_pkey PRIMARY KEY (event_id)
);
INSERT INTO event_commits (last_position, first_position, stream_id, first_revision, last_revision, events, recorded_at)
  SELECT position, position, stream_id, revision, revision, json_build_array(json_build_array(event_id, type, data, metadata))::text, recorded_at
  FROM events;
INSERT INTO event_ids (event_id, position) SELECT event_id, position FROM events;
DROP TABLE events`,
  },
];

/** Columns in the order of the COPY rows the embedded store writes. */
export const COPY_COMMITS_SQL = `COPY event_commits (last_position, first_position, stream_id, first_revision, last_revision, events, metadata, recorded_at) FROM '/dev/blob'`;

export const COPY_EVENT_IDS_SQL = `COPY event_ids (event_id, position) FROM '/dev/blob'`;

export const LAST_POSITION_SQL = 'SELECT coalesce(max(last_position), 0) AS position FROM event_commits';

/** $1: stream id. */
export const STREAM_HEAD_SQL = 'SELECT last_revision, last_position FROM event_commits WHERE stream_id = $1 ORDER BY first_revision DESC LIMIT 1';

/** $1: stream ids (text[]). Streams that do not exist are absent from the result. */
export const STREAM_REVISIONS_SQL = `SELECT streams.stream_id, head.last_revision
FROM unnest($1::text[]) AS streams (stream_id)
CROSS JOIN LATERAL (
  SELECT last_revision FROM event_commits WHERE event_commits.stream_id = streams.stream_id ORDER BY first_revision DESC LIMIT 1
) AS head`;

/** Where stored events sit: event_id, stream_id, revision, position. $1: event ids (text[]). */
export const EVENT_PLACES_SQL = `SELECT ids.event_id, c.stream_id, c.first_revision + (ids.position - c.first_position), ids.position
FROM event_ids AS ids
CROSS JOIN LATERAL (
  SELECT stream_id, first_revision, first_position FROM event_commits WHERE last_position >= ids.position ORDER BY last_position LIMIT 1
) AS c
WHERE ids.event_id = ANY($1::text[])`;

/**
 * A commit as a JSON array: [first_position, first_revision, recorded_at_ms, metadata, events], its shared metadata as
 * JSON text in a JSON string (each event parses its own copy) or null.
 */
const STREAM_COMMIT_JSON = `format('[%s,%s,%s,%s,%s]', first_position, first_revision, floor(extract(epoch FROM recorded_at) * 1000)::bigint,
  coalesce(to_json(metadata)::text, 'null'), events)`;

/**
 * The commits holding a stream's revisions from $2 on, starting before $2 + $3 ($3 > 0), as one JSON text
 * `[[first_position, first_revision, recorded_at_ms, metadata, events], ...]` in revision order, or null when there are none.
 * One text parses much faster in JavaScript than one row each. $1: stream id.
 */
export const READ_STREAM_COMMITS_SQL = `SELECT '[' || string_agg(${STREAM_COMMIT_JSON}, ',' ORDER BY first_revision) || ']' AS page
FROM event_commits
WHERE stream_id = $1
  AND first_revision >= coalesce((SELECT max(first_revision) FROM event_commits WHERE stream_id = $1 AND first_revision <= $2), 0)
  AND first_revision < $2 + $3`;

/** A commit as a JSON array: [first_position, stream_id, first_revision, recorded_at_ms, metadata, events], as above. */
const LOG_COMMIT_JSON = `format('[%s,%s,%s,%s,%s,%s]', first_position, to_json(stream_id), first_revision, floor(extract(epoch FROM recorded_at) * 1000)::bigint,
  coalesce(to_json(metadata)::text, 'null'), events)`;

/**
 * The commits holding the log's positions from $1 + 1 to $1 + $2 ($2 > 0), as one JSON text
 * `[[first_position, stream_id, first_revision, recorded_at_ms, metadata, events], ...]` in position order, or null. Both
 * bounds are on the primary key, so a page costs the same anywhere in the log.
 */
export const READ_ALL_COMMITS_SQL = `SELECT '[' || string_agg(${LOG_COMMIT_JSON}, ',' ORDER BY last_position) || ']' AS page
FROM event_commits
WHERE last_position > $1
  AND last_position <= coalesce((SELECT min(last_position) FROM event_commits WHERE last_position >= $1 + $2), $1 + $2)`;
