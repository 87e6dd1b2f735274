import { type PostgresOptions, createPostgresDataSource } from '@trellis/persistence';
import type { DataSource } from 'typeorm';
import { RELAY_MIGRATIONS } from './relay-checkpoints.migration.js';
import { type RelayCheckpointStore, checkCheckpointName, checkCheckpointPosition } from './relay-checkpoint-store.port.js';

/** The default schema of the relay's own data source. */
export const RELAY_SCHEMA = 'trellis_relay';

/**
 * Checkpoints in the `relay_checkpoints` table (created by `RELAY_MIGRATIONS`) of a Postgres schema. One statement per
 * save, so a save is atomic; a save never lowers a stored position.
 */
export class PostgresRelayCheckpointStore implements RelayCheckpointStore {
  /** `dataSource` must have run `RELAY_MIGRATIONS` in its schema. `close()` destroys it only if `owned`. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly owned = false,
  ) {}

  /**
   * Opens a data source of its own on `options.schema` (default `trellis_relay`), creating the schema and the table if
   * missing. `close()` closes it.
   */
  static async connect(options: Omit<PostgresOptions, 'schema' | 'migrations'> & { readonly schema?: string }): Promise<PostgresRelayCheckpointStore> {
    const dataSource = await createPostgresDataSource({
      applicationName: 'trellis-relay',
      ...options,
      schema: options.schema ?? RELAY_SCHEMA,
      migrations: [...RELAY_MIGRATIONS],
    });
    return new PostgresRelayCheckpointStore(dataSource, true);
  }

  /** Its data source, for health checks and pool metrics. */
  get database(): DataSource {
    return this.dataSource;
  }

  async load(name: string): Promise<number> {
    checkCheckpointName(name);
    const rows: { position: string }[] = await this.dataSource.query('SELECT position FROM relay_checkpoints WHERE name = $1', [name]);
    return rows.length === 0 ? 0 : Number(rows[0].position);
  }

  async save(name: string, position: number): Promise<void> {
    checkCheckpointName(name);
    checkCheckpointPosition(position);
    await this.dataSource.query(
      `INSERT INTO relay_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at
       WHERE relay_checkpoints.position <= excluded.position`,
      [name, position],
    );
  }

  async close(): Promise<void> {
    if (this.owned && this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
