import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import type { JsonObject } from '@trellis/engine';

export class EvaluateConditionalsDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The variables the conditions are evaluated with, and that each started instance gets',
    example: { temperature: 42 },
  })
  @IsObject({ message: 'variables must be a JSON object' })
  variables!: JsonObject;

  @ApiPropertyOptional({ description: 'Evaluate only this definition (`<processId>:<version>`); by default the latest version of every process', example: 'overheating:1' })
  @IsOptional()
  @IsString({ message: 'processDefinitionId must be a string' })
  @IsNotEmpty({ message: 'processDefinitionId must not be empty' })
  processDefinitionId?: string;

  @ApiPropertyOptional({ description: 'The business key of every instance started', example: 'sensor-7' })
  @IsOptional()
  @IsString({ message: 'businessKey must be a string' })
  @IsNotEmpty({ message: 'businessKey must not be empty' })
  @MaxLength(256)
  businessKey?: string;
}

export class ConditionallyStartedInstanceDto {
  @ApiProperty() processInstanceId!: string;
  @ApiProperty({ example: 'overheating:1' }) processDefinitionId!: string;
  @ApiProperty({ description: 'The conditional start event whose condition held' }) startEventId!: string;
}

export class ConditionalEvaluationDto {
  @ApiProperty({ description: 'The id the runtime gave the evaluation' })
  conditionalEvaluationId!: string;

  @ApiProperty({ type: [ConditionallyStartedInstanceDto], description: 'The instances started; empty when no condition held' })
  processInstances!: ConditionallyStartedInstanceDto[];
}
