import { ApiProperty, type ApiPropertyOptions, ApiPropertyOptional } from '@nestjs/swagger';
import type { JsonValue } from '@trellis/contracts';

import type {
  HistoricElementInstance,
  HistoricIncident,
  HistoricJob,
  HistoricProcessInstance,
  HistoricProcessInstanceDetail,
  HistoricUserTask,
  HistoricVariable,
  HistoricVariableUpdate,
  HistoryPage,
} from '../history.views.js';
import {
  ELEMENT_INSTANCE_STATES,
  INCIDENT_STATES,
  INCIDENT_TYPES,
  JOB_STATES,
  PROCESS_INSTANCE_STATES,
  USER_TASK_STATES,
} from '../history.views.js';

const time = { format: 'date-time', example: '2026-03-01T09:00:00.000Z' } as const;
const value: ApiPropertyOptions = {
  description: 'Any JSON value',
  example: 120,
  oneOf: [{ type: 'object' }, { type: 'array', items: {} }, { type: 'string' }, { type: 'number' }, { type: 'boolean' }],
  nullable: true,
};

export class HistoricElementInstanceDto implements HistoricElementInstance {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiProperty({ example: 'charge' })
  elementId!: string;
  @ApiPropertyOptional({ example: 'Charge the card', description: 'From the deployed model' })
  elementName?: string;
  @ApiProperty({ example: 'serviceTask' })
  elementType!: string;
  @ApiProperty({ description: 'The enclosing sub-process element instance, or the process instance id' })
  flowScopeInstanceId!: string;
  @ApiPropertyOptional({ description: 'Iteration of a multi-instance body or loop (1-based)' })
  loopCounter?: number;
  @ApiProperty({ enum: ELEMENT_INSTANCE_STATES })
  state!: HistoricElementInstance['state'];
  @ApiProperty(time)
  startTime!: string;
  @ApiPropertyOptional(time)
  endTime?: string;
  @ApiPropertyOptional({ example: 1250 })
  durationMs?: number;
}

export class HistoricProcessInstanceDto implements HistoricProcessInstance {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'order:1' })
  processDefinitionId!: string;
  @ApiProperty({ example: 'order' })
  processId!: string;
  @ApiPropertyOptional({ example: 'Order' })
  processName?: string;
  @ApiProperty({ example: 1 })
  version!: number;
  @ApiPropertyOptional({ example: 'order-4711' })
  businessKey?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'For an instance started by a call activity: the calling instance' })
  parentProcessInstanceId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'For an instance started by a call activity: the call activity instance' })
  parentElementInstanceId?: string;
  @ApiProperty({ enum: PROCESS_INSTANCE_STATES, description: 'INCIDENT: active, with at least one open incident' })
  state!: HistoricProcessInstance['state'];
  @ApiProperty({ example: 0 })
  openIncidents!: number;
  @ApiProperty(time)
  startTime!: string;
  @ApiPropertyOptional(time)
  endTime?: string;
  @ApiPropertyOptional({ example: 3_720_000 })
  durationMs?: number;
}

export class HistoricProcessInstanceDetailDto extends HistoricProcessInstanceDto implements HistoricProcessInstanceDetail {
  @ApiProperty({ type: [HistoricElementInstanceDto], description: 'In the order the engine activated them' })
  elementInstances!: HistoricElementInstanceDto[];
}

export class HistoricVariableDto implements HistoricVariable {
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiProperty({ description: 'The process instance id, or an element instance id for a local variable' })
  scopeInstanceId!: string;
  @ApiProperty({ example: 'amount' })
  name!: string;
  @ApiProperty(value)
  value!: JsonValue;
  @ApiProperty({ description: '1 when created, +1 at each update', example: 2 })
  revision!: number;
  @ApiProperty(time)
  createTime!: string;
  @ApiProperty(time)
  updateTime!: string;
}

export class HistoricVariableUpdateDto implements HistoricVariableUpdate {
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiProperty()
  scopeInstanceId!: string;
  @ApiProperty({ example: 'amount' })
  name!: string;
  @ApiProperty(value)
  value!: JsonValue;
  @ApiProperty({ example: 1 })
  revision!: number;
  @ApiProperty(time)
  time!: string;
}

export class HistoricJobDto implements HistoricJob {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'charge' })
  type!: string;
  @ApiProperty({ enum: JOB_STATES, description: 'FAILED: failed with retries left; INCIDENT: failed with none left' })
  state!: HistoricJob['state'];
  @ApiProperty({ example: 3 })
  retries!: number;
  @ApiProperty({ description: 'Failures reported by workers', example: 0 })
  failures!: number;
  @ApiPropertyOptional({ description: 'The message of the last failure' })
  errorMessage?: string;
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiPropertyOptional({ example: 'order:1' })
  processDefinitionId?: string;
  @ApiPropertyOptional({ example: 'order' })
  processId?: string;
  @ApiProperty({ example: 'charge' })
  elementId!: string;
  @ApiProperty({ format: 'uuid' })
  elementInstanceId!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { provider: 'acme-pay' } })
  customHeaders!: Record<string, string>;
  @ApiProperty(time)
  createTime!: string;
  @ApiPropertyOptional({ ...time, description: 'Completed or canceled' })
  endTime?: string;
  @ApiPropertyOptional(time)
  lastFailureTime?: string;
  @ApiPropertyOptional({ ...time, description: 'A failed job is offered again from then' })
  retryAt?: string;
}

export class HistoricIncidentDto implements HistoricIncident {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: INCIDENT_TYPES })
  type!: string;
  @ApiProperty({ enum: INCIDENT_STATES })
  state!: HistoricIncident['state'];
  @ApiProperty({ example: 'card declined' })
  message!: string;
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiPropertyOptional({ example: 'order:1' })
  processDefinitionId?: string;
  @ApiPropertyOptional({ example: 'order' })
  processId?: string;
  @ApiProperty({ example: 'charge' })
  elementId!: string;
  @ApiProperty({ format: 'uuid' })
  elementInstanceId!: string;
  @ApiPropertyOptional({ format: 'uuid' })
  jobId?: string;
  @ApiProperty(time)
  createTime!: string;
  @ApiPropertyOptional(time)
  resolveTime?: string;
}

export class HistoricUserTaskDto implements HistoricUserTask {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiPropertyOptional({ example: 'Ship the parcel' })
  name?: string;
  @ApiProperty({ enum: USER_TASK_STATES })
  state!: HistoricUserTask['state'];
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiPropertyOptional({ example: 'order:1' })
  processDefinitionId?: string;
  @ApiPropertyOptional({ example: 'order' })
  processId?: string;
  @ApiProperty({ example: 'ship' })
  elementId!: string;
  @ApiProperty({ format: 'uuid' })
  elementInstanceId!: string;
  @ApiPropertyOptional({ example: 'ada' })
  assignee?: string;
  @ApiProperty({ type: [String], example: ['sales'] })
  candidateGroups!: string[];
  @ApiProperty({ type: [String], example: [] })
  candidateUsers!: string[];
  @ApiPropertyOptional({ description: 'As the model gave it', example: '2026-03-08T17:00:00Z' })
  dueDate?: string;
  @ApiPropertyOptional({ description: 'As the model gave it' })
  followUpDate?: string;
  @ApiPropertyOptional({ example: 50 })
  priority?: number;
  @ApiPropertyOptional()
  formKey?: string;
  @ApiPropertyOptional()
  formId?: string;
  @ApiProperty(time)
  createTime!: string;
  @ApiPropertyOptional({ ...time, description: 'Completed or canceled' })
  endTime?: string;
  @ApiPropertyOptional()
  durationMs?: number;
}

class PageFieldsDto {
  @ApiProperty({ description: 'Matching items in all pages', example: 1 })
  total!: number;
  @ApiProperty({ example: 100 })
  limit!: number;
  @ApiProperty({ example: 0 })
  offset!: number;
}

export class HistoricProcessInstancePageDto extends PageFieldsDto implements HistoryPage<HistoricProcessInstance> {
  @ApiProperty({ type: [HistoricProcessInstanceDto] })
  items!: HistoricProcessInstanceDto[];
}

export class HistoricElementInstancePageDto extends PageFieldsDto implements HistoryPage<HistoricElementInstance> {
  @ApiProperty({ type: [HistoricElementInstanceDto] })
  items!: HistoricElementInstanceDto[];
}

export class HistoricVariablePageDto extends PageFieldsDto implements HistoryPage<HistoricVariable> {
  @ApiProperty({ type: [HistoricVariableDto] })
  items!: HistoricVariableDto[];
}

export class HistoricVariableUpdatePageDto extends PageFieldsDto implements HistoryPage<HistoricVariableUpdate> {
  @ApiProperty({ type: [HistoricVariableUpdateDto] })
  items!: HistoricVariableUpdateDto[];
}

export class HistoricJobPageDto extends PageFieldsDto implements HistoryPage<HistoricJob> {
  @ApiProperty({ type: [HistoricJobDto] })
  items!: HistoricJobDto[];
}

export class HistoricIncidentPageDto extends PageFieldsDto implements HistoryPage<HistoricIncident> {
  @ApiProperty({ type: [HistoricIncidentDto] })
  items!: HistoricIncidentDto[];
}

export class HistoricUserTaskPageDto extends PageFieldsDto implements HistoryPage<HistoricUserTask> {
  @ApiProperty({ type: [HistoricUserTaskDto] })
  items!: HistoricUserTaskDto[];
}

export class HistoryConsumerStatusDto {
  @ApiProperty({ example: 'trellis.history-service' })
  groupId!: string;
  @ApiProperty({ type: [String], example: ['trellis.process-instance-events.v1', 'trellis.deployments.v1'] })
  topics!: string[];
  @ApiProperty({ description: 'This replica consumes' })
  running!: boolean;
  @ApiProperty({ enum: ['stopped', 'subscribing', 'consuming'], description: 'subscribing: waiting for the topics or for Kafka' })
  state!: string;
  @ApiProperty({ description: 'Transactions applied since start' })
  batches!: number;
  @ApiProperty({ description: 'Most envelopes one transaction held' })
  largestBatch!: number;
  @ApiPropertyOptional({ description: "Messages of the topics the group has not handled yet (absent when Kafka did not answer)" })
  lag?: number;
}

export class HistoryStatusDto {
  @ApiProperty({ type: HistoryConsumerStatusDto })
  consumer!: HistoryConsumerStatusDto;
  @ApiProperty({ description: 'Streams with events in the read model' })
  streams!: number;
  @ApiProperty({ description: 'A rebuild is running' })
  rebuilding!: boolean;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'Event types skipped because this version does not know them, with counts' })
  ignoredEventTypes!: Record<string, number>;
  @ApiProperty({ description: 'Events of known types skipped because their data lacked a field' })
  malformedEvents!: number;
}

export class HistoryRebuildDto {
  @ApiProperty({ example: 'trellis.history-service' })
  groupId!: string;
  @ApiProperty({ type: [String], description: 'Topics the consumer reads again from the oldest message kept' })
  topics!: string[];
  @ApiProperty(time)
  startedAt!: string;
  @ApiProperty(time)
  finishedAt!: string;
}
