import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { DefinitionRegistry } from '@trellis/deployment';
import type { ProcessInstanceView } from '@trellis/runtime';

import { parseCamundaDate } from '../camunda-dates.js';
import { type HistoricProcessInstanceDto, historicProcessInstanceDtoOf } from '../camunda-dtos.js';
import { ENGINE_REST_PATH, invalidRequest, notFoundRequest } from '../camunda-rest.error.js';
import { booleanParam, listParam, matchesLike, paged, type QueryParameters, sortedBy, textParam } from '../list-query.js';
import { ProcessInstanceViews } from './process-instance-views.js';

/** A date parameter in Camunda's format, as an epoch millisecond; a 400 naming the parameter when it is none. */
function dateParam(query: QueryParameters, name: string): number | undefined {
  const text = textParam(query, name);
  if (text === undefined) return undefined;
  const iso = parseCamundaDate(text);
  if (iso === undefined) throw invalidRequest(`Cannot set query parameter '${name}' to value '${text}': not a date (yyyy-MM-dd'T'HH:mm:ss.SSSZ)`);
  return Date.parse(iso);
}

/**
 * `/engine-rest/history/process-instance`: every process instance, running or ended, as Camunda's history has it.
 * Served from the runtime's views of the instances, which keep ended ones: the same answers in the standalone server
 * (no history database) and in the runtime-service.
 */
@ApiExcludeController()
@Controller(`${ENGINE_REST_PATH}/history/process-instance`)
export class CamundaHistoricProcessInstancesController {
  constructor(
    private readonly views: ProcessInstanceViews,
    private readonly registry: DefinitionRegistry,
  ) {}

  @Get()
  async list(@Query() query: QueryParameters): Promise<HistoricProcessInstanceDto[]> {
    return paged(await this.matching(query), query);
  }

  @Get('count')
  async count(@Query() query: QueryParameters): Promise<{ count: number }> {
    return { count: (await this.matching(query)).length };
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<HistoricProcessInstanceDto> {
    const found = (await this.historic()).find((instance) => instance.id === id);
    if (found === undefined) throw notFoundRequest(`Historic process instance with id ${id} does not exist`);
    return found;
  }

  /** Every instance as a Camunda historic process instance, in start order. */
  private async historic(): Promise<HistoricProcessInstanceDto[]> {
    const all = await this.views.instances();
    const byId = new Map(all.map((instance) => [instance.id, instance]));
    const rootOf = (instance: ProcessInstanceView): string => {
      let current = instance;
      for (let parent = byId.get(current.parentProcessInstanceId ?? ''); parent !== undefined; parent = byId.get(current.parentProcessInstanceId ?? '')) current = parent;
      return current.id;
    };
    return all.map((instance) => historicProcessInstanceDtoOf(instance, rootOf(instance), this.registry.get(instance.processDefinitionId)?.name ?? null));
  }

  private async matching(query: QueryParameters): Promise<HistoricProcessInstanceDto[]> {
    const filter = {
      id: textParam(query, 'processInstanceId'),
      ids: listParam(query, 'processInstanceIds'),
      definitionId: textParam(query, 'processDefinitionId'),
      definitionKey: textParam(query, 'processDefinitionKey'),
      definitionKeys: listParam(query, 'processDefinitionKeyIn'),
      definitionName: textParam(query, 'processDefinitionName'),
      businessKey: textParam(query, 'processInstanceBusinessKey'),
      businessKeyLike: textParam(query, 'processInstanceBusinessKeyLike'),
      superProcessInstanceId: textParam(query, 'superProcessInstanceId'),
      rootProcessInstances: booleanParam(query, 'rootProcessInstances'),
      finished: booleanParam(query, 'finished'),
      unfinished: booleanParam(query, 'unfinished'),
      completed: booleanParam(query, 'completed'),
      externallyTerminated: booleanParam(query, 'externallyTerminated'),
      active: booleanParam(query, 'active'),
      suspended: booleanParam(query, 'suspended'),
      withIncidents: booleanParam(query, 'withIncidents'),
      state: textParam(query, 'state'),
      startedBefore: dateParam(query, 'startedBefore'),
      startedAfter: dateParam(query, 'startedAfter'),
      finishedBefore: dateParam(query, 'finishedBefore'),
      finishedAfter: dateParam(query, 'finishedAfter'),
    };
    const withIncidents = filter.withIncidents === true ? new Set((await this.views.incidents()).map((incident) => incident.processInstanceId)) : undefined;
    const time = (date: string | null): number | undefined => {
      const iso = date === null ? undefined : parseCamundaDate(date);
      return iso === undefined ? undefined : Date.parse(iso);
    };
    const matching = (await this.historic()).filter((instance) => {
      const started = time(instance.startTime) ?? 0;
      const ended = time(instance.endTime);
      return (
        (filter.id === undefined || instance.id === filter.id) &&
        (filter.ids === undefined || filter.ids.includes(instance.id)) &&
        (filter.definitionId === undefined || instance.processDefinitionId === filter.definitionId) &&
        (filter.definitionKey === undefined || instance.processDefinitionKey === filter.definitionKey) &&
        (filter.definitionKeys === undefined || filter.definitionKeys.includes(instance.processDefinitionKey)) &&
        (filter.definitionName === undefined || instance.processDefinitionName === filter.definitionName) &&
        (filter.businessKey === undefined || instance.businessKey === filter.businessKey) &&
        (filter.businessKeyLike === undefined || matchesLike(filter.businessKeyLike, instance.businessKey ?? undefined)) &&
        (filter.superProcessInstanceId === undefined || instance.superProcessInstanceId === filter.superProcessInstanceId) &&
        (filter.rootProcessInstances !== true || instance.superProcessInstanceId === null) &&
        (filter.finished !== true || ended !== undefined) &&
        (filter.unfinished !== true || ended === undefined) &&
        (filter.completed !== true || instance.state === 'COMPLETED') &&
        (filter.externallyTerminated !== true || instance.state === 'EXTERNALLY_TERMINATED') &&
        (filter.active !== true || instance.state === 'ACTIVE') &&
        (filter.state === undefined || instance.state === filter.state) &&
        (withIncidents === undefined || withIncidents.has(instance.id)) &&
        (filter.startedBefore === undefined || started <= filter.startedBefore) &&
        (filter.startedAfter === undefined || started >= filter.startedAfter) &&
        (filter.finishedBefore === undefined || (ended !== undefined && ended <= filter.finishedBefore)) &&
        (filter.finishedAfter === undefined || (ended !== undefined && ended >= filter.finishedAfter)) &&
        // Trellis suspends no instance.
        filter.suspended !== true
      );
    });
    return sortedBy(matching, query, {
      instanceId: (instance) => instance.id,
      definitionId: (instance) => instance.processDefinitionId,
      definitionKey: (instance) => instance.processDefinitionKey,
      definitionName: (instance) => instance.processDefinitionName,
      definitionVersion: (instance) => instance.processDefinitionVersion,
      businessKey: (instance) => instance.businessKey,
      startTime: (instance) => instance.startTime,
      endTime: (instance) => instance.endTime,
      duration: (instance) => instance.durationInMillis,
      tenantId: () => null,
    });
  }
}
