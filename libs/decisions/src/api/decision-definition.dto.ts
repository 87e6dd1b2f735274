import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';

import { type DecisionDefinitionFilter, type DecisionDefinitionPage, type DecisionDefinitionView, MAX_PAGE_SIZE } from '../decision-catalog.js';

export class DecisionDefinitionDto implements DecisionDefinitionView {
  @ApiProperty({ description: '`<decisionId>:<version>`', example: 'risk-check:1' })
  id!: string;
  @ApiProperty({ description: 'The DMN decision id (what business rule tasks call)', example: 'risk-check' })
  decisionId!: string;
  @ApiPropertyOptional({ example: 'Risk check' })
  name?: string;
  @ApiProperty({ description: 'Starts at 1 per decision id; redeploying the same content keeps it', example: 1 })
  version!: number;
  @ApiPropertyOptional({ description: 'camunda:versionTag or zeebe:versionTag of the decision', example: 'v2' })
  versionTag?: string;
  @ApiPropertyOptional({ description: 'The id of the DMN definitions (decision requirements graph) holding it', example: 'risk-rules' })
  decisionRequirementsId?: string;
  @ApiPropertyOptional({ example: 'Risk rules' })
  decisionRequirementsName?: string;
  @ApiProperty({ description: 'The DMN resource it came from', example: 'risk-rules.dmn' })
  resourceName!: string;
  @ApiProperty({ description: 'The deployment that introduced this version', format: 'uuid' })
  deploymentId!: string;
  @ApiProperty({ format: 'date-time' })
  deployedAt!: string;
}

export class DecisionDefinitionPageDto implements DecisionDefinitionPage {
  @ApiProperty({ type: [DecisionDefinitionDto] })
  items!: DecisionDefinitionDto[];
  @ApiProperty({ description: 'Matching definitions in all pages', example: 1 })
  total!: number;
  @ApiProperty({ example: 100 })
  limit!: number;
  @ApiProperty({ example: 0 })
  offset!: number;
}

const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class ListDecisionDefinitionsQueryDto implements DecisionDefinitionFilter {
  @ApiPropertyOptional({ description: 'Only definitions of this decision id', example: 'risk-check' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  decisionId?: string;

  @ApiPropertyOptional({ description: 'Only this version', example: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;

  @ApiPropertyOptional({ description: 'Only the latest version of each decision id', type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  latest?: boolean;

  @ApiPropertyOptional({ description: `Page size (default 100, at most ${MAX_PAGE_SIZE})`, minimum: 1, maximum: MAX_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'Definitions to skip (default 0)', minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class EvaluateDecisionRequestDto {
  @ApiPropertyOptional({ description: 'The decision’s input variables', example: { amount: 1200 } })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;
}
