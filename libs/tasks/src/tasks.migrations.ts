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

/**
 * The task operations and the task queries (issue 7):
 *
 * - `user_tasks` gains what the operations change and the queries filter by: `category`, `tenant_id`, `business_key`
 *   (the instance's, copied at creation), `owner` and `delegation_state` (delegation, as Camunda 7 has it),
 *   `follow_up_at` (the follow-up date as a time, for ranges and sorting, like `due_at`), and `completion_request_id`
 *   (the `Idempotency-Key` of the completion in flight).
 * - `task_process_instances` keeps the business key, for the tasks created later in the instance.
 * - `task_events`: every change of a task, who made it and when (its history).
 * - `task_comments`: the comment log of a task.
 * - `task_completion_requests`: the answer to each completion request id, so a repeat answers the same.
 * - indexes for each filter of the task list, so that a filtered page is an index scan.
 */
export class UserTaskOperations1796601600000 implements MigrationInterface {
  readonly name = 'UserTaskOperations1796601600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE user_tasks
        ADD COLUMN category text,
        ADD COLUMN tenant_id text,
        ADD COLUMN business_key text,
        ADD COLUMN owner text,
        ADD COLUMN delegation_state text CHECK (delegation_state IN ('PENDING', 'RESOLVED')),
        ADD COLUMN follow_up_at timestamptz,
        ADD COLUMN completion_request_id text`);
    await queryRunner.query('ALTER TABLE task_process_instances ADD COLUMN business_key text');
    // Follow-up dates of existing tasks that read as a time (the projection does the same for new ones).
    await queryRunner.query(`
      DO $$
      DECLARE task record;
      BEGIN
        FOR task IN SELECT id, follow_up_date FROM user_tasks WHERE follow_up_date IS NOT NULL LOOP
          BEGIN
            UPDATE user_tasks SET follow_up_at = task.follow_up_date::timestamptz WHERE id = task.id;
          EXCEPTION WHEN others THEN NULL;
          END;
        END LOOP;
      END $$`);
    await queryRunner.query(`
      CREATE TABLE task_events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        task_id text NOT NULL,
        type text NOT NULL,
        actor text,
        at timestamptz NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query('CREATE INDEX task_events_task ON task_events (task_id, seq)');
    await queryRunner.query(`
      CREATE TABLE task_comments (
        id text PRIMARY KEY,
        task_id text NOT NULL,
        author text,
        message text NOT NULL,
        created_at timestamptz NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY
      )`);
    await queryRunner.query('CREATE INDEX task_comments_task ON task_comments (task_id, seq)');
    await queryRunner.query(`
      CREATE TABLE task_completion_requests (
        task_id text NOT NULL,
        request_id text NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (task_id, request_id)
      )`);
    // The open-task list is what a tasklist asks for: its filters lead with the state, ordered as the default sort.
    await queryRunner.query('CREATE INDEX user_tasks_assignee_state ON user_tasks (assignee, state, created_at, seq)');
    await queryRunner.query('CREATE INDEX user_tasks_unassigned ON user_tasks (state, created_at, seq) WHERE assignee IS NULL');
    await queryRunner.query('CREATE INDEX user_tasks_business_key ON user_tasks (business_key)');
    await queryRunner.query('CREATE INDEX user_tasks_element ON user_tasks (element_id, state)');
    await queryRunner.query('CREATE INDEX user_tasks_due ON user_tasks (due_at, created_at, seq)');
    await queryRunner.query('CREATE INDEX user_tasks_follow_up ON user_tasks (follow_up_at, created_at, seq)');
    await queryRunner.query('CREATE INDEX user_tasks_priority ON user_tasks (priority, created_at, seq)');
    await queryRunner.query('CREATE INDEX user_tasks_category ON user_tasks (category)');
    await queryRunner.query('CREATE INDEX user_tasks_tenant ON user_tasks (tenant_id)');
    await queryRunner.query('CREATE INDEX task_variable_scopes_variables ON task_variable_scopes USING gin (variables jsonb_path_ops)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX task_variable_scopes_variables');
    for (const index of ['assignee_state', 'unassigned', 'business_key', 'element', 'due', 'follow_up', 'priority', 'category', 'tenant']) {
      await queryRunner.query(`DROP INDEX user_tasks_${index}`);
    }
    await queryRunner.query('DROP TABLE task_completion_requests');
    await queryRunner.query('DROP TABLE task_comments');
    await queryRunner.query('DROP TABLE task_events');
    await queryRunner.query('ALTER TABLE task_process_instances DROP COLUMN business_key');
    await queryRunner.query(`
      ALTER TABLE user_tasks DROP COLUMN category, DROP COLUMN tenant_id, DROP COLUMN business_key, DROP COLUMN owner,
        DROP COLUMN delegation_state, DROP COLUMN follow_up_at, DROP COLUMN completion_request_id`);
  }
}

/**
 * Task listeners (issue 7): a completing listener may deny a completion; `user_tasks.denied_reason` keeps why, shown
 * with the task until the next completion is asked for.
 */
export class UserTaskListenerDenials1796688000000 implements MigrationInterface {
  readonly name = 'UserTaskListenerDenials1796688000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE user_tasks ADD COLUMN denied_reason text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE user_tasks DROP COLUMN denied_reason');
  }
}

/** The deployed forms the task-service serves with its tasks and checks completions against (`FormDefinitionsProjection`). */
export class CreateFormDefinitions1796774400000 implements MigrationInterface {
  readonly name = 'CreateFormDefinitions1796774400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE form_definitions (
        id text PRIMARY KEY,
        form_id text NOT NULL,
        version integer NOT NULL,
        resource_name text NOT NULL,
        deployment_id text NOT NULL,
        deployed_at timestamptz NOT NULL,
        deployment_revision bigint NOT NULL,
        sha256 text NOT NULL,
        content text NOT NULL,
        UNIQUE (form_id, version)
      )`);
    await queryRunner.query('CREATE INDEX form_definitions_resource_name ON form_definitions (resource_name, deployment_revision)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE form_definitions');
  }
}

/** Every migration of the task-service's schema, in order. */
export const TASKS_MIGRATIONS: readonly MigrationClass[] = [
  CreateProjectionStreamCheckpoints1796342400000,
  CreateUserTasks1796428800000,
  UserTaskOperations1796601600000,
  UserTaskListenerDenials1796688000000,
  CreateFormDefinitions1796774400000,
];
