import { Controller, Get, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { type IncidentDto, incidentDtoOf } from '../camunda-dtos.js';
import { ENGINE_REST_PATH } from '../camunda-rest.error.js';
import { listParam, matchesLike, paged, type QueryParameters, sortedBy, textParam } from '../list-query.js';
import { ProcessInstanceViews } from './process-instance-views.js';

/** `GET /engine-rest/incident`: the open incidents, with Camunda's filters, sorting and paging. */
@ApiExcludeController()
@Controller(`${ENGINE_REST_PATH}/incident`)
export class CamundaIncidentsController {
  constructor(private readonly views: ProcessInstanceViews) {}

  @Get()
  async list(@Query() query: QueryParameters): Promise<IncidentDto[]> {
    return paged(await this.matching(query), query);
  }

  @Get('count')
  async count(@Query() query: QueryParameters): Promise<{ count: number }> {
    return { count: (await this.matching(query)).length };
  }

  private async matching(query: QueryParameters): Promise<IncidentDto[]> {
    const filter = {
      id: textParam(query, 'incidentId'),
      type: textParam(query, 'incidentType'),
      message: textParam(query, 'incidentMessage'),
      messageLike: textParam(query, 'incidentMessageLike'),
      processDefinitionId: textParam(query, 'processDefinitionId'),
      processDefinitionKeys: listParam(query, 'processDefinitionKeyIn'),
      processInstanceId: textParam(query, 'processInstanceId'),
      executionId: textParam(query, 'executionId'),
      activityId: textParam(query, 'activityId'),
      failedActivityId: textParam(query, 'failedActivityId'),
      configuration: textParam(query, 'configuration'),
    };
    const instances = new Map((await this.views.instances()).map((instance) => [instance.id, instance]));
    const incidents = (await this.views.incidents(filter.processInstanceId)).map((incident) => ({
      dto: incidentDtoOf(incident, instances.get(incident.processInstanceId)?.processDefinitionId ?? null),
      processId: instances.get(incident.processInstanceId)?.processId,
    }));
    const matching = incidents
      .filter(
        ({ dto, processId }) =>
          (filter.id === undefined || dto.id === filter.id) &&
          (filter.type === undefined || dto.incidentType === filter.type) &&
          (filter.message === undefined || dto.incidentMessage === filter.message) &&
          (filter.messageLike === undefined || matchesLike(filter.messageLike, dto.incidentMessage)) &&
          (filter.processDefinitionId === undefined || dto.processDefinitionId === filter.processDefinitionId) &&
          (filter.processDefinitionKeys === undefined || (processId !== undefined && filter.processDefinitionKeys.includes(processId))) &&
          (filter.executionId === undefined || dto.executionId === filter.executionId) &&
          (filter.activityId === undefined || dto.activityId === filter.activityId) &&
          (filter.failedActivityId === undefined || dto.failedActivityId === filter.failedActivityId) &&
          (filter.configuration === undefined || dto.configuration === filter.configuration),
      )
      .map(({ dto }) => dto);
    return sortedBy(matching, query, {
      incidentId: (incident) => incident.id,
      incidentMessage: (incident) => incident.incidentMessage,
      incidentTimestamp: (incident) => incident.incidentTimestamp,
      incidentType: (incident) => incident.incidentType,
      executionId: (incident) => incident.executionId,
      activityId: (incident) => incident.activityId,
      processInstanceId: (incident) => incident.processInstanceId,
      processDefinitionId: (incident) => incident.processDefinitionId,
      causeIncidentId: (incident) => incident.causeIncidentId,
      rootCauseIncidentId: (incident) => incident.rootCauseIncidentId,
      configuration: (incident) => incident.configuration,
      tenantId: () => null,
    });
  }
}
