import { Inject, Optional } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock, systemClock } from '@trellis/platform';

import { notFound } from '../process-instance-command-rejected.error.js';
import { RuntimeProjection, type AsyncContinuationFilter, type JobFilter, type ProcessInstanceFilter, type UserTaskFilter } from '../runtime.projection.js';
import type { AsyncContinuationView, IncidentView, JobView, Page, ProcessInstanceView, UserTaskView } from '../runtime.views.js';

export class GetProcessInstanceQuery extends Query<ProcessInstanceView> {
  constructor(readonly id: string) {
    super();
  }
}

export class ListProcessInstancesQuery extends Query<Page<ProcessInstanceView>> {
  constructor(readonly filter: ProcessInstanceFilter) {
    super();
  }
}

export class ListJobsQuery extends Query<JobView[]> {
  constructor(readonly filter: JobFilter) {
    super();
  }
}

export class ListUserTasksQuery extends Query<UserTaskView[]> {
  constructor(readonly filter: UserTaskFilter) {
    super();
  }
}

export class GetUserTaskQuery extends Query<UserTaskView> {
  constructor(readonly id: string) {
    super();
  }
}

export class ListIncidentsQuery extends Query<IncidentView[]> {
  constructor(readonly filter: { readonly processInstanceId?: string }) {
    super();
  }
}

@QueryHandler(GetProcessInstanceQuery)
export class GetProcessInstanceHandler implements IQueryHandler<GetProcessInstanceQuery> {
  constructor(private readonly projection: RuntimeProjection) {}

  async execute(query: GetProcessInstanceQuery): Promise<ProcessInstanceView> {
    const view = this.projection.processInstance(query.id);
    if (!view) throw notFound(`No process instance with id ${query.id}`, { processInstanceId: query.id });
    return view;
  }
}

@QueryHandler(ListProcessInstancesQuery)
export class ListProcessInstancesHandler implements IQueryHandler<ListProcessInstancesQuery> {
  constructor(private readonly projection: RuntimeProjection) {}

  async execute(query: ListProcessInstancesQuery): Promise<Page<ProcessInstanceView>> {
    return this.projection.processInstances(query.filter);
  }
}

@QueryHandler(ListJobsQuery)
export class ListJobsHandler implements IQueryHandler<ListJobsQuery> {
  constructor(
    private readonly projection: RuntimeProjection,
    // A failed job's back-off ends by the clock the engine decided it by.
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async execute(query: ListJobsQuery): Promise<JobView[]> {
    return this.projection.activatableJobs(query.filter, this.clock.now().toISOString());
  }
}

@QueryHandler(ListUserTasksQuery)
export class ListUserTasksHandler implements IQueryHandler<ListUserTasksQuery> {
  constructor(private readonly projection: RuntimeProjection) {}

  async execute(query: ListUserTasksQuery): Promise<UserTaskView[]> {
    return this.projection.userTaskList(query.filter);
  }
}

@QueryHandler(GetUserTaskQuery)
export class GetUserTaskHandler implements IQueryHandler<GetUserTaskQuery> {
  constructor(private readonly projection: RuntimeProjection) {}

  async execute(query: GetUserTaskQuery): Promise<UserTaskView> {
    const view = this.projection.userTask(query.id);
    if (!view) throw notFound(`No user task with id ${query.id}`, { userTaskId: query.id });
    return view;
  }
}

@QueryHandler(ListIncidentsQuery)
export class ListIncidentsHandler implements IQueryHandler<ListIncidentsQuery> {
  constructor(private readonly projection: RuntimeProjection) {}

  async execute(query: ListIncidentsQuery): Promise<IncidentView[]> {
    return this.projection.incidents(query.filter);
  }
}

export class ListAsyncContinuationsQuery extends Query<AsyncContinuationView[]> {
  constructor(readonly filter: AsyncContinuationFilter) {
    super();
  }
}

@QueryHandler(ListAsyncContinuationsQuery)
export class ListAsyncContinuationsHandler implements IQueryHandler<ListAsyncContinuationsQuery> {
  constructor(private readonly projection: RuntimeProjection) {}

  async execute(query: ListAsyncContinuationsQuery): Promise<AsyncContinuationView[]> {
    return this.projection.asyncContinuations(query.filter);
  }
}
