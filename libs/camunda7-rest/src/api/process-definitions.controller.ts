import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { DefinitionRegistry, type ProcessDefinition } from '@trellis/deployment';
import { type ProcessInstanceView, StartProcessInstanceCommand } from '@trellis/runtime';
import type { Request } from 'express';

import { type ProcessDefinitionDto, processDefinitionDtoOf, type ProcessInstanceDto, processInstanceDtoOf } from '../camunda-dtos.js';
import { CamundaRestException, ENGINE_REST_PATH, invalidRequest, notFoundRequest } from '../camunda-rest.error.js';
import { booleanParam, integerParam, matchesLike, paged, type QueryParameters, sortedBy, textParam } from '../list-query.js';
import { variablesOfTyped } from '../typed-values.js';
import { bodyObject, engineRestUrlOf } from './engine-rest-request.js';

/** Start options Camunda has and Trellis does not: refused rather than ignored, so nothing runs otherwise than asked. */
const UNSUPPORTED_START_OPTIONS = ['startInstructions', 'caseInstanceId'] as const;

/** `/engine-rest/process-definition`: list the process definitions, and start instances of one by key or id. */
@ApiExcludeController()
@Controller(`${ENGINE_REST_PATH}/process-definition`)
export class CamundaProcessDefinitionsController {
  constructor(
    private readonly registry: DefinitionRegistry,
    private readonly commandBus: CommandBus,
  ) {}

  @Get()
  async list(@Query() query: QueryParameters): Promise<ProcessDefinitionDto[]> {
    return paged(await this.matching(query), query).map(processDefinitionDtoOf);
  }

  @Get('count')
  async count(@Query() query: QueryParameters): Promise<{ count: number }> {
    return { count: (await this.matching(query)).length };
  }

  @Get('key/:key')
  async getByKey(@Param('key') key: string): Promise<ProcessDefinitionDto> {
    return processDefinitionDtoOf(await this.latest(key));
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ProcessDefinitionDto> {
    return processDefinitionDtoOf(await this.byId(id));
  }

  @Post('key/:key/start')
  @HttpCode(200)
  async startByKey(@Param('key') key: string, @Body() body: unknown, @Req() request: Request): Promise<ProcessInstanceDto> {
    const definition = await this.latest(key);
    return this.start(definition, body, request);
  }

  @Post(':id/start')
  @HttpCode(200)
  async startById(@Param('id') id: string, @Body() body: unknown, @Req() request: Request): Promise<ProcessInstanceDto> {
    return this.start(await this.byId(id), body, request);
  }

  private async start(definition: ProcessDefinition, rawBody: unknown, request: Request): Promise<ProcessInstanceDto> {
    const body = bodyObject(rawBody);
    const cannot = (message: string): CamundaRestException => invalidRequest(`Cannot instantiate process definition ${definition.id}: ${message}`);
    for (const option of UNSUPPORTED_START_OPTIONS) {
      if (body[option] !== undefined && body[option] !== null) throw cannot(`${option} is not supported by Trellis`);
    }
    const businessKey = body['businessKey'];
    if (businessKey !== undefined && businessKey !== null && typeof businessKey !== 'string') throw cannot('businessKey must be a string');
    let variables;
    try {
      variables = variablesOfTyped(body['variables']);
    } catch (error) {
      if (error instanceof CamundaRestException) throw cannot(error.body.message);
      throw error;
    }
    const instance: ProcessInstanceView = await this.commandBus.execute(
      new StartProcessInstanceCommand({ processDefinitionId: definition.id }, variables, typeof businessKey === 'string' ? businessKey : undefined),
    );
    return processInstanceDtoOf(instance, engineRestUrlOf(request), { variables: body['withVariablesInReturn'] === true });
  }

  private async latest(key: string): Promise<ProcessDefinition> {
    await this.registry.catchUp();
    const definition = this.registry.latest(key);
    if (definition === undefined) throw notFoundRequest(`No matching process definition with key: ${key} and no tenant-id`);
    return definition;
  }

  private async byId(id: string): Promise<ProcessDefinition> {
    await this.registry.catchUp();
    const definition = this.registry.get(id);
    if (definition === undefined) throw notFoundRequest(`No matching definition with id ${id}`);
    return definition;
  }

  private async matching(query: QueryParameters): Promise<ProcessDefinition[]> {
    // Another service may have deployed (the deployment-service, in the distributed suite).
    await this.registry.catchUp();
    const filter = {
      id: textParam(query, 'processDefinitionId'),
      ids: textParam(query, 'processDefinitionIdIn')?.split(','),
      key: textParam(query, 'key'),
      keys: textParam(query, 'keysIn')?.split(','),
      keyLike: textParam(query, 'keyLike'),
      name: textParam(query, 'name'),
      nameLike: textParam(query, 'nameLike'),
      deploymentId: textParam(query, 'deploymentId'),
      resourceName: textParam(query, 'resourceName'),
      version: integerParam(query, 'version'),
      latestVersion: booleanParam(query, 'latestVersion'),
      suspended: booleanParam(query, 'suspended'),
    };
    const matching = this.registry.list({ latest: filter.latestVersion === true }).filter(
      (definition) =>
        (filter.id === undefined || definition.id === filter.id) &&
        (filter.ids === undefined || filter.ids.includes(definition.id)) &&
        (filter.key === undefined || definition.processId === filter.key) &&
        (filter.keys === undefined || filter.keys.includes(definition.processId)) &&
        (filter.keyLike === undefined || matchesLike(filter.keyLike, definition.processId)) &&
        (filter.name === undefined || definition.name === filter.name) &&
        (filter.nameLike === undefined || matchesLike(filter.nameLike, definition.name)) &&
        (filter.deploymentId === undefined || definition.deploymentId === filter.deploymentId) &&
        (filter.resourceName === undefined || definition.resourceName === filter.resourceName) &&
        (filter.version === undefined || definition.version === filter.version) &&
        // Trellis suspends no definition: all are active.
        filter.suspended !== true,
    );
    return sortedBy(matching, query, {
      id: (definition) => definition.id,
      key: (definition) => definition.processId,
      name: (definition) => definition.name,
      version: (definition) => definition.version,
      deploymentId: (definition) => definition.deploymentId,
      deployTime: (definition) => this.registry.deployedAt(definition.id),
      category: () => null,
      tenantId: () => null,
      versionTag: () => null,
    });
  }
}
