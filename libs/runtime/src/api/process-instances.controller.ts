import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, ProblemError, ProblemType } from '@trellis/platform';

import { ActivateAdHocActivitiesCommand, CancelProcessInstanceCommand, SetVariablesCommand } from '../commands/process-instance.commands.js';
import { StartProcessInstanceCommand } from '../commands/start-process-instance.command.js';
import { GetProcessInstanceQuery, ListProcessInstancesQuery } from '../queries/runtime.queries.js';
import type { Page, ProcessInstanceView } from '../runtime.views.js';
import { ActivateAdHocActivitiesDto, ListProcessInstancesQueryDto, SetVariablesDto, StartProcessInstanceDto } from './runtime-requests.dto.js';
import { ProcessInstanceDto, ProcessInstancePageDto } from './runtime-views.dto.js';

@ApiTags('Process instances')
@Controller('process-instances')
export class ProcessInstancesController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Start a process instance',
    description: 'By `processId` (its latest version) or by `processDefinitionId`. The instance runs until it waits (a task, a job) or ends.',
  })
  @ApiCreatedResponse({ type: ProcessInstanceDto })
  @ApiProblemResponses(400, 404)
  start(@Body() body: StartProcessInstanceDto): Promise<ProcessInstanceView> {
    if (body.processId !== undefined && body.processDefinitionId !== undefined) {
      throw new ProblemError({
        type: ProblemType.validation,
        title: 'Invalid request',
        status: 400,
        detail: 'Give either processId or processDefinitionId, not both',
        errors: [{ field: 'processDefinitionId', message: 'give either processId or processDefinitionId, not both' }],
      });
    }
    const target = body.processDefinitionId !== undefined ? { processDefinitionId: body.processDefinitionId } : { processId: body.processId ?? '' };
    return this.commandBus.execute(new StartProcessInstanceCommand(target, body.variables, body.businessKey));
  }

  @Get()
  @ApiOperation({ summary: 'List process instances', description: 'In start order, paged with `limit` and `offset`.' })
  @ApiOkResponse({ type: ProcessInstancePageDto })
  @ApiProblemResponses(400)
  list(@Query() query: ListProcessInstancesQueryDto): Promise<Page<ProcessInstanceView>> {
    return this.queryBus.execute(new ListProcessInstancesQuery(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a process instance', description: 'Its state, active element instances, process variables and open incidents.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): Promise<ProcessInstanceView> {
    return this.queryBus.execute(new GetProcessInstanceQuery(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a process instance', description: 'Terminates every active element; the instance ends TERMINATED.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The instance after cancellation' })
  @ApiProblemResponses(404, 409)
  cancel(@Param('id') id: string): Promise<ProcessInstanceView> {
    return this.commandBus.execute(new CancelProcessInstanceCommand(id));
  }

  @Put(':id/variables')
  @ApiOperation({
    summary: 'Set variables',
    description: 'Without `local`, each variable goes to the nearest scope that has it, else to the process instance.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The instance with the variables set' })
  @ApiProblemResponses(400, 404, 409)
  setVariables(@Param('id') id: string, @Body() body: SetVariablesDto): Promise<ProcessInstanceView> {
    return this.commandBus.execute(new SetVariablesCommand(id, body.variables, body.local, body.scopeInstanceId));
  }

  @Post(':id/ad-hoc-sub-processes/:elementInstanceId/activation')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Activate elements of an ad-hoc sub-process',
    description:
      'Starts inner elements (activities or intermediate events without incoming flows) of a running ad-hoc sub-process, ' +
      'given by its element instance id (see `activeElementInstances`): at once when its ordering is Parallel, one after ' +
      'another when Sequential. 409 once its completion condition held.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'elementInstanceId', description: 'The ad-hoc sub-process instance' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The instance with the elements started' })
  @ApiProblemResponses(400, 404, 409)
  activateAdHocActivities(
    @Param('id') id: string,
    @Param('elementInstanceId') elementInstanceId: string,
    @Body() body: ActivateAdHocActivitiesDto,
  ): Promise<ProcessInstanceView> {
    return this.commandBus.execute(
      new ActivateAdHocActivitiesCommand(
        id,
        elementInstanceId,
        body.elements.map((element) => element.elementId),
      ),
    );
  }
}
