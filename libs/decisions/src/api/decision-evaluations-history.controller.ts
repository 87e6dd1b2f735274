import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, Min } from 'class-validator';
import { ApiProblemResponses, ProblemError, ProblemType } from '@trellis/platform';

import { MAX_PAGE_SIZE } from '../decision-catalog.js';
import { type DecisionEvaluatedRecord, type DecisionEvaluationFilter, type DecisionEvaluationPage, MemoryDecisionEvaluationLog } from '../decision-evaluation-log.js';
import { toBoolean } from './decision-definition.dto.js';

export class ListDecisionEvaluationsQueryDto implements DecisionEvaluationFilter {
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

  @ApiPropertyOptional({ description: `Page size (default 100, at most ${MAX_PAGE_SIZE})`, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Evaluations to skip (default 0)', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

/** No evaluation recorded with this id (or it is older than what the standalone server keeps). */
export class DecisionEvaluationNotFoundError extends ProblemError {
  constructor(id: string) {
    super({
      type: ProblemType.notFound,
      title: 'Decision evaluation not found',
      status: 404,
      detail: `No decision evaluation with id ${id}`,
      details: { decisionEvaluationId: id },
    });
  }
}

/** The standalone server's decision evaluation history (`/api/history/decision-evaluations`), from the in-memory log. */
@ApiTags('History')
@Controller('history/decision-evaluations')
export class DecisionEvaluationsHistoryController {
  constructor(private readonly log: MemoryDecisionEvaluationLog) {}

  @Get()
  @ApiOperation({
    summary: 'List decision evaluations',
    description: 'Every evaluation of a deployed decision (REST or business rule task), oldest first, with its inputs, output and matched rules; paged with `limit` and `offset`.',
  })
  @ApiOkResponse({ description: '`{ items, total, limit, offset }`' })
  @ApiProblemResponses(400)
  list(@Query() query: ListDecisionEvaluationsQueryDto): DecisionEvaluationPage {
    return this.log.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a decision evaluation' })
  @ApiParam({ name: 'id' })
  @ApiOkResponse({ description: 'The evaluation record' })
  @ApiProblemResponses(404)
  get(@Param('id') id: string): DecisionEvaluatedRecord {
    const evaluation = this.log.get(id);
    if (evaluation === undefined) throw new DecisionEvaluationNotFoundError(id);
    return evaluation;
  }
}
