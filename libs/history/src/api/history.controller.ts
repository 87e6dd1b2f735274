import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, ProblemError, ProblemType } from '@trellis/platform';

import { HistoryRebuild, HistoryRebuildRefusedError } from '../history-rebuild.js';
import { HistoryQueries } from '../history.queries.js';
import { HistoryStatusReader } from '../history-status.js';
import type {
  HistoricElementInstance,
  HistoricIncident,
  HistoricJob,
  HistoricProcessInstance,
  HistoricProcessInstanceDetail,
  HistoricUserTask,
  HistoricVariable,
  HistoricVariableUpdate,
  HistoryPage,
} from '../history.views.js';
import {
  ListElementInstancesQueryDto,
  ListIncidentsQueryDto,
  ListJobsQueryDto,
  ListProcessInstancesQueryDto,
  ListUserTasksQueryDto,
  ListVariablesQueryDto,
  ListVariableUpdatesQueryDto,
} from './history-requests.dto.js';
import {
  HistoricElementInstancePageDto,
  HistoricIncidentDto,
  HistoricIncidentPageDto,
  HistoricJobDto,
  HistoricJobPageDto,
  HistoricProcessInstanceDetailDto,
  HistoricProcessInstancePageDto,
  HistoricUserTaskDto,
  HistoricUserTaskPageDto,
  HistoricVariablePageDto,
  HistoricVariableUpdatePageDto,
  HistoryRebuildDto,
  HistoryStatusDto,
} from './history-views.dto.js';

function notFound(kind: string, id: string, detailKey: string): ProblemError {
  return new ProblemError({
    type: ProblemType.notFound,
    title: 'Not found',
    status: 404,
    detail: `No ${kind} with id ${id} in the history`,
    details: { [detailKey]: id },
  });
}

const paged = 'Filtered, sorted and paged with `limit` (at most 1000) and `offset`; the answer has the `total` of all pages.';

@ApiTags('History')
@Controller('history')
export class HistoryController {
  constructor(
    private readonly queries: HistoryQueries,
    private readonly rebuilder: HistoryRebuild,
    private readonly status: HistoryStatusReader,
  ) {}

  @Get('process-instances')
  @ApiOperation({ summary: 'List process instances, running and ended', description: `${paged} Default order: newest start first.` })
  @ApiOkResponse({ type: HistoricProcessInstancePageDto })
  @ApiProblemResponses(400)
  processInstances(@Query() query: ListProcessInstancesQueryDto): Promise<HistoryPage<HistoricProcessInstance>> {
    return this.queries.processInstances(query);
  }

  @Get('process-instances/:id')
  @ApiOperation({ summary: 'Get a process instance with its element instances', description: 'Element instances in the order the engine activated them.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: HistoricProcessInstanceDetailDto })
  @ApiProblemResponses(404)
  async processInstance(@Param('id') id: string): Promise<HistoricProcessInstanceDetail> {
    const instance = await this.queries.processInstance(id);
    if (!instance) throw notFound('process instance', id, 'processInstanceId');
    return instance;
  }

  @Get('element-instances')
  @ApiOperation({ summary: 'List element instances', description: `${paged} Default order: activation time, then the engine's order within an instance.` })
  @ApiOkResponse({ type: HistoricElementInstancePageDto })
  @ApiProblemResponses(400)
  elementInstances(@Query() query: ListElementInstancesQueryDto): Promise<HistoryPage<HistoricElementInstance>> {
    return this.queries.elementInstances(query);
  }

  @Get('variables')
  @ApiOperation({ summary: 'List variables with their current values', description: `${paged} Default order: by name.` })
  @ApiOkResponse({ type: HistoricVariablePageDto })
  @ApiProblemResponses(400)
  variables(@Query() query: ListVariablesQueryDto): Promise<HistoryPage<HistoricVariable>> {
    return this.queries.variables(query);
  }

  @Get('variable-updates')
  @ApiOperation({ summary: 'List every value variables took', description: `${paged} Default order: oldest first.` })
  @ApiOkResponse({ type: HistoricVariableUpdatePageDto })
  @ApiProblemResponses(400)
  variableUpdates(@Query() query: ListVariableUpdatesQueryDto): Promise<HistoryPage<HistoricVariableUpdate>> {
    return this.queries.variableUpdates(query);
  }

  @Get('jobs')
  @ApiOperation({ summary: 'List jobs, open and done', description: `${paged} Default order: oldest first.` })
  @ApiOkResponse({ type: HistoricJobPageDto })
  @ApiProblemResponses(400)
  jobs(@Query() query: ListJobsQueryDto): Promise<HistoryPage<HistoricJob>> {
    return this.queries.jobs(query);
  }

  @Get('jobs/:id')
  @ApiOperation({ summary: 'Get a job' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: HistoricJobDto })
  @ApiProblemResponses(404)
  async job(@Param('id') id: string): Promise<HistoricJob> {
    const job = await this.queries.job(id);
    if (!job) throw notFound('job', id, 'jobId');
    return job;
  }

  @Get('incidents')
  @ApiOperation({ summary: 'List incidents, open and resolved', description: `${paged} Default order: oldest first.` })
  @ApiOkResponse({ type: HistoricIncidentPageDto })
  @ApiProblemResponses(400)
  incidents(@Query() query: ListIncidentsQueryDto): Promise<HistoryPage<HistoricIncident>> {
    return this.queries.incidents(query);
  }

  @Get('incidents/:id')
  @ApiOperation({ summary: 'Get an incident' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: HistoricIncidentDto })
  @ApiProblemResponses(404)
  async incident(@Param('id') id: string): Promise<HistoricIncident> {
    const incident = await this.queries.incident(id);
    if (!incident) throw notFound('incident', id, 'incidentId');
    return incident;
  }

  @Get('user-tasks')
  @ApiOperation({ summary: 'List user tasks, open and done', description: `${paged} Default order: oldest first.` })
  @ApiOkResponse({ type: HistoricUserTaskPageDto })
  @ApiProblemResponses(400)
  userTasks(@Query() query: ListUserTasksQueryDto): Promise<HistoryPage<HistoricUserTask>> {
    return this.queries.userTasks(query);
  }

  @Get('user-tasks/:id')
  @ApiOperation({ summary: 'Get a user task' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: HistoricUserTaskDto })
  @ApiProblemResponses(404)
  async userTask(@Param('id') id: string): Promise<HistoricUserTask> {
    const task = await this.queries.userTask(id);
    if (!task) throw notFound('user task', id, 'userTaskId');
    return task;
  }

  @Get('status')
  @ApiOperation({ summary: 'How the history consumer is doing', description: 'Consumer group, lag, batching, and the events it skipped.' })
  @ApiOkResponse({ type: HistoryStatusDto })
  @ApiProblemResponses()
  getStatus(): Promise<HistoryStatusDto> {
    return this.status.read();
  }

  @Post('rebuild')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rebuild the read model from the topics',
    description:
      'Stops this replica’s consumer, deletes the consumer group’s committed offsets (it then replays the topics from the oldest message kept), empties the history ' +
      'tables and checkpoints, and starts the consumer again: the history refills as it replays. Every other replica must be ' +
      'stopped first (409 otherwise). See docs/architecture.md for a rebuild from the event store.',
  })
  @ApiOkResponse({ type: HistoryRebuildDto })
  @ApiProblemResponses(409)
  async rebuild(): Promise<HistoryRebuildDto> {
    try {
      const report = await this.rebuilder.rebuild();
      return { groupId: report.groupId, topics: [...report.topics], startedAt: report.startedAt, finishedAt: report.finishedAt };
    } catch (error) {
      if (!(error instanceof HistoryRebuildRefusedError)) throw error;
      throw new ProblemError({ type: ProblemType.conflict, title: 'Conflict', status: 409, detail: error.message, details: { groupId: this.rebuilder.groupId } });
    }
  }
}
