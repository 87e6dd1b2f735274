import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';

import {
  type ElementInstanceFilter,
  type IncidentFilter,
  type JobFilter,
  MAX_PAGE_SIZE,
  type ProcessInstanceFilter,
  sortValues,
  type UserTaskFilter,
  type VariableFilter,
} from '../history.queries.js';
import {
  ELEMENT_INSTANCE_STATES,
  type HistoricElementInstanceState,
  type HistoricIncidentState,
  type HistoricJobState,
  type HistoricProcessInstanceState,
  type HistoricUserTaskState,
  INCIDENT_STATES,
  INCIDENT_TYPES,
  JOB_STATES,
  PROCESS_INSTANCE_STATES,
  USER_TASK_STATES,
} from '../history.views.js';

const iso8601 = { strict: true, strictSeparator: true } as const;
const timeMessage = (field: string): { message: string } => ({ message: `${field} must be an ISO 8601 date-time, e.g. 2026-03-01T09:00:00Z` });
const timeExample = '2026-03-01T09:00:00Z';

/** `limit` and `offset`, shared by every list. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: `Page size (default 100, at most ${MAX_PAGE_SIZE})`, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Items to skip (default 0)', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

function sortProperty(list: Parameters<typeof sortValues>[0], defaultSort: string): PropertyDecorator {
  const values = sortValues(list);
  return applyDecorators(
    ApiPropertyOptional({ description: `Sort key and direction (\`key\` is ascending). Default \`${defaultSort}\``, enum: values }),
    IsOptional(),
    IsIn(values, { message: `sort must be one of ${values.join(', ')}` }),
  );
}

function textFilter(description: string, example?: string): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ description, ...(example === undefined ? {} : { example }) }), IsOptional(), IsString(), IsNotEmpty());
}

function timeFilter(field: string, description: string): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ description, format: 'date-time', example: timeExample }), IsOptional(), IsISO8601(iso8601, timeMessage(field)));
}

function stateFilter(states: readonly string[]): PropertyDecorator {
  return applyDecorators(ApiPropertyOptional({ enum: states }), IsOptional(), IsIn(states, { message: `state must be one of ${states.join(', ')}` }));
}

export class ListProcessInstancesQueryDto extends PageQueryDto implements ProcessInstanceFilter {
  @textFilter('BPMN process id', 'order')
  processId?: string;

  @textFilter('Exact definition, `<processId>:<version>`', 'order:1')
  processDefinitionId?: string;

  @stateFilter(PROCESS_INSTANCE_STATES)
  state?: HistoricProcessInstanceState;

  @textFilter('The business key the instance was started with', 'order-4711')
  businessKey?: string;

  @textFilter('Only the instances that call activities of this instance started', '05b2d4d6-8cac-4c1e-8719-327cc07dd8ae')
  parentProcessInstanceId?: string;

  @timeFilter('startedAfter', 'Started at or after this time')
  startedAfter?: string;

  @timeFilter('startedBefore', 'Started before this time')
  startedBefore?: string;

  @timeFilter('endedAfter', 'Ended at or after this time')
  endedAfter?: string;

  @timeFilter('endedBefore', 'Ended before this time')
  endedBefore?: string;

  @sortProperty('processInstances', 'startTime:desc')
  sort?: string;
}

export class ListElementInstancesQueryDto extends PageQueryDto implements ElementInstanceFilter {
  @textFilter('The process instance')
  processInstanceId?: string;

  @textFilter('BPMN element id', 'charge')
  elementId?: string;

  @textFilter('BPMN element type (`serviceTask`, `userTask`, `subProcess`, `multiInstanceBody`, ...)', 'serviceTask')
  elementType?: string;

  @stateFilter(ELEMENT_INSTANCE_STATES)
  state?: HistoricElementInstanceState;

  @textFilter('The enclosing scope: a sub-process element instance, or the process instance id')
  flowScopeInstanceId?: string;

  @timeFilter('startedAfter', 'Activated at or after this time')
  startedAfter?: string;

  @timeFilter('startedBefore', 'Activated before this time')
  startedBefore?: string;

  @sortProperty('elementInstances', 'startTime:asc')
  sort?: string;
}

export class ListVariablesQueryDto extends PageQueryDto implements VariableFilter {
  @textFilter('The process instance')
  processInstanceId?: string;

  @textFilter('The scope: the process instance id, or an element instance id for local variables')
  scopeInstanceId?: string;

  @textFilter('Variable name', 'amount')
  name?: string;

  @sortProperty('variables', 'name:asc')
  sort?: string;
}

export class ListVariableUpdatesQueryDto extends PageQueryDto implements VariableFilter {
  @textFilter('The process instance')
  processInstanceId?: string;

  @textFilter('The scope: the process instance id, or an element instance id for local variables')
  scopeInstanceId?: string;

  @textFilter('Variable name', 'amount')
  name?: string;

  @sortProperty('variableUpdates', 'time:asc')
  sort?: string;
}

export class ListJobsQueryDto extends PageQueryDto implements JobFilter {
  @textFilter('The process instance')
  processInstanceId?: string;

  @textFilter('BPMN process id', 'order')
  processId?: string;

  @textFilter('Job type', 'charge')
  type?: string;

  @stateFilter(JOB_STATES)
  state?: HistoricJobState;

  @textFilter('BPMN element id', 'charge')
  elementId?: string;

  @timeFilter('createdAfter', 'Created at or after this time')
  createdAfter?: string;

  @timeFilter('createdBefore', 'Created before this time')
  createdBefore?: string;

  @sortProperty('jobs', 'createTime:asc')
  sort?: string;
}

export class ListIncidentsQueryDto extends PageQueryDto implements IncidentFilter {
  @textFilter('The process instance')
  processInstanceId?: string;

  @textFilter('BPMN process id', 'order')
  processId?: string;

  @ApiPropertyOptional({ enum: INCIDENT_TYPES })
  @IsOptional()
  @IsIn(INCIDENT_TYPES, { message: `type must be one of ${INCIDENT_TYPES.join(', ')}` })
  type?: string;

  @stateFilter(INCIDENT_STATES)
  state?: HistoricIncidentState;

  @textFilter('BPMN element id', 'charge')
  elementId?: string;

  @textFilter('For a job incident: the job')
  jobId?: string;

  @timeFilter('createdAfter', 'Raised at or after this time')
  createdAfter?: string;

  @timeFilter('createdBefore', 'Raised before this time')
  createdBefore?: string;

  @sortProperty('incidents', 'createTime:asc')
  sort?: string;
}

export class ListUserTasksQueryDto extends PageQueryDto implements UserTaskFilter {
  @textFilter('The process instance')
  processInstanceId?: string;

  @textFilter('BPMN process id', 'order')
  processId?: string;

  @stateFilter(USER_TASK_STATES)
  state?: HistoricUserTaskState;

  @textFilter('BPMN element id', 'ship')
  elementId?: string;

  @textFilter('Assigned to this user', 'ada')
  assignee?: string;

  @textFilter('One of its candidate groups', 'sales')
  candidateGroup?: string;

  @textFilter('One of its candidate users', 'bob')
  candidateUser?: string;

  @timeFilter('createdAfter', 'Created at or after this time')
  createdAfter?: string;

  @timeFilter('createdBefore', 'Created before this time')
  createdBefore?: string;

  @timeFilter('dueAfter', 'Due at or after this time (tasks whose due date is a date-time)')
  dueAfter?: string;

  @timeFilter('dueBefore', 'Due before this time')
  dueBefore?: string;

  @sortProperty('userTasks', 'createTime:asc')
  sort?: string;
}
