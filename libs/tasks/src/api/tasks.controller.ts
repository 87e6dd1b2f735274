import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';

import { ClaimTaskCommand } from '../commands/claim-task.command.js';
import { CompleteTaskCommand } from '../commands/complete-task.command.js';
import { UnclaimTaskCommand } from '../commands/unclaim-task.command.js';
import { GetTaskQuery, ListTasksQuery } from '../queries/task.queries.js';
import type { TaskPage, TaskView } from '../task.views.js';
import { ClaimTaskDto, CompleteTaskDto, ListTasksQueryDto } from './task-requests.dto.js';
import { TaskDto, TaskPageDto } from './task-views.dto.js';

@ApiTags('Tasks')
@Controller('tasks')
export class TasksController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List user tasks', description: 'Filtered, sorted (default: creation order) and paged. Without `state`, tasks of every state.' })
  @ApiOkResponse({ type: TaskPageDto })
  @ApiProblemResponses(400)
  list(@Query() query: ListTasksQueryDto): Promise<TaskPage> {
    return this.queryBus.execute(new ListTasksQuery(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user task', description: 'An open task carries the variables its element sees.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): Promise<TaskView> {
    return this.queryBus.execute(new GetTaskQuery(id));
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Claim a user task', description: 'Sets the assignee of an open task. 409 when someone else holds it.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(400, 404, 409)
  claim(@Param('id') id: string, @Body() body: ClaimTaskDto): Promise<TaskView> {
    return this.commandBus.execute(new ClaimTaskCommand(id, body.assignee));
  }

  @Post(':id/unclaim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unclaim a user task', description: 'Removes the assignee of an open task.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: TaskDto })
  @ApiProblemResponses(404, 409)
  unclaim(@Param('id') id: string): Promise<TaskView> {
    return this.commandBus.execute(new UnclaimTaskCommand(id));
  }

  @Post(':id/complete')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Complete a user task',
    description:
      'Sends the completion to the runtime and answers at once with the task COMPLETING. It becomes COMPLETED when the ' +
      'runtime has completed it, or CREATED again with `lastError` if the runtime refuses.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: TaskDto, description: 'The task, COMPLETING' })
  @ApiProblemResponses(400, 404, 409)
  complete(@Param('id') id: string, @Body() body: CompleteTaskDto): Promise<TaskView> {
    return this.commandBus.execute(new CompleteTaskCommand(id, body.variables));
  }
}
