import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { DecisionEvaluated } from '@trellis/contracts';
import { Transform } from 'class-transformer';
import { IsBoolean, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { ApiProblemResponses, ProblemError, ProblemType } from '@trellis/platform';

import { type DecisionEvaluationFilter, type DecisionEvaluationPage, DecisionEvaluationQueries } from '../decision-evaluations.js';
import { PageQueryDto } from './history-requests.dto.js';

const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class ListDecisionEvaluationsQueryDto extends PageQueryDto implements DecisionEvaluationFilter {
  @ApiPropertyOptional({ description: 'Only evaluations of this decision id', example: 'risk-check' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  decisionId?: string;

  @ApiPropertyOptional({ description: 'Only evaluations a business rule task of this process instance asked for' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  processInstanceId?: string;

  @ApiPropertyOptional({ description: 'Only failed (`true`) or only successful (`false`) evaluations', type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  failed?: boolean;
}

/** The decision evaluations the dmn-service published (`trellis.decision-evaluations.v1`). */
@ApiTags('History')
@Controller('history/decision-evaluations')
export class DecisionEvaluationsController {
  constructor(private readonly queries: DecisionEvaluationQueries) {}

  @Get()
  @ApiOperation({
    summary: 'List decision evaluations',
    description: 'Every evaluation of a deployed decision (REST or business rule task), oldest first; paged with `limit` (at most 1000) and `offset`.',
  })
  @ApiOkResponse({ description: '`{ items, total, limit, offset }`' })
  @ApiProblemResponses(400)
  list(@Query() query: ListDecisionEvaluationsQueryDto): Promise<DecisionEvaluationPage> {
    return this.queries.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a decision evaluation' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ description: 'The evaluation' })
  @ApiProblemResponses(404)
  async get(@Param('id') id: string): Promise<DecisionEvaluated> {
    const evaluation = await this.queries.get(id);
    if (evaluation === undefined) {
      throw new ProblemError({
        type: ProblemType.notFound,
        title: 'Not found',
        status: 404,
        detail: `No decision evaluation with id ${id} in the history`,
        details: { decisionEvaluationId: id },
      });
    }
    return evaluation;
  }
}
