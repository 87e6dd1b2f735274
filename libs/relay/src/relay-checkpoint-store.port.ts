/**
 * Where a relay keeps its checkpoint: the global position of the last event it published and saw acknowledged.
 * Restarting from it republishes at most what was published after the last save, never less.
 */
export interface RelayCheckpointStore {
  /** The checkpoint of the relay of that name: 0 when it never saved one (publish from the start of the log). */
  load(name: string): Promise<number>;
  /**
   * Saves the checkpoint. Called only after every event up to `position` was acknowledged by the bus. Never moves a
   * checkpoint backwards: a save below the stored position is ignored.
   */
  save(name: string, position: number): Promise<void>;
}

export function checkCheckpointName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw new TypeError('A relay name is 1 to 200 characters');
}

export function checkCheckpointPosition(position: number): void {
  if (!Number.isSafeInteger(position) || position < 0) throw new RangeError(`A relay checkpoint is an integer >= 0, got ${String(position)}`);
}
