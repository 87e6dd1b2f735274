import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses } from '@trellis/platform';

import type { ProcessDefinition } from '../deployment.events.js';
import {
  GetProcessDefinitionQuery,
  GetProcessDefinitionXmlQuery,
  ListProcessDefinitionsQuery,
} from '../queries/process-definition.queries.js';
import { ListProcessDefinitionsQueryDto, ProcessDefinitionDto } from './deployment.dto.js';

@ApiTags('Process definitions')
@Controller('process-definitions')
export class ProcessDefinitionsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'List process definitions', description: 'Ordered by process id, then version.' })
  @ApiOkResponse({ type: [ProcessDefinitionDto] })
  @ApiProblemResponses(400)
  list(@Query() query: ListProcessDefinitionsQueryDto): Promise<ProcessDefinition[]> {
    return this.queryBus.execute(new ListProcessDefinitionsQuery(query.processId, query.latest));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a process definition' })
  @ApiParam({ name: 'id', example: 'order-process:1' })
  @ApiOkResponse({ type: ProcessDefinitionDto })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): Promise<ProcessDefinition> {
    return this.queryBus.execute(new GetProcessDefinitionQuery(id));
  }

  @Get(':id/xml')
  @Header('Content-Type', 'application/xml')
  @ApiOperation({ summary: 'Get the BPMN XML of a process definition', description: 'The resource exactly as deployed.' })
  @ApiParam({ name: 'id', example: 'order-process:1' })
  @ApiProduces('application/xml')
  @ApiOkResponse({ description: 'BPMN 2.0 XML', content: { 'application/xml': { schema: { type: 'string' } } } })
  @ApiProblemResponses(404)
  xml(@Param('id') id: string): Promise<string> {
    return this.queryBus.execute(new GetProcessDefinitionXmlQuery(id));
  }
}
