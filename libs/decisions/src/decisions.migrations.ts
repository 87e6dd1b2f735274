import { CreateProjectionStreamCheckpoints1796342400000, type MigrationClass } from '@trellis/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The dmn-service's tables, in its own schema (`TRELLIS_DMN_SCHEMA`, default `trellis_dmn`), unqualified: the schema
 * is first on the search path.
 *
 * - `dmn_resources`: the DMN resources of each deployment, as deployed.
 * - `decision_definitions`: one row per decision id and version, projected from `DeploymentCreated`.
 * - `decision_jobs`: the open decision jobs (created, not yet completed or canceled), so that a job offered again after
 *   its incident was resolved is recognised as one.
 */
export class CreateDecisionDefinitions1796515200000 implements MigrationInterface {
  readonly name = 'CreateDecisionDefinitions1796515200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dmn_resources (
        deployment_id text NOT NULL,
        resource_name text NOT NULL,
        sha256 text NOT NULL,
        xml text NOT NULL,
        PRIMARY KEY (deployment_id, resource_name)
      )`);
    await queryRunner.query(`
      CREATE TABLE decision_definitions (
        id text PRIMARY KEY,
        decision_id text NOT NULL,
        name text,
        version integer NOT NULL,
        version_tag text,
        decision_requirements_id text,
        decision_requirements_name text,
        resource_name text NOT NULL,
        deployment_id text NOT NULL,
        deployed_at timestamptz NOT NULL,
        UNIQUE (decision_id, version)
      )`);
    await queryRunner.query(`
      CREATE TABLE decision_jobs (
        job_id text PRIMARY KEY,
        process_instance_id text NOT NULL,
        decision_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE decision_jobs');
    await queryRunner.query('DROP TABLE decision_definitions');
    await queryRunner.query('DROP TABLE dmn_resources');
  }
}

/**
 * What a decision job is evaluated with, kept with the open job: its headers (binding, result variable,
 * `mapDecisionResult`) and the variables its `JobCreated` carried. A job offered again after its incident was resolved
 * is answered from them (its `JobRetriesUpdated` carries neither). Rows of jobs created before: empty, so such a job
 * names no decision it can evaluate and gets an incident that says so.
 */
export class AddDecisionJobInputs1796860800000 implements MigrationInterface {
  readonly name = 'AddDecisionJobInputs1796860800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE decision_jobs ADD COLUMN headers jsonb NOT NULL DEFAULT '{}', ADD COLUMN variables jsonb NOT NULL DEFAULT '{}'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE decision_jobs DROP COLUMN headers, DROP COLUMN variables');
  }
}

/**
 * `process_deployments`: the deployment each process definition came from, projected from `DeploymentCreated`, so that
 * a business rule task bound to its `deployment` evaluates the decision deployed with its process. Deployments
 * projected before this migration have no rows: such a task gets an incident saying its process's deployment is not
 * known (replay the projection to fill them).
 */
export class AddProcessDeployments1797465600000 implements MigrationInterface {
  readonly name = 'AddProcessDeployments1797465600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE process_deployments (process_definition_id text PRIMARY KEY, deployment_id text NOT NULL)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE process_deployments');
  }
}

/** Every migration of the dmn-service's schema, in order. */
export const DECISIONS_MIGRATIONS: readonly MigrationClass[] = [
  CreateProjectionStreamCheckpoints1796342400000,
  CreateDecisionDefinitions1796515200000,
  AddDecisionJobInputs1796860800000,
  AddProcessDeployments1797465600000,
];
