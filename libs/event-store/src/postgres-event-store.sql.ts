/**
 * The SQL only the Postgres server adapter runs. The tables, their migrations and the reads are the embedded store's
 * (`event-store.sql.ts`); what differs is how positions are assigned. The embedded store has one writer in one process,
 * which counts positions in memory. On a server, any number of processes append at once, so the log's head lives in
 * the database: one row, `event_log_head`, that every append moves forward in its own transaction.
 *
 * Updating that row locks it until the transaction ends, so appends take positions one transaction at a time, in the
 * order they commit: an append that takes positions after another cannot commit before it, and a reader can never see
 * an event appear behind one it has already read. A transaction that rolls back gives its positions back with its
 * update, so the log has no holes either. A sequence would give neither: its numbers are handed out at insert time,
 * not commit time, and never given back.
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
 * Taken, inside a transaction, by an append the optimistic statement could not settle: with the log head locked no
 * other append can commit, so what the next statements read stays true until this transaction ends.
 */
export const APPEND_LOCK_SQL = 'SELECT position FROM event_log_head FOR UPDATE';

/** The log's last committed position. */
export const LOG_HEAD_SQL = 'SELECT position FROM event_log_head';

/** $1: the schema. Serialises schema creation and migrations between processes opening the same schema. */
export const MIGRATION_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('trellis-event-store'), hashtext($1))";
