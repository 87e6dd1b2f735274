import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { JsonObject } from '@trellis/contracts';

import {
  DELEGATION_STATES,
  TASK_EVENT_TYPES,
  TASK_STATES,
  type TaskCommentView,
  type TaskEventView,
  type TaskPage,
  type TaskView,
} from '../task.views.js';

export class TaskDto implements TaskView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiPropertyOptional({ example: 'Approve order' })
  name?: string;
  @ApiProperty({
    enum: TASK_STATES,
    description: 'COMPLETING: a completion was sent to the runtime and not answered yet; COMPLETED once the runtime accepted it',
  })
  state!: TaskView['state'];
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiProperty({ example: 'order-process:1' })
  processDefinitionId!: string;
  @ApiProperty({ example: 'order-process' })
  processId!: string;
  @ApiProperty({ example: 'approve-order' })
  elementId!: string;
  @ApiProperty({ format: 'uuid' })
  elementInstanceId!: string;
  @ApiPropertyOptional({ example: 'ada' })
  assignee?: string;
  @ApiProperty({ type: [String], example: [] })
  candidateUsers!: string[];
  @ApiProperty({ type: [String], example: ['sales'] })
  candidateGroups!: string[];
  @ApiPropertyOptional({ description: 'As the model gave it (normally ISO 8601)' })
  dueDate?: string;
  @ApiPropertyOptional({ description: 'As the model gave it (normally ISO 8601)' })
  followUpDate?: string;
  @ApiPropertyOptional()
  priority?: number;
  @ApiPropertyOptional()
  formKey?: string;
  @ApiPropertyOptional()
  formId?: string;
  @ApiPropertyOptional({ example: 'approvals' })
  category?: string;
  @ApiPropertyOptional({ example: 'acme' })
  tenantId?: string;
  @ApiPropertyOptional({ description: "The business key of the task's process instance", example: 'order-4711' })
  businessKey?: string;
  @ApiPropertyOptional({ description: 'Who delegated the task: it comes back to them when resolved', example: 'ada' })
  owner?: string;
  @ApiPropertyOptional({ enum: DELEGATION_STATES, description: 'PENDING once delegated, RESOLVED once the delegate resolved it' })
  delegationState?: TaskView['delegationState'];
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'When it was completed or cancelled' })
  completedAt?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'While COMPLETING: the id of the CompleteUserTask command sent to the runtime' })
  pendingCommandId?: string;
  @ApiPropertyOptional({ description: 'Why the runtime refused the last completion', example: "User task '86be…' does not exist" })
  lastError?: string;
  @ApiPropertyOptional({
    description: 'Why a completing task listener denied the last completion (the task is CREATED again); gone once a completion is asked for again',
    example: 'The invoice needs a second approval',
  })
  deniedReason?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'On a single open task (get, claim, unclaim, complete): every variable its element sees',
    example: { customer: 'Ada' },
  })
  variables?: JsonObject;
}

export class TaskPageDto implements TaskPage {
  @ApiProperty({ type: [TaskDto] })
  items!: TaskDto[];
  @ApiProperty({ description: 'Matching tasks in all pages', example: 1 })
  total!: number;
  @ApiProperty({ example: 100 })
  limit!: number;
  @ApiProperty({ example: 0 })
  offset!: number;
}

export class TaskEventDto implements TaskEventView {
  @ApiProperty({ description: 'Increasing position in the history', example: '42' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  taskId!: string;
  @ApiProperty({ enum: TASK_EVENT_TYPES })
  type!: TaskEventView['type'];
  @ApiPropertyOptional({ description: 'Who did it, as the caller said; absent for what the runtime did', example: 'ada' })
  actor?: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What changed', example: { assignee: 'ada' } })
  data!: JsonObject;
}

export class TaskCommentDto implements TaskCommentView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  taskId!: string;
  @ApiPropertyOptional({ example: 'ada' })
  author?: string;
  @ApiProperty({ example: 'Called the customer' })
  message!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
