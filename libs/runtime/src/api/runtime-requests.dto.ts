import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { JsonObject } from '@trellis/engine';

const variablesSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'Variables as a JSON object: names to JSON values',
  example: { customer: 'Ada', items: ['book', 'pen'], approved: true },
} as const;


export class StartProcessInstanceDto {
  @ApiPropertyOptional({ description: 'BPMN process id: starts its latest version (give this or processDefinitionId)', example: 'order-process' })
  @ValidateIf((dto: StartProcessInstanceDto) => dto.processDefinitionId === undefined || dto.processId !== undefined)
  @IsString({ message: 'processId must be a string (give processId or processDefinitionId)' })
  @IsNotEmpty({ message: 'processId must not be empty (give processId or processDefinitionId)' })
  processId?: string;

  @ApiPropertyOptional({ description: 'Exact definition to start, `<processId>:<version>`', example: 'order-process:1' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  processDefinitionId?: string;

  @ApiPropertyOptional(variablesSchema)
  @IsOptional()
  @IsObject({ message: 'variables must be a JSON object' })
  variables?: JsonObject;

  @ApiPropertyOptional({ description: 'A business identifier of the instance (e.g. an order number)', example: 'order-4711' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  businessKey?: string;
}

export class AdHocActivityDto {
  @ApiProperty({ description: 'An inner activity (or intermediate event) of the ad-hoc sub-process without incoming flows', example: 'call-customer' })
  @IsString()
  @IsNotEmpty()
  elementId!: string;
}

export class ActivateAdHocActivitiesDto {
  @ApiProperty({ type: [AdHocActivityDto], description: 'Started in this order (one after another in a sequential ad-hoc sub-process)' })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => AdHocActivityDto)
  elements!: AdHocActivityDto[];
}

export class SetVariablesDto {
  @ApiProperty(variablesSchema)
  @IsObject({ message: 'variables must be a JSON object' })
  variables!: JsonObject;

  @ApiPropertyOptional({ description: 'Set them in that scope only, instead of where each variable already lives' })
  @IsOptional()
  @IsBoolean()
  local?: boolean;

  @ApiPropertyOptional({ description: 'The scope: an element instance id (default: the process instance)' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  scopeInstanceId?: string;
}

export class CompleteWithVariablesDto {
  @ApiPropertyOptional(variablesSchema)
  @IsOptional()
  @IsObject({ message: 'variables must be a JSON object' })
  variables?: JsonObject;
}

/** Corrections a task listener's worker makes to the task (only the fields given change). */
export class UserTaskCorrectionsDto {
  @ApiPropertyOptional({ example: 'bob' })
  @IsOptional()
  @IsString()
  assignee?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({}, { message: 'dueDate must be an ISO 8601 date-time' })
  dueDate?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({}, { message: 'followUpDate must be an ISO 8601 date-time' })
  followUpDate?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  priority?: number;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  candidateUsers?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  candidateGroups?: string[];
}

/** A task listener's answer: corrections, or (completing listeners) a denial that leaves the task open. */
export class TaskListenerResultDto {
  @ApiPropertyOptional({ description: 'Deny the completion (completing listeners only): the task stays open with the reason' })
  @IsOptional()
  @IsBoolean()
  denied?: boolean;

  @ApiPropertyOptional({ example: 'the requester cannot approve their own order' })
  @IsOptional()
  @IsString()
  deniedReason?: string;

  @ApiPropertyOptional({ type: UserTaskCorrectionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => UserTaskCorrectionsDto)
  corrections?: UserTaskCorrectionsDto;
}

export class CompleteJobDto extends CompleteWithVariablesDto {
  @ApiPropertyOptional({
    type: TaskListenerResultDto,
    description: 'Only for the job of a task listener (which takes no variables): corrections to the task, or a denial',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => TaskListenerResultDto)
  result?: TaskListenerResultDto;
}

export class FailJobDto {
  @ApiProperty({ description: 'Retries left; 0 raises an incident', example: 2, minimum: 0 })
  @IsInt()
  @Min(0)
  retries!: number;

  @ApiPropertyOptional({ example: 'Payment service unreachable' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  errorMessage?: string;

  @ApiPropertyOptional({ description: 'Milliseconds before the job is offered again', example: 5000, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  retryBackoffMs?: number;
}

export class ThrowJobErrorDto {
  @ApiProperty({ description: 'The BPMN error code: error boundary events catch the error by it', example: 'CARD_DECLINED' })
  @IsString({ message: 'errorCode must be a string: the code error boundary events catch the error by' })
  @IsNotEmpty({ message: 'errorCode must not be empty: error boundary events catch the error by it' })
  @MaxLength(256)
  errorCode!: string;

  @ApiPropertyOptional({ example: 'The card was declined: insufficient funds' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  errorMessage?: string;

  @ApiPropertyOptional({ ...variablesSchema, description: 'Variables set at the boundary event that catches the error' })
  @IsOptional()
  @IsObject({ message: 'variables must be a JSON object' })
  variables?: JsonObject;
}

export class ResolveIncidentDto {
  @ApiPropertyOptional({ description: 'For a job incident: the retries the job gets back (default 1)', example: 1, minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  retries?: number;
}

export class ListProcessInstancesQueryDto {
  @ApiPropertyOptional({ example: 'order-process' })
  @IsOptional()
  @IsString()
  processId?: string;

  @ApiPropertyOptional({ example: 'order-process:1' })
  @IsOptional()
  @IsString()
  processDefinitionId?: string;

  @ApiPropertyOptional({ enum: ['ACTIVE', 'COMPLETED', 'TERMINATED'] })
  @IsOptional()
  @IsIn(['ACTIVE', 'COMPLETED', 'TERMINATED'])
  state?: 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

  @ApiPropertyOptional({ example: 'order-4711' })
  @IsOptional()
  @IsString()
  businessKey?: string;

  @ApiPropertyOptional({ description: 'Page size (default 100)', minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Items to skip (default 0)', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class ListJobsQueryDto {
  @ApiPropertyOptional({ description: 'Job type (Camunda 8 task definition type / Camunda 7 topic)', example: 'work' })
  @IsOptional()
  @IsString()
  type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  processInstanceId?: string;

  @ApiPropertyOptional({ description: 'At most this many jobs (default 100)', minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ListAsyncContinuationsQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsString()
  processInstanceId?: string;

  @ApiPropertyOptional({ enum: ['WAITING', 'FAILED'], description: 'WAITING: to be run by the job executor; FAILED: out of retries, an incident waits' })
  @IsOptional()
  @IsIn(['WAITING', 'FAILED'])
  state?: 'WAITING' | 'FAILED';

  @ApiPropertyOptional({ description: 'At most this many (default 100)', minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ListUserTasksQueryDto {
  @ApiPropertyOptional({ example: 'ada' })
  @IsOptional()
  @IsString()
  assignee?: string;

  @ApiPropertyOptional({ example: 'sales' })
  @IsOptional()
  @IsString()
  candidateGroup?: string;

  @ApiPropertyOptional({ example: 'ada' })
  @IsOptional()
  @IsString()
  candidateUser?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  processInstanceId?: string;

  @ApiPropertyOptional({ enum: ['CREATED', 'COMPLETED', 'CANCELED'], description: 'Default: every state' })
  @IsOptional()
  @IsIn(['CREATED', 'COMPLETED', 'CANCELED'])
  state?: 'CREATED' | 'COMPLETED' | 'CANCELED';

  @ApiPropertyOptional({ description: 'At most this many tasks (default 100)', minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class ListIncidentsQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  processInstanceId?: string;
}

