import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';

import { CompleteJobCommand, FailJobCommand, ThrowJobErrorCommand } from '../commands/job.commands.js';
import { ListJobsQuery } from '../queries/runtime.queries.js';
import type { JobView, ProcessInstanceView } from '../runtime.views.js';
import { CompleteJobDto, FailJobDto, ListJobsQueryDto, ThrowJobErrorDto } from './runtime-requests.dto.js';
import { JobDto, ProcessInstanceDto } from './runtime-views.dto.js';

@ApiTags('Jobs')
@Controller('jobs')
export class JobsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List activatable jobs',
    description:
      'Open jobs a worker may do now (service, send and business rule tasks, and user task listeners), with the variables visible to their element.',
  })
  @ApiOkResponse({ type: [JobDto] })
  @ApiProblemResponses(400)
  list(@Query() query: ListJobsQueryDto): Promise<JobView[]> {
    return this.queryBus.execute(new ListJobsQuery(query));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete a job',
    description:
      'The variables are merged into the process; the instance continues. The job of a task listener (its `customHeaders` hold `userTaskId` and `eventType`) takes no variables but an optional `result`: `corrections` to the task (assignee, dueDate, followUpDate, priority, candidateUsers, candidateGroups) and, for a completing listener, `denied: true` with a `deniedReason`, which leaves the task open.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The job’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  complete(@Param('id') id: string, @Body() body: CompleteJobDto): Promise<ProcessInstanceView> {
    return this.commandBus.execute(new CompleteJobCommand(id, body.variables, body.result));
  }

  @Post(':id/fail')
  @HttpCode(200)
  @ApiOperation({ summary: 'Fail a job', description: 'With retries left it is offered again (after `retryBackoffMs`); with 0 an incident is raised.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The job’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  fail(@Param('id') id: string, @Body() body: FailJobDto): Promise<ProcessInstanceView> {
    return this.commandBus.execute(new FailJobCommand(id, body.retries, body.errorMessage, body.retryBackoffMs));
  }

  @Post(':id/error')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Throw a BPMN error for a job',
    description:
      'A business error instead of a result: thrown at the job’s element, it is caught by the nearest error boundary event for its code (or a catch-all), which interrupts the task (or the sub-process around it); the variables are set there. Uncaught, an UNHANDLED_ERROR_EVENT incident is raised on the element; resolving it offers the job again.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The job’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  throwError(@Param('id') id: string, @Body() body: ThrowJobErrorDto): Promise<ProcessInstanceView> {
    return this.commandBus.execute(new ThrowJobErrorCommand(id, body.errorCode, body.errorMessage, body.variables));
  }
}
