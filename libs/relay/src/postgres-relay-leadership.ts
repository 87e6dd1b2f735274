import pg from 'pg';
import type { RelayLeadership, RelayLease } from './relay-leadership.port.js';

export interface PostgresRelayLeadershipOptions {
  /** The Postgres server that arbitrates (`TRELLIS_POSTGRES_URL`): any database all replicas reach. */
  readonly url: string;
  /** The lock's name: the relay's name, so relays of different services never wait for each other. */
  readonly name: string;
  /** How often a standby relay asks for the lock (default 1,000 ms). */
  readonly pollIntervalMs?: number;
  /**
   * How often the leader checks that its lock connection still answers (default 2,000 ms): a connection that died
   * without a word (a network partition) is noticed within this plus `queryTimeoutMs`.
   */
  readonly heartbeatIntervalMs?: number;
  /** Time to open the connection (default 5,000 ms). */
  readonly connectionTimeoutMs?: number;
  /** Time for the lock query or a heartbeat to answer (default 5,000 ms). */
  readonly queryTimeoutMs?: number;
  /** `application_name` of the lock connection (default `trellis-relay-leader`): operators find it in pg_stat_activity. */
  readonly applicationName?: string;
}

/**
 * Leadership by a Postgres session advisory lock, `pg_try_advisory_lock(hashtext(name))`, on a connection of its own that
 * the leader holds as long as it leads. The server releases the lock when that session ends, so a leader that dies, is
 * killed or loses its connection frees it for a standby relay within the standby's poll interval. The leader learns
 * of a lost connection from the client's error event or its next heartbeat, and stops publishing.
 */
export class PostgresRelayLeadership implements RelayLeadership {
  private readonly pollIntervalMs: number;
  private readonly heartbeatIntervalMs: number;

  constructor(private readonly options: PostgresRelayLeadershipOptions) {
    if (options.name.length === 0) throw new TypeError('A leadership lock needs a name');
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 2_000;
  }

  async acquire(signal: AbortSignal): Promise<RelayLease | undefined> {
    if (signal.aborted) return undefined;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName ?? 'trellis-relay-leader',
      connectionTimeoutMillis: this.options.connectionTimeoutMs ?? 5_000,
      query_timeout: this.options.queryTimeoutMs ?? 5_000,
      keepAlive: true,
    });
    let failure: Error | undefined;
    const onError = (error: Error): void => {
      failure = error;
    };
    client.on('error', onError);
    try {
      await client.connect();
      while (!signal.aborted) {
        if (failure !== undefined) throw failure;
        const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.options.name]);
        if (result.rows[0]?.locked === true) {
          client.off('error', onError);
          return new PostgresRelayLease(client, this.heartbeatIntervalMs);
        }
        await pause(this.pollIntervalMs, signal);
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    await client.end().catch(() => undefined);
    return undefined;
  }
}

class PostgresRelayLease implements RelayLease {
  private readonly lost$ = new AbortController();
  private readonly heartbeat: NodeJS.Timeout;
  private released: Promise<void> | undefined;

  constructor(
    private readonly client: pg.Client,
    heartbeatIntervalMs: number,
  ) {
    client.on('error', () => this.lose());
    client.on('end', () => this.lose());
    this.heartbeat = setInterval(() => {
      client.query('SELECT 1').catch(() => this.lose());
    }, heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  get lost(): AbortSignal {
    return this.lost$.signal;
  }

  release(): Promise<void> {
    this.released ??= (async () => {
      clearInterval(this.heartbeat);
      this.lost$.abort();
      // Ending the session releases its advisory locks.
      await this.client.end().catch(() => undefined);
    })();
    return this.released;
  }

  private lose(): void {
    if (this.lost$.signal.aborted) return;
    this.lost$.abort();
    void this.release();
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
