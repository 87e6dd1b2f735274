import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { JsonObject, JsonValue } from '@trellis/engine';

import type {
  ExternalTaskBpmnError,
  ExternalTaskFailure,
  ExternalTaskFilter,
  FetchAndLockRequest,
  FetchTopic,
} from '../external-tasks/external-task.requests.js';
import { MAX_ASYNC_RESPONSE_TIMEOUT_MS } from '../external-tasks/external-task.service.js';
import type { ExternalTaskView, ExternalTaskWorkerView, LockedExternalTaskView } from '../external-tasks/external-task.views.js';
import { ThrowJobErrorDto } from './runtime-requests.dto.js';

const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);
const variablesSchema = { type: 'object', additionalProperties: true, example: { amount: 42.5, currency: 'EUR' } } as const;
/** A lock lasts at most a week: a worker holding a task longer extends its lock. */
const MAX_LOCK_MS = 7 * 24 * 3_600_000;

function WorkerId(): PropertyDecorator {
  return (target, key) => {
    ApiProperty({ description: 'The worker: the one that locked the task', example: 'payment-worker-1' })(target, key);
    IsString({ message: 'workerId must be a string naming the worker' })(target, key);
    IsNotEmpty({ message: 'workerId must not be empty: locks are held by a worker' })(target, key);
    MaxLength(256)(target, key);
  };
}

export class FetchTopicDto implements FetchTopic {
  @ApiProperty({ example: 'payment' })
  @IsString()
  @IsNotEmpty({ message: 'topicName must not be empty' })
  @MaxLength(256)
  topicName!: string;

  @ApiProperty({ description: 'Milliseconds the fetched tasks stay locked', example: 60000, minimum: 1 })
  @IsInt({ message: 'lockDuration must be a whole number of milliseconds' })
  @Min(1)
  @Max(MAX_LOCK_MS)
  lockDuration!: number;

  @ApiPropertyOptional({ type: [String], description: 'Only these variables (default: every variable visible to the task)' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  variables?: string[];

  @ApiPropertyOptional({ description: 'Only the task’s local variables' })
  @IsOptional()
  @IsBoolean()
  localVariables?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  businessKey?: string;

  @ApiPropertyOptional({ example: 'external-task-payment:1' })
  @IsOptional()
  @IsString()
  processDefinitionId?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  processDefinitionIdIn?: string[];

  @ApiPropertyOptional({ description: 'The process id', example: 'external-task-payment' })
  @IsOptional()
  @IsString()
  processDefinitionKey?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  processDefinitionKeyIn?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Tasks have no tenant yet: a non-empty list matches none' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tenantIdIn?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  withoutTenantId?: boolean;

  @ApiPropertyOptional({ ...variablesSchema, description: 'Only tasks whose visible variables equal these' })
  @IsOptional()
  @IsObject({ message: 'processVariables must be a JSON object: names to the values they must equal' })
  processVariables?: Record<string, JsonValue>;
}

export class FetchAndLockDto implements FetchAndLockRequest {
  @WorkerId()
  workerId!: string;

  @ApiProperty({ description: 'At most this many tasks', example: 10, minimum: 1, maximum: 1000 })
  @IsInt()
  @Min(1)
  @Max(1000)
  maxTasks!: number;

  @ApiPropertyOptional({ description: 'Higher priority (camunda:taskPriority) first, then oldest first; absent or false: oldest first' })
  @IsOptional()
  @IsBoolean()
  usePriority?: boolean;

  @ApiPropertyOptional({
    description: 'Long polling: milliseconds to wait for a task when none is there (at most 30 minutes); absent or 0: answer at once',
    example: 30000,
    minimum: 0,
    maximum: MAX_ASYNC_RESPONSE_TIMEOUT_MS,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ASYNC_RESPONSE_TIMEOUT_MS, { message: `asyncResponseTimeout must not be greater than ${MAX_ASYNC_RESPONSE_TIMEOUT_MS} (30 minutes)` })
  asyncResponseTimeout?: number;

  @ApiProperty({ type: [FetchTopicDto] })
  @IsArray()
  @ArrayNotEmpty({ message: 'topics must name at least one topic' })
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => FetchTopicDto)
  topics!: FetchTopicDto[];
}

export class CompleteExternalTaskDto {
  @WorkerId()
  workerId!: string;

  @ApiPropertyOptional({ ...variablesSchema, description: 'Set as a completed job’s variables (output mappings apply)' })
  @IsOptional()
  @IsObject({ message: 'variables must be a JSON object' })
  variables?: JsonObject;

  @ApiPropertyOptional({ ...variablesSchema, description: 'Set on the task’s own scope before it completes (for its output mappings)' })
  @IsOptional()
  @IsObject({ message: 'localVariables must be a JSON object' })
  localVariables?: JsonObject;
}

export class ExternalTaskFailureDto implements ExternalTaskFailure {
  @WorkerId()
  workerId!: string;

  @ApiPropertyOptional({ example: 'Payment service unreachable' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  errorMessage?: string;

  @ApiPropertyOptional({ description: 'A longer report (a stack trace): `GET /api/external-tasks/{id}/error-details`' })
  @IsOptional()
  @IsString()
  @MaxLength(1_000_000)
  errorDetails?: string;

  @ApiPropertyOptional({
    description: 'Retries left; 0 raises an incident. Absent: one fewer, after the `camunda:failedJobRetryTimeCycle` interval',
    example: 2,
    minimum: 0,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  retries?: number;

  @ApiPropertyOptional({ description: 'Milliseconds before the task may be fetched again', example: 5000, minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  retryTimeout?: number;
}

/** A job's BPMN error (`POST /api/jobs/{id}/error`), reported by the worker that holds the task's lock. */
export class ExternalTaskBpmnErrorDto extends ThrowJobErrorDto implements ExternalTaskBpmnError {
  @WorkerId()
  workerId!: string;
}

export class ExtendLockDto {
  @WorkerId()
  workerId!: string;

  @ApiProperty({ description: 'The lock now ends this many milliseconds from now', example: 60000, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_LOCK_MS)
  newDuration!: number;
}

export class LockExternalTaskDto {
  @WorkerId()
  workerId!: string;

  @ApiProperty({ description: 'Milliseconds the task stays locked', example: 60000, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_LOCK_MS)
  lockDuration!: number;
}

export class SetExternalTaskRetriesDto {
  @ApiProperty({ description: 'New retries of a task out of retries (resolves its incident), or 0 to raise the incident', example: 3, minimum: 0 })
  @IsInt()
  @Min(0)
  retries!: number;
}

export class ListExternalTasksQueryDto implements ExternalTaskFilter {
  @ApiPropertyOptional({ example: 'payment' })
  @IsOptional()
  @IsString()
  topicName?: string;

  @ApiPropertyOptional({ description: 'Only tasks this worker holds' })
  @IsOptional()
  @IsString()
  workerId?: string;

  @ApiPropertyOptional({ description: 'Only tasks locked now' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  locked?: boolean;

  @ApiPropertyOptional({ description: 'Only tasks not locked now' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  notLocked?: boolean;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsString()
  processInstanceId?: string;

  @ApiPropertyOptional({ description: 'Only tasks with retries left' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  withRetriesLeft?: boolean;

  @ApiPropertyOptional({ description: 'Only tasks out of retries (an incident waits)' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  noRetriesLeft?: boolean;

  @ApiPropertyOptional({ description: 'Only tasks whose priority is at least this', example: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  priorityHigherThanOrEquals?: number;

  @ApiPropertyOptional({ description: 'Only tasks whose priority is at most this', example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  priorityLowerThanOrEquals?: number;

  @ApiPropertyOptional({ description: 'At most this many (default 100; not for the count)', minimum: 1, maximum: 10000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit?: number;
}

export class ExternalTaskDto implements ExternalTaskView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'payment' })
  topicName!: string;
  @ApiPropertyOptional({ description: 'The worker holding it while its lock lasts' })
  workerId?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  lockExpirationTime?: string;
  @ApiProperty({ example: 3 })
  retries!: number;
  @ApiPropertyOptional()
  errorMessage?: string;
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiProperty({ example: 'external-task-payment:1' })
  processDefinitionId!: string;
  @ApiProperty({ example: 'external-task-payment' })
  processId!: string;
  @ApiPropertyOptional()
  businessKey?: string;
  @ApiProperty({ example: 'charge-card' })
  elementId!: string;
  @ApiProperty({ format: 'uuid' })
  elementInstanceId!: string;
  @ApiProperty({ example: 0, description: 'camunda:taskPriority, evaluated when the task was created (0 when the model gives none)' })
  priority!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: {} })
  customHeaders!: Record<string, string>;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class LockedExternalTaskDto extends ExternalTaskDto implements LockedExternalTaskView {
  @ApiProperty()
  declare workerId: string;
  @ApiProperty({ format: 'date-time' })
  declare lockExpirationTime: string;
  @ApiProperty({ ...variablesSchema, description: 'The variables asked for' })
  variables!: JsonObject;
}

export class ExternalTaskCountDto {
  @ApiProperty({ example: 3 })
  count!: number;
}

export class ExternalTaskErrorDetailsDto {
  @ApiProperty({ type: 'string', nullable: true, description: 'The details of the last failure, or null' })
  errorDetails!: string | null;
}

export class ExternalTaskWorkerDto implements ExternalTaskWorkerView {
  @ApiProperty({ example: 'payment-worker-1' })
  workerId!: string;
  @ApiProperty({ type: [String], example: ['payment'] })
  topics!: string[];
  @ApiProperty({ format: 'date-time' })
  lastPollAt!: string;
  @ApiProperty({ example: 2 })
  tasksHeld!: number;
  @ApiProperty({ description: 'A request of it is held open now' })
  waiting!: boolean;
  @ApiProperty({ description: 'It polled within TRELLIS_WORKER_UNHEALTHY_AFTER_MS or waits now' })
  healthy!: boolean;
}
