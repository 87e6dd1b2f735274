import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { type IncidentView, ListIncidentsQuery, ListProcessInstancesQuery, type Page, type ProcessInstanceStateName, type ProcessInstanceView } from '@trellis/runtime';

/**
 * The runtime's views of process instances and incidents, whole: Camunda's lists filter and sort by more than the
 * runtime's queries do, so they are filtered here, over what the runtime keeps in memory anyway.
 */
@Injectable()
export class ProcessInstanceViews {
  constructor(private readonly queryBus: QueryBus) {}

  async instances(state?: ProcessInstanceStateName): Promise<readonly ProcessInstanceView[]> {
    const page: Page<ProcessInstanceView> = await this.queryBus.execute(
      new ListProcessInstancesQuery({ ...(state === undefined ? {} : { state }), limit: Number.MAX_SAFE_INTEGER }),
    );
    return page.items;
  }

  incidents(processInstanceId?: string): Promise<IncidentView[]> {
    return this.queryBus.execute(new ListIncidentsQuery(processInstanceId === undefined ? {} : { processInstanceId }));
  }
}
