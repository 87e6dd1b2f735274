import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { JsonObject } from '@trellis/contracts';
import { ApiProblemResponses } from '@trellis/platform';

import type { DecisionDefinitionPage, DecisionDefinitionView } from '../decision-catalog.js';
import {
  DecisionDefinitionNotFoundError,
  GetDecisionDefinitionQuery,
  GetDecisionDefinitionXmlQuery,
  ListDecisionDefinitionsQuery,
} from '../decision-definition.queries.js';
import { DecisionNotDeployedError, type DecisionEvaluationView } from '../decision-evaluation.js';
import { DecisionEvaluator } from '../decision-evaluator.js';
import {
  DecisionDefinitionDto,
  DecisionDefinitionPageDto,
  DecisionEvaluationDto,
  EvaluateDecisionQueryDto,
  EvaluateDecisionRequestDto,
  ListDecisionDefinitionsQueryDto,
} from './decision-definition.dto.js';

@ApiTags('Decision definitions')
@Controller('decision-definitions')
export class DecisionDefinitionsController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly evaluator: DecisionEvaluator,
  ) {}

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
  @HttpCode(200)
  @ApiOperation({
    summary: 'Evaluate a decision definition',
    description:
      'Evaluates this version of the decision with `variables` (the input data of the decision and the decisions it requires). ' +
      'Answers the output, the matched rules (decision tables) and every decision evaluated. A decision that cannot be ' +
      'evaluated answers 422 `decision-evaluation-failed` naming it.',
  })
  @ApiParam({ name: 'id', example: 'risk-check:1' })
  @ApiBody({ type: EvaluateDecisionRequestDto, required: false })
  @ApiOkResponse({ type: DecisionEvaluationDto })
  @ApiProblemResponses(400, 404, 422)
  async evaluate(@Param('id') id: string, @Body() body: EvaluateDecisionRequestDto): Promise<DecisionEvaluationView> {
    const definition = await this.evaluator.definition(id);
    if (definition === undefined) throw new DecisionDefinitionNotFoundError(id);
    return this.evaluator.evaluate(definition, (body.variables ?? {}) as JsonObject);
  }
}

@ApiTags('Decision definitions')
@Controller('decisions')
export class DecisionsController {
  constructor(private readonly evaluator: DecisionEvaluator) {}

  @Post(':decisionId/evaluate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Evaluate a decision by its id',
    description:
      'Evaluates the latest version of the decision (or `version`) with `variables`. Answers as ' +
      '`POST /decision-definitions/{id}/evaluate`; 404 when no such version is deployed.',
  })
  @ApiParam({ name: 'decisionId', example: 'risk-check' })
  @ApiBody({ type: EvaluateDecisionRequestDto, required: false })
  @ApiOkResponse({ type: DecisionEvaluationDto })
  @ApiProblemResponses(400, 404, 422)
  async evaluate(@Param('decisionId') decisionId: string, @Query() query: EvaluateDecisionQueryDto, @Body() body: EvaluateDecisionRequestDto): Promise<DecisionEvaluationView> {
    const selector = { decisionId, ...(query.version === undefined ? {} : { version: query.version }) };
    const definition = await this.evaluator.definitionOf(selector);
    if (definition === undefined) throw new DecisionNotDeployedError(decisionId, selector);
    return this.evaluator.evaluate(definition, (body.variables ?? {}) as JsonObject);
  }
}
