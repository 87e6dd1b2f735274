import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';

import { ResolveIncidentCommand } from '../commands/process-instance.commands.js';
import { ListIncidentsQuery } from '../queries/runtime.queries.js';
import type { IncidentView, ProcessInstanceView } from '../runtime.views.js';
import { ListIncidentsQueryDto, ResolveIncidentDto } from './runtime-requests.dto.js';
import { IncidentDto, ProcessInstanceDto } from './runtime-views.dto.js';

@ApiTags('Incidents')
@Controller('incidents')
export class IncidentsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List open incidents' })
  @ApiOkResponse({ type: [IncidentDto] })
  @ApiProblemResponses(400)
  list(@Query() query: ListIncidentsQueryDto): Promise<IncidentView[]> {
    return this.queryBus.execute(new ListIncidentsQuery(query));
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve an incident', description: 'The failed step runs again; a job gets `retries` back first (default 1).' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ProcessInstanceDto, description: 'The incident’s process instance afterwards' })
  @ApiProblemResponses(400, 404, 409)
  resolve(@Param('id') id: string, @Body() body: ResolveIncidentDto): Promise<ProcessInstanceView> {
    return this.commandBus.execute(new ResolveIncidentCommand(id, body.retries));
  }
}
