import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import type { JsonObject } from '@trellis/engine';

export class BroadcastSignalDto {
  @ApiProperty({ description: 'The signal name subscriptions wait for (the bpmn:signal name, or the value its FEEL expression gave)', example: 'fire-alarm' })
  @IsString({ message: 'signalName must be a string' })
  @IsNotEmpty({ message: 'signalName must not be empty' })
  @MaxLength(256)
  signalName!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Variables the signal carries: set where each catching element completes, as a job’s completion variables',
    example: { building: 'B7' },
  })
  @IsOptional()
  @IsObject({ message: 'variables must be a JSON object' })
  variables?: JsonObject;
}

export class BroadcastedSignalDto {
  @ApiProperty({ description: 'The id the runtime gave the broadcast' })
  signalId!: string;

  @ApiProperty({ description: 'How many subscriptions (catch events and boundary events) it reached' })
  reached!: number;

  @ApiProperty({ type: [String], description: 'The process instances it reached' })
  processInstanceIds!: string[];

  @ApiProperty({ type: [String], description: 'The process instances it started at signal start events (of the latest version of each process)' })
  startedProcessInstanceIds!: string[];
}
