import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import { DefinitionRegistry } from '@trellis/deployment';
import { ProblemError } from '@trellis/platform';
import { CancelProcessInstanceCommand, GetProcessInstanceQuery, type ProcessInstanceView } from '@trellis/runtime';

import { incidentTypeOf, type ProcessInstanceDto, processInstanceDtoOf } from '../camunda-dtos.js';
import { ENGINE_REST_PATH, notFoundRequest } from '../camunda-rest.error.js';
import { booleanParam, listParam, matchesLike, paged, type QueryParameters, sortedBy, textParam } from '../list-query.js';
import { type TypedValue, typedValueOf, typedValuesOf } from '../typed-values.js';
import { ProcessInstanceViews } from './process-instance-views.js';

/**
 * `/engine-rest/process-instance`: the running process instances (Camunda's runtime API knows no ended ones: they are
 * under `/history/process-instance`), their variables, and deleting one.
 */
@ApiExcludeController()
@Controller(`${ENGINE_REST_PATH}/process-instance`)
export class CamundaProcessInstancesController {
  constructor(
    private readonly views: ProcessInstanceViews,
    private readonly registry: DefinitionRegistry,
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  async list(@Query() query: QueryParameters): Promise<ProcessInstanceDto[]> {
    return paged(await this.matching(query), query).map((instance) => processInstanceDtoOf(instance, '', { links: false }));
  }

  @Get('count')
  async count(@Query() query: QueryParameters): Promise<{ count: number }> {
    return { count: (await this.matching(query)).length };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ProcessInstanceDto> {
    return processInstanceDtoOf(await this.running(id), '', { links: false });
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(@Param('id') id: string): Promise<void> {
    await this.running(id);
    await this.commandBus.execute(new CancelProcessInstanceCommand(id));
  }

  @Get(':id/variables')
  async variables(@Param('id') id: string): Promise<Record<string, TypedValue>> {
    return typedValuesOf((await this.running(id)).variables);
  }

  @Get(':id/variables/:name')
  async variable(@Param('id') id: string, @Param('name') name: string): Promise<TypedValue> {
    const { variables } = await this.running(id);
    if (!Object.hasOwn(variables, name)) throw notFoundRequest(`process instance variable with name ${name} does not exist`);
    return typedValueOf(variables[name] ?? null);
  }

  /** The instance while it runs; an ended or unknown one is a 404, as Camunda has it in its history only. */
  private async running(id: string): Promise<ProcessInstanceView> {
    let instance: ProcessInstanceView;
    try {
      instance = await this.queryBus.execute(new GetProcessInstanceQuery(id));
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status === 404) throw notFoundRequest(`Process instance with id ${id} does not exist`);
      throw error;
    }
    if (instance.state !== 'ACTIVE') throw notFoundRequest(`Process instance with id ${id} does not exist`);
    return instance;
  }

  private async matching(query: QueryParameters): Promise<ProcessInstanceView[]> {
    const filter = {
      ids: listParam(query, 'processInstanceIds'),
      businessKey: textParam(query, 'businessKey'),
      businessKeyLike: textParam(query, 'businessKeyLike'),
      definitionId: textParam(query, 'processDefinitionId'),
      definitionKey: textParam(query, 'processDefinitionKey'),
      definitionKeys: listParam(query, 'processDefinitionKeyIn'),
      definitionKeysNotIn: listParam(query, 'processDefinitionKeyNotIn'),
      deploymentId: textParam(query, 'deploymentId'),
      superProcessInstance: textParam(query, 'superProcessInstance'),
      subProcessInstance: textParam(query, 'subProcessInstance'),
      incidentId: textParam(query, 'incidentId'),
      incidentType: textParam(query, 'incidentType'),
      active: booleanParam(query, 'active'),
      suspended: booleanParam(query, 'suspended'),
      withIncident: booleanParam(query, 'withIncident'),
      rootProcessInstances: booleanParam(query, 'rootProcessInstances'),
      leafProcessInstances: booleanParam(query, 'leafProcessInstances'),
    };
    const running = await this.views.instances('ACTIVE');
    const parents = new Set(running.map((instance) => instance.parentProcessInstanceId).filter((id) => id !== undefined));
    const matching = running.filter(
      (instance) =>
        (filter.ids === undefined || filter.ids.includes(instance.id)) &&
        (filter.businessKey === undefined || instance.businessKey === filter.businessKey) &&
        (filter.businessKeyLike === undefined || matchesLike(filter.businessKeyLike, instance.businessKey)) &&
        (filter.definitionId === undefined || instance.processDefinitionId === filter.definitionId) &&
        (filter.definitionKey === undefined || instance.processId === filter.definitionKey) &&
        (filter.definitionKeys === undefined || filter.definitionKeys.includes(instance.processId)) &&
        (filter.definitionKeysNotIn === undefined || !filter.definitionKeysNotIn.includes(instance.processId)) &&
        (filter.deploymentId === undefined || this.registry.get(instance.processDefinitionId)?.deploymentId === filter.deploymentId) &&
        (filter.superProcessInstance === undefined || instance.parentProcessInstanceId === filter.superProcessInstance) &&
        (filter.subProcessInstance === undefined || running.some((child) => child.id === filter.subProcessInstance && child.parentProcessInstanceId === instance.id)) &&
        (filter.incidentId === undefined || instance.incidents.some((incident) => incident.id === filter.incidentId)) &&
        (filter.incidentType === undefined || instance.incidents.some((incident) => incidentTypeOf(incident.type) === filter.incidentType)) &&
        (filter.withIncident !== true || instance.incidents.length > 0) &&
        (filter.rootProcessInstances !== true || instance.parentProcessInstanceId === undefined) &&
        (filter.leafProcessInstances !== true || !parents.has(instance.id)) &&
        // Trellis suspends no instance: every running one is active.
        filter.suspended !== true,
    );
    return sortedBy(matching, query, {
      instanceId: (instance) => instance.id,
      definitionKey: (instance) => instance.processId,
      definitionId: (instance) => instance.processDefinitionId,
      businessKey: (instance) => instance.businessKey,
      tenantId: () => null,
    });
  }
}
