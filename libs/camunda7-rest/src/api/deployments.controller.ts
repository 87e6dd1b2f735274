import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DefinitionRegistry, type DeploymentSummary } from '@trellis/deployment';

import { type DeploymentDto, deploymentDtoOf } from '../camunda-dtos.js';
import { ENGINE_REST_PATH, notFoundRequest } from '../camunda-rest.error.js';
import { matchesLike, paged, type QueryParameters, sortedBy, textParam } from '../list-query.js';

/** `GET /engine-rest/deployment`: the deployments, with Camunda's filters, sorting and paging. */
@ApiExcludeController()
@Controller(`${ENGINE_REST_PATH}/deployment`)
export class CamundaDeploymentsController {
  constructor(private readonly registry: DefinitionRegistry) {}

  @Get()
  async list(@Query() query: QueryParameters): Promise<DeploymentDto[]> {
    return paged(await this.matching(query), query).map((deployment) => deploymentDtoOf(deployment));
  }

  @Get('count')
  async count(@Query() query: QueryParameters): Promise<{ count: number }> {
    return { count: (await this.matching(query)).length };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<DeploymentDto> {
    await this.registry.catchUp();
    const deployment = this.registry.deployments().find((candidate) => candidate.id === id);
    if (deployment === undefined) throw notFoundRequest(`Deployment with id '${id}' does not exist`);
    return deploymentDtoOf(deployment);
  }

  private async matching(query: QueryParameters): Promise<DeploymentSummary[]> {
    // Another service may have deployed (the deployment-service, in the distributed suite).
    await this.registry.catchUp();
    const id = textParam(query, 'id');
    const name = textParam(query, 'name');
    const nameLike = textParam(query, 'nameLike');
    const after = textParam(query, 'after');
    const before = textParam(query, 'before');
    const matching = this.registry
      .deployments()
      .filter(
        (deployment) =>
          (id === undefined || deployment.id === id) &&
          (name === undefined || deployment.name === name) &&
          (nameLike === undefined || matchesLike(nameLike, deployment.name)) &&
          (after === undefined || Date.parse(deployment.deployedAt) > Date.parse(after)) &&
          (before === undefined || Date.parse(deployment.deployedAt) < Date.parse(before)),
      );
    return sortedBy(matching, query, {
      id: (deployment) => deployment.id,
      name: (deployment) => deployment.name,
      deploymentTime: (deployment) => deployment.deployedAt,
    });
  }
}
