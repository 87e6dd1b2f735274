import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';
import type { Response } from 'express';

import { ExternalTaskService } from '../external-tasks/external-task.service.js';
import type { ExternalTaskView, LockedExternalTaskView } from '../external-tasks/external-task.views.js';
import type { ProcessInstanceView } from '../runtime.views.js';
import {
  CompleteExternalTaskDto,
  ExtendLockDto,
  ExternalTaskBpmnErrorDto,
  ExternalTaskCountDto,
  ExternalTaskDto,
  ExternalTaskErrorDetailsDto,
  ExternalTaskFailureDto,
  FetchAndLockDto,
  ListExternalTasksQueryDto,
  LockedExternalTaskDto,
  LockExternalTaskDto,
  SetExternalTaskRetriesDto,
} from './external-tasks.dto.js';
import { ProcessInstanceDto } from './runtime-views.dto.js';

@ApiTags('External tasks')
@Controller('external-tasks')
export class ExternalTasksController {
  constructor(private readonly externalTasks: ExternalTaskService) {}

  @Post('fetch-and-lock')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Fetch and lock external tasks',
    description:
      'Locks up to `maxTasks` tasks of the topics for the worker and returns them with their variables. With `asyncResponseTimeout` the request waits for tasks (long polling): it is answered as soon as one is there, or with [] when the time is up. Tasks are shared among the workers waiting for the same topic.',
  })
  @ApiOkResponse({ type: [LockedExternalTaskDto] })
  @ApiProblemResponses(400)
  fetchAndLock(@Body() body: FetchAndLockDto, @Res({ passthrough: true }) response: Response): Promise<LockedExternalTaskView[]> {
    // A client that goes away stops waiting: no task is locked for a response nobody reads.
    const gone = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    return this.externalTasks.fetchAndLock(body, gone.signal);
  }

  @Get()
  @ApiOperation({ summary: 'List external tasks', description: 'Open tasks (locked or not, out of retries included), oldest first.' })
  @ApiOkResponse({ type: [ExternalTaskDto] })
  @ApiProblemResponses(400)
  list(@Query() query: ListExternalTasksQueryDto): Promise<ExternalTaskView[]> {
    return this.externalTasks.list(query);
  }

  @Get('count')
  @ApiOperation({ summary: 'Count external tasks', description: 'How many tasks the same filters as the list match (its limit aside).' })
  @ApiOkResponse({ type: ExternalTaskCountDto })
  @ApiProblemResponses(400)
  async count(@Query() query: ListExternalTasksQueryDto): Promise<ExternalTaskCountDto> {
    return { count: await this.externalTasks.count(query) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an external task' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ExternalTaskDto })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): Promise<ExternalTaskView> {
    return this.externalTasks.task(id);
  }

  @Get(':id/error-details')
  @ApiOperation({ summary: 'The error details of the task’s last failure' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ExternalTaskErrorDetailsDto })
  @ApiProblemResponses(404)
  async errorDetails(@Param('id') id: string): Promise<ExternalTaskErrorDetailsDto> {
    return { errorDetails: (await this.externalTasks.errorDetails(id)) ?? null };
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete a task the worker holds', description: 'The variables are set as for a completed job; the instance continues.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The task’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  complete(@Param('id') id: string, @Body() body: CompleteExternalTaskDto): Promise<ProcessInstanceView> {
    return this.externalTasks.complete(id, body.workerId, body.variables, body.localVariables);
  }

  @Post(':id/failure')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report a failure',
    description: 'With retries left the task is unlocked and may be fetched again after `retryTimeout`; with 0 a JOB_NO_RETRIES incident is raised.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The task’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  failure(@Param('id') id: string, @Body() body: ExternalTaskFailureDto): Promise<ProcessInstanceView> {
    return this.externalTasks.handleFailure(id, body);
  }

  @Post(':id/bpmn-error')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report a BPMN error',
    description: 'Thrown at the task’s element: caught by an error boundary event (or an error event sub-process) for its code, else an UNHANDLED_ERROR_EVENT incident.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The task’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  bpmnError(@Param('id') id: string, @Body() body: ExternalTaskBpmnErrorDto): Promise<ProcessInstanceView> {
    return this.externalTasks.handleBpmnError(id, body);
  }

  @Post(':id/extend-lock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Extend the worker’s lock', description: 'The lock now ends `newDuration` ms from now; refused once it expired.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ExternalTaskDto })
  @ApiProblemResponses(400, 404)
  extendLock(@Param('id') id: string, @Body() body: ExtendLockDto): Promise<ExternalTaskView> {
    return this.externalTasks.extendLock(id, body.workerId, body.newDuration);
  }

  @Post(':id/lock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Lock one task by id', description: 'Refused when another worker holds it.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ExternalTaskDto })
  @ApiProblemResponses(400, 404)
  lock(@Param('id') id: string, @Body() body: LockExternalTaskDto): Promise<ExternalTaskView> {
    return this.externalTasks.lock(id, body.workerId, body.lockDuration);
  }

  @Post(':id/unlock')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unlock a task', description: 'Whoever holds it: it may be fetched again at once.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse()
  @ApiProblemResponses(404)
  unlock(@Param('id') id: string): Promise<void> {
    return this.externalTasks.unlock(id);
  }

  @Put(':id/retries')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Set the retries of a task',
    description: 'A task out of retries gets them back (its incident is resolved) and may be fetched again; 0 raises the incident.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The task’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  setRetries(@Param('id') id: string, @Body() body: SetExternalTaskRetriesDto): Promise<ProcessInstanceView> {
    return this.externalTasks.setRetries(id, body.retries);
  }
}
