import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type { JsonObject } from '@trellis/contracts';

import { TASK_SORTS, TASK_STATES, type TaskSort, type TaskState } from '../task.views.js';

export class ListTasksQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATES, description: 'Default: every state' })
  @IsOptional()
  @IsIn(TASK_STATES, { message: `state must be one of ${TASK_STATES.join(', ')}` })
  state?: TaskState;

  @ApiPropertyOptional({ example: 'ada' })
  @IsOptional()
  @IsString()
  assignee?: string;

  @ApiPropertyOptional({ description: 'Tasks that list this user among their candidate users', example: 'ada' })
  @IsOptional()
  @IsString()
  candidateUser?: string;

  @ApiPropertyOptional({ description: 'Tasks that list this group among their candidate groups', example: 'sales' })
  @IsOptional()
  @IsString()
  candidateGroup?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  processInstanceId?: string;

  @ApiPropertyOptional({ example: 'order-process:1' })
  @IsOptional()
  @IsString()
  processDefinitionId?: string;

  @ApiPropertyOptional({ description: 'The BPMN id of the user task element', example: 'approve-order' })
  @IsOptional()
  @IsString()
  elementId?: string;

  @ApiPropertyOptional({
    enum: TASK_SORTS,
    description: 'created (default), due (due date; tasks without one last) or priority (tasks without one last); `:desc` reverses',
    example: 'priority:desc',
  })
  @IsOptional()
  @IsIn(TASK_SORTS, { message: `sort must be one of ${TASK_SORTS.join(', ')}` })
  sort?: TaskSort;

  @ApiPropertyOptional({ description: 'Page size (default 100)', minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'Tasks to skip (default 0)', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class ClaimTaskDto {
  @ApiProperty({ description: 'Who takes the task', example: 'ada', minLength: 1, maxLength: 256 })
  @IsString({ message: 'assignee must be a string' })
  @Length(1, 256, { message: 'assignee must be 1 to 256 characters' })
  assignee!: string;
}

export class CompleteTaskDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Variables as a JSON object, merged into the process when the runtime completes the task',
    example: { approved: true },
  })
  @IsOptional()
  @IsObject({ message: 'variables must be a JSON object' })
  variables?: JsonObject;
}
