/**
 * Leadership among the replicas of a service that each run a relay of the same name: only the leader publishes. The
 * others wait in state `standby` and take over when the leader's lease is lost (its process died, its connection
 * dropped). Two relays that both believe they lead for a moment cost duplicates, never a gap or a reordering: each
 * publishes in position order from an acknowledged checkpoint (see docs/relay.md, "Leadership").
 */
export interface RelayLeadership {
  /**
   * Resolves with a lease once this relay leads, trying again (every poll interval) while another holds it; resolves
   * undefined when `signal` aborts first. Rejects when the lock cannot be reached (the relay pauses and asks again).
   */
  acquire(signal: AbortSignal): Promise<RelayLease | undefined>;
}

export interface RelayLease {
  /** Aborts when the leadership is lost: the relay stops publishing and goes back to standby. */
  readonly lost: AbortSignal;
  /** Gives the leadership up (the relay stopped). Idempotent. */
  release(): Promise<void>;
}
