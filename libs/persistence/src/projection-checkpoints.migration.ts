import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The table where every projection of a service keeps the position of the last event it applied. Add this migration
 * to the service's migrations when it runs projections. Unqualified: it lands in the service's schema, first on the
 * search path.
 */
export class CreateProjectionCheckpoints1795564800000 implements MigrationInterface {
  readonly name = 'CreateProjectionCheckpoints1795564800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE projection_checkpoints (name text PRIMARY KEY, position bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE projection_checkpoints');
  }
}
