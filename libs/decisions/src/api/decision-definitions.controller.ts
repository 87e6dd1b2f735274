import { Body, Controller, Get, Header, Param, Post, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { ApiProblemResponses, ProblemDetailsDto, sendProblem } from '@trellis/platform';
import type { Request, Response } from 'express';

import type { DecisionDefinitionPage, DecisionDefinitionView } from '../decision-catalog.js';
import {
  DecisionEngineNotAvailableError,
  GetDecisionDefinitionQuery,
  GetDecisionDefinitionXmlQuery,
  ListDecisionDefinitionsQuery,
} from '../decision-definition.queries.js';
import { DecisionDefinitionDto, DecisionDefinitionPageDto, EvaluateDecisionRequestDto, ListDecisionDefinitionsQueryDto } from './decision-definition.dto.js';

@ApiTags('Decision definitions')
@Controller('decision-definitions')
export class DecisionDefinitionsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: 'List decision definitions',
    description: 'Deployed DMN decisions, one per decision id and version, ordered by decision id, then version; paged with `limit` and `offset`.',
  })
  @ApiOkResponse({ type: DecisionDefinitionPageDto })
  @ApiProblemResponses(400)
  list(@Query() query: ListDecisionDefinitionsQueryDto): Promise<DecisionDefinitionPage> {
    return this.queryBus.execute(
      new ListDecisionDefinitionsQuery({
        ...(query.decisionId === undefined ? {} : { decisionId: query.decisionId }),
        ...(query.version === undefined ? {} : { version: query.version }),
        ...(query.latest === undefined ? {} : { latest: query.latest }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
        ...(query.offset === undefined ? {} : { offset: query.offset }),
      }),
    );
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a decision definition' })
  @ApiParam({ name: 'id', example: 'risk-check:1' })
  @ApiOkResponse({ type: DecisionDefinitionDto })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): Promise<DecisionDefinitionView> {
    return this.queryBus.execute(new GetDecisionDefinitionQuery(id));
  }

  @Get(':id/xml')
  @Header('Content-Type', 'application/xml')
  @ApiOperation({ summary: 'Get the DMN XML of a decision definition', description: 'The DMN resource it came from, exactly as deployed.' })
  @ApiParam({ name: 'id', example: 'risk-check:1' })
  @ApiProduces('application/xml')
  @ApiOkResponse({ description: 'DMN XML', content: { 'application/xml': { schema: { type: 'string' } } } })
  @ApiProblemResponses(404)
  xml(@Param('id') id: string): Promise<string> {
    return this.queryBus.execute(new GetDecisionDefinitionXmlQuery(id));
  }

  @Post(':id/evaluate')
  @ApiOperation({
    summary: 'Evaluate a decision (not available yet)',
    description:
      'The decision engine comes with issue #8. Until then this answers 501 with a problem saying so, for a deployed ' +
      'decision, and 404 for an unknown one.',
  })
  @ApiParam({ name: 'id', example: 'risk-check:1' })
  @ApiBody({ type: EvaluateDecisionRequestDto, required: false })
  @ApiResponse({
    status: 501,
    description: 'Decision engine not available (problem+json)',
    content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
  })
  @ApiProblemResponses(400, 404)
  async evaluate(@Param('id') id: string, @Body() _body: EvaluateDecisionRequestDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.queryBus.execute(new GetDecisionDefinitionQuery(id));
    // Answered here rather than thrown: it is the expected answer of this version, not a server failure to log.
    const { problem } = new DecisionEngineNotAvailableError(id);
    sendProblem(response, { ...problem, instance: request.originalUrl.split('?')[0] ?? request.originalUrl });
  }
}
