import { type RelayCheckpointStore, checkCheckpointName, checkCheckpointPosition } from './relay-checkpoint-store.port.js';

/**
 * Checkpoints in memory, for the embedded mode and tests: gone with the process, so a relay that restarts publishes
 * the whole log again. That fits the in-process bus, which is empty after a restart too.
 */
export class InMemoryRelayCheckpointStore implements RelayCheckpointStore {
  private readonly positions = new Map<string, number>();

  async load(name: string): Promise<number> {
    checkCheckpointName(name);
    return this.positions.get(name) ?? 0;
  }

  async save(name: string, position: number): Promise<void> {
    checkCheckpointName(name);
    checkCheckpointPosition(position);
    if (position > (this.positions.get(name) ?? 0)) this.positions.set(name, position);
  }
}
