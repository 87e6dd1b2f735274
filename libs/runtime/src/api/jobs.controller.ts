import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';

import { CompleteJobCommand, FailJobCommand } from '../commands/job.commands.js';
import { ListJobsQuery } from '../queries/runtime.queries.js';
import type { JobView, ProcessInstanceView } from '../runtime.views.js';
import { CompleteWithVariablesDto, FailJobDto, ListJobsQueryDto } from './runtime-requests.dto.js';
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
    description: 'Open jobs a worker may do now (service, send and business rule tasks), with the variables visible to their element.',
  })
  @ApiOkResponse({ type: [JobDto] })
  @ApiProblemResponses(400)
  list(@Query() query: ListJobsQueryDto): Promise<JobView[]> {
    return this.queryBus.execute(new ListJobsQuery(query));
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete a job', description: 'The variables are merged into the process; the instance continues.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The job’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  complete(@Param('id') id: string, @Body() body: CompleteWithVariablesDto): Promise<ProcessInstanceView> {
    return this.commandBus.execute(new CompleteJobCommand(id, body.variables));
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
}
