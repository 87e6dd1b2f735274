import { Body, Controller, HttpCode, Post, Req, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import { DeploymentRejectedError, DeployResourcesCommand, type DeploymentView } from '@trellis/deployment';
import type { ProblemFieldError } from '@trellis/platform';
import type { Request } from 'express';

import { type DeploymentWithDefinitionsDto, deploymentWithDefinitionsDtoOf } from '../camunda-dtos.js';
import { CamundaRestException, ENGINE_REST_PATH, invalidRequest } from '../camunda-rest.error.js';
import { bodyObject, engineRestUrlOf } from './engine-rest-request.js';

/** The part of a multer file this controller reads. */
interface UploadedResource {
  readonly originalname: string;
  readonly buffer: Buffer;
}

const MAX_RESOURCE_BYTES = 10 * 1024 * 1024;
const MAX_RESOURCES = 100;

/** One problem as Camunda's `ParseException` details list it. */
interface ParseProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly mainElementId: string | null;
  readonly elementIds: readonly string[];
}

/**
 * A rejected deployment as Camunda answers it: 400 `ParseException` with every problem in the message and, per
 * resource, in `details` (line and column 0 where Trellis does not know them, as Camunda's parser reports too).
 */
export function parseExceptionOf(errors: readonly ProblemFieldError[]): CamundaRestException {
  const details: Record<string, { errors: ParseProblem[]; warnings: [] }> = {};
  for (const error of errors) {
    const resource = error.resource ?? '';
    const entry = (details[resource] ??= { errors: [], warnings: [] });
    entry.errors.push({
      message: error.message,
      line: error.line ?? 0,
      column: error.column ?? 0,
      mainElementId: error.elementId ?? null,
      elementIds: error.elementId === undefined ? [] : [error.elementId],
    });
  }
  const listed = errors.map((error) => `\n* ${error.message} | resource ${error.resource ?? ''} | line ${error.line ?? 0} | column ${error.column ?? 0}`).join('');
  return new CamundaRestException(400, { type: 'ParseException', message: `ENGINE-09005 Could not parse BPMN process. Errors: ${listed}`, details });
}

/**
 * `POST /engine-rest/deployment/create`: the multipart form Camunda Modeler sends (`deployment-name`,
 * `deployment-source`, `enable-duplicate-filtering`, `deploy-changed-only`, a part per file). Trellis always keeps an
 * unchanged process at its version, which is what both filtering flags ask for; without them Camunda would make a new
 * version of every process (see docs/api.md).
 */
@ApiExcludeController()
@Controller(`${ENGINE_REST_PATH}/deployment`)
export class CamundaDeploymentCreateController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('create')
  @HttpCode(200)
  @UseInterceptors(AnyFilesInterceptor({ limits: { fileSize: MAX_RESOURCE_BYTES, files: MAX_RESOURCES } }))
  async create(@UploadedFiles() files: UploadedResource[] | undefined, @Body() rawBody: unknown, @Req() request: Request): Promise<DeploymentWithDefinitionsDto> {
    const form = bodyObject(rawBody);
    const field = (name: string): string | undefined => (typeof form[name] === 'string' && form[name] !== '' ? form[name] : undefined);
    if (field('tenant-id') !== undefined) {
      throw invalidRequest(`Trellis has no tenants: deploy without tenant-id (it was '${field('tenant-id') ?? ''}')`);
    }
    if (field('deployment-activation-time') !== undefined) {
      throw invalidRequest('Trellis activates process definitions when they are deployed: deploy without deployment-activation-time');
    }
    for (const flag of ['enable-duplicate-filtering', 'deploy-changed-only']) {
      const value = field(flag);
      if (value !== undefined && value !== 'true' && value !== 'false') throw invalidRequest(`${flag} must be true or false, not '${value}'`);
    }
    if (!files || files.length === 0) throw invalidRequest('No deployment resources contained in the form upload.');
    let deployment: DeploymentView;
    try {
      deployment = await this.commandBus.execute(
        new DeployResourcesCommand(
          files.map((file) => ({ name: file.originalname, content: file.buffer })),
          field('deployment-name'),
        ),
      );
    } catch (error) {
      if (error instanceof DeploymentRejectedError) throw parseExceptionOf(error.errors);
      throw error;
    }
    return deploymentWithDefinitionsDtoOf(
      { id: deployment.id, name: deployment.name, deployedAt: deployment.deployedAt, resourceNames: deployment.resources.map((resource) => resource.name) },
      deployment.processDefinitions,
      engineRestUrlOf(request),
      field('deployment-source') ?? null,
    );
  }
}
