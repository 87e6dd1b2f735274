import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

import type { ProblemDetails, ProblemFieldError } from './problem-details.js';

export class ProblemFieldErrorDto implements ProblemFieldError {
  @ApiPropertyOptional({ description: 'The request field concerned, as a dotted path', example: 'variables' })
  field?: string;
  @ApiPropertyOptional({ description: 'The deployed resource concerned (file name)', example: 'order-process.bpmn' })
  resource?: string;
  @ApiPropertyOptional({ description: 'The BPMN element concerned', example: 'approved-gateway' })
  elementId?: string;
  @ApiPropertyOptional({ description: '1-based line in the resource', example: 17 })
  line?: number;
  @ApiPropertyOptional({ description: '1-based column in the resource', example: 5 })
  column?: number;
  @ApiPropertyOptional({ description: 'Machine-readable kind of problem', example: 'GATEWAY_WITHOUT_OUTGOING' })
  code?: string;
  @ApiProperty({ example: 'variables must be an object' })
  message!: string;
}

export class ProblemDetailsDto implements ProblemDetails {
  @ApiProperty({ description: 'URI identifying the kind of problem', example: 'urn:trellis:problem:validation' })
  type!: string;
  @ApiProperty({ example: 'Invalid request' })
  title!: string;
  @ApiProperty({ example: 400 })
  status!: number;
  @ApiProperty({ example: 'The request has 1 invalid field: variables must be an object' })
  detail!: string;
  @ApiPropertyOptional({ description: 'The request path', example: '/api/process-instances' })
  instance?: string;
  @ApiPropertyOptional({ type: [ProblemFieldErrorDto] })
  errors?: ProblemFieldErrorDto[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { jobId: '5f0c…' } })
  details?: Record<string, string>;
}

const descriptions: Record<number, string> = {
  400: 'Invalid request (problem+json naming each field, element or line)',
  404: 'Not found',
  409: 'The request conflicts with the current state',
  413: 'Payload too large',
  415: 'The body is not application/json',
  500: 'Unexpected error',
};

/** Documents error responses of a route as `application/problem+json`. */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemDetailsDto),
    ...[...statuses, 500].map((status) =>
      ApiResponse({
        status,
        description: descriptions[status] ?? 'Error',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetailsDto) } } },
      }),
    ),
  );
}
