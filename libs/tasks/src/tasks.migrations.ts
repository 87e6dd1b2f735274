import { CreateProjectionStreamCheckpoints1796342400000, type MigrationClass } from '@trellis/persistence';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The task-service's tables, in its own schema (`TRELLIS_TASKS_SCHEMA`), unqualified: the schema is first on the
 * search path.
 *
 * - `user_tasks`: one row per user task, projected from the process-instance events, plus what only the task-service
 *   knows (a claim, a completion in flight and its command id, the last rejection).
 * - `task_process_instances`: the live instances, for the definition a task belongs to (`UserTaskCreated` does not
 *   carry it); a row goes when its instance ends.
 * - `task_variable_scopes`: the live variable scopes (the instance and each live element instance, with its enclosing
 *   scope and its variables), so an open task shows the variables its element sees; a row goes when its scope ends.
 * - `task_outbox`: runtime commands committed with the state change that asked for them, until they are published.
 */
export class CreateUserTasks1796428800000 implements MigrationInterface {
  readonly name = 'CreateUserTasks1796428800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE user_tasks (
        id text PRIMARY KEY,
        process_instance_id text NOT NULL,
        process_definition_id text NOT NULL,
        process_id text NOT NULL,
        element_id text NOT NULL,
        element_instance_id text NOT NULL,
        name text,
        assignee text,
        candidate_users text[] NOT NULL DEFAULT '{}',
        candidate_groups text[] NOT NULL DEFAULT '{}',
        due_date text,
        due_at timestamptz,
        follow_up_date text,
        priority double precision,
        form_key text,
        form_id text,
        state text NOT NULL CHECK (state IN ('CREATED', 'COMPLETING', 'COMPLETED', 'CANCELED')),
        created_at timestamptz NOT NULL,
        completed_at timestamptz,
        pending_command_id text UNIQUE,
        last_error text,
        seq bigint GENERATED ALWAYS AS IDENTITY
      )`);
    await queryRunner.query('CREATE INDEX user_tasks_state_created ON user_tasks (state, created_at, seq)');
    await queryRunner.query('CREATE INDEX user_tasks_created ON user_tasks (created_at, seq)');
    await queryRunner.query('CREATE INDEX user_tasks_assignee ON user_tasks (assignee)');
    await queryRunner.query('CREATE INDEX user_tasks_candidate_users ON user_tasks USING gin (candidate_users)');
    await queryRunner.query('CREATE INDEX user_tasks_candidate_groups ON user_tasks USING gin (candidate_groups)');
    await queryRunner.query('CREATE INDEX user_tasks_process_instance ON user_tasks (process_instance_id)');
    await queryRunner.query('CREATE INDEX user_tasks_process_definition ON user_tasks (process_definition_id)');
    await queryRunner.query('CREATE INDEX user_tasks_element_instance ON user_tasks (element_instance_id)');
    await queryRunner.query(`
      CREATE TABLE task_process_instances (
        id text PRIMARY KEY,
        process_definition_id text NOT NULL,
        process_id text NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE task_variable_scopes (
        scope_id text PRIMARY KEY,
        process_instance_id text NOT NULL,
        parent_scope_id text,
        variables jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query('CREATE INDEX task_variable_scopes_process_instance ON task_variable_scopes (process_instance_id)');
    await queryRunner.query(`
      CREATE TABLE task_outbox (
        command_id text PRIMARY KEY,
        message jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        seq bigint GENERATED ALWAYS AS IDENTITY
      )`);
    await queryRunner.query('CREATE INDEX task_outbox_seq ON task_outbox (seq)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE task_outbox');
    await queryRunner.query('DROP TABLE task_variable_scopes');
    await queryRunner.query('DROP TABLE task_process_instances');
    await queryRunner.query('DROP TABLE user_tasks');
  }
}

/** Every migration of the task-service's schema, in order. */
export const TASKS_MIGRATIONS: readonly MigrationClass[] = [CreateProjectionStreamCheckpoints1796342400000, CreateUserTasks1796428800000];
