import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import type { JsonObject } from '@trellis/engine';

const variablesSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'Variables the message carries: set where the catching element completes, as a job’s completion variables',
  example: { amount: 120, paidAt: '2026-01-01T10:00:00Z' },
} as const;

export class PublishMessageDto {
  @ApiProperty({ description: 'The message name a subscription waits for', example: 'payment-received' })
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(256)
  name!: string;

  @ApiProperty({ description: 'Which subscription of that name: the value its correlationKey expression gave', example: 'order-4711' })
  @IsString({ message: 'correlationKey must be a string' })
  @MaxLength(256)
  correlationKey!: string;

  @ApiPropertyOptional(variablesSchema)
  @IsOptional()
  @IsObject({ message: 'variables must be a JSON object' })
  variables?: JsonObject;

  @ApiPropertyOptional({
    description: 'How long the message waits for a subscription that opens later: milliseconds, or an ISO 8601 duration (`PT1H`). Default 0: only subscriptions open now',
    oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', example: 'PT10M' }],
  })
  @IsOptional()
  timeToLive?: number | string;

  @ApiPropertyOptional({ description: 'Makes publishing idempotent: a second message with this id, name and key is refused while the first is buffered', example: 'payment-981' })
  @IsOptional()
  @IsString({ message: 'messageId must be a string' })
  @IsNotEmpty({ message: 'messageId must not be empty' })
  @MaxLength(256)
  messageId?: string;
}

export class CorrelateMessageDto {
  @ApiProperty({ description: 'The message name a subscription waits for', example: 'payment-received' })
  @IsString({ message: 'messageName must be a string' })
  @IsNotEmpty({ message: 'messageName must not be empty' })
  messageName!: string;

  @ApiPropertyOptional({ description: 'Only a subscription whose correlation key is this (Camunda 8 models)' })
  @IsOptional()
  @IsString({ message: 'correlationKey must be a string' })
  correlationKey?: string;

  @ApiPropertyOptional({ description: 'Only a subscription of the instance with this business key' })
  @IsOptional()
  @IsString({ message: 'businessKey must be a string' })
  @IsNotEmpty({ message: 'businessKey must not be empty' })
  businessKey?: string;

  @ApiPropertyOptional({ description: 'Only a subscription of this process instance' })
  @IsOptional()
  @IsString({ message: 'processInstanceId must be a string' })
  @IsNotEmpty({ message: 'processInstanceId must not be empty' })
  processInstanceId?: string;

  @ApiPropertyOptional(variablesSchema)
  @IsOptional()
  @IsObject({ message: 'variables must be a JSON object' })
  variables?: JsonObject;
}

export class PublishedMessageDto {
  @ApiProperty({ description: 'The id the runtime gave the message' })
  messageKey!: string;

  @ApiPropertyOptional({ description: 'The sender’s id, as given' })
  messageId?: string;

  @ApiProperty({ type: [String], description: 'The process instances it was correlated to at once' })
  processInstanceIds!: string[];

  @ApiProperty({ description: 'Whether it waits in the buffer (it has a time to live) for subscriptions that open later' })
  buffered!: boolean;
}
