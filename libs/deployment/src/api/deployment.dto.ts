import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

import type { DecisionDefinition, FormDefinition, ProcessDefinition } from '../deployment.events.js';
import type { DeploymentView } from '../commands/deploy-resources.command.js';

/** The text fields of the multipart deployment request (the files travel beside them). */
export class DeployRequestDto {
  @ApiPropertyOptional({ description: 'Name of the deployment (default: the first resource name)', example: 'orders' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  name?: string;
}

export class ProcessDefinitionDto implements ProcessDefinition {
  @ApiProperty({ description: '`<processId>:<version>`', example: 'order-process:1' })
  id!: string;
  @ApiProperty({ description: 'The BPMN process id', example: 'order-process' })
  processId!: string;
  @ApiPropertyOptional({ example: 'Order process' })
  name?: string;
  @ApiProperty({ description: 'Starts at 1 per process id; redeploying the same content keeps it', example: 1 })
  version!: number;
  @ApiProperty({ example: 'order-process.bpmn' })
  resourceName!: string;
  @ApiProperty({ description: 'The deployment that introduced this version', format: 'uuid' })
  deploymentId!: string;
}

export class DeployedDecisionDto implements DecisionDefinition {
  @ApiProperty({ description: '`<decisionId>:<version>`', example: 'risk-check:1' })
  id!: string;
  @ApiProperty({ description: 'The DMN decision id', example: 'risk-check' })
  decisionId!: string;
  @ApiPropertyOptional({ example: 'Risk check' })
  name?: string;
  @ApiProperty({ description: 'Starts at 1 per decision id; redeploying the same content keeps it', example: 1 })
  version!: number;
  @ApiPropertyOptional({ description: 'camunda:versionTag or zeebe:versionTag of the decision', example: 'v2' })
  versionTag?: string;
  @ApiPropertyOptional({ description: 'The id of the DMN definitions (decision requirements graph) holding the decision', example: 'risk-rules' })
  decisionRequirementsId?: string;
  @ApiPropertyOptional({ example: 'Risk rules' })
  decisionRequirementsName?: string;
  @ApiProperty({ example: 'risk-rules.dmn' })
  resourceName!: string;
  @ApiProperty({ description: 'The deployment that introduced this version', format: 'uuid' })
  deploymentId!: string;
}

export class DeployedFormDto implements FormDefinition {
  @ApiProperty({ description: '`<formId>:<version>`', example: 'invoice-approval:1' })
  id!: string;
  @ApiProperty({ description: 'The form id (what user tasks reference)', example: 'invoice-approval' })
  formId!: string;
  @ApiProperty({ description: 'Starts at 1 per form id; redeploying the same content keeps it', example: 1 })
  version!: number;
  @ApiProperty({ example: 'invoice-approval.form' })
  resourceName!: string;
  @ApiProperty({ description: 'The deployment that introduced this version', format: 'uuid' })
  deploymentId!: string;
}

export class DeployedResourceDto {
  @ApiProperty({ example: 'order-process.bpmn' })
  name!: string;
  @ApiProperty({ description: 'Hex SHA-256 of the content', example: '3f1a…' })
  sha256!: string;
}

export class DeploymentDto implements DeploymentView {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: 'order-process.bpmn' })
  name!: string;
  @ApiProperty({ format: 'date-time' })
  deployedAt!: string;
  @ApiProperty({ type: [DeployedResourceDto] })
  resources!: DeployedResourceDto[];
  @ApiProperty({ type: [ProcessDefinitionDto] })
  processDefinitions!: ProcessDefinitionDto[];
  @ApiPropertyOptional({ type: [DeployedDecisionDto], description: 'Present when the deployment holds DMN resources' })
  decisionDefinitions?: DeployedDecisionDto[];
  @ApiPropertyOptional({ type: [DeployedFormDto], description: 'Present when the deployment holds form resources' })
  formDefinitions?: DeployedFormDto[];
}

const toBoolean = ({ value }: { value: unknown }): unknown => (value === 'true' ? true : value === 'false' ? false : value);

export class ListProcessDefinitionsQueryDto {
  @ApiPropertyOptional({ description: 'Only definitions of this BPMN process id', example: 'order-process' })
  @IsOptional()
  @IsString()
  processId?: string;

  @ApiPropertyOptional({ description: 'Only the latest version of each process id', type: Boolean })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  latest?: boolean;
}
