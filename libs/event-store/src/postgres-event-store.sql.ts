/**
 * The SQL only the Postgres server adapter runs. The tables, their migrations and the reads are the embedded store's
 * (`event-store.sql.ts`); what differs is how positions are assigned. The embedded store has one writer in one process,
 * which counts positions in memory. On a server, any number of processes append at once, so the log's head lives in
 * the database: one row, `event_log_head`, that every writing transaction moves forward.
 *
 * Updating that row locks it until the transaction ends, so transactions take positions one at a time, in the order
 * they commit: a transaction that takes positions after another cannot commit before it, and a reader can never see
 * an event appear behind one it has already read. A transaction that rolls back gives its positions back with its
 * update, so the log has no holes either. A sequence would give neither: its numbers are handed out at insert time,
 * not commit time, and never given back.
 *
 * The price is that writing transactions go through the row one at a time, each holding it through its commit (WAL
 * flush included). So that this serial cost is paid per batch rather than per append, the adapter writes the appends
 * that queued up meanwhile together, in one statement (APPEND_BATCH_SQL): one transaction, one flush, one update of
 * the head and one notification for all of them.
 */

/** Postgres-only schema, run under the same lock as the shared migrations. Idempotent: it runs on every open. */
export const LOG_HEAD_TABLE_SQL = `CREATE TABLE IF NOT EXISTS event_log_head (
  id boolean NOT NULL DEFAULT true,
  position bigint NOT NULL,
  CONSTRAINT event_log_head_pkey PRIMARY KEY (id),
  CONSTRAINT event_log_head_single_row CHECK (id),
  CONSTRAINT event_log_head_position_check CHECK (position >= 0)
);
INSERT INTO event_log_head (id, position) SELECT true, coalesce(max(last_position), 0) FROM event_commits
ON CONFLICT (id) DO NOTHING`;

/**
 * One append as one statement, hence one transaction, in one round trip. $1 stream id, $2 number of events (> 0),
 * $3 expected revision of the stream's last event (-1: no stream; null: any), $4 the events as JSON text
 * `[[event_id, type, data, metadata], ...]`, $5 their ids (text[]), $6 recorded_at, $7 the notification channel.
 *
 * The log head moves only when the stream is where the writer expects it, so a failed expectation writes nothing and
 * takes no position. The stream's head is read in the statement's snapshot, which can be older than the log head the
 * update waited for: if another append to the stream committed meanwhile, the insert collides with it on
 * (stream_id, first_revision), the unique key that enforces expected revisions, and the whole statement rolls back.
 * So does an event id already stored. The caller then settles the append under the log head's lock (APPEND_LOCK_SQL).
 *
 * Returns one row (last_position, last_revision) when written, none when the expected revision does not hold. The
 * notification is sent at commit, and only then.
 */
export const APPEND_SQL = `WITH stream_head AS (
  SELECT coalesce((SELECT last_revision FROM event_commits WHERE stream_id = $1 ORDER BY first_revision DESC LIMIT 1), -1) AS revision
),
log_head AS (
  UPDATE event_log_head SET position = position + $2::bigint
  WHERE $3::bigint IS NULL OR (SELECT revision FROM stream_head) = $3::bigint
  RETURNING position
),
commit_row AS (
  INSERT INTO event_commits (last_position, first_position, stream_id, first_revision, last_revision, events, recorded_at)
  SELECT log_head.position, log_head.position - $2::bigint + 1, $1, stream_head.revision + 1, stream_head.revision + $2::bigint, $4, $6::timestamptz
  FROM log_head, stream_head
  RETURNING first_position, last_position, last_revision
),
id_rows AS (
  INSERT INTO event_ids (event_id, position)
  SELECT ids.event_id, commit_row.first_position + ids.ordinality - 1
  FROM commit_row, unnest($5::text[]) WITH ORDINALITY AS ids (event_id, ordinality)
)
SELECT last_position, last_revision, pg_notify($7, last_position::text) FROM commit_row`;

/**
 * Several appends, to different streams, as one statement: one transaction, one round trip, one update of the log
 * head, one notification. Parameters are arrays with an element per append, in queue order: $1 stream ids (text[]),
 * $2 numbers of events (bigint[], each > 0), $3 expected revisions (bigint[]; -1: no stream; null: any), $4 the events
 * as JSON text as in APPEND_SQL (text[]), $5 recorded_at (timestamptz[]); then an element per event: $6 the event ids
 * (text[]), $7 the ordinal of its append (1-based, bigint[]), $8 its ordinal within its append (1-based, bigint[]);
 * $9 the notification channel.
 *
 * Each append's stream head is read in the statement's snapshot. The appends whose expected revision holds take
 * positions one after the other in queue order from the head the update got (so a batch leaves no hole either), and
 * the others write nothing. As in APPEND_SQL, the snapshot can be older than the log head the update waited for: a
 * commit of another process to one of the streams meanwhile, or an event id already stored, makes an insert collide
 * and the whole statement roll back with a unique violation; the caller then settles each append on its own. (Appends
 * of this process cannot collide this way: a stream has one append in flight at a time.)
 *
 * Returns a row per append, in queue order: written (boolean), last_position and last_revision (null when not written).
 * The notification is sent at commit when something was written, and only then.
 */
export const APPEND_BATCH_SQL = `WITH input AS (
  SELECT i.ordinal, i.stream_id, i.event_count, i.expected_revision, i.events, i.recorded_at,
    coalesce((SELECT c.last_revision FROM event_commits AS c WHERE c.stream_id = i.stream_id ORDER BY c.first_revision DESC LIMIT 1), -1) AS revision
  FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::timestamptz[]) WITH ORDINALITY
    AS i (stream_id, event_count, expected_revision, events, recorded_at, ordinal)
),
accepted AS (
  SELECT ordinal, stream_id, event_count, events, recorded_at, revision,
    sum(event_count) OVER (ORDER BY ordinal ROWS UNBOUNDED PRECEDING)::bigint AS end_offset
  FROM input
  WHERE expected_revision IS NULL OR expected_revision = revision
),
total AS (
  SELECT coalesce(sum(event_count), 0)::bigint AS event_count FROM accepted
),
log_head AS (
  UPDATE event_log_head SET position = position + (SELECT event_count FROM total)
  WHERE (SELECT event_count FROM total) > 0
  RETURNING position - (SELECT event_count FROM total) AS base, position
),
commit_rows AS (
  INSERT INTO event_commits (last_position, first_position, stream_id, first_revision, last_revision, events, recorded_at)
  SELECT log_head.base + a.end_offset, log_head.base + a.end_offset - a.event_count + 1, a.stream_id, a.revision + 1, a.revision + a.event_count,
    a.events, a.recorded_at
  FROM log_head, accepted AS a
),
id_rows AS (
  INSERT INTO event_ids (event_id, position)
  SELECT ids.event_id, log_head.base + a.end_offset - a.event_count + ids.event_ordinal
  FROM log_head, unnest($6::text[], $7::bigint[], $8::bigint[]) AS ids (event_id, append_ordinal, event_ordinal)
  JOIN accepted AS a ON a.ordinal = ids.append_ordinal
)
SELECT a.ordinal IS NOT NULL AS written, h.base + a.end_offset AS last_position, a.revision + a.event_count AS last_revision,
  (SELECT pg_notify($9, position::text) FROM log_head) AS notified
FROM input AS i
LEFT JOIN accepted AS a ON a.ordinal = i.ordinal
LEFT JOIN log_head AS h ON a.ordinal IS NOT NULL
ORDER BY i.ordinal`;

/**
 * Taken, inside a transaction, by an append that neither its batch nor the optimistic statement could settle: with the log head locked no
 * other append can commit, so what the next statements read stays true until this transaction ends.
 */
export const APPEND_LOCK_SQL = 'SELECT position FROM event_log_head FOR UPDATE';

/** The log's last committed position. */
export const LOG_HEAD_SQL = 'SELECT position FROM event_log_head';

/** $1: the schema. Serialises schema creation and migrations between processes opening the same schema. */
export const MIGRATION_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('trellis-event-store'), hashtext($1))";
