import { randomUUID } from 'node:crypto';

import type { JsonValue, ProcessInstanceState } from '@trellis/engine';
import type { EventStore, NewEvent } from '@trellis/event-store';

/**
 * Snapshots of long process-instance streams, so that loading an instance reads the latest snapshot and the events
 * after it instead of its whole history. They live in the event store itself, one stream per instance
 * (`snapshot-process-instance-<id>`, one event per snapshot), so every store adapter keeps them and nothing else has
 * to be backed up. No topic is published for these streams (the relay passes them over) and the read models ignore
 * them. A snapshot is a cache: deleting the streams loses nothing.
 */
export const PROCESS_INSTANCE_SNAPSHOT_STREAM_PREFIX = 'snapshot-process-instance-';
export const processInstanceSnapshotStream = (processInstanceId: string): string => `${PROCESS_INSTANCE_SNAPSHOT_STREAM_PREFIX}${processInstanceId}`;

export const PROCESS_INSTANCE_SNAPSHOT_EVENT_TYPE = 'ProcessInstanceSnapshotTaken';

/**
 * The version of what a snapshot holds: the engine's `ProcessInstanceState` as JSON and the runtime's recent command
 * ids. Raise it whenever either changes shape: snapshots of another version are ignored (the instance is replayed
 * from its first event), never trusted.
 */
export const PROCESS_INSTANCE_SNAPSHOT_VERSION = 1;

export interface ProcessInstanceSnapshot {
  readonly version: number;
  /** The stream revision the state is at. */
  readonly revision: number;
  /** The id of the event at `revision`: a load checks it, so a snapshot of another stream's history is never used. */
  readonly eventId: string;
  readonly state: ProcessInstanceState;
  /** Recent command ids with the stream revision after each, oldest first. */
  readonly recentCommands: readonly (readonly [string, number])[];
}

/** Why the latest snapshot of an instance was not used, or the snapshot. */
export type SnapshotLookup =
  | { readonly found: 'none' }
  | { readonly found: 'ignored'; readonly reason: string }
  | { readonly found: 'usable'; readonly snapshot: ProcessInstanceSnapshot };

/** The latest snapshot of an instance, if there is one of this version. Two one-event reads. */
export async function readLatestSnapshot(store: EventStore, processInstanceId: string): Promise<SnapshotLookup> {
  const stream = processInstanceSnapshotStream(processInstanceId);
  const last = await store.streamRevision(stream);
  if (last === undefined) return { found: 'none' };
  const [recorded] = await store.readStream(stream, { fromRevision: last, maxCount: 1 });
  if (recorded === undefined) return { found: 'none' };
  return checkSnapshot(recorded.data);
}

/** A stored snapshot's data, checked for the version and shape this runtime writes. */
export function checkSnapshot(data: JsonValue): SnapshotLookup {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { found: 'ignored', reason: 'not a JSON object' };
  const { version, revision, eventId, state, recentCommands } = data as Record<string, JsonValue | undefined>;
  if (version !== PROCESS_INSTANCE_SNAPSHOT_VERSION) {
    return { found: 'ignored', reason: `snapshot version ${JSON.stringify(version)}, this runtime reads ${PROCESS_INSTANCE_SNAPSHOT_VERSION}` };
  }
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision < 0) return { found: 'ignored', reason: 'no revision' };
  if (typeof eventId !== 'string') return { found: 'ignored', reason: 'no event id' };
  if (typeof state !== 'object' || state === null || Array.isArray(state) || typeof (state as { status?: unknown }).status !== 'string') {
    return { found: 'ignored', reason: 'no state' };
  }
  const commands = Array.isArray(recentCommands) ? recentCommands : [];
  if (!commands.every((entry) => Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number')) {
    return { found: 'ignored', reason: 'malformed recent commands' };
  }
  return {
    found: 'usable',
    snapshot: {
      version,
      revision,
      eventId,
      state: state as unknown as ProcessInstanceState,
      recentCommands: commands as unknown as readonly (readonly [string, number])[],
    },
  };
}

/** Appends a snapshot to the instance's snapshot stream (no revision check: the latest one appended wins). */
export async function writeSnapshot(store: EventStore, processInstanceId: string, snapshot: Omit<ProcessInstanceSnapshot, 'version'>): Promise<void> {
  const event: NewEvent = {
    id: randomUUID(),
    type: PROCESS_INSTANCE_SNAPSHOT_EVENT_TYPE,
    data: { version: PROCESS_INSTANCE_SNAPSHOT_VERSION, ...snapshot } as unknown as JsonValue,
    metadata: { processInstanceId },
  };
  await store.appendToStream(processInstanceSnapshotStream(processInstanceId), [event], { expectedRevision: 'any' });
}
