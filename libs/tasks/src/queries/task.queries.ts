import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';

import { taskNotFound } from '../task-problems.js';
import { TaskRepository } from '../task.repository.js';
import type { TaskCommentView, TaskEventView, TaskFilter, TaskPage, TaskView } from '../task.views.js';

export class GetTaskQuery extends Query<TaskView> {
  constructor(readonly taskId: string) {
    super();
  }
}

export class ListTasksQuery extends Query<TaskPage> {
  constructor(readonly filter: TaskFilter) {
    super();
  }
}

@QueryHandler(GetTaskQuery)
export class GetTaskHandler implements IQueryHandler<GetTaskQuery> {
  constructor(private readonly tasks: TaskRepository) {}

  async execute(query: GetTaskQuery): Promise<TaskView> {
    const task = await this.tasks.get(query.taskId);
    if (!task) throw taskNotFound(query.taskId);
    return task;
  }
}

@QueryHandler(ListTasksQuery)
export class ListTasksHandler implements IQueryHandler<ListTasksQuery> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(query: ListTasksQuery): Promise<TaskPage> {
    return this.tasks.list(query.filter);
  }
}

/** The comments of a task, oldest first. */
export class ListTaskCommentsQuery extends Query<TaskCommentView[]> {
  constructor(readonly taskId: string) {
    super();
  }
}

/** Everything that happened to a task, oldest first. */
export class GetTaskHistoryQuery extends Query<TaskEventView[]> {
  constructor(readonly taskId: string) {
    super();
  }
}

@QueryHandler(ListTaskCommentsQuery)
export class ListTaskCommentsHandler implements IQueryHandler<ListTaskCommentsQuery> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(query: ListTaskCommentsQuery): Promise<TaskCommentView[]> {
    return this.tasks.comments(query.taskId);
  }
}

@QueryHandler(GetTaskHistoryQuery)
export class GetTaskHistoryHandler implements IQueryHandler<GetTaskHistoryQuery> {
  constructor(private readonly tasks: TaskRepository) {}

  execute(query: GetTaskHistoryQuery): Promise<TaskEventView[]> {
    return this.tasks.history(query.taskId);
  }
}
