import { CreateProjectionStreamCheckpoints1796342400000, type MigrationClass } from '@trellis/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The history read model's tables (see `history.entities.ts`). Unqualified names: they land in the service's schema,
 * first on the search path (`TRELLIS_HISTORY_SCHEMA`, default `trellis_history`).
 */
export class CreateHistoryTables1796428800000 implements MigrationInterface {
  readonly name = 'CreateHistoryTables1796428800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE process_definitions (id text NOT NULL, process_id text NOT NULL, name text, version integer NOT NULL, deployment_id text NOT NULL,
        resource_name text NOT NULL, deployed_at timestamptz NOT NULL, CONSTRAINT process_definitions_pkey PRIMARY KEY (id))`,
      'CREATE INDEX process_definitions_process_id_idx ON process_definitions (process_id)',

      `CREATE TABLE element_definitions (process_definition_id text NOT NULL, element_id text NOT NULL, element_type text NOT NULL, name text,
        CONSTRAINT element_definitions_pkey PRIMARY KEY (process_definition_id, element_id))`,

      `CREATE TABLE process_instances (id text NOT NULL, process_definition_id text NOT NULL, process_id text NOT NULL, version integer NOT NULL,
        business_key text, state text NOT NULL, open_incidents integer NOT NULL DEFAULT 0, start_time timestamptz NOT NULL, end_time timestamptz,
        duration_ms bigint, CONSTRAINT process_instances_pkey PRIMARY KEY (id))`,
      'CREATE INDEX process_instances_process_id_idx ON process_instances (process_id, start_time)',
      'CREATE INDEX process_instances_definition_idx ON process_instances (process_definition_id, start_time)',
      'CREATE INDEX process_instances_business_key_idx ON process_instances (business_key)',
      'CREATE INDEX process_instances_start_time_idx ON process_instances (start_time)',
      'CREATE INDEX process_instances_end_time_idx ON process_instances (end_time)',
      'CREATE INDEX process_instances_state_idx ON process_instances (state, start_time)',

      `CREATE TABLE element_instances (id text NOT NULL, process_instance_id text NOT NULL, process_definition_id text, element_id text NOT NULL, element_type text NOT NULL,
        flow_scope_instance_id text NOT NULL, loop_counter integer, state text NOT NULL, start_time timestamptz NOT NULL, end_time timestamptz,
        duration_ms bigint, stream_revision bigint NOT NULL, CONSTRAINT element_instances_pkey PRIMARY KEY (id))`,
      'CREATE INDEX element_instances_instance_idx ON element_instances (process_instance_id, stream_revision)',
      'CREATE INDEX element_instances_element_idx ON element_instances (element_id)',
      'CREATE INDEX element_instances_start_time_idx ON element_instances (start_time)',

      `CREATE TABLE variables (scope_instance_id text NOT NULL, name text NOT NULL, process_instance_id text NOT NULL, value jsonb NOT NULL,
        revision integer NOT NULL, create_time timestamptz NOT NULL, update_time timestamptz NOT NULL,
        CONSTRAINT variables_pkey PRIMARY KEY (scope_instance_id, name))`,
      'CREATE INDEX variables_instance_idx ON variables (process_instance_id, name)',
      'CREATE INDEX variables_name_idx ON variables (name)',

      `CREATE TABLE variable_updates (scope_instance_id text NOT NULL, name text NOT NULL, revision integer NOT NULL, process_instance_id text NOT NULL,
        value jsonb NOT NULL, time timestamptz NOT NULL, stream_revision bigint NOT NULL,
        CONSTRAINT variable_updates_pkey PRIMARY KEY (scope_instance_id, name, revision))`,
      'CREATE INDEX variable_updates_instance_idx ON variable_updates (process_instance_id, stream_revision)',

      `CREATE TABLE jobs (id text NOT NULL, type text NOT NULL, state text NOT NULL, retries integer NOT NULL, failures integer NOT NULL DEFAULT 0,
        error_message text, process_instance_id text NOT NULL, process_definition_id text, process_id text, element_id text NOT NULL,
        element_instance_id text NOT NULL, custom_headers jsonb NOT NULL, create_time timestamptz NOT NULL, end_time timestamptz,
        last_failure_time timestamptz, retry_at timestamptz, CONSTRAINT jobs_pkey PRIMARY KEY (id))`,
      'CREATE INDEX jobs_instance_idx ON jobs (process_instance_id)',
      'CREATE INDEX jobs_type_state_idx ON jobs (type, state)',
      'CREATE INDEX jobs_create_time_idx ON jobs (create_time)',

      `CREATE TABLE incidents (id text NOT NULL, type text NOT NULL, state text NOT NULL, message text NOT NULL, process_instance_id text NOT NULL,
        process_definition_id text, process_id text, element_id text NOT NULL, element_instance_id text NOT NULL, job_id text,
        create_time timestamptz NOT NULL, resolve_time timestamptz, CONSTRAINT incidents_pkey PRIMARY KEY (id))`,
      'CREATE INDEX incidents_instance_idx ON incidents (process_instance_id)',
      'CREATE INDEX incidents_state_idx ON incidents (state, create_time)',

      `CREATE TABLE user_tasks (id text NOT NULL, name text, state text NOT NULL, process_instance_id text NOT NULL, process_definition_id text,
        process_id text, element_id text NOT NULL, element_instance_id text NOT NULL, assignee text, candidate_groups text[] NOT NULL,
        candidate_users text[] NOT NULL, due_date text, due_time timestamptz, follow_up_date text, follow_up_time timestamptz, priority integer,
        form_key text, form_id text, create_time timestamptz NOT NULL, end_time timestamptz, CONSTRAINT user_tasks_pkey PRIMARY KEY (id))`,
      'CREATE INDEX user_tasks_instance_idx ON user_tasks (process_instance_id)',
      'CREATE INDEX user_tasks_assignee_idx ON user_tasks (assignee, state)',
      'CREATE INDEX user_tasks_candidate_groups_idx ON user_tasks USING gin (candidate_groups)',
      'CREATE INDEX user_tasks_candidate_users_idx ON user_tasks USING gin (candidate_users)',
      'CREATE INDEX user_tasks_create_time_idx ON user_tasks (create_time)',
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['user_tasks', 'incidents', 'jobs', 'variable_updates', 'variables', 'element_instances', 'process_instances', 'element_definitions', 'process_definitions']) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}

/** Call activities: an instance started by one records its caller, so that the history can go from parent to child. */
export class AddProcessInstanceParents1796947200000 implements MigrationInterface {
  readonly name = 'AddProcessInstanceParents1796947200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE process_instances ADD COLUMN parent_process_instance_id text, ADD COLUMN parent_element_instance_id text');
    await queryRunner.query('CREATE INDEX process_instances_parent_idx ON process_instances (parent_process_instance_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX process_instances_parent_idx');
    await queryRunner.query('ALTER TABLE process_instances DROP COLUMN parent_process_instance_id, DROP COLUMN parent_element_instance_id');
  }
}

/**
 * Decision evaluations, from the dmn-service's `trellis.decision-evaluations.v1` topic (not from the process-instance
 * events, so a rebuild of the history leaves them as they are).
 */
export class CreateDecisionEvaluations1797033600000 implements MigrationInterface {
  readonly name = 'CreateDecisionEvaluations1797033600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE decision_evaluations (id text NOT NULL, decision_id text NOT NULL, decision_definition_id text NOT NULL, version integer NOT NULL,
        process_instance_id text, element_instance_id text, job_id text, inputs jsonb NOT NULL, output jsonb, matched_rules jsonb NOT NULL,
        evaluated_decisions jsonb NOT NULL, failed boolean NOT NULL, failure_reason text, evaluated_at timestamptz NOT NULL,
        CONSTRAINT decision_evaluations_pkey PRIMARY KEY (id))`,
    );
    await queryRunner.query('CREATE INDEX decision_evaluations_decision_idx ON decision_evaluations (decision_id, evaluated_at)');
    await queryRunner.query('CREATE INDEX decision_evaluations_instance_idx ON decision_evaluations (process_instance_id)');
    await queryRunner.query('CREATE INDEX decision_evaluations_time_idx ON decision_evaluations (evaluated_at)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE decision_evaluations');
  }
}

/** Every migration of the history service's schema, in order: the per-stream checkpoints, then the read model. */
export const historyMigrations: readonly MigrationClass[] = [
  CreateProjectionStreamCheckpoints1796342400000,
  CreateHistoryTables1796428800000,
  AddProcessInstanceParents1796947200000,
  CreateDecisionEvaluations1797033600000,
];
