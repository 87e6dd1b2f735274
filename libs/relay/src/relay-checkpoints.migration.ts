import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The table of the relays' checkpoints: one row per relay name. Unqualified: it lands in the schema of the data source
 * that runs the migration (the relay's, first on the search path).
 */
export class CreateRelayCheckpoints1795651200000 implements MigrationInterface {
  readonly name = 'CreateRelayCheckpoints1795651200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE relay_checkpoints (name text PRIMARY KEY, position bigint NOT NULL CHECK (position >= 0), updated_at timestamptz NOT NULL DEFAULT now())',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE relay_checkpoints');
  }
}

/** The migrations a data source needs for `PostgresRelayCheckpointStore` (add them to the service's own). */
export const RELAY_MIGRATIONS = [CreateRelayCheckpoints1795651200000] as const;
