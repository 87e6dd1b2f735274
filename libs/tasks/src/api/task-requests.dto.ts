import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsISO8601, IsNumber, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import type { JsonObject } from '@trellis/contracts';

import { TASK_SORTS, TASK_STATES, VARIABLE_OPERATORS, type TaskSort, type TaskState } from '../task.views.js';

/** A query parameter given once or repeated, as a list. */
const asList = ({ value }: { value: unknown }): unknown => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
/** A comma list (`a,b`), as a list of its non-empty items. */
const commaList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0)
    : value;
/** `true`/`false` of a query, as a boolean (anything else stays, and fails validation). */
const asBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

const VARIABLE_CONDITION = new RegExp(`^[^:]+:(${VARIABLE_OPERATORS.join('|')}):`);
const VARIABLES_DESCRIPTION =
  '`name:op:value`, repeatable (every one must hold); op: eq, neq, gt, gte, lt, lte, like; the value is JSON when it ' +
  'reads as JSON (`42`, `true`, `"42"`), else a text';

/** Who calls, when the `X-Trellis-User` / `X-Trellis-User-Groups` headers do not say it. */
class CallerDto {
  @ApiPropertyOptional({ description: 'Who calls (the X-Trellis-User header wins)', example: 'ada' })
  @IsOptional()
  @IsString({ message: 'userId must be a string' })
  @Length(1, 256, { message: 'userId must be 1 to 256 characters' })
  userId?: string;

  @ApiPropertyOptional({ type: [String], description: "The caller's groups (the X-Trellis-User-Groups header wins)", example: ['sales'] })
  @IsOptional()
  @IsArray({ message: 'groups must be a list of strings' })
  @IsString({ each: true, message: 'groups must be a list of strings' })
  groups?: string[];
}

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

  @ApiPropertyOptional({ description: 'Comma list: tasks that list any of these groups among their candidate groups', example: 'sales,support' })
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @IsString({ each: true })
  candidateGroups?: string[];

  @ApiPropertyOptional({
    description: 'true: tasks the caller (X-Trellis-User, X-Trellis-User-Groups) is a candidate of, as a user or through one of their groups',
  })
  @IsOptional()
  @Transform(asBoolean)
  @IsBoolean({ message: 'candidateOfCaller must be true or false' })
  candidateOfCaller?: boolean;

  @ApiPropertyOptional({ description: 'true: tasks without an assignee; false: tasks with one' })
  @IsOptional()
  @Transform(asBoolean)
  @IsBoolean({ message: 'unassigned must be true or false' })
  unassigned?: boolean;

  @ApiPropertyOptional({ description: 'The BPMN process id (every version)', example: 'order-process' })
  @IsOptional()
  @IsString()
  processId?: string;

  @ApiPropertyOptional({ description: "The business key of the task's process instance", example: 'order-4711' })
  @IsOptional()
  @IsString()
  businessKey?: string;

  @ApiPropertyOptional({ example: 'approvals' })
  @IsOptional()
  @IsString()
  category?: string;

  @ApiPropertyOptional({ example: 'acme' })
  @IsOptional()
  @IsString()
  tenantId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Due before this time (exclusive)' })
  @IsOptional()
  @IsISO8601({}, { message: 'dueBefore must be an ISO 8601 time' })
  dueBefore?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Due after this time (exclusive)' })
  @IsOptional()
  @IsISO8601({}, { message: 'dueAfter must be an ISO 8601 time' })
  dueAfter?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Follow-up before this time (exclusive)' })
  @IsOptional()
  @IsISO8601({}, { message: 'followUpBefore must be an ISO 8601 time' })
  followUpBefore?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Follow-up after this time (exclusive)' })
  @IsOptional()
  @IsISO8601({}, { message: 'followUpAfter must be an ISO 8601 time' })
  followUpAfter?: string;

  @ApiPropertyOptional({ description: 'Priority at least this' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({}, { message: 'minPriority must be a number' })
  minPriority?: number;

  @ApiPropertyOptional({ description: 'Priority at most this' })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({}, { message: 'maxPriority must be a number' })
  maxPriority?: number;

  @ApiPropertyOptional({ type: [String], description: `Conditions on the task's own (local) variables: ${VARIABLES_DESCRIPTION}`, example: ['share:gt:10'] })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @Matches(VARIABLE_CONDITION, { each: true, message: `taskVariables must be name:op:value with op one of ${VARIABLE_OPERATORS.join(', ')}` })
  taskVariables?: string[];

  @ApiPropertyOptional({ type: [String], description: `Conditions on the process instance's variables: ${VARIABLES_DESCRIPTION}`, example: ['customer:eq:ada'] })
  @IsOptional()
  @Transform(asList)
  @IsArray()
  @Matches(VARIABLE_CONDITION, { each: true, message: `processVariables must be name:op:value with op one of ${VARIABLE_OPERATORS.join(', ')}` })
  processVariables?: string[];

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
    description:
      'created (default), due, followUp, priority, name, assignee, category, tenantId, businessKey, processInstanceId, ' +
      'processDefinitionId or elementId (tasks without a value last, ties in creation order); `:desc` reverses',
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

export class ClaimTaskDto extends CallerDto {
  @ApiPropertyOptional({ description: 'Older name of userId: who takes the task', example: 'ada', minLength: 1, maxLength: 256 })
  @IsOptional()
  @IsString({ message: 'assignee must be a string' })
  @Length(1, 256, { message: 'assignee must be 1 to 256 characters' })
  assignee?: string;
}

/** The body of operations whose only input is who calls (unclaim, resolve). */
export class TaskOperationDto extends CallerDto {}

export class AssignTaskDto extends CallerDto {
  @ApiProperty({ nullable: true, type: String, description: 'The new assignee; null removes the assignee', example: 'grace' })
  @ValidateIf((dto: AssignTaskDto) => dto.assignee !== null)
  @IsString({ message: 'assignee must be a string or null' })
  @Length(1, 256, { message: 'assignee must be 1 to 256 characters' })
  assignee!: string | null;
}

export class DelegateTaskDto extends CallerDto {
  @ApiProperty({ description: 'Who the task is delegated to (its new assignee)', example: 'grace' })
  @IsString({ message: 'delegate must be a string' })
  @Length(1, 256, { message: 'delegate must be 1 to 256 characters' })
  delegate!: string;
}

export class UpdateTaskDto extends CallerDto {
  @ApiPropertyOptional({ nullable: true, type: String, example: 'Approve order 4711' })
  @IsOptional()
  @ValidateIf((dto: UpdateTaskDto) => dto.name !== null)
  @IsString({ message: 'name must be a string or null' })
  @Length(1, 1000, { message: 'name must be 1 to 1000 characters' })
  name?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time', description: 'null clears it', example: '2030-07-01T12:00:00Z' })
  @IsOptional()
  @ValidateIf((dto: UpdateTaskDto) => dto.dueDate !== null)
  @IsISO8601({}, { message: 'dueDate must be an ISO 8601 time or null' })
  dueDate?: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time', description: 'null clears it', example: '2030-06-20T09:00:00Z' })
  @IsOptional()
  @ValidateIf((dto: UpdateTaskDto) => dto.followUpDate !== null)
  @IsISO8601({}, { message: 'followUpDate must be an ISO 8601 time or null' })
  followUpDate?: string | null;

  @ApiPropertyOptional({ nullable: true, type: Number, description: 'null clears it', example: 80 })
  @IsOptional()
  @ValidateIf((dto: UpdateTaskDto) => dto.priority !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'priority must be a number or null' })
  priority?: number | null;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null clears it', example: 'approvals' })
  @IsOptional()
  @ValidateIf((dto: UpdateTaskDto) => dto.category !== null)
  @IsString({ message: 'category must be a string or null' })
  @Length(1, 256, { message: 'category must be 1 to 256 characters' })
  category?: string | null;
}

export class CandidateUserDto {
  @ApiProperty({ description: 'The candidate user', example: 'bob' })
  @IsString({ message: 'userId must be a string' })
  @Length(1, 256, { message: 'userId must be 1 to 256 characters' })
  userId!: string;
}

export class CandidateGroupDto {
  @ApiProperty({ description: 'The candidate group', example: 'support' })
  @IsString({ message: 'groupId must be a string' })
  @Length(1, 256, { message: 'groupId must be 1 to 256 characters' })
  groupId!: string;
}

export class AddCommentDto extends CallerDto {
  @ApiProperty({ description: 'The comment', example: 'Called the customer: waiting for the signed copy', minLength: 1, maxLength: 10000 })
  @IsString({ message: 'message must be a string' })
  @Length(1, 10000, { message: 'message must be 1 to 10000 characters' })
  message!: string;
}

export class CompleteTaskDto extends CallerDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Variables as a JSON object, merged into the process when the runtime completes the task',
    example: { approved: true },
  })
  @IsOptional()
  @IsObject({ message: 'variables must be a JSON object' })
  variables?: JsonObject;

  @ApiPropertyOptional({
    description: 'The id of this request (the Idempotency-Key header wins): a repeat answers what the first answered',
    example: 'complete-4711-1',
  })
  @IsOptional()
  @IsString({ message: 'requestId must be a string' })
  @Length(1, 256, { message: 'requestId must be 1 to 256 characters' })
  requestId?: string;
}
