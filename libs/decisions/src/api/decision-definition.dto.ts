import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';

import type { JsonObject, JsonValue } from '@trellis/contracts';

import { type DecisionDefinitionFilter, type DecisionDefinitionPage, type DecisionDefinitionView, MAX_PAGE_SIZE } from '../decision-catalog.js';
import type { DecisionEvaluationView, EvaluatedDecision, MatchedRule } from '../decision-evaluation.js';

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

export const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

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

export class EvaluateDecisionQueryDto {
  @ApiPropertyOptional({ description: 'The version to evaluate (default: the latest)', example: 2, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

export class MatchedRuleDto implements MatchedRule {
  @ApiPropertyOptional({ description: 'The rule’s id in the DMN', example: 'rule-high' })
  ruleId?: string;
  @ApiProperty({ description: '1-based position of the rule in its decision table', example: 2 })
  ruleIndex!: number;
  @ApiProperty({ description: 'The rule’s outputs by output name', example: { risk: 'high' }, type: 'object', additionalProperties: true })
  outputs!: JsonObject;
}

export class EvaluatedDecisionDto implements EvaluatedDecision {
  @ApiProperty({ example: 'risk-check' })
  decisionId!: string;
  @ApiPropertyOptional({ example: 'Risk check' })
  decisionName?: string;
  @ApiProperty({ description: 'The decision’s value as JSON (dates and durations as ISO 8601 text)', example: { risk: 'high' } })
  output!: JsonValue;
  @ApiProperty({ description: 'Decision tables: the rules that matched, in table order', type: [MatchedRuleDto] })
  matchedRules!: MatchedRuleDto[];
}

export class DecisionEvaluationDto implements DecisionEvaluationView {
  @ApiProperty({ example: 'risk-check:1' })
  decisionDefinitionId!: string;
  @ApiProperty({ example: 'risk-check' })
  decisionId!: string;
  @ApiPropertyOptional({ example: 'Risk check' })
  decisionName?: string;
  @ApiProperty({ example: 1 })
  version!: number;
  @ApiProperty({
    description: 'The decision’s value as JSON: a single output’s value, a context of several outputs, a list for several matched rules',
    example: 'high',
  })
  output!: JsonValue;
  @ApiProperty({
    description: 'Camunda 7’s view of the result: one map of output name to value per matched rule',
    example: [{ risk: 'high' }],
    type: 'array',
    items: { type: 'object', additionalProperties: true },
  })
  ruleResults!: Record<string, JsonValue>[];
  @ApiProperty({ description: 'The rules of the decision that matched (decision tables)', type: [MatchedRuleDto] })
  matchedRules!: MatchedRuleDto[];
  @ApiProperty({ description: 'The decision and each decision it required, required ones first, each once', type: [EvaluatedDecisionDto] })
  evaluatedDecisions!: EvaluatedDecisionDto[];
  @ApiProperty({ description: 'Why a value came out null (a type mismatch, a failed function call...)', type: [String] })
  warnings!: string[];
  @ApiProperty({ format: 'date-time' })
  evaluatedAt!: string;
}
