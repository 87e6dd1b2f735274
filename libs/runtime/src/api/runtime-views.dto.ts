import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { JsonObject } from '@trellis/engine';
import type { FormSchema } from '@trellis/forms';

import type { UserTaskFormView } from '../forms/user-task-forms.js';

import type {
  AsyncContinuationView,
  ElementInstanceView,
  IncidentView,
  JobView,
  Page,
  ProcessInstanceView,
  UserTaskView,
  WaitingTimerView,
  MessageSubscriptionView,
  SignalSubscriptionView,
} from '../runtime.views.js';

const variables = { type: 'object', additionalProperties: true, example: { customer: 'Ada', approved: true } } as const;
const elementTypes = [
  'startEvent',
  'endEvent',
  'task',
  'manualTask',
  'userTask',
  'serviceTask',
  'sendTask',
  'businessRuleTask',
  'scriptTask',
  'exclusiveGateway',
  'parallelGateway',
  'inclusiveGateway',
  'complexGateway',
  'eventBasedGateway',
  'subProcess',
  'adHocSubProcess',
  'intermediateCatchEvent',
  'intermediateThrowEvent',
  'boundaryEvent',
  'multiInstanceBody',
];

export class ElementInstanceDto implements ElementInstanceView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'approve-order' })
  elementId!: string;
  @ApiProperty({ enum: elementTypes, example: 'userTask' })
  elementType!: ElementInstanceView['elementType'];
  @ApiProperty({ enum: ['ACTIVATING', 'ACTIVATED', 'COMPLETING', 'TERMINATING'], example: 'ACTIVATED' })
  state!: ElementInstanceView['state'];
}

export class IncidentDto implements IncidentView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: ['CONDITION_ERROR', 'EXPRESSION_ERROR', 'IO_MAPPING_ERROR', 'JOB_NO_RETRIES', 'UNSUPPORTED'] })
  type!: IncidentView['type'];
  @ApiProperty({ example: 'Payment service unreachable' })
  message!: string;
  @ApiProperty({ example: 'work' })
  elementId!: string;
  @ApiProperty({ format: 'uuid' })
  elementInstanceId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'For a job incident: the job' })
  jobId?: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
}

export class WaitingTimerDto implements WaitingTimerView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'escalate-after-48h', description: 'The timer catch event or timer boundary event that occurs when the timer is due' })
  elementId!: string;
  @ApiProperty({ format: 'uuid', description: "The element instance that waits: the catch event's own, the activity's for a boundary event, or the event-based gateway's for a catch event after it" })
  elementInstanceId!: string;
  @ApiProperty({ format: 'date-time', example: '2026-01-03T09:00:00.000Z', description: 'When the timer is due (UTC)' })
  dueAt!: string;
}

export class MessageSubscriptionDto implements MessageSubscriptionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'await-payment', description: 'The message catch event, receive task or message boundary event that occurs when the message comes' })
  elementId!: string;
  @ApiProperty({ format: 'uuid', description: "The element instance that waits (the activity's, for a boundary event)" })
  elementInstanceId!: string;
  @ApiProperty({ example: 'payment-received' })
  messageName!: string;
  @ApiPropertyOptional({ example: 'order-4711', description: 'The value its correlation key gave when it opened; absent for a Camunda 7 message' })
  correlationKey?: string;
}

export class SignalSubscriptionDto implements SignalSubscriptionView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'line-stopped', description: 'The signal catch event or signal boundary event that occurs when the signal is broadcast' })
  elementId!: string;
  @ApiProperty({ format: 'uuid', description: "The element instance that waits (the activity's, for a boundary event)" })
  elementInstanceId!: string;
  @ApiProperty({ example: 'emergency-stop' })
  signalName!: string;
}

export class AsyncContinuationDto implements AsyncContinuationView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiProperty({ example: 'order-process:1' })
  processDefinitionId!: string;
  @ApiProperty({ example: 'order-process' })
  processId!: string;
  @ApiProperty({ example: 'charge-card' })
  elementId!: string;
  @ApiProperty({ format: 'uuid', description: 'The element instance that waits: ACTIVATING (before) or COMPLETING (after)' })
  elementInstanceId!: string;
  @ApiProperty({ enum: ['BEFORE', 'AFTER'], description: 'BEFORE: the element is activated when it runs (asyncBefore); AFTER: it leaves by its outgoing flows (asyncAfter)' })
  phase!: AsyncContinuationView['phase'];
  @ApiProperty({ enum: ['WAITING', 'FAILED'], description: 'WAITING: the job executor runs it from dueAt on; FAILED: no retries left, its JOB_NO_RETRIES incident waits' })
  state!: AsyncContinuationView['state'];
  @ApiProperty({ format: 'date-time', description: 'When it may run (after a failure: when it is tried again)' })
  dueAt!: string;
  @ApiProperty({ example: 3, description: 'Attempts left' })
  retries!: number;
  @ApiProperty({ example: 0, description: 'camunda:jobPriority, evaluated when it was created: higher runs first' })
  priority!: number;
  @ApiProperty({ example: true, description: 'camunda:exclusive (the continuations of one instance never run side by side, whatever it says)' })
  exclusive!: boolean;
  @ApiPropertyOptional({ example: 'R3/PT10S', description: 'camunda:failedJobRetryTimeCycle' })
  retryTimeCycle?: string;
  @ApiPropertyOptional({ description: 'The problem of the last failed attempt' })
  errorMessage?: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class ProcessInstanceDto implements ProcessInstanceView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'order-process:1' })
  processDefinitionId!: string;
  @ApiProperty({ example: 'order-process' })
  processId!: string;
  @ApiProperty({ example: 1 })
  version!: number;
  @ApiPropertyOptional({ example: 'order-4711' })
  businessKey?: string;
  @ApiProperty({ enum: ['ACTIVE', 'COMPLETED', 'TERMINATED'] })
  state!: ProcessInstanceView['state'];
  @ApiProperty({ format: 'date-time' })
  startedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' })
  endedAt?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'For an instance started by a call activity: the calling instance' })
  parentProcessInstanceId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'For an instance started by a call activity: the call activity instance' })
  parentElementInstanceId?: string;
  @ApiProperty({ type: [ElementInstanceDto] })
  activeElementInstances!: ElementInstanceDto[];
  @ApiProperty({ ...variables, description: 'Process-level variables' })
  variables!: JsonObject;
  @ApiProperty({ type: [IncidentDto], description: 'Open incidents' })
  incidents!: IncidentDto[];
  @ApiProperty({ type: [WaitingTimerDto], description: 'Timers waiting to be due' })
  timers!: WaitingTimerDto[];
  @ApiProperty({ type: [MessageSubscriptionDto], description: 'Messages the instance waits for' })
  messageSubscriptions!: MessageSubscriptionDto[];
  @ApiProperty({ type: [SignalSubscriptionDto], description: 'Signals the instance waits for' })
  signalSubscriptions!: SignalSubscriptionDto[];
  @ApiProperty({ type: [AsyncContinuationDto], description: 'Asynchronous continuations (asyncBefore / asyncAfter jobs), in the order they run' })
  asyncContinuations!: AsyncContinuationDto[];
}

export class ProcessInstancePageDto implements Page<ProcessInstanceView> {
  @ApiProperty({ type: [ProcessInstanceDto] })
  items!: ProcessInstanceDto[];
  @ApiProperty({ description: 'Matching instances in all pages', example: 1 })
  total!: number;
}

export class JobDto implements JobView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'work' })
  type!: string;
  @ApiProperty({ example: 3 })
  retries!: number;
  @ApiProperty({ format: 'uuid' })
  processInstanceId!: string;
  @ApiProperty({ example: 'one-task:1' })
  processDefinitionId!: string;
  @ApiProperty({ example: 'one-task' })
  processId!: string;
  @ApiPropertyOptional()
  businessKey?: string;
  @ApiProperty({ example: 'work' })
  elementId!: string;
  @ApiProperty({ format: 'uuid' })
  elementInstanceId!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: {} })
  customHeaders!: Record<string, string>;
  @ApiPropertyOptional({ description: 'The message of the last failure' })
  errorMessage?: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ ...variables, description: 'Every variable visible to the job’s element' })
  variables!: JsonObject;
}

export class UserTaskDto implements UserTaskView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiPropertyOptional({ example: 'Approve order' })
  name?: string;
  @ApiProperty({ enum: ['CREATED', 'COMPLETED', 'CANCELED'] })
  state!: UserTaskView['state'];
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
  @ApiPropertyOptional({ format: 'date-time' })
  dueDate?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  followUpDate?: string;
  @ApiPropertyOptional()
  priority?: number;
  @ApiPropertyOptional()
  formKey?: string;
  @ApiPropertyOptional()
  formId?: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiPropertyOptional({ format: 'date-time' })
  completedAt?: string;
  @ApiPropertyOptional({ description: 'A completion was asked and waits for the completing task listeners (their jobs)' })
  completing?: boolean;
  @ApiPropertyOptional({ description: 'Why a completing task listener denied the last completion; the task stays open', example: 'four-eyes principle' })
  deniedReason?: string;
  @ApiPropertyOptional({ ...variables, description: 'For an open task: every variable visible to its element' })
  variables?: JsonObject;
}

export class UserTaskFormDto implements UserTaskFormView {
  @ApiProperty({ format: 'uuid' })
  userTaskId!: string;
  @ApiProperty({ example: 'approve-order:2' })
  formDefinitionId!: string;
  @ApiProperty({ example: 'approve-order', description: 'The form’s `id`' })
  formId!: string;
  @ApiProperty({ example: 2 })
  version!: number;
  @ApiProperty({ example: 'approve-order.form' })
  resourceName!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The form-js schema as deployed' })
  schema!: FormSchema;
  @ApiProperty({ ...variables, description: 'The current values of the form’s fields, nested as the form’s paths nest them' })
  variables!: JsonObject;
}
