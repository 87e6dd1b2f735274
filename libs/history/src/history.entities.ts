import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The history read model: one table per kind of thing an operator looks back at. The tables are created by
 * `historyMigrations` (never by `synchronize`); these classes describe them for queries, and a test checks that
 * TypeORM finds nothing to change between the two.
 *
 * Times are `timestamptz`. Durations are whole milliseconds (`bigint`, returned as text by pg: the query layer turns
 * them into numbers). `stream_revision` is the revision of the event that created the row in its process-instance
 * stream: it orders rows of one instance exactly as the engine produced them.
 */

const timestamp = { type: 'timestamptz' } as const;
const optionalTimestamp = { type: 'timestamptz', nullable: true } as const;
const optionalText = { type: 'text', nullable: true } as const;

/** Deployed process definitions, from `DeploymentCreated` (topic `trellis.deployments.v1`): names for the views. */
@Entity({ name: 'process_definitions' })
@Index('process_definitions_process_id_idx', ['processId'])
export class ProcessDefinitionEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'process_id', type: 'text' })
  processId!: string;

  @Column(optionalText)
  name!: string | null;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'deployment_id', type: 'text' })
  deploymentId!: string;

  @Column({ name: 'resource_name', type: 'text' })
  resourceName!: string;

  @Column({ name: 'deployed_at', ...timestamp })
  deployedAt!: Date;
}

/** The flow nodes of each definition, with their names (compiled from the deployed BPMN). */
@Entity({ name: 'element_definitions' })
export class ElementDefinitionEntity {
  @PrimaryColumn({ name: 'process_definition_id', type: 'text' })
  processDefinitionId!: string;

  @PrimaryColumn({ name: 'element_id', type: 'text' })
  elementId!: string;

  @Column({ name: 'element_type', type: 'text' })
  elementType!: string;

  @Column(optionalText)
  name!: string | null;
}

@Entity({ name: 'process_instances' })
@Index('process_instances_process_id_idx', ['processId', 'startTime'])
@Index('process_instances_definition_idx', ['processDefinitionId', 'startTime'])
@Index('process_instances_business_key_idx', ['businessKey'])
@Index('process_instances_start_time_idx', ['startTime'])
@Index('process_instances_end_time_idx', ['endTime'])
@Index('process_instances_state_idx', ['state', 'startTime'])
@Index('process_instances_parent_idx', ['parentProcessInstanceId'])
export class ProcessInstanceEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'process_definition_id', type: 'text' })
  processDefinitionId!: string;

  @Column({ name: 'process_id', type: 'text' })
  processId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'business_key', ...optionalText })
  businessKey!: string | null;

  /** For an instance started by a call activity: the calling instance and its call activity instance. */
  @Column({ name: 'parent_process_instance_id', ...optionalText })
  parentProcessInstanceId!: string | null;

  @Column({ name: 'parent_element_instance_id', ...optionalText })
  parentElementInstanceId!: string | null;

  /** ACTIVE, COMPLETED or TERMINATED; the API shows INCIDENT for an active instance with open incidents. */
  @Column({ type: 'text' })
  state!: string;

  @Column({ name: 'open_incidents', type: 'integer', default: 0 })
  openIncidents!: number;

  @Column({ name: 'start_time', ...timestamp })
  startTime!: Date;

  @Column({ name: 'end_time', ...optionalTimestamp })
  endTime!: Date | null;

  @Column({ name: 'duration_ms', type: 'bigint', nullable: true })
  durationMs!: string | null;

  /** Joined by the queries (not a column): the definition's name. */
  definition?: ProcessDefinitionEntity | null;
}

@Entity({ name: 'element_instances' })
@Index('element_instances_instance_idx', ['processInstanceId', 'streamRevision'])
@Index('element_instances_element_idx', ['elementId'])
@Index('element_instances_start_time_idx', ['startTime'])
export class ElementInstanceEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'process_instance_id', type: 'text' })
  processInstanceId!: string;

  @Column({ name: 'process_definition_id', ...optionalText })
  processDefinitionId!: string | null;

  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  @Column({ name: 'element_type', type: 'text' })
  elementType!: string;

  @Column({ name: 'flow_scope_instance_id', type: 'text' })
  flowScopeInstanceId!: string;

  @Column({ name: 'loop_counter', type: 'integer', nullable: true })
  loopCounter!: number | null;

  /** ACTIVATING, ACTIVATED, COMPLETING, COMPLETED, TERMINATING or TERMINATED. */
  @Column({ type: 'text' })
  state!: string;

  @Column({ name: 'start_time', ...timestamp })
  startTime!: Date;

  @Column({ name: 'end_time', ...optionalTimestamp })
  endTime!: Date | null;

  @Column({ name: 'duration_ms', type: 'bigint', nullable: true })
  durationMs!: string | null;

  @Column({ name: 'stream_revision', type: 'bigint' })
  streamRevision!: string;

  /** Joined by the queries (not a column): the element's name and type in its definition. */
  definition?: ElementDefinitionEntity | null;
}

/** The current value of each variable, per scope (the process instance, or an element instance for local variables). */
@Entity({ name: 'variables' })
@Index('variables_instance_idx', ['processInstanceId', 'name'])
@Index('variables_name_idx', ['name'])
export class VariableEntity {
  @PrimaryColumn({ name: 'scope_instance_id', type: 'text' })
  scopeInstanceId!: string;

  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ name: 'process_instance_id', type: 'text' })
  processInstanceId!: string;

  @Column({ type: 'jsonb' })
  value!: unknown;

  /** 1 when created, +1 at each update. */
  @Column({ type: 'integer' })
  revision!: number;

  @Column({ name: 'create_time', ...timestamp })
  createTime!: Date;

  @Column({ name: 'update_time', ...timestamp })
  updateTime!: Date;
}

/** Every value a variable took, in order. */
@Entity({ name: 'variable_updates' })
@Index('variable_updates_instance_idx', ['processInstanceId', 'streamRevision'])
export class VariableUpdateEntity {
  @PrimaryColumn({ name: 'scope_instance_id', type: 'text' })
  scopeInstanceId!: string;

  @PrimaryColumn({ type: 'text' })
  name!: string;

  @PrimaryColumn({ type: 'integer' })
  revision!: number;

  @Column({ name: 'process_instance_id', type: 'text' })
  processInstanceId!: string;

  @Column({ type: 'jsonb' })
  value!: unknown;

  @Column(timestamp)
  time!: Date;

  @Column({ name: 'stream_revision', type: 'bigint' })
  streamRevision!: string;
}

@Entity({ name: 'jobs' })
@Index('jobs_instance_idx', ['processInstanceId'])
@Index('jobs_type_state_idx', ['type', 'state'])
@Index('jobs_create_time_idx', ['createTime'])
export class JobEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  /** CREATED, FAILED (retries left), INCIDENT (no retries left), ERROR_THROWN (its worker threw a BPMN error), COMPLETED or CANCELED. */
  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'integer' })
  retries!: number;

  /** How often a worker reported it failed. */
  @Column({ type: 'integer', default: 0 })
  failures!: number;

  @Column({ name: 'error_message', ...optionalText })
  errorMessage!: string | null;

  @Column({ name: 'process_instance_id', type: 'text' })
  processInstanceId!: string;

  @Column({ name: 'process_definition_id', ...optionalText })
  processDefinitionId!: string | null;

  @Column({ name: 'process_id', ...optionalText })
  processId!: string | null;

  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  @Column({ name: 'element_instance_id', type: 'text' })
  elementInstanceId!: string;

  @Column({ name: 'custom_headers', type: 'jsonb' })
  customHeaders!: Record<string, string>;

  @Column({ name: 'create_time', ...timestamp })
  createTime!: Date;

  @Column({ name: 'end_time', ...optionalTimestamp })
  endTime!: Date | null;

  @Column({ name: 'last_failure_time', ...optionalTimestamp })
  lastFailureTime!: Date | null;

  @Column({ name: 'retry_at', ...optionalTimestamp })
  retryAt!: Date | null;
}

@Entity({ name: 'incidents' })
@Index('incidents_instance_idx', ['processInstanceId'])
@Index('incidents_state_idx', ['state', 'createTime'])
export class IncidentEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  /** ACTIVE or RESOLVED. */
  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'text' })
  message!: string;

  @Column({ name: 'process_instance_id', type: 'text' })
  processInstanceId!: string;

  @Column({ name: 'process_definition_id', ...optionalText })
  processDefinitionId!: string | null;

  @Column({ name: 'process_id', ...optionalText })
  processId!: string | null;

  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  @Column({ name: 'element_instance_id', type: 'text' })
  elementInstanceId!: string;

  @Column({ name: 'job_id', ...optionalText })
  jobId!: string | null;

  @Column({ name: 'create_time', ...timestamp })
  createTime!: Date;

  @Column({ name: 'resolve_time', ...optionalTimestamp })
  resolveTime!: Date | null;
}

@Entity({ name: 'user_tasks' })
@Index('user_tasks_instance_idx', ['processInstanceId'])
@Index('user_tasks_assignee_idx', ['assignee', 'state'])
@Index('user_tasks_candidate_groups_idx', ['candidateGroups'], { type: 'gin' })
@Index('user_tasks_candidate_users_idx', ['candidateUsers'], { type: 'gin' })
@Index('user_tasks_create_time_idx', ['createTime'])
export class UserTaskEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column(optionalText)
  name!: string | null;

  /** CREATED, COMPLETED or CANCELED. */
  @Column({ type: 'text' })
  state!: string;

  @Column({ name: 'process_instance_id', type: 'text' })
  processInstanceId!: string;

  @Column({ name: 'process_definition_id', ...optionalText })
  processDefinitionId!: string | null;

  @Column({ name: 'process_id', ...optionalText })
  processId!: string | null;

  @Column({ name: 'element_id', type: 'text' })
  elementId!: string;

  @Column({ name: 'element_instance_id', type: 'text' })
  elementInstanceId!: string;

  @Column(optionalText)
  assignee!: string | null;

  @Column({ name: 'candidate_groups', type: 'text', array: true })
  candidateGroups!: string[];

  @Column({ name: 'candidate_users', type: 'text', array: true })
  candidateUsers!: string[];

  /** As the model gave it (any text an expression produced). */
  @Column({ name: 'due_date', ...optionalText })
  dueDate!: string | null;

  /** `due_date` read as a time, when it is one: what the due-date filters and sorting use. */
  @Column({ name: 'due_time', ...optionalTimestamp })
  dueTime!: Date | null;

  @Column({ name: 'follow_up_date', ...optionalText })
  followUpDate!: string | null;

  @Column({ name: 'follow_up_time', ...optionalTimestamp })
  followUpTime!: Date | null;

  @Column({ type: 'integer', nullable: true })
  priority!: number | null;

  @Column({ name: 'form_key', ...optionalText })
  formKey!: string | null;

  @Column({ name: 'form_id', ...optionalText })
  formId!: string | null;

  @Column({ name: 'create_time', ...timestamp })
  createTime!: Date;

  @Column({ name: 'end_time', ...optionalTimestamp })
  endTime!: Date | null;
}

export const historyEntities = [
  ProcessDefinitionEntity,
  ElementDefinitionEntity,
  ProcessInstanceEntity,
  ElementInstanceEntity,
  VariableEntity,
  VariableUpdateEntity,
  JobEntity,
  IncidentEntity,
  UserTaskEntity,
];
