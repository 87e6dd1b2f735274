import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';

import { CompleteUserTaskCommand } from '../commands/user-task.commands.js';
import { GetUserTaskFormQuery } from '../forms/user-task-form.query.js';
import type { UserTaskFormView } from '../forms/user-task-forms.js';
import { GetUserTaskQuery, ListUserTasksQuery } from '../queries/runtime.queries.js';
import type { ProcessInstanceView, UserTaskView } from '../runtime.views.js';
import { CompleteWithVariablesDto, ListUserTasksQueryDto } from './runtime-requests.dto.js';
import { ProcessInstanceDto, UserTaskDto, UserTaskFormDto } from './runtime-views.dto.js';

@ApiTags('User tasks')
@Controller('user-tasks')
export class UserTasksController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List user tasks', description: 'In creation order. Without `state`, tasks of every state.' })
  @ApiOkResponse({ type: [UserTaskDto] })
  @ApiProblemResponses(400)
  list(@Query() query: ListUserTasksQueryDto): Promise<UserTaskView[]> {
    return this.queryBus.execute(new ListUserTasksQuery(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user task' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserTaskDto })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): Promise<UserTaskView> {
    return this.queryBus.execute(new GetUserTaskQuery(id));
  }

  @Get(':id/form')
  @ApiOperation({
    summary: 'Get the form of a user task',
    description:
      'The deployed form-js schema the task references (`zeebe:formDefinition formId`, `camunda:formRef`, `camunda:formKey="camunda-forms:deployment:…"`) ' +
      'and the current values of its fields. 404 when the task has no form or one the engine does not hold (an embedded or external form).',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserTaskFormDto })
  @ApiProblemResponses(404)
  form(@Param('id') id: string): Promise<UserTaskFormView> {
    return this.queryBus.execute(new GetUserTaskFormQuery(id));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete a user task',
    description:
      'The variables are merged into the process; the instance continues. When the task has a deployed form, the variables (over the task’s current ones) ' +
      'must satisfy its rules: otherwise 400 `form-validation-failed` lists each violation and the task stays open.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The task’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  complete(@Param('id') id: string, @Body() body: CompleteWithVariablesDto): Promise<ProcessInstanceView> {
    return this.commandBus.execute(new CompleteUserTaskCommand(id, body.variables));
  }
}
