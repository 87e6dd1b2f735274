import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';

import { RunAsyncContinuationCommand } from '../commands/async-continuation.commands.js';
import { ListAsyncContinuationsQuery } from '../queries/runtime.queries.js';
import type { AsyncContinuationView, ProcessInstanceView } from '../runtime.views.js';
import { ListAsyncContinuationsQueryDto } from './runtime-requests.dto.js';
import { AsyncContinuationDto, ProcessInstanceDto } from './runtime-views.dto.js';

@ApiTags('Asynchronous continuations')
@Controller('async-continuations')
export class AsyncContinuationsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List asynchronous continuations',
    description:
      'The jobs of camunda:asyncBefore / asyncAfter that the job executor runs, highest priority first, then earliest due; FAILED ones (no retries left) wait for their JOB_NO_RETRIES incident to be resolved.',
  })
  @ApiOkResponse({ type: [AsyncContinuationDto] })
  @ApiProblemResponses(400)
  list(@Query() query: ListAsyncContinuationsQueryDto): Promise<AsyncContinuationView[]> {
    return this.queryBus.execute(new ListAsyncContinuationsQuery(query));
  }

  @Post(':id/run')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run an asynchronous continuation now',
    description:
      'As the job executor would, once it is due: the element goes on up to the next wait state. A problem on the way rolls that back and spends a retry (the answer then shows the continuation with its error message). 409 when it is not due yet or has no retries left.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The continuation’s process instance afterwards' })
  @ApiProblemResponses(404, 409)
  run(@Param('id') id: string): Promise<ProcessInstanceView> {
    return this.commandBus.execute(new RunAsyncContinuationCommand(id));
  }
}
