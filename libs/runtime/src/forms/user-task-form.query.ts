import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';

import { notFound } from '../process-instance-command-rejected.error.js';
import { RuntimeProjection } from '../runtime.projection.js';
import { UserTaskForms, type UserTaskFormView } from './user-task-forms.js';

export class GetUserTaskFormQuery extends Query<UserTaskFormView> {
  constructor(readonly userTaskId: string) {
    super();
  }
}

@QueryHandler(GetUserTaskFormQuery)
export class GetUserTaskFormHandler implements IQueryHandler<GetUserTaskFormQuery> {
  constructor(
    private readonly projection: RuntimeProjection,
    private readonly forms: UserTaskForms,
  ) {}

  execute(query: GetUserTaskFormQuery): Promise<UserTaskFormView> {
    const task = this.projection.userTask(query.userTaskId);
    if (task === undefined) throw notFound(`No user task with id ${query.userTaskId}`, { userTaskId: query.userTaskId });
    return this.forms.formOf(task);
  }
}
