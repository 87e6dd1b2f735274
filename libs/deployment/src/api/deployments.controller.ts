import { Body, Controller, Post, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblemResponses, ProblemError, ProblemType } from '@trellis/platform';

import { DeployResourcesCommand, type DeploymentView } from '../commands/deploy-resources.command.js';
import { DeploymentDto, DeployRequestDto } from './deployment.dto.js';

/** The part of a multer file this controller reads. */
interface UploadedResource {
  readonly originalname: string;
  readonly buffer: Buffer;
}

const MAX_RESOURCE_BYTES = 10 * 1024 * 1024;
const MAX_RESOURCES = 100;

@ApiTags('Deployments')
@Controller('deployments')
export class DeploymentsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @UseInterceptors(AnyFilesInterceptor({ limits: { fileSize: MAX_RESOURCE_BYTES, files: MAX_RESOURCES } }))
  @ApiOperation({
    summary: 'Deploy BPMN, DMN and form resources',
    description:
      'Multipart upload of one or more `.bpmn`, `.dmn` and `.form` files (field `resources`; any file field name is accepted). ' +
      'Every resource is checked first (BPMN compiled, DMN read and its decision ids checked, a form read as form-js JSON): ' +
      'if any has a problem nothing is deployed and every problem is listed. Versions count from 1 per BPMN process id, ' +
      'per DMN decision id and per form id; deploying the same content again keeps the version.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['resources'],
      properties: {
        resources: {
          type: 'array',
          items: { type: 'string', format: 'binary' },
          description: 'BPMN 2.0 files (.bpmn), DMN 1.1 to 1.5 files (.dmn), form-js forms (.form)',
        },
        name: { type: 'string', description: 'Name of the deployment' },
      },
    },
  })
  @ApiCreatedResponse({ type: DeploymentDto, description: 'The deployment and its process, decision and form definitions' })
  @ApiProblemResponses(400, 413)
  async deploy(@UploadedFiles() files: UploadedResource[] | undefined, @Body() body: DeployRequestDto): Promise<DeploymentView> {
    if (!files || files.length === 0) {
      throw new ProblemError({
        type: ProblemType.validation,
        title: 'Invalid request',
        status: 400,
        detail: 'A deployment is a multipart/form-data request with at least one file, e.g. curl -F resources=@order-process.bpmn',
        errors: [{ field: 'resources', message: 'at least one file is required' }],
      });
    }
    return this.commandBus.execute(
      new DeployResourcesCommand(
        files.map((file) => ({ name: file.originalname, content: file.buffer })),
        body.name,
      ),
    );
  }
}
